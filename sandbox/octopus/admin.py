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
- ``POST /_sandbox/payments {"dossier", "year", "journal", "documentSequenceNr", "amount"}``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, integer_field, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.octopus.bookings import render
from sandbox.octopus.books import Books, dossier_doc, journal_key, year_of
from sandbox.octopus.openitems import booked, register_payment
from sandbox.octopus.quotas import Quotas
from sandbox.octopus.store import ALL_DOSSIERS, BOOKYEAR, DOSSIER, JOURNAL, RELATION, Doc, OctopusStore
from sandbox.octopus.wire import cents, stamp_text


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
            for row, paid, still_open in booked(ledger):
                booking = render(ledger, row.doc)
                data.append({**booking, "dossier": code, "year": years[booking["bookyearKey"]["id"]],
                             "paid": cents(paid), "open": cents(still_open), "modified": stamp_text(row.modified),
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

    @router.post("/payments")
    async def add_payment(request: Request) -> Response:
        body = await json_body(request, decimals=True)
        ledger = books(integer_field(body, "dossier"))
        found = bookyear(ledger, integer_field(body, "year"))
        amount = body.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, (int, Decimal, str)) or not isinstance(
                body.get("journal"), str):
            raise AdminError("give journal (string) and amount (number)")
        try:
            payment = register_payment(ledger, found["bookyearKey"]["id"], body["journal"],
                                       integer_field(body, "documentSequenceNr"), Decimal(str(amount)), clock.now())
        except (ValueError, InvalidOperation) as error:
            raise AdminError(str(error) or "amount must be a number") from None
        return json_response({"data": payment}, 201)

    return router
