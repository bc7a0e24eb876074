"""Admin calls only Exact Online needs, next to the shared ``/_sandbox`` API.

- ``POST /_sandbox/periods/close`` / ``open`` ``{"division", "year", "period"?}``: without
  ``period`` the whole year; answers the periods changed;
- ``GET /_sandbox/periods?division=&year=``: the financial periods with their ``Closed`` flag
  (the API's ``financial/FinancialPeriods`` has no such property, as on the real service);
- ``POST /_sandbox/payments {"division", "entry_id", "amount"}``: a (partial) payment of a
  sales or purchase entry (see ``openitems``);
- ``GET /_sandbox/entries?division=``: booked entries with their lines, paid and open amounts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from sandbox.common.admin import AdminError, integer_field, json_body
from sandbox.common.clock import Clock
from sandbox.common.http import json_response
from sandbox.exact_online.booking import LEDGERS, cents
from sandbox.exact_online.books import Books
from sandbox.exact_online.entities import CLOSED, FINANCIAL_PERIODS
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.openitems import open_amount, register_payment
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

    @router.post("/payments")
    async def add_payment(request: Request) -> Response:
        body = await json_body(request, decimals=True)
        ledger = books(integer_field(body, "division"))
        entry_id, amount = body.get("entry_id"), body.get("amount")
        if not isinstance(entry_id, str) or isinstance(amount, bool) or not isinstance(amount, (int, Decimal, str)):
            raise AdminError("give entry_id (string) and amount (number)")
        try:
            payment = register_payment(ledger, entry_id, Decimal(str(amount)), clock.now())
        except (ODataError, InvalidOperation) as error:
            raise AdminError(str(error) or "amount must be a number") from None
        return json_response({"data": payment}, 201)

    @router.get("/entries")
    async def entries(division: int | None = None) -> Response:
        codes = division_codes(store) if division is None else [division]
        data = []
        for code in codes:
            ledger_books = books(code)
            paid = store.paid(code)
            for ledger in LEDGERS.values():
                for entry in ledger_books.docs(ledger.entries.path):
                    settled = paid.get(entry["EntryID"], Decimal(0))
                    data.append({"division": code, "kind": ledger.side, "entry": entry, "paid": cents(settled),
                                 "open": cents(open_amount(entry, settled))})
        return json_response({"data": data})

    return router
