"""``companies.*`` and ``contacts.*``: the customers and suppliers documents point at.

List items carry ``primary_address`` instead of the ``addresses`` array,
as in the real API.
"""

from __future__ import annotations

from typing import Any

from sandbox.focus.api.base import (
    Context,
    Handler,
    Reply,
    filter_ids_and_updated,
    listing,
    not_found,
    order_by,
)
from sandbox.focus.api.params import Params
from sandbox.focus.store import Where

COMPANY_LIST_FIELDS = ("id", "name", "status", "vat_number", "national_identification_number", "emails", "telephones",
                       "website", "iban", "bic", "language", "payment_term", "added_at", "updated_at", "web_url")
CONTACT_LIST_FIELDS = ("id", "first_name", "last_name", "status", "vat_number", "national_identification_number",
                       "emails", "telephones", "website", "iban", "bic", "language", "payment_term", "added_at",
                       "updated_at", "web_url")
SORT_COLUMNS = {"name": "name", "added_at": "json_extract(doc, '$.added_at')", "updated_at": "updated_ts"}


def _list_item(doc: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    item = {key: doc[key] for key in fields}
    primary = next((a["address"] for a in doc["addresses"] if a["type"] == "primary"), None)
    item["primary_address"] = primary
    return item


def _list(ctx: Context, params: Params, table: str, where: Where, fields: tuple[str, ...]) -> Reply:
    filter_ids_and_updated(params, where)
    term = params.filter().string("term")
    if term:
        where.add("instr(search, ?) > 0", term.lower())
    order = order_by(params.sort(SORT_COLUMNS) or [("name", False)], SORT_COLUMNS)
    return listing(ctx, table, where, order, params.page(), params.includes(("pagination",)),
                   lambda doc: _list_item(doc, fields))


def list_companies(ctx: Context, params: Params) -> Reply:
    f, where = params.filter(), Where()
    for key in ("vat_number", "status"):
        value = f.string(key)
        if value is not None:
            where.add(f"{key} = ?", value)
    return _list(ctx, params, "companies", where, COMPANY_LIST_FIELDS)


def list_contacts(ctx: Context, params: Params) -> Reply:
    where = Where()
    company_id = params.filter().string("company_id")
    if company_id is not None:
        where.add("EXISTS (SELECT 1 FROM json_each(doc, '$.companies') "
                  "WHERE json_extract(value, '$.company.id') = ?)", company_id)
    return _list(ctx, params, "contacts", where, CONTACT_LIST_FIELDS)


def _info(table: str, what: str) -> Handler:
    def info(ctx: Context, params: Params) -> Reply:
        doc = ctx.store.doc(table, params.id())
        if doc is None:
            raise not_found(what)
        return {"data": doc}

    return info


HANDLERS: dict[str, Handler] = {
    "companies.list": list_companies,
    "companies.info": _info("companies", "Company"),
    "contacts.list": list_contacts,
    "contacts.info": _info("contacts", "Contact"),
}
