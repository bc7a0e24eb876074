"""Peppol BIS Billing 3.0 purchase documents as suppliers send them, and what their booking must say.

Everything here is test-side code: the UBL text is written from generated facts,
its totals are computed here with the EN 16931 calculation rules, and the expected
booking is derived from those facts with this module's own chart. Nothing is
imported from ``connectors``.

EN 16931 amounts (two decimals, ROUND_HALF_UP here):

- line: LineExtensionAmount = round(quantity x PriceAmount / BaseQuantity) - line allowances
  (BR-24 ... BR-DEC-23);
- per VAT category and percent (BR-CO-17, BR-S-08 ...): TaxableAmount = its lines
  + its document charges - its document allowances; TaxAmount = round(TaxableAmount x percent / 100);
- LineExtensionAmount = sum of lines; TaxExclusiveAmount = lines - allowances + charges;
  TaxInclusiveAmount = TaxExclusiveAmount + sum of TaxAmount;
  PayableAmount = TaxInclusiveAmount - PrepaidAmount + PayableRoundingAmount.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from hypothesis import strategies as st

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEPARTMENT_ID = "dept-be"


def en16931_round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- the test's own chart -------------------------------------------------------------------

#: (UNCL5305 category, percent) a Belgian buyer receives: standard rates, zero-rated,
#: exempt, reverse charge (AE) and intra-community (K).
VAT_CATEGORIES = (("S", Decimal(21)), ("S", Decimal(12)), ("S", Decimal(6)),
                  ("Z", Decimal(0)), ("E", Decimal(0)), ("AE", Decimal(0)), ("K", Decimal(0)))
#: The target VAT code the integration links each category and percent to.
VAT_CODE = {("S", Decimal(21)): "P21", ("S", Decimal(12)): "P12", ("S", Decimal(6)): "P06",
            ("Z", Decimal(0)): "P00Z", ("E", Decimal(0)): "P00E", ("AE", Decimal(0)): "P00AE",
            ("K", Decimal(0)): "P00K"}
CATEGORY_OF_VAT_CODE = {code: key for key, code in VAT_CODE.items()}
#: (rate as the settings spell it, percent, account): purchases always book by rate.
EXPENSE_ACCOUNTS = (("0.21", Decimal(21), "600021"), ("0.12", Decimal(12), "600012"),
                    ("0.06", Decimal(6), "600006"), ("0", Decimal(0), "600000"))
EXPENSE_ACCOUNT_BY_PERCENT = {percent: account for _, percent, account in EXPENSE_ACCOUNTS}
PURCHASE_DISCOUNT_ACCOUNT = "608000"


# -- generated facts and the document's figures ----------------------------------------------------


@dataclass(frozen=True)
class UblLine:
    category: str
    percent: Decimal
    quantity: Decimal  # signed
    price: Decimal  # cac:Price/cbc:PriceAmount, never negative (BR-27)
    base_quantity: Decimal | None
    line_allowance: Decimal  # a line-level allowance as written (signed like the line; 0: none)

    @property
    def net(self) -> Decimal:
        """LineExtensionAmount: the line-level allowance is already deducted."""
        return en16931_round(self.quantity * self.price / (self.base_quantity or 1)) - self.line_allowance


@dataclass(frozen=True)
class UblAllowanceCharge:
    """A document-level allowance (a discount) or charge, in one VAT category."""

    charge: bool
    category: str
    percent: Decimal
    amount: Decimal  # as written in cbc:Amount (negative on a negative invoice)
    reason: str
    factor: Decimal | None = None  # cbc:MultiplierFactorNumeric, a percentage of ...
    base: Decimal = ZERO  # ... cbc:BaseAmount

    @property
    def effect(self) -> Decimal:
        return self.amount if self.charge else -self.amount


@dataclass(frozen=True)
class PeppolPurchase:
    """A supplier's Invoice or CreditNote in UBL, as Focus files it under an approved expense."""

    document_type: str  # "Invoice" | "CreditNote"
    number: str
    lines: tuple[UblLine, ...]
    allowances_charges: tuple[UblAllowanceCharge, ...]
    prepaid: Decimal
    rounding: Decimal
    style: int  # how numbers are written: 0 "1225.00", 1 "1225.0", 2 "1225"
    tax_currency_total: bool  # a second cac:TaxTotal in the tax currency (SEK), without breakdown

    # the document's figures ---------------------------------------------------------------

    @cached_property
    def taxable(self) -> dict[tuple[str, Decimal], Decimal]:
        taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            taxable[(line.category, line.percent)] += line.net
        for ac in self.allowances_charges:
            taxable[(ac.category, ac.percent)] += ac.effect
        return dict(taxable)

    @cached_property
    def tax(self) -> dict[tuple[str, Decimal], Decimal]:
        return {key: en16931_round(amount * key[1] / 100) for key, amount in self.taxable.items()}

    @property
    def line_extension(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def allowance_total(self) -> Decimal:
        return sum((ac.amount for ac in self.allowances_charges if not ac.charge), ZERO)

    @property
    def charge_total(self) -> Decimal:
        return sum((ac.amount for ac in self.allowances_charges if ac.charge), ZERO)

    @property
    def tax_exclusive(self) -> Decimal:
        return self.line_extension - self.allowance_total + self.charge_total

    @property
    def tax_total(self) -> Decimal:
        return sum(self.tax.values(), ZERO)

    @property
    def tax_inclusive(self) -> Decimal:
        return self.tax_exclusive + self.tax_total

    @property
    def payable(self) -> Decimal:
        return self.tax_inclusive - self.prepaid + self.rounding

    # what the booking must say (the oracle) ----------------------------------------------------

    @property
    def is_negative_invoice(self) -> bool:
        return self.document_type == "Invoice" and self.tax_inclusive < 0

    @property
    def expected_kind(self) -> str:
        if self.document_type == "Invoice" and not self.is_negative_invoice:
            return "purchase_invoice"
        return "purchase_credit_note"

    @property
    def booking_sign(self) -> Decimal:
        return Decimal(-1) if self.is_negative_invoice else Decimal(1)

    def expected_net_by_account(self) -> dict[str, Decimal]:
        """Lines and charges on the expense account of their rate; allowances on the discount account."""
        net: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            net[EXPENSE_ACCOUNT_BY_PERCENT[line.percent]] += line.net
        for ac in self.allowances_charges:
            account = EXPENSE_ACCOUNT_BY_PERCENT[ac.percent] if ac.charge else PURCHASE_DISCOUNT_ACCOUNT
            net[account] += ac.effect
        return nonzero({account: amount * self.booking_sign for account, amount in net.items()})

    def expected_net_by_category(self) -> dict[tuple[str, Decimal], Decimal]:
        return nonzero({key: amount * self.booking_sign for key, amount in self.taxable.items()})

    def expected_vat_by_category(self) -> dict[tuple[str, Decimal], Decimal]:
        return nonzero({key: amount * self.booking_sign for key, amount in self.tax.items()})

    def cases(self) -> dict[str, bool]:
        """Which of the money path's cases this document exercises (to measure the generator's reach)."""
        categories = {line.category for line in self.lines} | {ac.category for ac in self.allowances_charges}
        incl = abs(self.tax_inclusive)
        found = {
            "credit note": self.document_type == "CreditNote",
            "negative invoice": self.is_negative_invoice,
            "lines of both signs": len({line.quantity > 0 for line in self.lines}) == 2,
            "several lines": len(self.lines) > 1,
            "several categories": len(categories) > 1,
            **{f"category {category}": category in categories for category in ("S", "Z", "E", "AE", "K")},
            "line allowance": any(line.line_allowance for line in self.lines),
            "BaseQuantity": any(line.base_quantity for line in self.lines),
            "price with more than 2 decimals": any(line.price != line.price.quantize(CENT) for line in self.lines),
            "document allowance": any(not ac.charge for ac in self.allowances_charges),
            "document charge": any(ac.charge for ac in self.allowances_charges),
            "allowance or charge by percentage": any(ac.factor is not None for ac in self.allowances_charges),
            "prepaid amount": bool(self.prepaid),
            "cash rounding": bool(self.rounding),
            "TaxTotal in the tax currency": self.tax_currency_total,
            **{f'numbers written like "{example}"': self.style == style
               for style, example in enumerate(("1225.00", "1225.0", "1225"))},
            "total of 1.00 or less": incl <= 1,
            "total of 10^11 or more": incl >= 10**11,
            "total of 10^12 or more": incl >= 10**12,
        }
        return found

    def summary(self) -> str:
        """The document and its figures on one line, for assertion messages."""
        lines = ", ".join(f"{ln.category}:{ln.percent} {ln.quantity} x {ln.price}"
                          + (f" / {ln.base_quantity}" if ln.base_quantity else "")
                          + (f" - {ln.line_allowance}" if ln.line_allowance else "") + f" = {ln.net}"
                          for ln in self.lines)
        extra = "".join(f" {'+' if ac.charge else '-'}{ac.amount} ({ac.category}:{ac.percent})"
                        for ac in self.allowances_charges)
        taxes = ", ".join(f"{c}:{p}: {amount} + {self.tax[(c, p)]}" for (c, p), amount in self.taxable.items())
        return (f"<UBL {self.document_type} {self.number}: [{lines}]{extra}; taxes {{{taxes}}}; "
                f"incl {self.tax_inclusive}, prepaid {self.prepaid}, rounding {self.rounding}>")

    # what Focus holds -------------------------------------------------------------------

    @cached_property
    def xml(self) -> bytes:
        return ubl_xml(self).encode()

    @cached_property
    def expense(self) -> dict[str, Any]:
        """The ``expenses.list`` item, as the Focus client delivers it (numbers parsed as Decimal)."""
        source_type = "incomingInvoice" if self.document_type == "Invoice" else "incomingCreditNote"
        sequence = self.number.rsplit("-", 1)[-1]
        item = {
            "source": {"type": source_type, "id": f"{source_type}-{sequence}"},
            "origin": {"type": "peppolIncomingDocument", "id": f"peppol-{sequence}"},
            "title": f"Supplier document {self.number}",
            "supplier": {"type": "company", "id": "supplier-1"},
            "document_number": self.number,
            "document_date": "2026-03-10",
            "due_date": "2026-04-09",
            "currency": {"code": "EUR"},
            "total": {"tax_exclusive": {"amount": float(str(self.tax_exclusive)) + 0.0},
                      "tax_inclusive": {"amount": float(str(self.tax_inclusive)) + 0.0}},
            "company_entity": {"type": "department", "id": DEPARTMENT_ID},
            "file": {"type": "file", "id": f"file-{sequence}"},
            "payment_reference": None,
            "review_status": "approved",
            "bookkeeping_status": "not_sent",
            "payment_status": "not_paid",
            "paid_amount": {"amount": 0.0, "currency": "EUR"},
            "paid_at": None,
        }
        return json.loads(json.dumps(item), parse_float=Decimal)


def nonzero(amounts: dict[Any, Decimal]) -> dict[Any, Decimal]:
    return {key: value for key, value in amounts.items() if value}


# -- UBL text -------------------------------------------------------------------------------

_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"


def _number(value: Decimal, style: int) -> str:
    """An xsd:decimal as suppliers write it: "1225.00", "1225.0" or "1225" (never an exponent)."""
    if style == 0:
        return f"{value:.2f}"
    text = format(value.normalize(), "f")
    if style == 1 and "." not in text:
        text += ".0"
    return text


def _tax_category(tag: str, category: str, percent: Decimal, style: int) -> str:
    reason = "" if category in ("S", "Z") else f"<cbc:TaxExemptionReasonCode>VATEX-EU-{category}</cbc:TaxExemptionReasonCode>"
    return (f"<cac:{tag}><cbc:ID>{category}</cbc:ID><cbc:Percent>{_number(percent, style)}</cbc:Percent>"
            f"{reason}<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:{tag}>")


def ubl_xml(doc: PeppolPurchase) -> str:
    root = doc.document_type
    line_tag, qty_tag = ("InvoiceLine", "InvoicedQuantity") if root == "Invoice" else \
        ("CreditNoteLine", "CreditedQuantity")
    type_code = "<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>" if root == "Invoice" else \
        "<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"
    style = doc.style

    def amount(tag: str, value: Decimal, currency: str = "EUR") -> str:
        return f'<cbc:{tag} currencyID="{currency}">{_number(value, style)}</cbc:{tag}>'

    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<{root} xmlns:cac="{_UBL}CommonAggregateComponents-2" xmlns:cbc="{_UBL}CommonBasicComponents-2" '
        f'xmlns="{_UBL}{root}-2">',
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
        "</cbc:CustomizationID>",
        "<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>",
        f"<cbc:ID>{doc.number}</cbc:ID><cbc:IssueDate>2026-03-10</cbc:IssueDate>",
        "<cbc:DueDate>2026-04-09</cbc:DueDate>" if root == "Invoice" else "",
        type_code,
        "<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>",
        "<cbc:TaxCurrencyCode>SEK</cbc:TaxCurrencyCode>" if doc.tax_currency_total else "",
        "<cbc:BuyerReference>PO-4711</cbc:BuyerReference>",
        "<cac:AccountingSupplierParty><cac:Party>"
        '<cbc:EndpointID schemeID="0208">0123456749</cbc:EndpointID>'
        "<cac:PartyName><cbc:Name>Supplier BV</cbc:Name></cac:PartyName>"
        "<cac:PostalAddress><cbc:StreetName>Kerkstraat 1</cbc:StreetName><cbc:CityName>Gent</cbc:CityName>"
        "<cbc:PostalZone>9000</cbc:PostalZone><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode>"
        "</cac:Country></cac:PostalAddress>"
        "<cac:PartyTaxScheme><cbc:CompanyID>BE0123456749</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
        "</cac:TaxScheme></cac:PartyTaxScheme>"
        "<cac:PartyLegalEntity><cbc:RegistrationName>Supplier BV</cbc:RegistrationName></cac:PartyLegalEntity>"
        "</cac:Party></cac:AccountingSupplierParty>",
        "<cac:AccountingCustomerParty><cac:Party>"
        '<cbc:EndpointID schemeID="0208">0987654321</cbc:EndpointID>'
        "<cac:PostalAddress><cac:Country><cbc:IdentificationCode>BE</cbc:IdentificationCode></cac:Country>"
        "</cac:PostalAddress>"
        "<cac:PartyLegalEntity><cbc:RegistrationName>Buyer NV</cbc:RegistrationName></cac:PartyLegalEntity>"
        "</cac:Party></cac:AccountingCustomerParty>",
        "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
        f"<cbc:PaymentID>{doc.number}</cbc:PaymentID></cac:PaymentMeans>",
    ]
    for ac in doc.allowances_charges:
        parts.append(
            f"<cac:AllowanceCharge><cbc:ChargeIndicator>{'true' if ac.charge else 'false'}</cbc:ChargeIndicator>"
            f"<cbc:AllowanceChargeReason>{ac.reason}</cbc:AllowanceChargeReason>"
            + (f"<cbc:MultiplierFactorNumeric>{_number(ac.factor, 2)}</cbc:MultiplierFactorNumeric>"
               if ac.factor is not None else "")
            + amount("Amount", ac.amount)
            + (amount("BaseAmount", ac.base) if ac.factor is not None else "")
            + f"{_tax_category('TaxCategory', ac.category, ac.percent, style)}"
            "</cac:AllowanceCharge>"
        )
    parts.append(f"<cac:TaxTotal>{amount('TaxAmount', doc.tax_total)}")
    for (category, percent), taxable in doc.taxable.items():
        parts.append(
            f"<cac:TaxSubtotal>{amount('TaxableAmount', taxable)}{amount('TaxAmount', doc.tax[(category, percent)])}"
            f"{_tax_category('TaxCategory', category, percent, style)}</cac:TaxSubtotal>"
        )
    parts.append("</cac:TaxTotal>")
    if doc.tax_currency_total:
        in_sek = en16931_round(doc.tax_total * Decimal("11.21"))
        parts.append(f"<cac:TaxTotal>{amount('TaxAmount', in_sek, 'SEK')}</cac:TaxTotal>")
    parts += [
        "<cac:LegalMonetaryTotal>",
        amount("LineExtensionAmount", doc.line_extension),
        amount("TaxExclusiveAmount", doc.tax_exclusive),
        amount("TaxInclusiveAmount", doc.tax_inclusive),
        amount("AllowanceTotalAmount", doc.allowance_total) if any(not a.charge for a in doc.allowances_charges)
        else "",
        amount("ChargeTotalAmount", doc.charge_total) if any(a.charge for a in doc.allowances_charges) else "",
        amount("PrepaidAmount", doc.prepaid) if doc.prepaid else "",
        amount("PayableRoundingAmount", doc.rounding) if doc.rounding else "",
        amount("PayableAmount", doc.payable),
        "</cac:LegalMonetaryTotal>",
    ]
    for n, line in enumerate(doc.lines, 1):
        line_allowance = (
            "<cac:AllowanceCharge><cbc:ChargeIndicator>false</cbc:ChargeIndicator>"
            f"<cbc:AllowanceChargeReason>Discount</cbc:AllowanceChargeReason>"
            f"{amount('Amount', line.line_allowance)}</cac:AllowanceCharge>"
            if line.line_allowance else ""
        )
        base = (f'<cbc:BaseQuantity unitCode="C62">{_number(line.base_quantity, 2)}</cbc:BaseQuantity>'
                if line.base_quantity else "")
        parts.append(
            f"<cac:{line_tag}><cbc:ID>{n}</cbc:ID>"
            f'<cbc:{qty_tag} unitCode="C62">{_number(line.quantity, 2)}</cbc:{qty_tag}>'
            f"{amount('LineExtensionAmount', line.net)}{line_allowance}"
            f"<cac:Item><cbc:Name>Item {n}</cbc:Name>"
            f"{_tax_category('ClassifiedTaxCategory', line.category, line.percent, style)}</cac:Item>"
            f'<cac:Price><cbc:PriceAmount currencyID="EUR">{_number(line.price, 2)}</cbc:PriceAmount>{base}'
            f"</cac:Price></cac:{line_tag}>"
        )
    parts.append(f"</{root}>")
    return "\n".join(part for part in parts if part)


# -- strategies ---------------------------------------------------------------------------


def _scaled(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


#: (quantity, price, base quantity), from cents to ~10^12 per line; prices with up to 4 decimals.
quantities_prices_and_bases = st.one_of(
    st.tuples(st.integers(1, 20).map(Decimal), _scaled(1, 500_000, 2), st.none()),
    st.tuples(_scaled(1, 99_999, 3), _scaled(1, 9_999_999, 4), st.none()),
    st.tuples(st.integers(1, 5_000).map(Decimal), _scaled(1, 9_999, 4), st.sampled_from([None, Decimal(1)])),
    st.tuples(st.integers(1, 100).map(Decimal), _scaled(1, 999_999, 2), st.sampled_from([Decimal(2), Decimal(12)])),
    st.tuples(st.just(Decimal(1)), _scaled(1, 3, 2), st.none()),
    st.tuples(st.integers(1, 9).map(Decimal), _scaled(10**11, 10**13, 2), st.none()),
    st.tuples(st.just(Decimal(1)), _scaled(10**13, 10**14, 2), st.none()),
)
_categories = st.sampled_from(VAT_CATEGORIES)
_line_allowances = st.one_of(st.just(ZERO), st.just(ZERO), _scaled(1, 5_000, 2))
_negated = st.booleans()


@st.composite
def ubl_lines(draw: st.DrawFn, sign_mode: str) -> UblLine:
    quantity, price, base = draw(quantities_prices_and_bases)
    category, percent = draw(_categories)
    allowance = draw(_line_allowances)
    gross = en16931_round(quantity * price / (base or 1))
    allowance = min(allowance, gross)  # a line allowance does not exceed the line
    if sign_mode == "negative" or (sign_mode == "mixed" and draw(_negated)):
        quantity, allowance = -quantity, -allowance  # BR-27: the price stays positive, the quantity is signed
    return UblLine(category, percent, quantity, price, base, allowance)


_lines = {mode: st.lists(ubl_lines(mode), min_size=1, max_size=5) for mode in ("positive", "negative", "mixed")}
_reasons = st.sampled_from(["Discount", "Volume rebate", "Freight", "Packaging"])
_percentages = st.one_of(st.sampled_from([Decimal(2), Decimal(5), Decimal("12.5")]), _scaled(1, 10_000, 2))
_fixed_amounts = _scaled(1, 50_000, 2)
_how_many = st.integers(0, 2)
_is_charge = st.booleans()
_by_percentage = st.booleans()


@st.composite
def allowances_and_charges(draw: st.DrawFn, lines: tuple[UblLine, ...], negative: bool) -> list[UblAllowanceCharge]:
    """0-2 document-level allowances or charges, each in a VAT category the lines use: a percentage
    of that category's lines (MultiplierFactorNumeric x BaseAmount) or a fixed amount."""
    used = sorted({(line.category, line.percent) for line in lines})
    found = []
    for _ in range(draw(_how_many)):
        category, percent = draw(st.sampled_from(used))
        base = abs(sum((ln.net for ln in lines if (ln.category, ln.percent) == (category, percent)), ZERO))
        if base and draw(_by_percentage):
            factor = draw(_percentages)
            amount = en16931_round(base * factor / 100)
        else:
            factor, amount = None, draw(_fixed_amounts)
        found.append(UblAllowanceCharge(draw(_is_charge), category, percent, -amount if negative else amount,
                                        draw(_reasons), factor, -base if negative else base))
    return found


_kinds_and_sign_modes = st.sampled_from([
    ("Invoice", "positive"), ("Invoice", "negative"), ("Invoice", "mixed"),
    ("CreditNote", "positive"), ("CreditNote", "mixed"),
])


@st.composite
def peppol_purchases(draw: st.DrawFn) -> PeppolPurchase:
    """A supplier Invoice (positive, negative or mixed) or CreditNote (positive total)."""
    document_type, sign_mode = draw(_kinds_and_sign_modes)
    lines = tuple(draw(_lines[sign_mode]))
    doc = PeppolPurchase(
        document_type=document_type,
        number=f"SUP-{draw(st.integers(1, 99_999))}",
        lines=lines,
        allowances_charges=tuple(draw(allowances_and_charges(lines, sign_mode == "negative"))),
        prepaid=ZERO,
        rounding=ZERO,
        style=draw(st.integers(0, 2)),
        tax_currency_total=draw(st.booleans()),
    )
    if document_type == "CreditNote" and doc.tax_inclusive < 0:
        # Half-up rounding is symmetric: the mirrored document is exactly the negated one.
        doc = replace(doc, lines=tuple(replace(ln, quantity=-ln.quantity, line_allowance=-ln.line_allowance)
                                       for ln in doc.lines),
                      allowances_charges=tuple(replace(ac, amount=-ac.amount, base=-ac.base)
                                               for ac in doc.allowances_charges))
    if doc.tax_inclusive > 0:  # part paid up front, and cash rounding of what is left to pay
        prepaid = min(doc.tax_inclusive, draw(_prepaid))
        rounding = draw(_cash_rounding) if doc.tax_inclusive - prepaid >= 1 else ZERO
        doc = replace(doc, prepaid=prepaid, rounding=rounding)
    return doc


_prepaid = st.sampled_from([ZERO, ZERO, Decimal("100.00"), Decimal("0.01")])
_cash_rounding = st.sampled_from([ZERO, ZERO, Decimal("0.02"), Decimal("-0.01")])
