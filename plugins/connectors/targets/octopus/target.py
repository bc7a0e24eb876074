"""One Octopus dossier behind the target contract (``targets.base.Target``)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import httpx

from connectors.domain import Party
from connectors.oauth import TokenStore
from connectors.targets.base import (
    Administration,
    Booking,
    BookingRef,
    ExternalIds,
    FoundBooking,
    MasterData,
    MemoryExternalIds,
    OpenItem,
    PostResult,
    Settlement,
    TargetParty,
    post_each,
)
from connectors.targets.http import timeout
from connectors.targets.octopus.api import OctopusApi
from connectors.targets.octopus.auth import DossierTokens, OctopusAuth
from connectors.targets.octopus.bookings import OctopusBookings
from connectors.targets.octopus.books import OctopusBooks
from connectors.targets.octopus.open_items import read_open_items, read_settlements
from connectors.targets.octopus.parties import OctopusParties


class OctopusTarget:
    name = "Octopus"
    #: Accounts and VAT codes may be read twice a day: a copy at most 12 hours old serves the runs between.
    master_data_max_age = dt.timedelta(hours=12)
    batch_size = 1  # one document per call

    def __init__(self, api: OctopusApi, auth: OctopusAuth, *, external_ids: ExternalIds | None = None,
                 cached_master_data: Callable[[], MasterData | None] = lambda: None):
        self.api = api
        self._auth = auth
        self.books = OctopusBooks(api, cached_master_data)
        self.bookings = OctopusBookings(api, self.books)
        self.parties = OctopusParties(api, external_ids or MemoryExternalIds())

    @classmethod
    def connect(cls, base_url: str, software_house_uuid: str, user: str, password: str, store: TokenStore,
                dossier: str | None, *, http: httpx.Client | None = None, external_ids: ExternalIds | None = None,
                cached_master_data: Callable[[], MasterData | None] = lambda: None,
                clock: Callable[[], float] = time.time, **kwargs: Any) -> OctopusTarget:
        http = http or httpx.Client(timeout=timeout(kwargs.pop("timeout", 30.0)))
        auth = OctopusAuth(http, base_url, software_house_uuid, user, password, clock)
        tokens = DossierTokens(auth, store, dossier or "", clock=clock)
        return cls(OctopusApi(base_url, tokens, dossier or "", http=http, **kwargs), auth,
                   external_ids=external_ids, cached_master_data=cached_master_data)

    def administrations(self) -> Sequence[Administration]:
        rows = self._auth.dossiers(self._auth.user_token())
        return [Administration(str(r["dossierKey"]["id"]), r.get("dossierDescription") or str(r["dossierKey"]["id"]),
                               r.get("country"), r.get("vatNr")) for r in rows]

    def master_data(self) -> MasterData:
        return self.books.master_data()

    def find_party(self, party: Party, known: TargetParty | None, *, fresh: bool = False) -> TargetParty | None:
        return self.parties.find(party, known)  # always asks Octopus: nothing is cached

    def create_party(self, party: Party) -> TargetParty:
        return self.parties.create(party)

    def update_party(self, target: TargetParty, party: Party) -> TargetParty:
        return self.parties.update(target, party)

    def find_booking(self, booking: Booking, *, as_of: dt.datetime | None = None) -> BookingRef | None:
        return self.bookings.find(booking, as_of)

    def connector_bookings(self, since: dt.datetime | None, *, from_date: dt.date | None = None
                           ) -> Iterable[FoundBooking]:
        return self.bookings.connector_bookings(since, from_date)

    def post(self, booking: Booking) -> BookingRef:
        return self.bookings.post(booking)

    def post_batch(self, bookings: Sequence[Booking]) -> list[PostResult]:
        return post_each(self.post, bookings)

    def calls_left(self) -> int | None:
        return None

    def open_items(self) -> Iterator[OpenItem]:
        return read_open_items(self.api, self.bookings)

    def settlements(self, target_ids: Sequence[str], *, since: dt.datetime | None) -> dict[str, Settlement]:
        return read_settlements(self.api, target_ids, since)
