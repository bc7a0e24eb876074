"""How a value becomes a UBL element: the two namespaces, empty values left out, amounts to the cent.

Shared by the document (``ubl``), its parties (``ubl_parties``) and its amounts (``ubl_amounts``), so each
writes elements the same way: Peppol refuses empty elements (R008) and amounts with fractions of a cent.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CENT = Decimal("0.01")


def _cac(parent: etree._Element, local: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{CAC}}}{local}")


def _cbc(parent: etree._Element, local: str, text: str | None, **attrs: str) -> etree._Element | None:
    """A basic element, or nothing when the value is empty (Peppol refuses empty elements, R008)."""
    if text is None or not str(text).strip():
        return None
    element = etree.SubElement(parent, f"{{{CBC}}}{local}", attrs)
    element.text = str(text).strip()
    return element


def _amount(parent: etree._Element, local: str, value: Decimal, cur: str) -> None:
    _cbc(parent, local, _money(value), currencyID=cur)


def _money(value: Decimal) -> str:
    """Exactly two decimals (UBL-DT-01); refuses fractions of a cent rather than round them away."""
    cents = value.quantize(CENT)
    if cents != value:
        raise ValueError(f"{value} has fractions of a cent")
    return format(cents if cents else abs(cents), "f")  # never "-0.00"


def _price(value: Decimal) -> str:
    """A unit price: at least two decimals, more when Focus has them (prices are not limited to cents)."""
    return _money(value) if value == value.quantize(CENT) else _exact(value)


def _exact(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _percent(rate: Decimal) -> str:
    """0.21 → "21", 0.055 → "5.5", 0 → "0"."""
    return _exact(rate * 100)
