"""What a package writer is handed: the export's documents and customers, with everything resolved.

By the time a writer sees an ``ExportDocument`` every line has its ledger account and UNCL5305 VAT category,
the customer has its number (where numbers are managed), and a negative Focus invoice is already a credit
note with its signs flipped. Money is ``Decimal`` to the cent; rates are fractions (0.21).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.domain import Address, LineKind, PartyRef


@dataclass(frozen=True, slots=True)
class Seller:
    """The Focus department that issued the documents (``departments.info``)."""

    department_id: str
    name: str
    vat_number: str | None
    currency: str
    address: Address | None = None
    email: str | None = None
    phone: str | None = None
    iban: str | None = None
    bic: str | None = None


@dataclass(frozen=True, slots=True)
class ExportCustomer:
    ref: PartyRef
    name: str
    #: The customer's number in the package (None when the export does not manage numbers).
    number: str | None = None
    vat_number: str | None = None
    #: Enterprise number (KBO/BCE) or another national id, as Focus has it.
    national_id: str | None = None
    email: str | None = None
    phone: str | None = None
    address: Address | None = None
    iban: str | None = None
    bic: str | None = None
    language: str | None = None
    is_person: bool = False


@dataclass(frozen=True, slots=True)
class ExportLine:
    """One line, tax-exclusive. DISCOUNT lines are document-level commercial discounts (negative amounts),
    CHARGE lines document-level charges; both carry their VAT rate like item lines."""

    number: int
    description: str
    amount: Decimal
    tax_rate: Decimal
    #: UNCL5305: S, Z, E, AE, K, G, O.
    vat_category: str
    ledger_account: str
    kind: LineKind = LineKind.ITEM
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    #: VATEX code and text, for categories that need a reason (E, AE, K, G, O).
    exemption_code: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExportVat:
    """VAT per rate and category as Focus states it: the authoritative figures."""

    rate: Decimal
    vat_category: str
    taxable: Decimal
    tax: Decimal
    exemption_code: str | None = None
    exemption_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExportDocument:
    source_id: str
    #: Focus type: invoice | creditNote
    source_type: str
    is_credit_note: bool
    number: str
    date: dt.date
    currency: str
    customer: ExportCustomer
    journal: str
    lines: tuple[ExportLine, ...]
    vat: tuple[ExportVat, ...]
    total_excl: Decimal
    total_vat: Decimal
    total_incl: Decimal
    due_date: dt.date | None = None
    #: What is still to pay when the document was issued (``total.payable``): total less withheld taxes.
    payable: Decimal | None = None
    #: Belgian structured communication, ``+++ddd/dddd/ddddd+++``, checked (mod 97) — None when the document has none.
    structured_communication: str | None = None
    #: Any other payment reference Focus holds (free text).
    payment_reference: str | None = None
    #: For a credit note: the number of the invoice it corrects, when Focus says which.
    credited_number: str | None = None
    credited_date: dt.date | None = None
    from_negative_invoice: bool = False

    @property
    def label(self) -> str:
        """How users know it: "Invoice 2026 / 17", "Credit note 2026 / 3" (a negative invoice stays an Invoice)."""
        return f"{'Invoice' if self.source_type == 'invoice' else 'Credit note'} {self.number}"


@dataclass(frozen=True)
class ExportBatch:
    """One export, as a writer sees it. ``documents`` is an iterable read from the state database as the
    writer goes (stream it once: it may be large); ``customers`` are those the documents reference, in order."""

    entity: str
    package: str
    period_from: dt.date
    period_to: dt.date
    seller: Seller
    documents: Iterable[ExportDocument]
    customers: list[ExportCustomer]
    #: Whether customers are exported as well (a writer that has a customers file leaves it out when off).
    export_customers: bool = True
    #: The package's own parameters (``Writer.params``), values as chosen for this export.
    params: dict[str, Any] = field(default_factory=dict)
