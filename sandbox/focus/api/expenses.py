"""``expenses.list`` and the ``incomingInvoices.*`` / ``incomingCreditNotes.*`` actions.

``expenses.list`` is the only list of purchase documents; ``.info`` of an
incoming document has totals and a file id but no lines (the lines are in
the UBL file, see ``files.download``).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sandbox.focus.amounts import money, number
from sandbox.focus.api.base import Context, Created, Handler, Reply, listing, not_found, order_by, sideload
from sandbox.focus.api.params import Params, bad
from sandbox.focus.payments import amount_of, settle_expense
from sandbox.focus.records import Expense
from sandbox.focus.store import Where

SOURCE_TYPES = ("incomingInvoice", "incomingCreditNote", "receipt")
REVIEW_STATUSES = ("pending", "approved", "refused")
BOOKKEEPING_STATUSES = ("sent", "not_sent")
#: ``unpaid`` is the spec's filter value; the item statuses are accepted too.
PAYMENT_STATUSES = {"paid": ("paid",), "unpaid": ("not_paid", "partially_paid"), "partially_paid": ("partially_paid",),
                    "not_paid": ("not_paid",), "unknown": ("unknown",)}
DATE_OPERATORS = {"equals": "= ?", "before": "< ?", "after": "> ?"}
INFO_FIELDS = ("title", "origin", "supplier", "document_number", "due_date", "currency", "total", "company_entity",
               "file", "payment_reference", "review_status", "iban_number", "payment_status")


def _document_date(params: Params, where: Where) -> None:
    condition = params.filter().object("document_date")
    if condition is None:
        return
    operator = condition.required("operator")
    if operator == "is_empty":
        where.add("document_date IS NULL")
    elif operator == "between":
        start, end = condition.date("start"), condition.date("end")
        if start is None or end is None:
            raise bad("filter.document_date.start and end are required for between")
        where.add("document_date BETWEEN ? AND ?", start, end)
    elif operator in DATE_OPERATORS:
        value = condition.date("value")
        if value is None:
            raise bad(f"filter.document_date.value is required for {operator}")
        where.add(f"document_date {DATE_OPERATORS[operator]}", value)
    else:
        raise bad("filter.document_date.operator must be one of: is_empty, between, equals, before, after")


def list_expenses(ctx: Context, params: Params) -> Reply:
    f, where = params.filter(), Where()
    for key, column, allowed in (("source_types", "source_type", SOURCE_TYPES),
                                 ("review_statuses", "review_status", REVIEW_STATUSES),
                                 ("bookkeeping_statuses", "bookkeeping_status", BOOKKEEPING_STATUSES)):
        values = f.choices(key, allowed)
        if values is not None:
            where.any_of(column, values)
    payment_statuses = f.choices("payment_statuses", PAYMENT_STATUSES)
    if payment_statuses is not None:
        where.any_of("payment_status", {s for name in payment_statuses for s in PAYMENT_STATUSES[name]})
    departments = f.strings("department_ids")
    if departments is not None:
        where.any_of("department_id", departments)
    supplier = f.reference("supplier", ("company", "contact"))
    if supplier is not None:
        where.add("supplier_type = ? AND supplier_id = ?", *supplier)
    term = f.string("term")
    if term:
        where.add("instr(search, ?) > 0", term.lower())
    _document_date(params, where)
    sort = params.sort(("document_date", "due_date", "supplier_name")) or [("document_date", False)]
    order = order_by(sort, {"document_date": "document_date", "due_date": "due_date", "supplier_name": "supplier_name"})
    body = listing(ctx, "expenses", where, order, params.page(), params.includes(("pagination",)), lambda doc: doc)
    return sideload(ctx, params, body, {"supplier": lambda doc: doc.get("supplier")})


def _incoming_handlers(resource: str, source_type: str, what: str) -> dict[str, Handler]:
    def load(ctx: Context, params: Params) -> Expense:
        expense = ctx.store.expense(params.id(), source_type)
        if expense is None:
            raise not_found(what)
        return expense

    def info(ctx: Context, params: Params) -> Reply:
        doc = load(ctx, params).doc
        data = {"id": doc["source"]["id"], **{key: doc[key] for key in INFO_FIELDS}}
        data["invoice_date"] = doc["document_date"]
        return {"data": data}

    def approve(ctx: Context, params: Params) -> Reply:
        expense = load(ctx, params)
        expense.doc["review_status"] = "approved"
        ctx.store.save_expense(expense)
        return None

    def register_payment(ctx: Context, params: Params) -> Reply:
        expense = load(ctx, params)
        amount, currency = params.money("payment")
        if currency != expense.doc["currency"]["code"]:
            raise bad(f"payment.currency must be {expense.doc['currency']['code']}")
        method = params.string("payment_method_id")
        payment = {
            "id": str(uuid.uuid4()),
            "payment": money(amount, currency),
            "paid_at": params.datetime_text("paid_at"),
            "payment_method": {"type": "paymentMethod", "id": method} if method else None,
            "remark": params.string("remark"),
        }
        expense.payments.append(payment)
        settle_expense(expense.doc, expense.payments)
        ctx.store.save_expense(expense)
        return Created("payment", payment["id"])

    def list_payments(ctx: Context, params: Params) -> Reply:
        payments = load(ctx, params).payments
        total = sum((amount_of(p["payment"]) for p in payments), Decimal(0))
        return {"data": payments, "meta": {"total": {"amount": number(total)}}}

    def remove_payment(ctx: Context, params: Params) -> Reply:
        expense = load(ctx, params)
        payment_id = params.string("payment_id")
        if not payment_id:
            raise bad("payment_id is required")
        kept = [p for p in expense.payments if p["id"] != payment_id]
        if len(kept) == len(expense.payments):
            raise not_found("Payment")
        expense.payments[:] = kept
        if kept:
            settle_expense(expense.doc, kept)
        else:
            expense.doc.update(payment_status="not_paid", paid_amount=money(Decimal(0), expense.doc["currency"]["code"]), paid_at=None)
        ctx.store.save_expense(expense)
        return None

    return {
        f"{resource}.info": info,
        f"{resource}.removePayment": remove_payment,
        f"{resource}.approve": approve,
        f"{resource}.registerPayment": register_payment,
        f"{resource}.listPayments": list_payments,
    }


HANDLERS: dict[str, Handler] = {
    "expenses.list": list_expenses,
    **_incoming_handlers("incomingInvoices", "incomingInvoice", "Incoming invoice"),
    **_incoming_handlers("incomingCreditNotes", "incomingCreditNote", "Incoming credit note"),
}
