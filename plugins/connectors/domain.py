"""Source-neutral records the whole pipeline speaks.

Every Focus quirk (status literals, negative invoices, money as JSON numbers,
ledger accounts hidden behind product categories, Peppol UBL for purchase
lines) ends in ``connectors.focus.mapping`` / ``connectors.focus.ubl``; targets
and validation only ever see these immutable records.

Sign convention: amounts are stated the way the document reads. A credit note
carries positive amounts (its ``kind`` says which way it books); a negative
Focus invoice is turned into a sales credit note with its signs flipped.
Money is always ``Decimal`` rounded to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")


def money(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded to the cent from a Decimal, an int or numeric text.

    Floats are refused: JSON is parsed with ``parse_float=Decimal`` everywhere, so a
    float here is a bug that would lose cents, not a value to convert.
    """
    if isinstance(value, float):
        raise TypeError("money must not be a float: parse JSON with parse_float=Decimal")
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


class DocumentKind(StrEnum):
    SALES_INVOICE = "sales_invoice"
    SALES_CREDIT_NOTE = "sales_credit_note"
    PURCHASE_INVOICE = "purchase_invoice"
    PURCHASE_CREDIT_NOTE = "purchase_credit_note"

    @property
    def is_sales(self) -> bool:
        return self in (DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE)

    @property
    def is_credit_note(self) -> bool:
        return self in (DocumentKind.SALES_CREDIT_NOTE, DocumentKind.PURCHASE_CREDIT_NOTE)

    @property
    def party_role(self) -> PartyRole:
        return PartyRole.CUSTOMER if self.is_sales else PartyRole.SUPPLIER


class PartyRole(StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


class LineKind(StrEnum):
    ITEM = "item"
    #: A document-level (commercial) discount, one line per VAT rate it touches.
    DISCOUNT = "discount"
    #: A document-level charge (UBL AllowanceCharge with ChargeIndicator true).
    CHARGE = "charge"


@dataclass(frozen=True, slots=True)
class PartyRef:
    """Points at a party in the source: Focus has companies and contacts."""

    type: str  # "company" | "contact"
    id: str


@dataclass(frozen=True, slots=True)
class Address:
    line_1: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class Party:
    """A customer or supplier as Focus knows it."""

    ref: PartyRef
    name: str
    vat_number: str | None = None
    national_id: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    iban: str | None = None
    bic: str | None = None
    language: str | None = None
    is_person: bool = False
    updated_at: dt.datetime | None = None
    #: Filled by extraction: which roles the documents of this run gave the party.
    roles: frozenset[PartyRole] = frozenset()


@dataclass(frozen=True, slots=True)
class TaxRate:
    """A Focus tax rate of one department; ``rate`` is a fraction (0.21)."""

    id: str
    department_id: str
    rate: Decimal
    description: str

    @property
    def percent(self) -> Decimal:
        return (self.rate * 100).normalize()


@dataclass(frozen=True, slots=True)
class LedgerAccount:
    """A ledger account number as linked to a product category in Focus."""

    number: str
    department_id: str
    category_id: str
    category_name: str


@dataclass(frozen=True, slots=True)
class Line:
    """One booking line: a net amount at one tax rate.

    ``amount`` is tax-exclusive, after the line's own discount and before any
    document-level discount (those come as separate DISCOUNT lines), rounded to
    the cent the way the source computed it.
    """

    number: int
    description: str
    amount: Decimal
    tax_rate: Decimal  # fraction, 0.21
    kind: LineKind = LineKind.ITEM
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    tax_rate_id: str | None = None  # Focus taxRate id (sales documents)
    vat_category: str | None = None  # UNCL5305 code (purchase documents: S, Z, E, AE, K, G, O)
    ledger_account: str | None = None  # from the product category; None when unlinked
    product_category_id: str | None = None


@dataclass(frozen=True, slots=True)
class VatAmount:
    """VAT per rate as the document states it (the authoritative VAT figures)."""

    rate: Decimal
    taxable: Decimal
    tax: Decimal
    tax_rate_id: str | None = None
    vat_category: str | None = None


@dataclass(frozen=True, slots=True)
class Payment:
    amount: Decimal
    paid_at: dt.datetime | dt.date
    method: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """An invoice or credit note, outgoing or incoming, ready to be booked."""

    source_id: str
    source_type: str  # Focus type: invoice, creditNote, incomingInvoice, incomingCreditNote
    kind: DocumentKind
    department_id: str
    number: str
    date: dt.date
    party: PartyRef
    currency: str
    lines: tuple[Line, ...]
    vat: tuple[VatAmount, ...]
    total_excl: Decimal
    total_vat: Decimal
    total_incl: Decimal
    due_date: dt.date | None = None
    payable: Decimal | None = None
    payment_reference: str | None = None
    #: For credit notes: the Focus id of the invoice it credits, when known.
    credits_source_id: str | None = None
    #: True when Focus has it as a negative invoice that we turned into a credit note.
    from_negative_invoice: bool = False
    paid: bool = False
    paid_amount: Decimal = Decimal("0.00")
    payments: tuple[Payment, ...] = field(default_factory=tuple)
    updated_at: dt.datetime | None = None
    #: Supplier's own number on a purchase document.
    supplier_reference: str | None = None

    @property
    def party_role(self) -> PartyRole:
        return self.kind.party_role

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def label(self) -> str:
        """How users know the document: "Invoice 2026 / 17", "Incoming credit note INV-9"."""
        names = {
            "invoice": "Invoice",
            "creditNote": "Credit note",
            "incomingInvoice": "Incoming invoice",
            "incomingCreditNote": "Incoming credit note",
        }
        return f"{names.get(self.source_type, self.source_type)} {self.number}"


@dataclass(frozen=True, slots=True)
class Department:
    """A Focus department: one company entity of the account."""

    id: str
    name: str
    vat_number: str | None
    currency: str
    country: str | None = None
    status: str = "active"


@dataclass(frozen=True, slots=True)
class SourceIssue:
    """A source document that could not be turned into a record, and why.

    The message names the document, the field and the fix; extraction goes on
    with the other documents.
    """

    source_type: str
    source_id: str
    number: str | None
    message: str
    #: The Focus field at fault (``invoice_date``, ``total.tax_exclusive``, …), when one is.
    field: str | None = None
