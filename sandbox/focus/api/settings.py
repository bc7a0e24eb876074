"""Account settings and reference lists: departments, tax rates, product
categories (with their ledger accounts), payment terms, the current user
and webhook registrations (stored, never delivered)."""

from __future__ import annotations

from sandbox.focus.api.base import Context, Handler, Reply, listing, not_found, order_by, project
from sandbox.focus.api.params import Params, bad
from sandbox.focus.store import Where

DEPARTMENT_LIST_FIELDS = ("id", "name", "vat_number", "currency", "emails", "status")
DEPARTMENT_INFO_FIELDS = (*DEPARTMENT_LIST_FIELDS, "address", "telephones", "website", "iban", "bic", "fiscal_regime")


def list_departments(ctx: Context, params: Params) -> Reply:
    f, where = params.filter(), Where()
    ids = f.strings("ids")
    if ids is not None:
        where.any_of("id", ids)
    statuses = f.choices("status", ("active", "archived"))
    if statuses is not None:
        where.any_of("status", statuses)
    sort = params.sort(("default_department", "name", "created_at"))
    order = order_by(sort, {"default_department": "position", "name": "name", "created_at": "created_at"})
    docs = ctx.store.docs("departments", where, order)
    return {"data": [project(doc, DEPARTMENT_LIST_FIELDS, {}) for doc in docs]}


def department_info(ctx: Context, params: Params) -> Reply:
    doc = ctx.store.doc("departments", params.id())
    if doc is None:
        raise not_found("Department")
    return {"data": project(doc, DEPARTMENT_INFO_FIELDS, {})}


def list_tax_rates(ctx: Context, params: Params) -> Reply:
    where = Where()
    department = params.filter().string("department_id")
    if department is not None:
        where.add("department_id = ?", department)
    columns = {"department_id": "department_id", "rate": "rate", "description": "description"}
    order = order_by(params.sort(columns), columns)
    return listing(ctx, "tax_rates", where, order, params.page(), params.includes(("pagination",)), lambda doc: doc)


def list_product_categories(ctx: Context, params: Params) -> Reply:
    """Categories are account-wide: ``department_id`` is validated but every
    category is returned, each with its ledgers for all departments."""
    params.filter().string("department_id")
    return listing(ctx, "product_categories", Where(), "rowid", params.page(), params.includes(("pagination",)),
                   lambda doc: doc)


def list_payment_terms(ctx: Context, params: Params) -> Reply:
    default = ctx.store.column("SELECT id FROM payment_terms WHERE is_default = 1")
    return {"data": ctx.store.docs("payment_terms", Where()), "meta": {"default": default[0] if default else None}}


def users_me(ctx: Context, params: Params) -> Reply:
    return {"data": ctx.store.docs("users", Where())[0]}


def _webhook(params: Params) -> tuple[str, list[str]]:
    types = params.strings("types")
    if not types:
        raise bad("types must be a non-empty array of strings")
    return params.required("url"), types


def register_webhook(ctx: Context, params: Params) -> Reply:
    url, types = _webhook(params)
    ctx.store.set_webhook(url, sorted({*ctx.store.webhooks().get(url, []), *types}))
    return None


def unregister_webhook(ctx: Context, params: Params) -> Reply:
    url, types = _webhook(params)
    ctx.store.set_webhook(url, [t for t in ctx.store.webhooks().get(url, []) if t not in types])
    return None


def list_webhooks(ctx: Context, params: Params) -> Reply:
    return {"data": [{"url": url, "types": types} for url, types in ctx.store.webhooks().items()]}


HANDLERS: dict[str, Handler] = {
    "departments.list": list_departments,
    "departments.info": department_info,
    "taxRates.list": list_tax_rates,
    "productCategories.list": list_product_categories,
    "paymentTerms.list": list_payment_terms,
    "users.me": users_me,
    "webhooks.register": register_webhook,
    "webhooks.unregister": unregister_webhook,
    "webhooks.list": list_webhooks,
}
