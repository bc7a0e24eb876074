"""Answering one routed API request: rows per entity set, OData shaping, and the writes.

Collections answer ``{"d": {"results": [...], "__next"?, "__count"?}}``, a
key ``{"d": {...}}``, ``/$count`` plain text; every row carries
``__metadata`` (uri, type). Navigation properties are ``{"__deferred"}``
unless expanded, then ``{"results": [...]}`` (60 per page, with a nested
``__next``). POST answers 201 with the whole entity (lines expanded), PUT
and DELETE 204.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from starlette.responses import Response

from sandbox.common.clock import Clock
from sandbox.common.gate import ApiError
from sandbox.common.http import json_response
from sandbox.exact_online import accounts, booking, cashflow, openitems, transactions
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import (
    CASHFLOW_PAYMENTS,
    CASHFLOW_RECEIVABLES,
    ENTITY_SETS,
    HRM_DIVISIONS,
    ME,
    PAYABLES,
    PURCHASE_ENTRY_LINES,
    RECEIVABLES,
    SALES_ENTRY_LINES,
    SYSTEM_DIVISIONS,
    TRANSACTION_LINES,
    EntitySet,
)
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.odata.query import (
    SELECT_HINT,
    Query,
    paginate,
    parse_key,
    parse_query,
    query_string,
)
from sandbox.exact_online.odata.values import literal, wire_timestamp
from sandbox.exact_online.routing import Route
from sandbox.exact_online.store import ACCOUNT_WIDE, DIVISIONS, ExactStore

NOT_FOUND = "The requested resource could not be found."


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class Call:
    store: ExactStore
    clock: Clock
    #: ``http://host:port`` as the client reached us, for ``__next`` and ``__metadata``.
    base_url: str
    route: Route
    #: The division the URL names (for ``current/Me``: the user's current division).
    division: int
    method: str
    params: Sequence[tuple[str, str]]
    body: Any

    @property
    def books(self) -> Books:
        return Books(self.store, self.division)

    def url(self, entity: EntitySet, suffix: str = "") -> str:
        scope = "" if entity is ME else f"{self.division}/"
        return f"{self.base_url}/api/v1/{scope}{entity.path}{suffix}"


def current_user(store: ExactStore) -> Doc:
    return store.docs(ME.path, ACCOUNT_WIDE)[0]


def division_codes(store: ExactStore) -> list[int]:
    return [doc["Code"] for doc in store.docs(DIVISIONS, ACCOUNT_WIDE)]


def _lines_of(ledger: booking.Ledger) -> Callable[[Call], list[Doc]]:
    def rows(call: Call) -> list[Doc]:
        return [line for entry in call.books.docs(ledger.entries.path) for line in entry[ledger.lines_property]]

    return rows


ROW_SOURCES: dict[str, Callable[[Call], list[Doc]]] = {
    ME.path: lambda call: [{**current_user(call.store), "ServerTime": wire_timestamp(call.clock.now())}],
    HRM_DIVISIONS.path: lambda call: call.store.docs(DIVISIONS, ACCOUNT_WIDE),
    SYSTEM_DIVISIONS.path: lambda call: call.store.docs(DIVISIONS, ACCOUNT_WIDE),
    SALES_ENTRY_LINES.path: _lines_of(booking.SALES),
    PURCHASE_ENTRY_LINES.path: _lines_of(booking.PURCHASE),
    RECEIVABLES.path: lambda call: openitems.open_items(call.books, booking.SALES),
    PAYABLES.path: lambda call: openitems.open_items(call.books, booking.PURCHASE),
    CASHFLOW_RECEIVABLES.path: lambda call: cashflow.cashflow_rows(call.books, booking.SALES),
    CASHFLOW_PAYMENTS.path: lambda call: cashflow.cashflow_rows(call.books, booking.PURCHASE),
    TRANSACTION_LINES.path: lambda call: transactions.transaction_lines(call.books, (booking.SALES, booking.PURCHASE)),
}


def _rows(call: Call, entity: EntitySet) -> list[Doc]:
    source = ROW_SOURCES.get(entity.path)
    return source(call) if source is not None else call.books.docs(entity.path)


def _shape(call: Call, entity: EntitySet, row: Doc, query: Query) -> Doc:
    uri = call.url(entity, f"({literal(row[entity.key], entity.key_type)})")
    out: Doc = {"__metadata": {"uri": uri, "type": entity.qualified_type}}
    for name in query.select or (*entity.properties, *entity.navigation):
        if name not in entity.navigation:
            out[name] = row.get(name)
        elif name in query.expand:
            items, nested = ENTITY_SETS[entity.navigation[name]], Query(select=query.nested.get(name))
            page = paginate(row[name], items, nested)
            out[name] = {"results": [_shape(call, items, item, nested) for item in page.rows]}
            if page.next_options is not None:
                out[name]["__next"] = f"{uri}/{name}?{query_string(page.next_options)}"
        else:
            out[name] = {"__deferred": {"uri": f"{uri}/{name}"}}
    return out


def _collection(call: Call, entity: EntitySet, rows: list[Doc], next_path: str) -> Response:
    query = parse_query(call.params, entity)
    if call.route.tail == "$count":
        count = sum(1 for row in rows if query.predicate is None or query.predicate(row))
        return Response(str(count), media_type="text/plain")
    if entity.requires_select and query.select is None and query.top != 1:
        raise ODataError(SELECT_HINT)
    page = paginate(rows, entity, query)
    body: Doc = {"results": [_shape(call, entity, row, query) for row in page.rows]}
    if query.inlinecount:
        body["__count"] = str(page.count)
    if page.next_options is not None:
        body["__next"] = f"{next_path}?{query_string(page.next_options)}"
    return json_response({"d": body})


def _by_key(call: Call, entity: EntitySet) -> Doc:
    assert call.route.key is not None
    key = parse_key(call.route.key, entity)
    row = next((row for row in _rows(call, entity) if row[entity.key] == key), None)
    if row is None:
        raise ApiError(404, NOT_FOUND)
    return row


def _read(call: Call, entity: EntitySet) -> Response:
    route = call.route
    if route.key is None:
        return _collection(call, entity, _rows(call, entity), call.url(entity))
    row = _by_key(call, entity)
    if route.tail in entity.navigation:
        items = ENTITY_SETS[entity.navigation[route.tail]]
        nested = replace(route, tail=None)
        return _collection(replace(call, route=nested), items, row[route.tail],
                           call.url(entity, f"({route.key})/{route.tail}"))
    if route.tail is not None:
        raise ApiError(404, NOT_FOUND)
    query = parse_query(call.params, entity)
    return json_response({"d": _shape(call, entity, row, query)})


def _full(entity: EntitySet) -> Query:
    return Query(expand=frozenset(entity.navigation))


def _write(call: Call, entity: EntitySet) -> Response:
    route, now = call.route, call.clock.now()
    if route.tail is not None:
        raise ApiError(404, NOT_FOUND)
    if (call.method == "POST") != (route.key is None):
        needs = "a collection" if call.method == "POST" else f"a key, e.g. {entity.path}(guid'...')"
        raise ApiError(405, f"{call.method} needs {needs}.")
    ledger = booking.LEDGERS.get(entity.path)
    if call.method == "POST":
        if ledger is not None:
            doc = booking.create_entry(call.books, ledger, call.body, new_id, now)
        else:
            doc = accounts.create_account(call.books, call.body, new_id, now)
        return json_response({"d": _shape(call, entity, doc, Query(expand=frozenset(entity.navigation)))}, 201)
    doc = _by_key(call, entity)
    if ledger is None:
        accounts.update_account(call.books, doc, call.body, now)
    elif call.method == "PUT":
        booking.update_entry(call.books, ledger, doc, call.body, new_id, now)
    else:
        booking.delete_entry(call.books, ledger, doc)
    return Response(status_code=204)


def answer(call: Call) -> Response:
    """The response for a routed call whose division was already checked; ODataError is a 400."""
    entity = call.route.entity
    if entity is None:
        raise ApiError(404, NOT_FOUND)
    if call.method not in entity.methods:
        raise ApiError(405, f"{call.method} is not supported on {entity.path}.")
    if call.method == "GET":
        return _read(call, entity)
    return _write(call, entity)

