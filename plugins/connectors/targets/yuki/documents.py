"""The SalesInvoices and PurchaseInvoices xmlDocs the imports take, and their import responses per invoice.

Elements go in the order of Yuki's XSD sequences (apis.md §4.3), in Yuki's
namespaces. The connector's reference travels in ``Reference`` (how a
booking is found again: Yuki has no idempotency key), the Focus number in
``Subject``. Sales lines carry their net amount as the price of one unit
(credit notes: minus one unit) with the VAT type and ledger account; Yuki
computes the VAT per VAT type itself, so a document whose Focus VAT differs
from Yuki's arithmetic is refused before it is sent. Purchase lines carry
net and VAT amounts as Focus states them, with auto-correction off.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from lxml.builder import ElementMaker

from connectors.domain import DocumentKind
from connectors.targets.base import AmbiguousWrite, Booking, BookingRef, DocumentRefused, NotSent, PostResult
from connectors.targets.yuki.client import child_text, children

SALES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"
PURCHASE_NS = "urn:xmlns:http://www.theyukicompany.com:purchaseinvoices"
_S = ElementMaker(namespace=SALES_NS, nsmap={None: SALES_NS})
_P = ElementMaker(namespace=PURCHASE_NS, nsmap={None: PURCHASE_NS})
CENT = Decimal("0.01")
CANCELLED = "the process has been cancelled"


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _optional(maker: ElementMaker, name: str, value: str | None) -> list[etree._Element]:
    return [getattr(maker, name)(value)] if value else []


def yuki_vat(booking: Booking, rates: Mapping[str, Decimal]) -> dict[str, tuple[Decimal, Decimal]]:
    """Per VAT type: (what Yuki will compute on the lines' nets, what Focus states)."""
    nets: dict[str, Decimal] = defaultdict(Decimal)
    stated: dict[str, Decimal] = defaultdict(Decimal)
    for line in booking.lines:
        nets[line.vat_code] += line.amount
        stated[line.vat_code] += line.vat_amount
    return {code: ((nets[code] * rates.get(code, Decimal(0))).quantize(CENT, ROUND_HALF_UP), stated[code])
            for code in nets}


def check_sales_vat(booking: Booking, rates: Mapping[str, Decimal]) -> None:
    for code, (computed, stated) in yuki_vat(booking, rates).items():
        if computed != stated:
            raise DocumentRefused(
                f"{booking.description}: Yuki computes the VAT of VAT type {code} itself ({computed}), but Focus "
                f"states {stated}; the document would not book at Focus's total. Correct the VAT in Focus (per "
                "rate on the document's total) or book this document in Yuki by hand", code="vat_differs",
                field="vat")


def sales_invoice(booking: Booking) -> etree._Element:
    sign = "-1" if booking.kind is DocumentKind.SALES_CREDIT_NOTE else "1"
    lines = [_S.InvoiceLine(
        *_optional(_S, "Description", line.description[:250]),
        _S.ProductQuantity(sign),
        _S.Product(_S.SalesPrice(_money(line.amount)), _S.VATType(line.vat_code),
                   _S.GLAccountCode(line.ledger_account)),
    ) for line in booking.lines]
    return _S.SalesInvoice(
        _S.Reference(booking.reference), _S.Subject(booking.description[:250]),
        *_optional(_S, "PaymentID", booking.payment_reference),
        _S.Process("true"), _S.EmailToCustomer("false"), _S.Date(booking.date.isoformat()),
        *_optional(_S, "DueDate", booking.due_date.isoformat() if booking.due_date else None),
        _S.Currency(booking.currency), _S.Contact(_S.ContactCode(booking.party.code or "")),
        _S.InvoiceLines(*lines),
    )


def purchase_invoice(booking: Booking) -> etree._Element:
    sign = Decimal(-1) if booking.kind is DocumentKind.PURCHASE_CREDIT_NOTE else Decimal(1)
    lines = [_P.InvoiceLine(
        *_optional(_P, "Description", line.description[:250]),
        _P.LineAmount(_money(sign * line.amount)), _P.LineVATAmount(_money(sign * line.vat_amount)),
        _P.VATType(line.vat_code), _P.GLAccountCode(line.ledger_account),
    ) for line in booking.lines]
    return _P.PurchaseInvoice(
        _P.Subject(booking.description[:250]), _P.Reference(booking.reference), _P.Process("true"),
        _P.Date(booking.date.isoformat()),
        *_optional(_P, "DueDate", booking.due_date.isoformat() if booking.due_date else None),
        _P.Currency(booking.currency), _P.InvoiceAmount(_money(sign * booking.total_incl)),
        _P.Contact(_P.ContactCode(booking.party.code or "")), _P.InvoiceLines(*lines),
    )


def sales_document(bookings: Sequence[Booking]) -> etree._Element:
    return _S.SalesInvoices(*(sales_invoice(b) for b in bookings))


def purchase_document(bookings: Sequence[Booking]) -> etree._Element:
    return _P.PurchaseInvoices(*(purchase_invoice(b) for b in bookings))


def import_results(result: etree._Element, bookings: Sequence[Booking]) -> list[PostResult]:
    """One result per booking from ``<…ImportResponse>``: booked, refused with Yuki's message, or not sent
    (the batch was cancelled because another invoice in it failed validation)."""
    answers: dict[str, list[etree._Element]] = defaultdict(list)
    for node in children(result, "Invoice"):
        answers[child_text(node, "Reference") or ""].append(node)
    out: list[PostResult] = []
    for booking in bookings:
        nodes = answers.get(booking.reference)
        if not nodes:
            out.append(AmbiguousWrite(f"{booking.description}: Yuki's import response does not mention it"))
            continue
        node = nodes.pop(0)
        message = child_text(node, "Message") or ""
        if (child_text(node, "Succeeded") or "").lower() == "true":
            out.append(BookingRef(booking.reference))
        elif message.lower().startswith(CANCELLED):
            out.append(NotSent(f"{booking.description}: {message}"))
        else:
            out.append(DocumentRefused(f"{booking.description}: Yuki refused it: {message or 'no reason given'}; "
                                       "correct the document in Focus or the mapping, then it is booked next run",
                                       code="refused_by_yuki"))
    return out
