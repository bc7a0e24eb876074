"""An Octopus dossier's book years, journals and master data, read as sparingly as its quotas demand.

Accounts and VAT codes may be read twice a day: the pipeline caches master
data for 12 hours, and book years come from that copy (read again once per
task when a date falls outside every known year). Journals are read once per
book year per task; they also give each journal's ``lastBookedDocumentNr``,
from which the next document number is counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from connectors.domain import DocumentKind
from connectors.targets.base import (
    AccountInfo,
    BookYear,
    DocumentRefused,
    JournalInfo,
    MasterData,
    Period,
    TargetError,
    VatCodeInfo,
)
from connectors.targets.octopus.api import OctopusApi

JOURNAL_KINDS = {
    "V": frozenset({DocumentKind.SALES_INVOICE, DocumentKind.SALES_CREDIT_NOTE}),
    "A": frozenset({DocumentKind.PURCHASE_INVOICE, DocumentKind.PURCHASE_CREDIT_NOTE}),
}
VAT_DIRECTIONS = {1: "purchase", 2: "sales", 3: "purchase", 4: "sales"}
#: The connector books Octopus documents in EUR only (``exchangeRate`` 1): no exchange rate is known.
CURRENCY = "EUR"


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


class OctopusBooks:
    def __init__(self, api: OctopusApi, cached_master_data: Callable[[], MasterData | None] = lambda: None):
        self.api = api
        self._cached_master_data = cached_master_data
        self._years: tuple[BookYear, ...] | None = None
        self._years_fresh = False
        #: (book year id, journal) → the next document number to use; absent = read the journals again.
        self._next_number: dict[tuple[str, str], int] = {}

    # -- book years -----------------------------------------------------------------------------

    def _read_years(self) -> tuple[BookYear, ...]:
        years = []
        for row in self.api.get("bookyears"):
            periods = tuple(Period(int(p["bookyearPeriod"]), _date(p["startDate"]), _date(p["endDate"]))
                            for p in row.get("periods") or ())
            years.append(BookYear(str(row["bookyearKey"]["id"]), str(row.get("bookyearDescription") or ""),
                                  _date(row["startDate"]), _date(row["endDate"]), bool(row.get("closed")), periods))
        return tuple(sorted(years, key=lambda y: y.start))

    def years(self) -> tuple[BookYear, ...]:
        if self._years is None:
            cached = self._cached_master_data()
            self._years = cached.book_years if cached and cached.book_years else self._read_years()
        return self._years

    def fresh_years(self) -> tuple[BookYear, ...]:
        """Read the book years now (once per task): a rebuild must not miss a year opened since the cache."""
        if not self._years_fresh:
            self._years, self._years_fresh = self._read_years(), True
        return self.years()

    def year_by_id(self, year_id: str) -> BookYear | None:
        return next((y for y in self.years() if y.id == year_id), None)

    def year_of(self, day: dt.date, label: str) -> tuple[BookYear, Period]:
        year = next((y for y in self.years() if y.start <= day <= y.end), None)
        if year is None and not self._years_fresh:
            # The cached copy may predate a newly opened year: read once per task, not per document.
            self._years, self._years_fresh = self._read_years(), True
            year = next((y for y in self._years if y.start <= day <= y.end), None)
        if year is None:
            raise DocumentRefused(f"{label}: Octopus has no book year for {day.isoformat()}; create it in Octopus",
                                  code="no_book_year", field="date")
        period = year.period_of(day)
        if period is None:
            raise DocumentRefused(f"{label}: book year {year.description} in Octopus has no period for "
                                  f"{day.isoformat()}", code="no_period", field="date")
        return year, period

    # -- journals and numbering -----------------------------------------------------------------

    def journals(self, year_id: str) -> list[dict[str, Any]]:
        rows = self.api.get(f"bookyears/{year_id}/journals")
        for row in rows:
            self._next_number[(year_id, str(row["journalKey"]))] = int(row.get("lastBookedDocumentNr") or 0) + 1
        return rows

    def next_number(self, year: BookYear, journal: str, label: str) -> int:
        if (year.id, journal) not in self._next_number:
            self.journals(year.id)
        if (year.id, journal) not in self._next_number:
            raise DocumentRefused(f"{label}: journal {journal} does not exist in Octopus book year "
                                  f"{year.description}; pick another journal in the integration",
                                  code="unknown_journal", field="journal")
        return self._next_number[(year.id, journal)]

    def used(self, year: BookYear, journal: str, number: int) -> None:
        self._next_number[(year.id, journal)] = number + 1

    def forget_number(self, year: BookYear, journal: str) -> None:
        """Someone else booked in the journal (or an answer was lost): read its counter again."""
        self._next_number.pop((year.id, journal), None)

    # -- master data ----------------------------------------------------------------------------

    def master_data(self) -> MasterData:
        years = self._read_years()
        self._years, self._years_fresh = years, True
        current = _current_year(years)
        accounts = {}
        for row in self.api.get("accounts", {"bookyearId": current.id}, attempts=1):
            number = str(row["accountKey"]["id"])
            names = row.get("description") or {}
            description = names.get("description_NL") or names.get("description_EN") or names.get("description_FR")
            accounts[number] = AccountInfo(number, description or "")
        vat_codes = {}
        for row in self.api.get("vatcodes", attempts=1):
            code = str(row["code"])
            vat_codes[code] = VatCodeInfo(code, row.get("description") or "",
                                          Decimal(str(row.get("basePercentage") or 0)) / 100,
                                          VAT_DIRECTIONS.get(int(row.get("type") or 0), "both"))
        journals = {}
        for row in self.journals(current.id):
            code = str(row["journalKey"])
            journals[code] = JournalInfo(code, row.get("name") or "", JOURNAL_KINDS.get(code[:1], frozenset()),
                                         bool(row.get("closed")))
        closed = tuple((y.start, y.end) for y in years if y.closed)
        return MasterData(accounts, vat_codes, journals, closed, years, currency=CURRENCY)


def _current_year(years: Sequence[BookYear]) -> BookYear:
    today = dt.date.today()
    open_years = [y for y in years if not y.closed]
    current = next((y for y in years if y.start <= today <= y.end and not y.closed), None)
    if current is None and not open_years:
        raise TargetError("Octopus has no open book year in this dossier; open one in Octopus")
    return current or open_years[-1]
