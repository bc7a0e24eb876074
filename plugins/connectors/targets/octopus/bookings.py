"""Octopus buy/sell bookings: posting one document, finding one, reading the connector's own.

A document is one ``POST /buysellbookings`` into its book year and period,
numbered after the journal's last number; the connector's reference travels
in ``orderReference``. Bookings are read back through
``/buysellbookings/modified`` (48 calls a day) per book year, with the
vendor's parameters: one journal of one year after a lost answer, every
journal of the open years since a moment when the ledger is reconciled.
Only Octopus's documented "nothing found" (404 "No modified bookings found")
counts as absent; any other answer fails the lookup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from connectors.fitting import fit
from connectors.targets.base import (
    AmbiguousWrite,
    Booking,
    BookingRef,
    BookYear,
    DocumentRefused,
    FoundBooking,
    LookupFailed,
    Period,
    TargetError,
)
from connectors.targets.octopus.api import OctopusApi
from connectors.targets.octopus.books import OctopusBooks

#: "Initial sync … from 1980-01-01 00:00:00.000" (apis.md §3.5): the start of every full read.
EVERYTHING_SINCE = "1980-01-01 00:00:00.000"
#: ``modifiedTimeStamp`` is Brussels local time.
OCTOPUS_TIME = ZoneInfo("Europe/Brussels")
#: Lost answers tolerated in one task before it stops (each costs a lookup from a 48-a-day quota).
MAX_AMBIGUOUS = 3
#: Document numbers tried for one booking when others keep taking them.
MAX_NUMBER_TRIES = 20
REFERENCE_PREFIX = "FC-"
Posted = dict[str, tuple[str, str, int]]


def stamp(moment: dt.datetime | None) -> str:
    if moment is None:
        return EVERYTHING_SINCE
    return moment.astimezone(OCTOPUS_TIME).strftime("%Y-%m-%d %H:%M:%S.000")


class OctopusBookings:
    def __init__(self, api: OctopusApi, books: OctopusBooks):
        self.api = api
        self.books = books
        #: (book year id, journal) → when it was read, and orderReference → (book year id, journal, number)
        self._posted: dict[tuple[str, str], tuple[dt.datetime, Posted]] = {}
        self._ambiguous = 0

    def ref(self, year_id: str, journal: str, number: int) -> BookingRef:
        """Target id ``<book year id>/<journal>/<number>``; booking number as Octopus shows it, ``V1 2026/13``."""
        year = self.books.year_by_id(year_id)
        return BookingRef(f"{year_id}/{journal}/{number}", f"{journal} {year.description if year else year_id}/{number}")

    # -- reading back ---------------------------------------------------------------------------

    def _modified(self, params: dict[str, Any], what: str) -> list[dict[str, Any]]:
        try:
            return self.api.get("buysellbookings/modified", params, absent_ok=True) or []
        except TargetError as exc:
            raise LookupFailed(f"{what}: could not read Octopus's bookings to check ({exc})") from None

    def _journal_bookings(self, year: BookYear, journal: str, what: str, as_of: dt.datetime | None) -> Posted:
        """The journal's connector bookings, read once per task (48 reads a day) unless the copy is older
        than ``as_of``."""
        key = (year.id, journal)
        cached = self._posted.get(key)
        if cached is None or (as_of is not None and cached[0] < as_of):
            read_at = dt.datetime.now(dt.UTC)
            rows = self._modified({"bookyearId": year.id, "journalKey": journal,
                                   "modifiedTimeStamp": EVERYTHING_SINCE}, what)
            cached = (read_at, {
                str(r["orderReference"]): (str(r["bookyearKey"]["id"]), str(r["journalKey"]),
                                           int(r["documentSequenceNr"]))
                for r in rows if str(r.get("orderReference") or "").startswith(REFERENCE_PREFIX)
            })
            self._posted[key] = cached
        return cached[1]

    def find(self, booking: Booking, as_of: dt.datetime | None = None) -> BookingRef | None:
        year, _ = self.books.year_of(booking.date, booking.description)
        found = self._journal_bookings(year, booking.journal, booking.description, as_of).get(booking.reference)
        return None if found is None else self.ref(*found)

    def connector_bookings(self, since: dt.datetime | None, from_date: dt.date | None) -> Iterator[FoundBooking]:
        for year in self.books.fresh_years():
            if from_date is not None and year.end < from_date:
                continue
            rows = self._modified({"bookyearId": year.id, "modifiedTimeStamp": stamp(since)},
                                  f"Book year {year.description}")
            for row in rows:
                reference = str(row.get("orderReference") or "")
                if reference.startswith(REFERENCE_PREFIX):
                    yield FoundBooking(reference, self.ref(str(row["bookyearKey"]["id"]), str(row["journalKey"]),
                                                           int(row["documentSequenceNr"])),
                                       abs(Decimal(str(row["amount"]))) if row.get("amount") is not None else None)

    # -- posting --------------------------------------------------------------------------------

    def body(self, booking: Booking, year: BookYear, period: Period, number: int) -> dict[str, Any]:
        total = booking.total_excl + booking.total_vat
        if booking.kind.is_credit_note:
            total = -total  # "the total amount should be negative, whilst the line amounts … positive"
        data: dict[str, Any] = {
            "bookyearKey": {"id": int(year.id)},
            "journalKey": booking.journal,
            "documentSequenceNr": number,
            "relationIdentificationServiceData": {"relationKey": {"id": int(booking.party.id)}},
            "bookyearPeriodeNr": period.number,
            "documentDate": booking.date.isoformat(),
            "expiryDate": (booking.due_date or booking.date).isoformat(),
            "comment": fit(booking.description, 100, where=f"{booking.number}: the description", keeper="Octopus"),
            "orderReference": booking.reference,
            "amount": total,
            "currencyCode": booking.currency,
            "exchangeRate": Decimal("1"),
            "bookingLines": [
                {"accountKey": int(line.ledger_account), "baseAmount": line.amount, "vatCodeKey": line.vat_code,
                 "vatAmount": line.vat_amount, "comment": line.description[:100]}
                for line in booking.lines
            ],
        }
        if booking.payment_reference:
            data["reference"] = booking.payment_reference
        return {"buySellBookingServiceData": data}

    def post(self, booking: Booking) -> BookingRef:
        label = booking.description
        bad = [line.ledger_account for line in booking.lines if not line.ledger_account.isdigit()]
        if bad:
            raise DocumentRefused(f"{label}: ledger account {bad[0]} is not an Octopus account number",
                                  code="unknown_ledger_account", field="ledger_account")
        if booking.currency != "EUR":
            raise DocumentRefused(f"{label}: it is in {booking.currency}; the connector books Octopus documents in "
                                  "EUR only (no exchange rate is known); book it by hand", code="currency",
                                  field="currency")
        year, period = self.books.year_of(booking.date, label)
        for _ in range(MAX_NUMBER_TRIES):
            number = self.books.next_number(year, booking.journal, label)
            try:
                response = self.api.write("POST", "buysellbookings", self.body(booking, year, period, number))
            except AmbiguousWrite:
                self._after_ambiguity(year, booking.journal)
                raise
            status, text = response.status_code, self.api.error_text(response)
            if status in (200, 201, 204):
                self.books.used(year, booking.journal, number)
                if (year.id, booking.journal) in self._posted:
                    self._posted[(year.id, booking.journal)][1][booking.reference] = (year.id, booking.journal, number)
                return self.ref(year.id, booking.journal, number)  # Octopus answers 201 without a body
            if status == 400 and "already exists" in text:
                # Someone booked that number meanwhile: take the next one (reading the journal again would
                # spend a 24-a-day quota on every collision).
                self.books.used(year, booking.journal, number)
                continue
            if status == 500 and "invalid elements" in text.lower():
                # Octopus's documented answer to a malformed booking: refused, nothing committed, number unused.
                raise DocumentRefused(f"{label}: Octopus refused it: {text}", code="refused_by_octopus")
            if status >= 500:
                # An outage: the write may or may not have landed. Stop here; the document stays claimed and
                # is looked up before anything is posted again, so no quota is spent per remaining document.
                raise TargetError(f"Octopus answered HTTP {status} ({text}) to a booking; the run stops and the "
                                  "next one checks that booking before posting anything again")
            raise self._refusal(booking, status, text)
        raise TargetError(f"{label}: journal {booking.journal} kept changing under us; try again later")

    def _after_ambiguity(self, year: BookYear, journal: str) -> None:
        """After a lost answer, the journal counter and the booking index may be stale: read them again —
        but stop the task after a few, so an unreachable Octopus does not drain the lookup quotas."""
        self._ambiguous += 1
        self.books.forget_number(year, journal)
        self._posted.pop((year.id, journal), None)
        if self._ambiguous > MAX_AMBIGUOUS:
            raise TargetError(f"Octopus left {self._ambiguous} bookings unanswered in this task; the run stops and "
                              "the next one checks them before posting anything again")

    def _refusal(self, booking: Booking, status: int, text: str) -> DocumentRefused:
        label = booking.description
        if status == 403:
            return DocumentRefused(
                f"{label}: Octopus refused it because the book year or journal {booking.journal} is closed for "
                f"{booking.date.isoformat()} ({text}); reopen the period in Octopus or change the document date",
                code="period_closed", field="date")
        return DocumentRefused(f"{label}: Octopus refused it: {text}", code="refused_by_octopus")
