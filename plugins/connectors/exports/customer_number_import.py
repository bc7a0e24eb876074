"""Customer numbers from the accounting package: its CSV file read, each row matched to one Focus party, stored.

Each row is matched to exactly one Focus company or contact — by Focus id, else VAT number, else exact name —
and never guessed: a row matching nobody or several parties changes nothing and is reported, an unmatched
name with Focus's near-duplicate names as suggestions. Kept apart from the number store
(``customer_numbers``) because reading files and matching against Focus is not what keeps numbers unique;
the rows that match are stored through that store, in one of its write transactions.
"""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine

from connectors.domain import PartyRef
from connectors.exports.customer_numbers import (
    CustomerNumbers,
    NumberConflict,
    _Book,
    _check_number,
    _describe,
)
from connectors.focus.client import FocusClient
from connectors.vat_numbers import compact

#: How close a Focus name must be to an unmatched CSV name to be offered (difflib ratio), and how many.
SUGGESTION_CUTOFF = 0.8
MAX_SUGGESTIONS = 3


class NumbersFileError(ValueError):
    """A customer-number file that cannot be read; the message names the file and the fix."""


#: Header (lower case, spaces and dashes as _) → the field it fills.
HEADER_ALIASES = {
    "number": "number",
    "customer_number": "number",
    "focus_id": "focus_id",
    "vat_number": "vat_number",
    "vat": "vat_number",
    "name": "name",
}
CSV_EXAMPLE = "number;focus_id;vat_number;name"


def _header_key(cell: str) -> str:
    return re.sub(r"[\s\-]+", "_", cell.strip().lstrip("\ufeff").strip().lower())


def read_numbers_csv(path: str | Path) -> list[dict[str, str]]:
    """Rows of a customer-number CSV as ``{"line", "number", "focus_id", "vat_number", "name"}`` (the ones the
    file has; ``line`` is the row's line number in the file). UTF-8 with or without BOM, ``,`` or ``;``."""
    path = Path(path)
    fix = (f"save it as UTF-8 CSV with a header line and a `number` column plus any of focus_id, vat_number "
           f"and name (e.g. {CSV_EXAMPLE})")
    try:
        content = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NumbersFileError(f"cannot read {path}: no such file; check the path") from None
    except IsADirectoryError:
        raise NumbersFileError(f"cannot read {path}: it is a folder; give the CSV file's path") from None
    except UnicodeDecodeError:
        raise NumbersFileError(f"cannot read {path}: it is not UTF-8 text; {fix}") from None
    except OSError as exc:
        raise NumbersFileError(f"cannot read {path}: {exc.strerror or exc}; check the file's permissions") from None
    lines = content.splitlines()
    header_line = next((line for line in lines if line.strip()), "")
    if not header_line:
        raise NumbersFileError(f"{path} is empty; {fix}")
    try:
        delimiter = csv.Sniffer().sniff(header_line, delimiters=",;").delimiter
    except csv.Error:
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(content.splitlines(keepends=True), delimiter=delimiter)
    rows: list[dict[str, str]] = []
    columns: list[str | None] | None = None
    previous_end = 0
    try:
        for cells in reader:
            first_line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = [HEADER_ALIASES.get(_header_key(cell)) for cell in cells]
                if "number" not in columns:
                    found = ", ".join(cell.strip() for cell in cells if cell.strip()) or "none"
                    raise NumbersFileError(f"{path} has no `number` (or `customer_number`) column in its header "
                                           f"line (columns found: {found}); {fix}")
                continue
            row = {"line": str(first_line)}
            for column, cell in zip(columns, cells, strict=False):
                if column is not None and cell.strip() and column not in row:
                    row[column] = cell.strip()
            rows.append(row)
    except csv.Error as exc:
        raise NumbersFileError(f"{path} line {reader.line_num} is not valid CSV ({exc}); {fix}") from None
    return rows


@dataclass(frozen=True)
class FocusParty:
    ref: PartyRef
    name: str
    vat_number: str | None


@dataclass(frozen=True)
class RowResult:
    """One CSV row: its line number, its number, how it named the customer, and the outcome."""

    line: int
    number: str
    given: str
    party: FocusParty | None = None
    message: str = ""
    suggestions: tuple[str, ...] = ()

    def describe(self) -> str:
        text = f"line {self.line}: {self.message}"
        if self.suggestions:
            text += " — did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return text


@dataclass
class ImportReport:
    matched: list[RowResult] = field(default_factory=list)
    already: list[RowResult] = field(default_factory=list)
    unmatched: list[RowResult] = field(default_factory=list)
    ambiguous: list[RowResult] = field(default_factory=list)
    conflicts: list[RowResult] = field(default_factory=list)
    #: Rows without a number or without anything to match on.
    invalid: list[RowResult] = field(default_factory=list)

    @property
    def not_stored(self) -> list[RowResult]:
        """The rows that changed nothing for a reason to fix, in line order."""
        return sorted([*self.unmatched, *self.ambiguous, *self.conflicts, *self.invalid], key=lambda r: r.line)

    @property
    def ok(self) -> bool:
        return not self.not_stored

    def lines(self) -> list[str]:
        """The report for people: counts, then one line per row that was not stored."""
        out = [f"{len(self.matched)} customer number(s) stored, {len(self.already)} already there, "
               f"{len(self.not_stored)} not stored"]
        kinds = {id(r): kind for kind, rows in (("unmatched", self.unmatched), ("ambiguous", self.ambiguous),
                                                ("conflict", self.conflicts), ("invalid", self.invalid))
                 for r in rows}
        for row in self.not_stored:
            out.append(f"{kinds[id(row)]}: {row.describe()}")
        return out


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _vat_key(value: str) -> str:
    return compact(value)


def _without_country(vat: str) -> str:
    return vat[2:] if len(vat) > 2 and vat[:2].isalpha() else vat


def focus_parties(client: FocusClient) -> list[FocusParty]:
    """Every Focus company and contact (one paged read of each list, 100 per page)."""
    parties = []
    for item in client.paginate("companies.list", {}):
        parties.append(FocusParty(PartyRef("company", item["id"]), (item.get("name") or "").strip(),
                                  item.get("vat_number") or None))
    for item in client.paginate("contacts.list", {}):
        name = " ".join(part for part in (item.get("first_name"), item.get("last_name")) if part)
        parties.append(FocusParty(PartyRef("contact", item["id"]), name.strip(), item.get("vat_number") or None))
    return parties


class _Matcher:
    def __init__(self, parties: list[FocusParty]):
        self.by_id: dict[str, list[FocusParty]] = {}
        self.by_vat: dict[str, list[FocusParty]] = {}
        self.by_bare_vat: dict[str, list[FocusParty]] = {}
        self.by_name: dict[str, list[FocusParty]] = {}
        for party in parties:
            self.by_id.setdefault(party.ref.id, []).append(party)
            if party.vat_number and _vat_key(party.vat_number):
                vat = _vat_key(party.vat_number)
                self.by_vat.setdefault(vat, []).append(party)
                self.by_bare_vat.setdefault(_without_country(vat), []).append(party)
            if party.name:
                self.by_name.setdefault(_name_key(party.name), []).append(party)
        self.display = {key: found[0].name for key, found in self.by_name.items()}

    def suggestions(self, name: str | None) -> tuple[str, ...]:
        if not name:
            return ()
        close = difflib.get_close_matches(_name_key(name), list(self.by_name), n=MAX_SUGGESTIONS,
                                          cutoff=SUGGESTION_CUTOFF)
        return tuple(self.display[key] for key in close)

    def match(self, row: dict[str, str]) -> tuple[str, list[FocusParty]]:
        """How the row was matched (its key, in words) and the Focus parties it matches."""
        if row.get("focus_id"):
            return f"Focus id {row['focus_id']!r}", self.by_id.get(row["focus_id"], [])
        named = self.by_name.get(_name_key(row["name"]), []) if row.get("name") else []
        if row.get("vat_number"):
            given = f"VAT number {row['vat_number']!r}"
            vat = _vat_key(row["vat_number"])
            found = (self.by_vat if vat[:2].isalpha() else self.by_bare_vat).get(vat, [])
            if found or not named:
                return given, found
            # Focus may not know the customer's VAT number: the name decides, but only among parties without
            # one (a party with another VAT number is another customer, or a mistake to fix — not a match).
            without = [p for p in named if not p.vat_number]
            if not without:
                held = ", ".join(f"{_describe(p.ref, p.name)} with VAT number {p.vat_number}" for p in named)
                return f"{given} (Focus has {held}: correct the VAT number in Focus or in the file)", []
            return f"name {row['name']!r} and no VAT number ({given} is not in Focus)", without
        return f"name {row['name']!r}", named


def _parties_list(parties: list[FocusParty]) -> str:
    return ", ".join(_describe(p.ref, p.name) for p in parties)


def import_numbers(engine: Engine, client: FocusClient, department_id: str, package: str,
                   rows: Iterable[dict[str, str]]) -> ImportReport:
    """Store the numbers of a CSV (``read_numbers_csv``) for the Focus parties its rows name, origin
    "imported". Each row is matched to exactly one company or contact — by ``focus_id`` (an id Focus does
    not have matches nobody), else ``vat_number`` (compacted: spaces, dots and the country's case do not
    count; without a country prefix it is compared to Focus's numbers without theirs; a VAT number Focus does
    not hold falls back to the name, among parties without a VAT number only), else exact ``name`` (case and
    spacing do not count). A row matching nobody, several parties, or conflicting with a number given
    already changes nothing and is reported; an unmatched name comes with Focus's near-duplicate names."""
    rows = list(rows)
    report = ImportReport()
    to_store: list[tuple[RowResult, FocusParty]] = []
    matcher: _Matcher | None = None
    for index, row in enumerate(rows):
        line = int(row.get("line") or index + 2)
        number = (row.get("number") or "").strip()
        if not number:
            report.invalid.append(RowResult(line, "", "", message="no customer number; fill in its `number`"))
            continue
        try:
            number = _check_number(number)
        except ValueError as exc:
            report.invalid.append(RowResult(line, number, "", message=str(exc)))
            continue
        if not any(row.get(key) for key in ("focus_id", "vat_number", "name")):
            report.invalid.append(RowResult(line, number, "", message=f"number {number} names no customer; fill "
                                            "in its focus_id, vat_number or name"))
            continue
        if matcher is None:
            matcher = _Matcher(focus_parties(client))
        given, found = matcher.match(row)
        if not found:
            report.unmatched.append(RowResult(
                line, number, given, message=f"number {number}: no Focus company or contact has {given}; "
                "nothing stored", suggestions=matcher.suggestions(row.get("name"))))
        elif len(found) > 1:
            report.ambiguous.append(RowResult(
                line, number, given, message=f"number {number}: {len(found)} Focus parties have {given} "
                f"({_parties_list(found)}); nothing stored — add the right one's focus_id to this row"))
        else:
            to_store.append((RowResult(line, number, given, party=found[0]), found[0]))
    if not to_store:
        return report
    book_keeper = CustomerNumbers(engine, department_id, package)

    def store(connection: Connection, book: _Book) -> list[tuple[str, RowResult]]:
        outcomes = []
        for result, party in to_store:
            try:
                stored = book_keeper._store(connection, book, party.ref, result.number, party.name, "imported")
            except NumberConflict as conflict:
                outcomes.append(("conflict", RowResult(result.line, result.number, result.given, party,
                                                       f"{conflict}; nothing stored")))
                continue
            outcomes.append(("matched" if stored else "already", result))
        return outcomes

    for kind, result in book_keeper._write(store):
        {"matched": report.matched, "already": report.already, "conflict": report.conflicts}[kind].append(result)
    return report
