"""``invoices.*`` and ``creditNotes.*``.

Sandbox extension: both ``.list`` endpoints accept ``includes`` naming
``.info`` fields (grouped_lines, discounts, payments, payment_term) that are
then added to every list item in exactly their ``.info`` shape, which saves
a client one ``.info`` call per document. The real API lacks this, so the
``list_includes`` setting can ignore those names (the real list shape) or
refuse them (400; what the vendor documents stays accepted).
"""

from __future__ import annotations

from typing import Any

from sandbox.common.clock import iso_seconds
from sandbox.focus.amounts import money
from sandbox.focus.api.base import (
    INVOICEE_CUSTOMER,
    Context,
    Handler,
    Reply,
    filter_ids_and_updated,
    listing,
    not_found,
    order_by,
    project,
    sideload,
)
from sandbox.focus.api.params import Params, bad
from sandbox.focus.payments import settle_invoice
from sandbox.focus.settings import HONOUR, REFUSE
from sandbox.focus.store import Where

INVOICE_STATUSES = ("draft", "outstanding", "matched")
INFO_INCLUDES = ("grouped_lines", "discounts", "payments", "payment_term")
#: What the vendor documents for ``includes`` on each list (``pagination`` -> ``meta``, as on expenses.list).
DOCUMENTED_INVOICE_INCLUDES = ("pagination", "late_fees")
DOCUMENTED_CREDIT_NOTE_INCLUDES = ("pagination",)
INVOICE_INCLUDES = (*INFO_INCLUDES, *DOCUMENTED_INVOICE_INCLUDES)
CREDIT_NOTE_INCLUDES = (*INFO_INCLUDES, *DOCUMENTED_CREDIT_NOTE_INCLUDES)
INVOICE_FIELDS = ("id", "department", "invoice_number", "invoice_date", "status", "due_on", "paid", "paid_at", "sent",
                  "purchase_order_number", "payment_reference", "invoicee", "total", "currency_exchange_rate",
                  "created_at", "updated_at", "web_url", "file", "deal", "project", "delivery_date")
INVOICE_NESTED = {
    "invoicee": ("name", "vat_number", "customer", "for_attention_of"),
    "total": ("tax_exclusive", "tax_inclusive", "payable", "taxes", "due"),
}
CREDIT_NOTE_FIELDS = ("id", "department", "credit_note_number", "credit_note_date", "status", "invoice", "paid",
                      "paid_at", "invoicee", "total", "created_at", "updated_at")
CREDIT_NOTE_NESTED = {
    "invoicee": ("name", "vat_number", "customer"),
    "total": ("tax_exclusive", "tax_inclusive", "payable", "taxes"),
}
#: Demo invoices have no deals, projects or subscriptions: filtering on one matches nothing.
ABSENT_LINKS = ("deal_id", "project_id", "subscription_id")


def _list_item(doc: dict[str, Any], fields: tuple[str, ...], nested: dict[str, tuple[str, ...]],
               includes: frozenset[str]) -> dict[str, Any]:
    item = project(doc, fields, nested)
    for name in includes.intersection(INFO_INCLUDES):
        if name in doc:
            item[name] = doc[name]
    return item


def _list_includes(ctx: Context, params: Params, allowed: tuple[str, ...],
                   documented: tuple[str, ...]) -> frozenset[str]:
    """The ``includes`` names a list call acts on, as ``list_includes`` says: all of them
    (honour), the documented ones (ignore), or a 400 for any other name (refuse)."""
    mode = ctx.settings.list_includes
    if mode == REFUSE:
        return params.includes(documented)
    names = params.includes(allowed)
    return names if mode == HONOUR else names.intersection(documented)


def _common_filters(params: Params, where: Where) -> None:
    f = params.filter()
    filter_ids_and_updated(params, where)
    department = f.string("department_id")
    if department is not None:
        where.add("department_id = ?", department)
    customer = f.reference("customer", ("company", "contact"))
    if customer is not None:
        where.add("customer_type = ? AND customer_id = ?", *customer)


def list_invoices(ctx: Context, params: Params) -> Reply:
    f, where = params.filter(), Where()
    _common_filters(params, where)
    statuses = f.choices("status", INVOICE_STATUSES)
    if statuses is not None:
        where.any_of("status", statuses)
    for key, clause in (("invoice_date_after", "invoice_date >= ?"), ("invoice_date_before", "invoice_date <= ?")):
        day = f.date(key)
        if day is not None:
            where.add(clause, day)
    for key in ("invoice_number", "purchase_order_number", "payment_reference"):
        value = f.string(key)
        if value is not None:
            where.add(f"{key} = ?", value)
    for key in ABSENT_LINKS:
        if f.string(key) is not None:
            where.add("0")
    term = f.string("term")
    if term:
        where.add("instr(search, ?) > 0", term.lower())
    sort = params.sort(("invoice_number", "invoice_date")) or [("invoice_number", False)]
    order = order_by(sort, {"invoice_number": "number_key", "invoice_date": "date_key, number_key"})
    includes = _list_includes(ctx, params, INVOICE_INCLUDES, DOCUMENTED_INVOICE_INCLUDES)
    body = listing(ctx, "invoices", where, order, params.page(), includes,
                   lambda doc: _list_item(doc, INVOICE_FIELDS, INVOICE_NESTED, includes))
    return sideload(ctx, params, body, INVOICEE_CUSTOMER)


def _invoice(ctx: Context, params: Params) -> dict[str, Any]:
    doc = ctx.store.doc("invoices", params.id())
    if doc is None:
        raise not_found("Invoice")
    return doc


def invoice_info(ctx: Context, params: Params) -> Reply:
    return sideload(ctx, params, {"data": _invoice(ctx, params)}, INVOICEE_CUSTOMER)


def _change_payments(ctx: Context, doc: dict[str, Any], payments: list[dict[str, Any]]) -> None:
    if doc["status"] == "draft":
        raise bad("Payments can only be registered on booked invoices")
    doc["payments"] = payments
    settle_invoice(doc)
    doc["updated_at"] = iso_seconds(ctx.clock.now())
    ctx.store.save_invoice(doc)


def register_payment(ctx: Context, params: Params) -> Reply:
    doc = _invoice(ctx, params)
    amount, currency = params.money("payment")
    if currency != doc["currency"]:
        raise bad(f"payment.currency must be the invoice currency {doc['currency']}")
    params.string("payment_method_id")  # validated; the sandbox keeps no payment methods
    payment = {"paid_at": params.datetime_text("paid_at"), "payment": money(amount, currency)}
    _change_payments(ctx, doc, [*doc["payments"], payment])
    return None


def remove_payments(ctx: Context, params: Params) -> Reply:
    _change_payments(ctx, _invoice(ctx, params), [])
    return None


def list_credit_notes(ctx: Context, params: Params) -> Reply:
    f, where = params.filter(), Where()
    _common_filters(params, where)
    invoice_id = f.string("invoice_id")
    if invoice_id is not None:
        where.add("invoice_id = ?", invoice_id)
    if f.string("project_id") is not None:
        where.add("0")
    after, before = f.date("credit_note_date_after"), f.date("credit_note_date_before")
    if after is not None:
        where.add("credit_note_date >= ?", after)
    if before is not None:
        where.add("credit_note_date < ?", before)  # exclusive, unlike invoices (spec)
    includes = _list_includes(ctx, params, CREDIT_NOTE_INCLUDES, DOCUMENTED_CREDIT_NOTE_INCLUDES)
    body = listing(ctx, "credit_notes", where, "number_key, rowid", params.page(), includes,
                   lambda doc: _list_item(doc, CREDIT_NOTE_FIELDS, CREDIT_NOTE_NESTED, includes))
    return sideload(ctx, params, body, INVOICEE_CUSTOMER)


def credit_note_info(ctx: Context, params: Params) -> Reply:
    doc = ctx.store.doc("credit_notes", params.id())
    if doc is None:
        raise not_found("Credit note")
    return sideload(ctx, params, {"data": doc}, INVOICEE_CUSTOMER)


HANDLERS: dict[str, Handler] = {
    "invoices.list": list_invoices,
    "invoices.info": invoice_info,
    "invoices.registerPayment": register_payment,
    "invoices.removePayments": remove_payments,
    "creditNotes.list": list_credit_notes,
    "creditNotes.info": credit_note_info,
}
