"""Read a Peppol BIS Billing 3.0 UBL Invoice or CreditNote into a neutral record.

Focus gives approved incoming Peppol documents only as totals; their lines and
VAT breakdown live in the UBL file. Signs are kept exactly as written (a
negative invoice stays negative: the mapping decides to flip it), and a file
whose totals do not add up is refused, because booking it would put the
supplier's arithmetic error into the user's VAT return.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lxml import etree
from stdnum.be import vat as be_vat

from connectors.domain import Address, Line, LineKind, VatAmount, money

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_NS = {"cac": f"{_UBL}CommonAggregateComponents-2", "cbc": f"{_UBL}CommonBasicComponents-2"}
_ROOTS = {  # root tag -> (document_type, line element, quantity element)
    f"{{{_UBL}Invoice-2}}Invoice": ("invoice", "InvoiceLine", "InvoicedQuantity"),
    f"{{{_UBL}CreditNote-2}}CreditNote": ("credit_note", "CreditNoteLine", "CreditedQuantity"),
}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")  # xsd:decimal: no NaN, no exponent, no thousands separator
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?")  # xsd:date, optional zone ignored
_ZERO = Decimal("0.00")
_El = etree._Element


class UblError(ValueError):
    """A UBL file we cannot book: unreadable, not Peppol UBL, or totals that do not add up."""


@dataclass(frozen=True, slots=True)
class UblParty:
    """Supplier or customer as the UBL states it; used to match or create the party in the target."""

    name: str | None
    vat_number: str | None
    address: Address | None
    iban: str | None  # supplier only: where the money goes
    email: str | None


@dataclass(frozen=True, slots=True)
class UblDocument:
    """The UBL file's content, amounts exactly as written (cents, signs kept)."""

    document_type: str  # "invoice" | "credit_note"
    number: str
    issue_date: date
    due_date: date | None
    currency: str
    supplier: UblParty
    customer: UblParty
    lines: tuple[Line, ...]  # items, then document-level allowances (DISCOUNT) and charges (CHARGE)
    vat: tuple[VatAmount, ...]
    total_excl: Decimal
    total_vat: Decimal
    total_incl: Decimal
    payable: Decimal
    prepaid: Decimal
    rounding: Decimal
    payment_reference: str | None
    buyer_reference: str | None
    invoiced_object_reference: str | None  # the invoice a credit note (or correction) refers to


class _Reader:
    """Field access whose errors name the document and the field (XPath) at fault."""

    def __init__(self, label: str) -> None:
        self.label = label  # "invoice" | "credit note"
        self.number: str | None = None

    def error(self, message: str) -> UblError:
        return UblError(f"UBL {self.label} {self.number or '(without cbc:ID)'}: {message}")

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            raise self.error(
                f"{message}; the supplier's document is inconsistent — ask the supplier for a corrected {self.label}"
            )

    def text(self, el: _El | None, path: str, where: str = "", required: bool = False) -> str | None:
        found = el.find(path, _NS) if el is not None else None
        value = (found.text or "").strip() if found is not None else ""
        if value:
            return value
        if required:
            raise self.error(f"{where}{path} is missing")
        return None

    def num(self, el: _El | None, path: str, where: str = "", required: bool = False) -> Decimal | None:
        raw = self.text(el, path, where, required)
        if raw is not None and not _NUMBER.fullmatch(raw):
            raise self.error(f"{where}{path} {raw!r} is not a number")
        return None if raw is None else Decimal(raw)

    def amount(self, el: _El | None, path: str, where: str = "", default: Decimal | None = None) -> Decimal:
        value = self.num(el, path, where, required=default is None)
        return default if value is None else money(value)

    def day(self, el: _El, path: str, required: bool = False) -> date | None:
        raw = self.text(el, path, required=required)
        if raw is None:
            return None
        try:
            return date.fromisoformat(_DATE.fullmatch(raw).group(1))  # type: ignore[union-attr]
        except (AttributeError, ValueError):
            raise self.error(f"{path} {raw!r} is not a date (YYYY-MM-DD)") from None

    def rate(self, el: _El, path: str, where: str = "") -> Decimal:
        """A VAT percentage as a fraction; absent (category O) means 0."""
        percent = self.num(el, f"{path}/cbc:Percent", where)
        return (percent / 100).normalize() if percent else Decimal(0)


def _parse(xml: bytes) -> _El:
    """Parse without DTDs, entities or network: a supplier's file is untrusted input."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise UblError(f"UBL document is not well-formed XML: {exc}") from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise UblError("UBL document declares a DTD (<!DOCTYPE>); Peppol UBL never does, so it is refused")
    return root


def _party(r: _Reader, root: _El, role: str, with_iban: bool) -> UblParty:
    party = root.find(f"cac:{role}/cac:Party", _NS)
    if party is None:
        return UblParty(None, None, None, None, None)
    addr = party.find("cac:PostalAddress", _NS)
    address = Address(
        line_1=r.text(addr, "cbc:StreetName"),
        postal_code=r.text(addr, "cbc:PostalZone"),
        city=r.text(addr, "cbc:CityName"),
        country=r.text(addr, "cac:Country/cbc:IdentificationCode"),
    )
    iban = r.text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") if with_iban else None
    return UblParty(
        name=r.text(party, "cac:PartyLegalEntity/cbc:RegistrationName")
        or r.text(party, "cac:PartyName/cbc:Name"),
        vat_number=_vat_number(r, party),
        address=address if address != Address() else None,
        iban=re.sub(r"\s", "", iban) if iban else None,
        email=r.text(party, "cac:Contact/cbc:ElectronicMail"),
    )


def _vat_number(r: _Reader, party: _El) -> str | None:
    """PartyTaxScheme/CompanyID under TaxScheme VAT; else a Belgian Peppol endpoint.

    The endpoint fallback only covers scheme 9925 (BE VAT) and 0208 (BE
    enterprise number, which is the VAT number behind "BE"), and only when the
    mod-97 check passes: other schemes (GLN, national registers) are no VAT numbers.
    """
    for scheme in party.findall("cac:PartyTaxScheme", _NS):
        if r.text(scheme, "cac:TaxScheme/cbc:ID") == "VAT" and (vat := r.text(scheme, "cbc:CompanyID")):
            return vat
    endpoint = party.find("cbc:EndpointID", _NS)
    if endpoint is not None and endpoint.get("schemeID") in ("9925", "0208"):
        number = (endpoint.text or "").strip()
        return f"BE{be_vat.compact(number)}" if be_vat.is_valid(number) else None
    return None


def _items(r: _Reader, root: _El, line_tag: str, qty_tag: str) -> list[Line]:
    lines = []
    for n, el in enumerate(root.findall(f"cac:{line_tag}", _NS), 1):
        where = f"cac:{line_tag}[{n}]/"
        price = r.num(el, "cac:Price/cbc:PriceAmount", where)
        base = r.num(el, "cac:Price/cbc:BaseQuantity", where)
        lines.append(
            Line(
                number=n,
                description=r.text(el, "cac:Item/cbc:Name") or r.text(el, "cac:Item/cbc:Description") or "",
                amount=r.amount(el, "cbc:LineExtensionAmount", where),
                tax_rate=r.rate(el, "cac:Item/cac:ClassifiedTaxCategory", where),
                quantity=r.num(el, f"cbc:{qty_tag}", where),
                unit_price=price / base if price is not None and base else price,
                vat_category=r.text(el, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
            )
        )
    if not lines:
        raise r.error(f"cac:{line_tag} is missing: the document has no lines")
    return lines


def _allowances_charges(r: _Reader, root: _El, first: int) -> list[Line]:
    """Document-level AllowanceCharge as DISCOUNT (-Amount) and CHARGE (+Amount) lines."""
    lines = []
    for n, el in enumerate(root.findall("cac:AllowanceCharge", _NS), 1):
        where = f"cac:AllowanceCharge[{n}]/"
        flag = r.text(el, "cbc:ChargeIndicator", where, required=True).lower()
        if flag not in ("true", "false", "1", "0"):
            raise r.error(f"{where}cbc:ChargeIndicator {flag!r} is not true/false")
        charge = flag in ("true", "1")
        amount = r.amount(el, "cbc:Amount", where)
        reason = r.text(el, "cbc:AllowanceChargeReason") or r.text(el, "cbc:AllowanceChargeReasonCode")
        lines.append(
            Line(
                number=first + n - 1,
                description=reason or ("Charge" if charge else "Allowance"),
                amount=amount if charge else _ZERO - amount,
                tax_rate=r.rate(el, "cac:TaxCategory", where),
                kind=LineKind.CHARGE if charge else LineKind.DISCOUNT,
                vat_category=r.text(el, "cac:TaxCategory/cbc:ID"),
            )
        )
    return lines


def _tax_total(r: _Reader, root: _El, currency: str) -> _El:
    """The TaxTotal in the document currency (a second one may state VAT in the tax currency)."""
    totals = root.xpath(
        "cac:TaxTotal[not(cbc:TaxAmount/@currencyID) or cbc:TaxAmount/@currencyID = $cur]",
        namespaces=_NS,
        cur=currency,
    )
    if not totals:
        raise r.error(f"cac:TaxTotal in the document currency {currency} is missing")
    return max(totals, key=lambda t: t.find("cac:TaxSubtotal", _NS) is not None)


def parse_ubl(xml: bytes) -> UblDocument:
    """Parse and cross-check a Peppol BIS 3.0 Invoice/CreditNote; raise UblError when unusable."""
    root = _parse(xml)
    if root.tag not in _ROOTS:
        raise UblError(f"UBL document with root element {root.tag!r} is not a UBL Invoice or CreditNote")
    document_type, line_tag, qty_tag = _ROOTS[root.tag]
    r = _Reader(document_type.replace("_", " "))
    r.number = r.text(root, "cbc:ID", required=True)
    issue_date = r.day(root, "cbc:IssueDate", required=True)
    due_date = r.day(root, "cbc:DueDate") or r.day(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    currency = r.text(root, "cbc:DocumentCurrencyCode", required=True)

    items = _items(r, root, line_tag, qty_tag)
    extra = _allowances_charges(r, root, len(items) + 1)
    tax_total = _tax_total(r, root, currency)
    subtotals = tax_total.findall("cac:TaxSubtotal", _NS)
    if not subtotals:
        raise r.error("cac:TaxTotal/cac:TaxSubtotal is missing: the document has no VAT breakdown")
    vat = tuple(
        VatAmount(
            rate=r.rate(s, "cac:TaxCategory", f"cac:TaxSubtotal[{n}]/"),
            taxable=r.amount(s, "cbc:TaxableAmount", f"cac:TaxSubtotal[{n}]/"),
            tax=r.amount(s, "cbc:TaxAmount", f"cac:TaxSubtotal[{n}]/"),
            vat_category=r.text(s, "cac:TaxCategory/cbc:ID"),
        )
        for n, s in enumerate(subtotals, 1)
    )
    total_vat = r.amount(tax_total, "cbc:TaxAmount", "cac:TaxTotal/")
    lmt = root.find("cac:LegalMonetaryTotal", _NS)
    if lmt is None:
        raise r.error("cac:LegalMonetaryTotal is missing")
    w = "LegalMonetaryTotal/"
    line_ext = r.amount(lmt, "cbc:LineExtensionAmount", w)
    total_excl = r.amount(lmt, "cbc:TaxExclusiveAmount", w)
    total_incl = r.amount(lmt, "cbc:TaxInclusiveAmount", w)
    payable = r.amount(lmt, "cbc:PayableAmount", w)
    prepaid = r.amount(lmt, "cbc:PrepaidAmount", w, default=_ZERO)
    rounding = r.amount(lmt, "cbc:PayableRoundingAmount", w, default=_ZERO)

    items_sum = sum((line.amount for line in items), _ZERO)
    allowances = sum((-line.amount for line in extra if line.kind is LineKind.DISCOUNT), _ZERO)
    charges = sum((line.amount for line in extra if line.kind is LineKind.CHARGE), _ZERO)
    taxable = sum((v.taxable for v in vat), _ZERO)
    tax = sum((v.tax for v in vat), _ZERO)
    r.check(
        items_sum == line_ext,
        f"{w}LineExtensionAmount {line_ext} differs from the sum of the lines ({items_sum})",
    )
    r.check(
        total_excl == line_ext - allowances + charges,
        f"{w}TaxExclusiveAmount {total_excl} differs from the lines ({line_ext})"
        f" minus allowances ({allowances}) plus charges ({charges})",
    )
    r.check(
        taxable == total_excl,
        f"{w}TaxExclusiveAmount {total_excl} differs from the VAT breakdown ({taxable})",
    )
    r.check(tax == total_vat, f"TaxTotal/TaxAmount {total_vat} differs from the VAT breakdown ({tax})")
    r.check(
        total_incl == total_excl + total_vat,
        f"{w}TaxInclusiveAmount {total_incl} differs from TaxExclusiveAmount ({total_excl}) plus VAT ({total_vat})",
    )
    r.check(
        payable == total_incl - prepaid + rounding,
        f"{w}PayableAmount {payable} differs from TaxInclusiveAmount ({total_incl})"
        f" minus PrepaidAmount ({prepaid}) plus PayableRoundingAmount ({rounding})",
    )
    return UblDocument(
        document_type=document_type,
        number=r.number,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        supplier=_party(r, root, "AccountingSupplierParty", with_iban=True),
        customer=_party(r, root, "AccountingCustomerParty", with_iban=False),
        lines=tuple(items + extra),
        vat=vat,
        total_excl=total_excl,
        total_vat=total_vat,
        total_incl=total_incl,
        payable=payable,
        prepaid=prepaid,
        rounding=rounding,
        payment_reference=r.text(root, "cac:PaymentMeans/cbc:PaymentID"),
        buyer_reference=r.text(root, "cbc:BuyerReference"),
        invoiced_object_reference=r.text(root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"),
    )
