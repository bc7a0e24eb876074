"""Import documents read into invoice requests, once ``schema.validate`` has passed them.

A request is what booking needs, in Python types: amounts as ``Decimal``,
dates as ISO text, flags as bools, absent elements as None. The demo data
builds the same requests directly, so demo invoices and imported ones go
through the same booking rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from lxml import etree


@dataclass(frozen=True)
class ContactRef:
    """The invoice's ``<Contact>``: ``ContactCode`` and/or ``FullName``, and what a new contact gets."""

    code: str = ""
    full_name: str = ""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SalesLine:
    quantity: Decimal
    price: Decimal
    description: str = ""
    vat_type: int | None = None
    vat_percentage: Decimal | None = None
    vat_included: bool = False
    gl_account: str | None = None


@dataclass(frozen=True)
class PurchaseLine:
    amount: Decimal
    vat_type: int
    gl_account: str
    description: str = ""
    vat_amount: Decimal | None = None


@dataclass(frozen=True)
class InvoiceRequest:
    """A sales invoice (``lines`` of SalesLine) or a purchase invoice (PurchaseLine, ``amount`` given)."""

    contact: ContactRef
    lines: tuple[Any, ...]
    reference: str | None = None
    subject: str = ""
    process: bool = True
    email: bool = False
    date: str | None = None
    due_date: str | None = None
    currency: str = "EUR"
    payment_method: str = ""
    payment_id: str = ""
    remarks: str = ""
    amount: Decimal | None = None


class Reader:
    """Typed access to the children of one validated element (all in ``namespace``)."""

    def __init__(self, node: etree._Element, namespace: str) -> None:
        self._node = node
        self._ns = namespace

    def find(self, name: str) -> etree._Element | None:
        return self._node.find(f"{{{self._ns}}}{name}")

    def text(self, name: str, default: str = "") -> str:
        found = self.find(name)
        return default if found is None else (found.text or "").strip()

    def optional(self, name: str) -> str | None:
        found = self.find(name)
        return None if found is None or not (found.text or "").strip() else (found.text or "").strip()

    def decimal(self, name: str) -> Decimal | None:
        value = self.optional(name)
        return None if value is None else Decimal(value)

    def integer(self, name: str) -> int | None:
        value = self.optional(name)
        return None if value is None else int(value)

    def flag(self, name: str, default: bool) -> bool:
        value = self.optional(name)
        return default if value is None else value in ("true", "1")

    def child(self, name: str) -> Reader:
        found = self.find(name)
        return Reader(found if found is not None else etree.Element("empty"), self._ns)

    def each(self, name: str) -> list[Reader]:
        return [Reader(node, self._ns) for node in self._node.iterfind(f"{{{self._ns}}}{name}")]


def _contact(reader: Reader) -> ContactRef:
    node = reader.find("Contact")
    details = {} if node is None else {etree.QName(c).localname: (c.text or "").strip()
                                       for c in node if isinstance(c.tag, str)}
    return ContactRef(details.get("ContactCode", ""), details.get("FullName", ""), details)


def _header(invoice: Reader) -> dict[str, Any]:
    return {"contact": _contact(invoice), "reference": invoice.optional("Reference"),
            "subject": invoice.text("Subject"), "process": invoice.flag("Process", True),
            "date": invoice.optional("Date"), "due_date": invoice.optional("DueDate"),
            "currency": invoice.text("Currency") or "EUR", "payment_method": invoice.text("PaymentMethod"),
            "remarks": invoice.text("Remarks")}


def sales_request(node: etree._Element, namespace: str) -> InvoiceRequest:
    invoice = Reader(node, namespace)
    lines = []
    for line in invoice.child("InvoiceLines").each("InvoiceLine"):
        product = line.child("Product")
        quantity, price = line.decimal("ProductQuantity"), product.decimal("SalesPrice")
        assert quantity is not None and price is not None  # required by the layout
        lines.append(SalesLine(quantity, price, line.text("Description") or product.text("Description"),
                               product.integer("VATType"), product.decimal("VATPercentage"),
                               product.flag("VATIncluded", False), product.optional("GLAccountCode")))
    return InvoiceRequest(lines=tuple(lines), email=invoice.flag("EmailToCustomer", False),
                          payment_id=invoice.text("PaymentID"), **_header(invoice))


def purchase_request(node: etree._Element, namespace: str) -> InvoiceRequest:
    invoice = Reader(node, namespace)
    lines = []
    for line in invoice.child("InvoiceLines").each("InvoiceLine"):
        amount, vat_type = line.decimal("LineAmount"), line.integer("VATType")
        assert amount is not None and vat_type is not None  # required by the layout
        lines.append(PurchaseLine(amount, vat_type, line.text("GLAccountCode"), line.text("Description"),
                                  line.decimal("LineVATAmount")))
    return InvoiceRequest(lines=tuple(lines), amount=invoice.decimal("InvoiceAmount"), **_header(invoice))
