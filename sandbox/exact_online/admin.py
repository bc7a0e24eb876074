"""Admin calls only Exact Online needs, next to the shared ``/_sandbox`` API.

- ``POST /_sandbox/periods/close`` / ``open`` ``{"division", "year", "period"?}``: without
  ``period`` the whole year; answers the periods changed;
- ``GET /_sandbox/periods?division=&year=``: the financial periods with their ``Closed`` flag
  (the API's ``financial/FinancialPeriods`` has no such property, as on the real service);
- ``POST /_sandbox/payments {"division", "entry_id", "amount", "date"?, "late_fee"?}``: a (partial)
  payment of a sales or purchase entry; ``POST /_sandbox/fees {"division", "entry_id", "amount", "date"?}``;
  ``POST /_sandbox/matches {"division", "credit_entry_id", "invoice_entry_id", "amount"?, "date"?}``;
  ``POST /_sandbox/payments/reverse {"division", "entry_id"}``, ``POST /_sandbox/entries/delete
  {"division", "entry_id"}`` (the API's DELETE, for tests that think in entry ids; rules in ``settlements``);
- ``GET /_sandbox/entries?division=``: booked entries with their lines and settlements;
- ``POST /_sandbox/entries/copies {"division", "entry_id", "references": [...]}``: copies of one entry, one
  per ``YourRef`` given, each with a fresh EntryID and the journal's next entry numbers: how a scale test
  seeds ten thousand open entries in one call (posting them one by one checks every number against every
  other, which is what a real division would do but would take minutes here).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, amount_field, date_field, integer_field, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.exact_online import settlements
from sandbox.exact_online.booking import LEDGERS
from sandbox.exact_online.books import Books
from sandbox.exact_online.entities import CLOSED, FINANCIAL_PERIODS
from sandbox.exact_online.resources import division_codes
from sandbox.exact_online.store import ExactStore

#: What the admin API shows of a financial period, next to ``division`` and ``Closed``.
PERIOD_FIELDS = ("ID", "FinYear", "FinPeriod", "StartDate", "EndDate")


def exact_admin_router(store: ExactStore, clock: Clock) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")

    def books(division: int) -> Books:
        if division not in division_codes(store):
            raise AdminError(f"no division {division}; divisions are {division_codes(store)}")
        return Books(store, division)

    def period_json(division: int, doc: dict[str, Any]) -> dict[str, Any]:
        return {"division": division, **{name: doc[name] for name in PERIOD_FIELDS},
                "Closed": bool(doc.get(CLOSED))}

    async def set_closed(request: Request, closed: bool) -> Response:
        body = await json_body(request)
        ledger = books(integer_field(body, "division"))
        year = integer_field(body, "year")
        period = None if body.get("period") is None else integer_field(body, "period")
        changed = []
        for doc in ledger.docs(FINANCIAL_PERIODS.path):
            if doc["FinYear"] == year and period in (None, doc["FinPeriod"]):
                doc[CLOSED] = closed
                store.update(FINANCIAL_PERIODS.path, ledger.division, doc["ID"], doc)
                changed.append(period_json(ledger.division, doc))
        if not changed:
            raise AdminError(f"no financial period {year}/{period or '*'}")
        return json_response({"data": sorted(changed, key=lambda d: d["FinPeriod"])})

    @router.get("/periods")
    async def periods(division: int | None = None, year: int | None = None) -> Response:
        """Every financial period with its ``Closed`` flag (which the API does not serve)."""
        codes = division_codes(store) if division is None else [books(division).division]
        data = [period_json(code, doc) for code in codes
                for doc in sorted(Books(store, code).docs(FINANCIAL_PERIODS.path),
                                  key=lambda d: (d["FinYear"], d["FinPeriod"]))
                if year in (None, doc["FinYear"])]
        return json_response({"data": data})

    @router.post("/periods/close")
    async def close_periods(request: Request) -> Response:
        return await set_closed(request, True)

    @router.post("/periods/open")
    async def open_periods(request: Request) -> Response:
        return await set_closed(request, False)

    async def settle(request: Request, act: Callable[[Books, dict[str, Any], str | None], dict[str, Any]],
                     status: int = 201) -> Response:
        """Parse the body, run one of the ``settlements`` rules, answer ``{"data": ...}``."""
        body = await json_body(request, decimals=True)
        ledger = books(integer_field(body, "division"))
        day = date_field(body, "date")
        try:
            return json_response({"data": act(ledger, body, None if day is None else day.isoformat())}, status)
        except settlements.SettlementError as error:
            raise AdminError(str(error), error.status) from None

    def text_field(body: dict[str, Any], key: str) -> str:
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            raise AdminError(f"{key} must be an entry id (a GUID string)")
        return value

    @router.post("/payments")
    async def add_payment(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.register_payment(
            ledger, text_field(body, "entry_id"), amount_field(body, "amount"), clock.now(), day=day,
            late_fee=amount_field(body, "late_fee", required=False)))

    @router.post("/fees")
    async def add_fee(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.charge_fee(
            ledger, text_field(body, "entry_id"), amount_field(body, "amount"), clock.now(), day=day))

    @router.post("/matches")
    async def add_match(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.match(
            ledger, text_field(body, "credit_entry_id"), text_field(body, "invoice_entry_id"),
            amount_field(body, "amount", required=False), clock.now(), day=day))

    @router.post("/payments/reverse")
    async def reverse_payment(request: Request) -> Response:
        return await settle(request, lambda ledger, body, _: settlements.reverse(
            ledger, text_field(body, "entry_id")), 200)

    @router.post("/entries/delete")
    async def delete_entry(request: Request) -> Response:
        return await settle(request, lambda ledger, body, _: settlements.delete(
            ledger, text_field(body, "entry_id")), 200)

    @router.post("/entries/copies")
    async def copy_entries(request: Request) -> Response:
        body = await json_body(request)
        ledger_books = books(integer_field(body, "division"))
        references = body.get("references")
        if not isinstance(references, list) or not all(isinstance(r, str) and r for r in references):
            raise AdminError("references must be a list of YourRef strings")
        entry_id = text_field(body, "entry_id").strip().lower()
        found = [(ledger, ledger_books.doc(ledger.entries.path, entry_id)) for ledger in LEDGERS.values()]
        found = [(ledger, entry) for ledger, entry in found if entry is not None]
        if not found:
            raise AdminError(f"no entry {entry_id} in division {ledger_books.division}", status=404)
        [(ledger, original)] = found
        last = max(int(doc["EntryNumber"]) for doc in ledger_books.docs(ledger.entries.path))
        copies = {}
        for offset, reference in enumerate(references, start=1):
            new_id = str(uuid.uuid4())
            copies[new_id] = {**original, "EntryID": new_id, "EntryNumber": last + offset, "YourRef": reference,
                              ledger.lines_property: [{**line, "ID": str(uuid.uuid4()), "EntryID": new_id}
                                                      for line in original[ledger.lines_property]]}
        store.insert_many(ledger.entries.path, ledger_books.division, copies)
        return json_response({"data": [{"EntryID": k, "YourRef": v["YourRef"]} for k, v in copies.items()]}, 201)

    @router.get("/entries")
    async def entries(division: int | None = None) -> Response:
        codes = division_codes(store) if division is None else [division]
        data = []
        for code in codes:
            ledger_books = books(code)
            for ledger in LEDGERS.values():
                for standing in settlements.standings(ledger_books, ledger):
                    data.append({"division": code, "kind": ledger.side, "entry": standing.entry,
                                 **standing.listing()})
        return json_response({"data": data})

    return router
