"""What the endpoint modules share: the call context, replies and list helpers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.gate import ApiError
from sandbox.focus.api.params import Page, Params, bad
from sandbox.focus.settings import FocusSettings
from sandbox.focus.store import FocusStore, Where


@dataclass(frozen=True)
class Context:
    store: FocusStore
    clock: Clock
    #: ``http://host:port`` as the client reached us, for absolute file links.
    base_url: str
    #: The settings when the call arrived (``list_includes`` among them).
    settings: FocusSettings = FocusSettings()


@dataclass(frozen=True)
class Created:
    """A 201 reply: ``{"data": {"type", "id"}}``."""

    type: str
    id: str


#: A handler returns ``{"data": ...}`` (200), ``Created`` (201) or None (204).
Reply = dict[str, Any] | Created | None
Handler = Callable[[Context, Params], Reply]


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def project(doc: Mapping[str, Any], fields: Sequence[str], nested: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Copy ``fields`` of ``doc``; for keys in ``nested`` copy only those sub-fields."""
    item = {}
    for key in fields:
        value = doc[key]
        if key in nested and value is not None:
            value = {sub: value[sub] for sub in nested[key]}
        item[key] = value
    return item


def order_by(sort: list[tuple[str, bool]], columns: Mapping[str, str]) -> str:
    """SQL ORDER BY for ``(field, descending)`` pairs; ``columns`` maps a field to
    comma-separated columns. ``rowid`` breaks ties so paging is stable."""
    parts = []
    for field, descending in sort:
        direction = "DESC" if descending else "ASC"
        parts += [f"{column.strip()} {direction}" for column in columns[field].split(",")]
    last = "DESC" if sort and sort[0][1] else "ASC"
    return ", ".join([*parts, f"rowid {last}"])


def listing(ctx: Context, table: str, where: Where, order: str, page: Page, includes: frozenset[str],
            item: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    """One page of ``table``; ``meta`` (page + matches) only with ``includes=pagination``."""
    docs = ctx.store.docs(table, where, order, page.size, page.offset)
    body: dict[str, Any] = {"data": [item(doc) for doc in docs]}
    if "pagination" in includes:
        body["meta"] = {"page": {"size": page.size, "number": page.number}, "matches": ctx.store.count(table, where)}
    return body


def filter_ids_and_updated(params: Params, where: Where) -> None:
    """The ``ids`` and ``updated_since`` (inclusive) filters most lists share."""
    f = params.filter()
    ids = f.strings("ids")
    if ids is not None:
        where.any_of("id", ids)
    since = f.timestamp("updated_since")
    if since is not None:
        where.add("updated_ts >= ?", since)


#: Where sideloaded records live, by the ``type`` of the reference that points at them.
SIDELOAD_TABLES = {"company": "companies", "contact": "contacts"}
Path = Callable[[dict[str, Any]], dict[str, Any] | None]
#: ``include=invoicee.customer``: the customer of an invoice or credit note.
INVOICEE_CUSTOMER: dict[str, Path] = {"invoicee.customer": lambda doc: (doc.get("invoicee") or {}).get("customer")}


def sideload(ctx: Context, params: Params, body: dict[str, Any], paths: Mapping[str, Path]) -> dict[str, Any]:
    """Sideloading (``include=a.b,c``): the records the items point at, once each, in a
    top-level ``included`` keyed by type, e.g. ``{"company": [{...}], "contact": [...]}``."""
    names = [part.strip() for part in (params.string("include") or "").split(",") if part.strip()]
    unknown = set(names) - set(paths)
    if unknown:
        raise bad(f"include must be a comma-separated list of: {', '.join(sorted(paths))}")
    if not names:
        return body
    items = body["data"] if isinstance(body["data"], list) else [body["data"]]
    wanted: dict[str, set[str]] = defaultdict(set)
    for item in items:
        for name in names:
            ref = paths[name](item)
            if ref and ref.get("type") in SIDELOAD_TABLES:
                wanted[ref["type"]].add(ref["id"])
    included = {}
    for ref_type, ids in sorted(wanted.items()):
        where = Where()
        where.any_of("id", sorted(ids))
        included[ref_type] = ctx.store.docs(SIDELOAD_TABLES[ref_type], where)
    return {**body, "included": included}
