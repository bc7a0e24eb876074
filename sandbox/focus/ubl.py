"""UBL 2.1 Peppol BIS Billing 3.0 invoices and credit notes (the Peppol inbox files).

The model computes its own totals (EN 16931 rules: tax per category
subtotal = round(taxable * percent / 100, 2); TaxExclusiveAmount = line sum
minus document allowances), so the expense items the API lists carry exactly
the amounts written into the XML. Element order follows the UBL schema and
the official Peppol examples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from sandbox.focus.amounts import HUNDRED, cents
from sandbox.focus.parties import Address

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ROOT_NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
}
#: VAT categories that need an exemption reason in the tax subtotal.
EXEMPTION_REASONS = {
    "E": ("VATEX-EU-132", "Exempt from VAT"),
    "AE": ("VATEX-EU-AE", "Reverse charge"),
}
#: Peppol electronic-address schemes keyed by country (BE: enterprise number, others: VAT).
ENDPOINT_SCHEMES = {"BE": "0208", "NL": "9944", "FR": "9957", "DE": "9930"}


@dataclass(frozen=True)
class UblParty:
    name: str
    vat_number: str
    address: Address

    @property
    def endpoint(self) -> tuple[str, str]:
        country = self.address.country
        value = self.vat_number[2:] if country == "BE" else self.vat_number
        return ENDPOINT_SCHEMES[country], value


@dataclass(frozen=True)
class UblLine:
    name: str
    quantity: Decimal
    unit_code: str
    price: Decimal
    category: str  # S, Z, E, AE
    percent: Decimal

    @property
    def amount(self) -> Decimal:
        return cents(self.quantity * self.price)


@dataclass(frozen=True)
class UblAllowance:
    """A document-level allowance (discount), charged to one VAT category."""

    reason: str
    amount: Decimal
    category: str
    percent: Decimal


@dataclass(frozen=True)
class TaxSubtotal:
    category: str
    percent: Decimal
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class UblDocument:
    credit_note: bool
    number: str
    issue_date: dt.date
    due_date: dt.date
    currency: str
    buyer_reference: str
    supplier: UblParty
    customer: UblParty
    payment_id: str | None
    iban: str
    bic: str
    lines: Sequence[UblLine]
    allowances: Sequence[UblAllowance] = ()
    invoice_reference: str | None = None

    def subtotals(self) -> list[TaxSubtotal]:
        taxable: dict[tuple[str, Decimal], Decimal] = {}
        for line in self.lines:
            key = (line.category, line.percent)
            taxable[key] = taxable.get(key, Decimal(0)) + line.amount
        for allowance in self.allowances:
            key = (allowance.category, allowance.percent)
            taxable[key] = taxable.get(key, Decimal(0)) - allowance.amount
        return [
            TaxSubtotal(category, percent, amount, cents(amount * percent / HUNDRED))
            for (category, percent), amount in taxable.items()
        ]

    @property
    def line_extension(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def allowance_total(self) -> Decimal:
        return sum((a.amount for a in self.allowances), Decimal(0))

    @property
    def tax_exclusive(self) -> Decimal:
        return self.line_extension - self.allowance_total

    @property
    def tax_amount(self) -> Decimal:
        return sum((s.tax for s in self.subtotals()), Decimal(0))

    @property
    def tax_inclusive(self) -> Decimal:
        return self.tax_exclusive + self.tax_amount


def _text(value: Decimal) -> str:
    """``21``, ``2.5``: no exponent, no trailing zeros (quantities, percentages)."""
    normalized = value.normalize()
    return f"{normalized:f}"


class _Writer:
    def __init__(self, currency: str) -> None:
        self.currency = currency

    def cbc(self, parent: etree._Element, tag: str, text: str, **attrs: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{CBC}}}{tag}", attrs)
        element.text = text
        return element

    def cac(self, parent: etree._Element, tag: str) -> etree._Element:
        return etree.SubElement(parent, f"{{{CAC}}}{tag}")

    def amount(self, parent: etree._Element, tag: str, value: Decimal) -> None:
        self.cbc(parent, tag, f"{value:.2f}", currencyID=self.currency)

    def tax_category(self, parent: etree._Element, tag: str, category: str, percent: Decimal,
                     *, with_reason: bool) -> None:
        element = self.cac(parent, tag)
        self.cbc(element, "ID", category)
        self.cbc(element, "Percent", _text(percent))
        if with_reason and category in EXEMPTION_REASONS:
            code, reason = EXEMPTION_REASONS[category]
            self.cbc(element, "TaxExemptionReasonCode", code)
            self.cbc(element, "TaxExemptionReason", reason)
        self.cbc(self.cac(element, "TaxScheme"), "ID", "VAT")

    def party(self, parent: etree._Element, tag: str, party: UblParty) -> None:
        element = self.cac(self.cac(parent, tag), "Party")
        scheme, endpoint = party.endpoint
        self.cbc(element, "EndpointID", endpoint, schemeID=scheme)
        self.cbc(self.cac(element, "PartyName"), "Name", party.name)
        postal = self.cac(element, "PostalAddress")
        self.cbc(postal, "StreetName", party.address.line_1)
        self.cbc(postal, "CityName", party.address.city)
        self.cbc(postal, "PostalZone", party.address.postal_code)
        self.cbc(self.cac(postal, "Country"), "IdentificationCode", party.address.country)
        tax_scheme = self.cac(element, "PartyTaxScheme")
        self.cbc(tax_scheme, "CompanyID", party.vat_number)
        self.cbc(self.cac(tax_scheme, "TaxScheme"), "ID", "VAT")
        self.cbc(self.cac(element, "PartyLegalEntity"), "RegistrationName", party.name)


def render(doc: UblDocument) -> bytes:
    root_tag = "CreditNote" if doc.credit_note else "Invoice"
    w = _Writer(doc.currency)
    root = etree.Element(f"{{{ROOT_NS[root_tag]}}}{root_tag}", nsmap={None: ROOT_NS[root_tag], "cac": CAC, "cbc": CBC})
    w.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    w.cbc(root, "ProfileID", PROFILE_ID)
    w.cbc(root, "ID", doc.number)
    w.cbc(root, "IssueDate", doc.issue_date.isoformat())
    if doc.credit_note:
        w.cbc(root, "CreditNoteTypeCode", "381")
    else:
        w.cbc(root, "DueDate", doc.due_date.isoformat())
        w.cbc(root, "InvoiceTypeCode", "380")
    w.cbc(root, "DocumentCurrencyCode", doc.currency)
    w.cbc(root, "BuyerReference", doc.buyer_reference)
    if doc.invoice_reference:
        w.cbc(w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID", doc.invoice_reference)
    w.party(root, "AccountingSupplierParty", doc.supplier)
    w.party(root, "AccountingCustomerParty", doc.customer)

    means = w.cac(root, "PaymentMeans")
    w.cbc(means, "PaymentMeansCode", "30", name="Credit transfer")
    if doc.credit_note:
        w.cbc(means, "PaymentDueDate", doc.due_date.isoformat())
    if doc.payment_id:
        w.cbc(means, "PaymentID", doc.payment_id)
    account = w.cac(means, "PayeeFinancialAccount")
    w.cbc(account, "ID", doc.iban)
    w.cbc(w.cac(account, "FinancialInstitutionBranch"), "ID", doc.bic)

    for allowance in doc.allowances:
        element = w.cac(root, "AllowanceCharge")
        w.cbc(element, "ChargeIndicator", "false")
        w.cbc(element, "AllowanceChargeReasonCode", "95")
        w.cbc(element, "AllowanceChargeReason", allowance.reason)
        w.amount(element, "Amount", allowance.amount)
        w.tax_category(element, "TaxCategory", allowance.category, allowance.percent, with_reason=False)

    tax_total = w.cac(root, "TaxTotal")
    w.amount(tax_total, "TaxAmount", doc.tax_amount)
    for subtotal in doc.subtotals():
        element = w.cac(tax_total, "TaxSubtotal")
        w.amount(element, "TaxableAmount", subtotal.taxable)
        w.amount(element, "TaxAmount", subtotal.tax)
        w.tax_category(element, "TaxCategory", subtotal.category, subtotal.percent, with_reason=True)

    totals = w.cac(root, "LegalMonetaryTotal")
    w.amount(totals, "LineExtensionAmount", doc.line_extension)
    w.amount(totals, "TaxExclusiveAmount", doc.tax_exclusive)
    w.amount(totals, "TaxInclusiveAmount", doc.tax_inclusive)
    if doc.allowances:
        w.amount(totals, "AllowanceTotalAmount", doc.allowance_total)
    w.amount(totals, "PayableAmount", doc.tax_inclusive)

    line_tag, quantity_tag = ("CreditNote", "Credited") if doc.credit_note else ("Invoice", "Invoiced")
    for number, line in enumerate(doc.lines, start=1):
        element = w.cac(root, f"{line_tag}Line")
        w.cbc(element, "ID", str(number))
        w.cbc(element, f"{quantity_tag}Quantity", _text(line.quantity), unitCode=line.unit_code)
        w.amount(element, "LineExtensionAmount", line.amount)
        item = w.cac(element, "Item")
        w.cbc(item, "Name", line.name)
        w.tax_category(item, "ClassifiedTaxCategory", line.category, line.percent, with_reason=False)
        w.amount(w.cac(element, "Price"), "PriceAmount", line.price)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
