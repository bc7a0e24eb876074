"""Admin calls only Octopus needs, next to the shared ``/_sandbox`` API (no auth, not logged, not counted).

- ``GET /_sandbox/quotas?dossier=``: today's quota counters;
- ``GET /_sandbox/relations?dossier=``, ``GET /_sandbox/bookings?dossier=``: every relation (inactive
  ones too) / booking as the API reads it, plus ``dossier``, ``modified`` (Brussels local) and, for
  bookings, ``year``, ``paid``, ``open`` and ``attachments`` (names and sizes); all dossiers without
  ``dossier``;
- ``POST /_sandbox/bookyears/close|open {"dossier", "year"}``;
- ``POST /_sandbox/journals/close|open {"dossier", "year", "journal", "period"?}``: with ``period``
  (yyyymm) close sets ``closedPeriod`` to it and open lowers ``closedPeriod`` to the period before it
  (0 for the book year's first), without ``period`` the journal's ``closed`` flag;
- ``POST /_sandbox/payments {"dossier", "year", "journal", "documentSequenceNr", "amount", "date"?,
  "late_fee"?}``, ``POST /_sandbox/fees {..., "amount", "date"?}``, ``POST /_sandbox/matches {"dossier",
  "credit": {"year", "journal", "documentSequenceNr"}, "invoice": {...}, "amount"?, "date"?}``,
  ``POST /_sandbox/payments/reverse {"dossier", "year", "journal", "documentSequenceNr"}`` and
  ``POST /_sandbox/bookings/delete {...same}`` (rules in ``settlements``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, amount_field, date_field, integer_field, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.octopus import settlements
from sandbox.octopus.bookings import render
from sandbox.octopus.books import Books, dossier_doc, journal_key, year_of
from sandbox.octopus.quotas import Quotas
from sandbox.octopus.store import ALL_DOSSIERS, BOOKYEAR, DOSSIER, JOURNAL, RELATION, Doc, OctopusStore
from sandbox.octopus.wire import stamp_text


def octopus_admin_router(store: OctopusStore, clock: Clock, quotas: Quotas) -> APIRouter:
    router = APIRouter(prefix="/_sandbox")

    def books(dossier: int) -> Books:
        if dossier_doc(store, dossier) is None:
            raise AdminError(f"no dossier {dossier}")
        return Books(store, dossier)

    def dossier_ids(dossier: int | None) -> list[int]:
        if dossier is not None:
            return [books(dossier).dossier]
        return [doc["wire"]["dossierKey"]["id"] for doc in store.docs(DOSSIER, ALL_DOSSIERS)]

    def bookyear(ledger: Books, year: int) -> Doc:
        found = ledger.bookyear_of(year)
        if found is None:
            raise AdminError(f"no bookyear {year} in dossier {ledger.dossier}")
        return found

    @router.get("/quotas")
    async def quota_usage(dossier: int | None = None) -> Response:
        return json_response({"data": quotas.usage(clock.now(), dossier)})

    @router.get("/relations")
    async def relations(dossier: int | None = None) -> Response:
        data = [{**row.doc, "dossier": code, "modified": stamp_text(row.modified)}
                for code in dossier_ids(dossier) for row in store.rows(RELATION, code)]
        return json_response({"data": data})

    @router.get("/bookings")
    async def bookings(dossier: int | None = None) -> Response:
        data = []
        for code in dossier_ids(dossier):
            ledger = Books(store, code)
            years = {b["bookyearKey"]["id"]: year_of(b) for b in ledger.bookyears()}
            for standing in settlements.standings(ledger):
                row = standing.row
                booking = render(ledger, row.doc)
                data.append({**booking, "dossier": code, "year": years[booking["bookyearKey"]["id"]],
                             **standing.listing(), "modified": stamp_text(row.modified),
                             "attachments": row.doc["attachments"]})
        return json_response({"data": data})

    async def set_bookyear(request: Request, closed: bool) -> Response:
        body = await json_body(request)
        ledger = books(integer_field(body, "dossier"))
        found = bookyear(ledger, integer_field(body, "year"))
        found["closed"] = closed
        ledger.put(BOOKYEAR, str(found["bookyearKey"]["id"]), found)
        return json_response({"data": found})

    @router.post("/bookyears/close")
    async def close_bookyear(request: Request) -> Response:
        return await set_bookyear(request, True)

    @router.post("/bookyears/open")
    async def open_bookyear(request: Request) -> Response:
        return await set_bookyear(request, False)

    async def set_journal(request: Request, closing: bool) -> Response:
        body = await json_body(request)
        ledger = books(integer_field(body, "dossier"))
        found = bookyear(ledger, integer_field(body, "year"))
        bookyear_id, key = found["bookyearKey"]["id"], body.get("journal")
        journal = ledger.journal(bookyear_id, key) if isinstance(key, str) else None
        if journal is None:
            raise AdminError(f"no journal {key!r} in bookyear {year_of(found)}")
        if body.get("period") is None:
            journal["closed"] = closing
        else:
            periods = [p["bookyearPeriod"] for p in found["periods"]]
            period = integer_field(body, "period")
            if period not in periods:
                raise AdminError(f"period must be one of {periods}")
            before = periods[periods.index(period) - 1] if periods.index(period) else 0
            journal["closedPeriod"] = period if closing else min(journal["closedPeriod"], before)
        ledger.put(JOURNAL, journal_key(bookyear_id, key), journal)
        return json_response({"data": journal})

    @router.post("/journals/close")
    async def close_journal(request: Request) -> Response:
        return await set_journal(request, True)

    @router.post("/journals/open")
    async def open_journal(request: Request) -> Response:
        return await set_journal(request, False)

    def address(ledger: Books, body: Any, name: str = "booking") -> settlements.Address:
        """``{"year", "journal", "documentSequenceNr"}`` -> (book year id, journal, number); 404 for a year
        the dossier does not have."""
        if not isinstance(body, dict) or not isinstance(body.get("journal"), str):
            raise AdminError(f"{name}: give year, journal (string) and documentSequenceNr")
        year, sequence = integer_field(body, "year"), integer_field(body, "documentSequenceNr")
        found = ledger.bookyear_of(year)
        if found is None:
            raise AdminError(f"no booking {body['journal']} {sequence}: dossier {ledger.dossier} has no bookyear "
                             f"{year}", 404)
        return found["bookyearKey"]["id"], body["journal"], sequence

    async def settle(request: Request, act: Callable[[Books, dict[str, Any], str | None], dict[str, Any]],
                     status: int = 201) -> Response:
        """Parse the body, run one of the ``settlements`` rules, answer ``{"data": ...}``."""
        body = await json_body(request, decimals=True)
        ledger = books(integer_field(body, "dossier"))
        day = date_field(body, "date")
        try:
            return json_response({"data": act(ledger, body, None if day is None else day.isoformat())}, status)
        except settlements.SettlementError as error:
            raise AdminError(str(error), error.status) from None

    @router.post("/payments")
    async def add_payment(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.register_payment(
            ledger, address(ledger, body), amount_field(body, "amount"), clock.now(), day=day,
            late_fee=amount_field(body, "late_fee", required=False)))

    @router.post("/fees")
    async def add_fee(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.charge_fee(
            ledger, address(ledger, body), amount_field(body, "amount"), clock.now(), day=day))

    @router.post("/matches")
    async def add_match(request: Request) -> Response:
        return await settle(request, lambda ledger, body, day: settlements.match(
            ledger, address(ledger, body.get("credit"), "credit"), address(ledger, body.get("invoice"), "invoice"),
            amount_field(body, "amount", required=False), clock.now(), day=day))

    @router.post("/payments/reverse")
    async def reverse_payment(request: Request) -> Response:
        return await settle(request, lambda ledger, body, _: settlements.reverse(
            ledger, address(ledger, body), clock.now()), 200)

    @router.post("/bookings/delete")
    async def delete_booking(request: Request) -> Response:
        return await settle(request, lambda ledger, body, _: settlements.delete_booking(
            ledger, address(ledger, body), clock.now()), 200)

    return router
