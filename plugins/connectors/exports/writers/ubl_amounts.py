"""The amounts of a UBL document: item lines, document-level allowances and charges, the VAT breakdown.

What the official rules (CEN EN16931 UBL + Peppol BIS Billing 3.0 Schematron) shaped:

* Lines: Peppol checks quantity × price + line charges − line allowances = line net amount (PEPPOL-EN16931-R120,
  0.02 slack) and a price is never negative (BR-27). The price is Focus's unit price without its sign (the sign
  goes on the quantity); whatever quantity × price does not explain of Focus's line amount (its discount percent,
  its rounding) becomes one line allowance "Discount" (code 95) rounded to the cent (with the percent and base
  when they reproduce it), or a line charge "Rounding" when the amount is larger. The line amount is never changed.
* Document-level discounts / charges → ``AllowanceCharge`` with their VAT category and rate (BR-32/BR-37).
* VAT breakdown: Focus's taxable and tax amounts per (rate, category) as given; E, AE, K, G and O carry an
  exemption reason code or text (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10), S and Z none (BR-S-10, BR-Z-10);
  O has no rate (BR-O-05 … BR-48).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from connectors.exports.records import ExportLine, ExportVat
from connectors.exports.writers.ubl_values import CENT, _amount, _cac, _cbc, _exact, _percent, _price

#: Exemption reason codes (CEF VATEX) a category gets when Focus states none.
DEFAULT_EXEMPTION = {
    "AE": ("VATEX-EU-AE", "Reverse charge"),
    "K": ("VATEX-EU-IC", "Intra-community supply"),
    "G": ("VATEX-EU-G", "Export outside the EU"),
    "O": ("VATEX-EU-O", "Not subject to VAT"),
    "E": (None, "Exempt from VAT"),
}


def _document_allowance(root: etree._Element, line: ExportLine, cur: str, charge: bool) -> None:
    element = _cac(root, "AllowanceCharge")
    _cbc(element, "ChargeIndicator", "true" if charge else "false")
    if not charge:
        _cbc(element, "AllowanceChargeReasonCode", "95")
    _cbc(
        element,
        "AllowanceChargeReason",
        (line.description or "").strip() or ("Charge" if charge else "Discount"),
    )
    _amount(element, "Amount", line.amount if charge else -line.amount, cur)
    _tax_category(element, "TaxCategory", line.vat_category, line.tax_rate)


def _tax_subtotal(tax_total: etree._Element, vat: ExportVat, lines: tuple[ExportLine, ...], cur: str) -> None:
    subtotal = _cac(tax_total, "TaxSubtotal")
    _amount(subtotal, "TaxableAmount", vat.taxable, cur)
    _amount(subtotal, "TaxAmount", vat.tax, cur)
    code, reason = vat.exemption_code, vat.exemption_reason
    if vat.vat_category in DEFAULT_EXEMPTION:
        if not code and not reason:  # Focus may state it on the lines only
            same = [
                line for line in lines if line.vat_category == vat.vat_category and line.tax_rate == vat.rate
            ]
            code = next((line.exemption_code for line in same if line.exemption_code), None)
            reason = next((line.exemption_reason for line in same if line.exemption_reason), None)
        default_code, default_reason = DEFAULT_EXEMPTION[vat.vat_category]
        code = code or default_code
        reason = reason or default_reason
    else:
        code = reason = None  # S, Z: no exemption reason (BR-S-10, BR-Z-10)
    _tax_category(subtotal, "TaxCategory", vat.vat_category, vat.rate, code, reason)


def _tax_category(parent: etree._Element, tag: str, category: str, rate: Decimal, code: str | None = None,
                  reason: str | None = None) -> None:  # fmt: skip
    element = _cac(parent, tag)
    _cbc(element, "ID", category)
    if category != "O":  # BR-O-05/06/07: "not subject to VAT" has no rate
        _cbc(element, "Percent", _percent(rate))
    _cbc(element, "TaxExemptionReasonCode", code)
    _cbc(element, "TaxExemptionReason", reason)
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def _item_line(root: etree._Element, line: ExportLine, cur: str, credit: bool) -> None:
    """One item line whose quantity × price ± one line allowance/charge is Focus's amount (PEPPOL-EN16931-R120)."""
    if line.quantity is None or line.unit_price is None or line.quantity == 0:
        quantity = Decimal(-1 if line.amount < 0 else 1)
        price = abs(line.amount)
    else:
        quantity = line.quantity if line.unit_price >= 0 else -line.quantity
        price = abs(line.unit_price)
    base = quantity * price
    difference = (base - line.amount).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = -1 if base < 0 else 1

    element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
    _cbc(element, "ID", str(line.number))
    _cbc(element, "CreditedQuantity" if credit else "InvoicedQuantity", _exact(quantity), unitCode="C62")
    _amount(element, "LineExtensionAmount", line.amount, cur)
    if difference:
        adjust = _cac(element, "AllowanceCharge")
        if difference * sign > 0:  # less than quantity × price: a discount (signed like the line)
            _cbc(adjust, "ChargeIndicator", "false")
            _cbc(adjust, "AllowanceChargeReasonCode", "95")
            _cbc(adjust, "AllowanceChargeReason", "Discount")
            percent = line.discount_percent
            with_base = (
                percent and base == base.quantize(CENT) and abs(base * percent / 100 - difference) <= CENT
            )
            if with_base:
                _cbc(adjust, "MultiplierFactorNumeric", _exact(percent))
            _amount(adjust, "Amount", difference, cur)
            if with_base:
                _amount(adjust, "BaseAmount", base, cur)
        else:  # more than quantity × price: Focus's rounding
            _cbc(adjust, "ChargeIndicator", "true")
            _cbc(adjust, "AllowanceChargeReason", "Rounding")
            _amount(adjust, "Amount", -difference, cur)
    item = _cac(element, "Item")
    description = (line.description or "").strip()
    name = (
        next((part.strip() for part in description.splitlines() if part.strip()), "") or f"Line {line.number}"
    )
    if description and description != name:
        _cbc(item, "Description", description)
    _cbc(item, "Name", name)
    _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.tax_rate)
    _cbc(_cac(element, "Price"), "PriceAmount", _price(price), currencyID=cur)
