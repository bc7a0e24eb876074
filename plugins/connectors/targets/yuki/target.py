"""One Yuki administration behind the target contract (``targets.base.Target``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal

from connectors.domain import Party
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
    TargetError,
    TargetParty,
)
from connectors.targets.yuki.bookings import BATCH_SIZE, YukiBookings
from connectors.targets.yuki.cap import PAYMENT_RESERVE
from connectors.targets.yuki.client import YukiClient
from connectors.targets.yuki.master_data import administrations, read_master_data
from connectors.targets.yuki.open_items import read_open_items, read_settlements
from connectors.targets.yuki.parties import YukiContacts


class YukiTarget:
    name = "Yuki"
    #: 1,000 calls a day for everything: the ledger accounts are read at most twice a day.
    master_data_max_age = dt.timedelta(hours=12)
    batch_size = BATCH_SIZE

    def __init__(self, client: YukiClient, administration: str, *, external_ids: ExternalIds | None = None,
                 cached_master_data: Callable[[], MasterData | None] = lambda: None):
        self.client = client
        self.administration = administration
        self._cached = cached_master_data
        self._master: MasterData | None = None
        self._domain: str | None = None
        self.bookings = YukiBookings(client, administration, self._vat_rates)
        self.contacts = YukiContacts(client, self._domain_id, external_ids or MemoryExternalIds())

    def _vat_rates(self) -> dict[str, Decimal]:
        master = self._cached() or self.master_data()
        return {code: info.rate for code, info in master.vat_codes.items()}

    def _domain_id(self) -> str:
        if self._domain is None:
            result = self.client.call("Accounting", "GetCurrentDomain")
            node = result[0] if len(result) else None
            self._domain = (node.get("ID") if node is not None else None) or ""
            if not self._domain:
                raise TargetError("Yuki did not tell the session's domain (GetCurrentDomain)")
        return self._domain

    def administrations(self) -> Sequence[Administration]:
        return administrations(self.client)

    def _chosen(self) -> None:
        """Everything but listing the administrations needs one (the setup lists them before one is chosen)."""
        if not self.administration:
            raise TargetError("No Yuki administration chosen for this integration; choose one with "
                              "`focus-connector integrations edit ENTITY --administration ID`")

    def master_data(self) -> MasterData:
        self._chosen()
        if self._master is None:
            self._master = read_master_data(self.client, self.administration)
        return self._master

    def find_party(self, party: Party, known: TargetParty | None, *, fresh: bool = False) -> TargetParty | None:
        return self.contacts.find(party, known)

    def create_party(self, party: Party) -> TargetParty:
        return self.contacts.create(party)

    def update_party(self, target: TargetParty, party: Party) -> TargetParty:
        return self.contacts.update(target, party)

    def find_booking(self, booking: Booking, *, as_of: dt.datetime | None = None) -> BookingRef | None:
        self._chosen()
        return self.bookings.find(booking, as_of)

    def connector_bookings(self, since: dt.datetime | None, *, from_date: dt.date | None = None
                           ) -> Iterable[FoundBooking]:
        self._chosen()
        # Transactions are read by document date, not by change: every read covers the whole period.
        return self.bookings.connector_bookings(from_date)

    def post(self, booking: Booking) -> BookingRef:
        result = self.post_batch([booking])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def post_batch(self, bookings: Sequence[Booking]) -> list[PostResult]:
        self._chosen()
        return self.bookings.post_batch(bookings)

    def calls_left(self) -> int | None:
        return max(0, self.client.cap.left() - PAYMENT_RESERVE)

    def open_items(self) -> Iterator[OpenItem]:
        self._chosen()
        return read_open_items(self.client, self.administration)

    def settlements(self, target_ids: Sequence[str], *, since: dt.datetime | None) -> dict[str, Settlement]:
        self._chosen()
        return read_settlements(self.bookings, target_ids)
