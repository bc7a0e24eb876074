"""One Exact Online division behind the target contract (``targets.base.Target``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import httpx

from connectors.domain import Party
from connectors.oauth import TokenManager, TokenStore
from connectors.targets.base import (
    Administration,
    Booking,
    BookingRef,
    FoundBooking,
    MasterData,
    OpenItem,
    PostResult,
    Settlement,
    TargetParty,
    post_each,
)
from connectors.targets.exact_online.api import ExactApi
from connectors.targets.exact_online.auth import RECONNECT_HINT, REFRESH_LEEWAY, ExactOAuth
from connectors.targets.exact_online.bookings import ExactBookings
from connectors.targets.exact_online.master_data import read_master_data
from connectors.targets.exact_online.open_items import read_open_items, read_settlements
from connectors.targets.exact_online.parties import ExactParties
from connectors.targets.http import timeout


class ExactOnlineTarget:
    name = "Exact Online"
    #: Exact's limits are per minute and per day in the thousands: read master data every run.
    master_data_max_age = dt.timedelta(0)
    batch_size = 1  # one document per call

    def __init__(self, api: ExactApi):
        self.api = api
        self._gl_ids: dict[str, str] | None = None
        self.parties = ExactParties(api)
        self.bookings = ExactBookings(api, self._ledger_ids)

    @classmethod
    def connect(cls, base_url: str, client_id: str, client_secret: str, store: TokenStore, division: int | None,
                *, http: httpx.Client | None = None, **kwargs: Any) -> ExactOnlineTarget:
        http = http or httpx.Client(timeout=timeout(kwargs.pop("timeout", 30.0)))
        tokens = TokenManager(ExactOAuth(http, base_url, client_id, client_secret), store, leeway=REFRESH_LEEWAY,
                              reconnect_hint=RECONNECT_HINT)
        return cls(ExactApi(base_url, tokens, division, http=http, **kwargs))

    def administrations(self) -> Sequence[Administration]:
        me = self.api.get("current/Me", {"$select": "CurrentDivision"})
        current = (me["results"] if isinstance(me, dict) else me)[0]["CurrentDivision"]
        division, self.api.division = self.api.division, current
        try:
            rows = list(self.api.list("hrm/Divisions", {"$select": "Code,Description,Country,VATNumber"}))
        finally:
            self.api.division = division or current
        return [Administration(str(r["Code"]), r.get("Description") or str(r["Code"]), r.get("Country"),
                               r.get("VATNumber")) for r in rows]

    def master_data(self) -> MasterData:
        master, self._gl_ids = read_master_data(self.api)
        return master

    def _ledger_ids(self) -> dict[str, str]:
        if self._gl_ids is None:
            self.master_data()
        return self._gl_ids or {}

    def find_party(self, party: Party, known: TargetParty | None, *, fresh: bool = False) -> TargetParty | None:
        return self.parties.find(party, known, fresh=fresh)

    def create_party(self, party: Party) -> TargetParty:
        return self.parties.create(party)

    def update_party(self, target: TargetParty, party: Party) -> TargetParty:
        return self.parties.update(target, party)

    def find_booking(self, booking: Booking, *, as_of: dt.datetime | None = None) -> BookingRef | None:
        return self.bookings.find(booking)  # one filtered read, always from the tool

    def connector_bookings(self, since: dt.datetime | None, *, from_date: dt.date | None = None
                           ) -> Iterable[FoundBooking]:
        return self.bookings.connector_entries(since)

    def post(self, booking: Booking) -> BookingRef:
        return self.bookings.post(booking)

    def post_batch(self, bookings: Sequence[Booking]) -> list[PostResult]:
        return post_each(self.post, bookings)

    def calls_left(self) -> int | None:
        return None

    def open_items(self) -> Iterator[OpenItem]:
        return read_open_items(self.api)

    def settlements(self, target_ids: Sequence[str], *, since: dt.datetime | None) -> dict[str, Settlement]:
        return read_settlements(self.api, target_ids)
