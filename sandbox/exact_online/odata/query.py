"""Query options (``$select $filter $top $skip $skiptoken $orderby $inlinecount $expand``) and paging.

Rows come in key order (or ``$orderby``, the key breaking ties). A page
holds at most the entity set's page size (60; 1000 for bulk/sync); when more
rows match, ``__next`` repeats the request with ``$skiptoken=<last key>``
(e.g. ``guid'..'``) and, if ``$top`` was given, the rest of it. An unknown
``$`` option is a 400; options without ``$`` are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sandbox.exact_online.entities import EntitySet
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.odata.filter import Predicate, compile_filter, tokenize
from sandbox.exact_online.odata.values import GUID, INT, INT64, literal, normal_guid, wire_ms

Row = Mapping[str, Any]
OPTIONS = ("$select", "$filter", "$top", "$skip", "$skiptoken", "$orderby", "$inlinecount", "$expand")
SELECT_HINT = "Please add a $select or a $top=1 statement to the query string."


@dataclass(frozen=True)
class Query:
    #: Selected properties (None: all), and per selected navigation property its sub-selection.
    select: tuple[str, ...] | None = None
    nested: Mapping[str, tuple[str, ...] | None] = field(default_factory=dict)
    predicate: Predicate | None = None
    top: int | None = None
    skip: int = 0
    skiptoken: Any = None
    orderby: tuple[tuple[str, bool], ...] = ()
    inlinecount: bool = False
    expand: frozenset[str] = frozenset()
    #: The raw options, to repeat in ``__next``.
    raw: tuple[tuple[str, str], ...] = ()


def _unknown(name: str, entity: EntitySet) -> ODataError:
    return ODataError(f"No property '{name}' exists in type '{entity.qualified_type}'.")


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise ODataError(f"Invalid value '{text}' for {name}: a non-negative integer is expected.")
    return int(text)


def parse_key(text: str, entity: EntitySet) -> Any:
    """A key literal (``guid'..'``, ``12L``, ``12``) as the stored key value."""
    tokens = tokenize(text)
    kind = entity.key_type
    if len(tokens) == 1:
        token = tokens[0].text
        if kind == GUID and token.startswith("guid'"):
            return normal_guid(token[5:-1])
        if kind in (INT, INT64) and token.rstrip("L").isdigit():
            return int(token.rstrip("L"))
    raise ODataError(f"Invalid key value '{text}' for {entity.path}: {literal('...', kind)} expected.")


def _select(text: str, entity: EntitySet) -> tuple[tuple[str, ...] | None, dict[str, tuple[str, ...] | None]]:
    names: list[str] = []
    nested: dict[str, list[str] | None] = {}
    for item in (part.strip() for part in text.split(",")):
        if item == "*":
            names += [p for p in entity.properties if p not in names]
            continue
        head, _, sub = item.partition("/")
        if head in entity.navigation:
            if head not in names:
                names.append(head)
            if sub:
                listed = nested.setdefault(head, [])
                if listed is not None:
                    listed.append(sub)
            else:
                nested[head] = None
        elif head in entity.properties and not sub:
            if head not in names:
                names.append(head)
        else:
            raise _unknown(item, entity)
    return tuple(names), {k: None if v is None else tuple(v) for k, v in nested.items()}


def _orderby(text: str, entity: EntitySet) -> tuple[tuple[str, bool], ...]:
    order = []
    for item in (part.split() for part in text.split(",")):
        if not item or len(item) > 2 or (len(item) == 2 and item[1] not in ("asc", "desc")):
            raise ODataError(f"Invalid $orderby: '{text}'.")
        if item[0] not in entity.properties:
            raise _unknown(item[0], entity)
        order.append((item[0], len(item) == 2 and item[1] == "desc"))
    return tuple(order)


def parse_query(params: Sequence[tuple[str, str]], entity: EntitySet) -> Query:
    options: dict[str, str] = {}
    for name, value in params:
        if name.startswith("$"):
            if name not in OPTIONS:
                raise ODataError(f"The query parameter '{name}' is not supported.")
            options[name] = value
    select, nested = _select(options["$select"], entity) if "$select" in options else (None, {})
    expand = frozenset(part.strip() for part in options.get("$expand", "").split(",") if part.strip())
    for name in expand - set(entity.navigation):
        raise ODataError(f"No navigation property '{name}' exists in type '{entity.qualified_type}'.")
    inlinecount = options.get("$inlinecount", "none")
    if inlinecount not in ("allpages", "none"):
        raise ODataError("$inlinecount must be 'allpages' or 'none'.")
    return Query(
        select=select,
        nested=nested,
        predicate=(compile_filter(options["$filter"], entity.properties, entity.qualified_type)
                   if "$filter" in options else None),
        top=_non_negative("$top", options["$top"]) if "$top" in options else None,
        skip=_non_negative("$skip", options["$skip"]) if "$skip" in options else 0,
        skiptoken=parse_key(options["$skiptoken"], entity) if "$skiptoken" in options else None,
        orderby=_orderby(options["$orderby"], entity) if "$orderby" in options else (),
        inlinecount=inlinecount == "allpages",
        expand=expand,
        raw=tuple((k, v) for k, v in params if k.startswith("$")),
    )


def _sortable(value: Any) -> tuple[int, Any]:
    """None sorts first (as on SQL Server); /Date()/ text sorts by time; text case-insensitively."""
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, wire_ms(value)) if value.startswith("/Date(") else (1, value.casefold())
    if isinstance(value, float):
        return (1, Decimal(str(value)))
    return (1, value)


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    count: int
    #: Query options for the next page (None on the last page).
    next_options: list[tuple[str, str]] | None


def paginate(rows: Sequence[Row], entity: EntitySet, query: Query) -> Page:
    matching = [row for row in rows if query.predicate is None or query.predicate(row)]
    count = len(matching)

    matching.sort(key=lambda row: _sortable(row[entity.key]))
    for name, descending in reversed(query.orderby):  # stable sorts, least significant first
        matching.sort(key=lambda row, name=name: _sortable(row.get(name)), reverse=descending)
    if query.skiptoken is not None:
        keys = [row[entity.key] for row in matching]
        if query.orderby:
            if query.skiptoken not in keys:
                raise ODataError("The $skiptoken no longer points at a row; start again from the first page.")
            matching = matching[keys.index(query.skiptoken) + 1:]
        else:
            matching = [row for row in matching if _sortable(row[entity.key]) > _sortable(query.skiptoken)]
    matching = matching[query.skip:]
    size = entity.page_size if query.top is None else min(entity.page_size, query.top)
    page = matching[:size]
    if len(matching) <= size or not page or (query.top is not None and query.top <= size):
        return Page(page, count, None)
    options = [(k, v) for k, v in query.raw if k not in ("$skiptoken", "$skip", "$top")]
    if query.top is not None:
        options.append(("$top", str(query.top - size)))
    options.append(("$skiptoken", literal(page[-1][entity.key], entity.key_type)))
    return Page(page, count, options)


def query_string(options: Sequence[tuple[str, str]]) -> str:
    """``$select=A,B&$skiptoken=guid'..'`` the way Exact writes ``__next``: ``$ ' , ( ) :`` unescaped."""
    return "&".join(f"{name}={quote(value, safe=chr(39) + '$,():/')}" for name, value in options)
