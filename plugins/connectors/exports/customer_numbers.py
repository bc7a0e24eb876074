"""Customer numbers: a customer's account number in an accounting package, per department and package.

A number, once given to a customer (a Focus company or contact) in a department + package, never changes and
is never given to another customer; the table's primary key (one number per party) and its unique key (one
party per number) hold that even when two processes write at once. Numbers are text (``007123`` keeps its
zeros); generation is numeric: the next number is ``max(start, highest numeric number in use + 1)``.

Every write is one short ``write_transaction`` (``BEGIN IMMEDIATE`` on SQLite, so writers queue). On
PostgreSQL the writers of one department + package queue on a transaction-level advisory lock, and a write
that still collides (a unique violation or a deadlock: another writer got there first) is rolled back and
done again on what is then committed: a party that got its number from the other process keeps that one.

Numbers can also come from the accounting package (``import_numbers``, a CSV file): each row is matched to
exactly one Focus company or contact — by Focus id, else VAT number, else exact name — and never guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import random
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from connectors.domain import PartyRef
from connectors.exports.settings import DEFAULT_NUMBER_START
from connectors.focus.client import FocusClient
from connectors.state.db import sessions, write_transaction
from connectors.state.export_models import CustomerNumber
from connectors.vat_numbers import compact

T = TypeVar("T")

ORIGINS = ("imported", "manual", "generated")
PARTY_TYPES = ("company", "contact")
MAX_NUMBER_LENGTH = 32
MAX_NAME_LENGTH = 255
#: How often a write that collided with another process is done again (each attempt sees what committed).
WRITE_ATTEMPTS = 30
#: Parties per write transaction when generating, so a transaction stays short.
GENERATE_CHUNK = 500
#: How close a Focus name must be to an unmatched CSV name to be offered (difflib ratio), and how many.
SUGGESTION_CUTOFF = 0.8
MAX_SUGGESTIONS = 3

_table = CustomerNumber.__table__
_c = _table.c
#: PostgreSQL SQLSTATEs worth a retry: unique violation, serialization failure, deadlock.
_RETRY_SQLSTATES = {"23505", "40001", "40P01"}


class NumberConflict(ValueError):
    """A number that would change a customer's number or give one number to two customers."""


@dataclass(frozen=True)
class Generated:
    #: Every party asked about → its number (the ones it had already and the new ones).
    numbers: dict[PartyRef, str]
    #: One line each, in words (e.g. the start is at or below a number given already).
    warnings: list[str]
    #: The parties that got a new number in this call, in order.
    new: list[PartyRef] = field(default_factory=list)


def _describe(ref: PartyRef, name: str | None) -> str:
    return f"{name} ({ref.type} {ref.id})" if name else f"{ref.type} {ref.id}"


def _numeric(number: str) -> int | None:
    return int(number) if number.isascii() and number.isdigit() else None


def _check_number(number: str) -> str:
    value = (number or "").strip()
    if not value:
        raise ValueError("a customer number cannot be empty")
    if len(value) > MAX_NUMBER_LENGTH or any(not ch.isprintable() for ch in value):
        raise ValueError(f"customer number {value!r} must be at most {MAX_NUMBER_LENGTH} printable characters")
    return value


def _check_ref(ref: PartyRef) -> None:
    if ref.type not in PARTY_TYPES or not ref.id:
        raise ValueError(f"a customer is a Focus company or contact with an id, not {ref!r}")


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    return getattr(exc.orig, "pgcode", None) in _RETRY_SQLSTATES


@dataclass
class _Book:
    """The numbers of one department + package as read inside a write transaction."""

    by_party: dict[PartyRef, tuple[str, str]]  # ref → (number, party name)
    by_number: dict[str, tuple[PartyRef, str, str]]  # number → (ref, party name, origin)

    def highest(self, *, origins: Iterable[str] = ORIGINS) -> tuple[int, str] | None:
        """The highest numeric number of those origins and who holds it, or None."""
        wanted = set(origins)
        best: tuple[int, str] | None = None
        for number, (_ref, _name, origin) in self.by_number.items():
            value = _numeric(number)
            if value is not None and origin in wanted and (best is None or value > best[0]):
                best = (value, number)
        return best


class CustomerNumbers:
    """The customer numbers of one department in one accounting package."""

    def __init__(self, engine: Engine, department_id: str, package: str):
        self._engine = engine
        self.department_id = department_id
        self.package = package

    # -- reading --------------------------------------------------------------------------------------------

    def _scope(self) -> tuple[Any, ...]:
        return (_c.department_id == self.department_id, _c.package == self.package)

    def numbers(self, refs: Iterable[PartyRef]) -> dict[PartyRef, str]:
        """The numbers of those parties that have one (the others are left out)."""
        wanted = set(refs)
        ids = sorted({ref.id for ref in wanted})
        found: dict[PartyRef, str] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(ids), 500):
                rows = connection.execute(select(_c.party_type, _c.party_id, _c.number).where(
                    *self._scope(), _c.party_id.in_(ids[start:start + 500])))
                for party_type, party_id, number in rows:
                    ref = PartyRef(party_type, party_id)
                    if ref in wanted:
                        found[ref] = number
        return found

    def all(self) -> list[CustomerNumber]:
        """Every number of the department + package: numeric ones in numeric order, then the others."""
        with sessions(self._engine)() as session:
            rows = list(session.scalars(select(CustomerNumber).where(*self._scope())))
            session.expunge_all()
        return sorted(rows, key=lambda r: (_numeric(r.number) is None, _numeric(r.number) or 0, r.number))

    # -- writing --------------------------------------------------------------------------------------------

    def _write(self, work: Callable[[Connection, _Book], T]) -> T:
        """Run ``work`` in a write transaction on the numbers as committed; again when it collided."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                with write_transaction(self._engine) as connection:
                    self._lock(connection)
                    return work(connection, self._book(connection))
            except DBAPIError as exc:
                if not _retryable(exc) or attempt == WRITE_ATTEMPTS - 1:
                    raise
                time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _lock(self, connection: Connection) -> None:
        """PostgreSQL: writers of this department + package queue here (SQLite's BEGIN IMMEDIATE does that)."""
        if connection.dialect.name == "postgresql":
            digest = hashlib.sha256(f"customer_numbers:{self.department_id}:{self.package}".encode()).digest()
            key = int.from_bytes(digest[:8], "big", signed=True)
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def _book(self, connection: Connection) -> _Book:
        book = _Book({}, {})
        rows = connection.execute(select(_c.party_type, _c.party_id, _c.number, _c.party_name, _c.origin)
                                  .where(*self._scope()))
        for party_type, party_id, number, name, origin in rows:
            ref = PartyRef(party_type, party_id)
            book.by_party[ref] = (number, name)
            book.by_number[number] = (ref, name, origin)
        return book

    def _insert(self, connection: Connection, book: _Book, ref: PartyRef, number: str, name: str,
                origin: str) -> None:
        name = (name or "")[:MAX_NAME_LENGTH]
        connection.execute(insert(_table).values(
            department_id=self.department_id, package=self.package, party_type=ref.type, party_id=ref.id,
            number=number, origin=origin, party_name=name, created_at=dt.datetime.now(dt.UTC)))
        book.by_party[ref] = (number, name)
        book.by_number[number] = (ref, name, origin)

    def _conflict(self, book: _Book, ref: PartyRef, number: str, name: str) -> NumberConflict | None:
        """Why ``number`` cannot be given to ``ref``, or None (it may, or the party has it already)."""
        who = _describe(ref, name or book.by_party.get(ref, ("", ""))[1])
        current = book.by_party.get(ref)
        if current is not None and current[0] != number:
            return NumberConflict(
                f"{who} already has customer number {current[0]} in package {self.package}, not {number}: a "
                f"customer number never changes once given; keep {current[0]} for this customer in the "
                "accounting package")
        holder = book.by_number.get(number)
        if holder is not None and holder[0] != ref:
            return NumberConflict(
                f"customer number {number} is already given to {_describe(holder[0], holder[1])} in package "
                f"{self.package}: a number is never given to two customers; choose another number for {who}")
        return None

    def _store(self, connection: Connection, book: _Book, ref: PartyRef, number: str, name: str,
               origin: str) -> bool:
        conflict = self._conflict(book, ref, number, name)
        if conflict is not None:
            raise conflict
        if ref in book.by_party:
            return False
        self._insert(connection, book, ref, number, name, origin)
        return True

    def set(self, ref: PartyRef, number: str, name: str, origin: str = "manual") -> bool:
        """Give ``ref`` the number: True if stored, False if it has exactly that number already.

        ``NumberConflict`` when the party has another number or the number is another party's (nothing
        changes then)."""
        _check_ref(ref)
        number = _check_number(number)
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {', '.join(ORIGINS)}, not {origin!r}")
        return self._write(lambda connection, book: self._store(connection, book, ref, number, name, origin))

    def generate(self, parties: Iterable[tuple[PartyRef, str]], start: int = DEFAULT_NUMBER_START) -> Generated:
        """Numbers for the parties that have none, in the given order: the next is ``max(start, highest
        numeric number in use + 1)``. Parties that have a number keep it.

        A warning says so when ``start`` is at or below a number imported or set by hand that is above every
        generated number — once, when that number first moves the sequence on (continuing after the
        connector's own generated numbers is what is expected and not worth one)."""
        if start < 0:
            raise ValueError(f"the first customer number must be 0 or more, not {start}")
        ordered: dict[PartyRef, str] = {}
        for ref, name in parties:
            _check_ref(ref)
            ordered.setdefault(ref, name)
        items = list(ordered.items())
        numbers: dict[PartyRef, str] = {}
        new: list[PartyRef] = []
        warnings: list[str] = []
        for begin in range(0, len(items), GENERATE_CHUNK):
            chunk = items[begin:begin + GENERATE_CHUNK]
            got, created, warning = self._write(lambda connection, book, chunk=chunk: self._generate(
                connection, book, chunk, start, warn=not warnings))
            numbers.update(got)
            new += created
            if warning:
                warnings.append(warning)
        return Generated(numbers, warnings, new)

    def _generate(self, connection: Connection, book: _Book, items: list[tuple[PartyRef, str]], start: int,
                  *, warn: bool) -> tuple[dict[PartyRef, str], list[PartyRef], str | None]:
        numbers = {ref: book.by_party[ref][0] for ref, _name in items if ref in book.by_party}
        missing = [(ref, name) for ref, name in items if ref not in book.by_party]
        if not missing:
            return numbers, [], None
        highest = book.highest()
        following = max(start, highest[0] + 1 if highest else start)
        warning = None
        outside = book.highest(origins=("imported", "manual"))
        own = book.highest(origins=("generated",))
        if warn and outside is not None and start <= outside[0] and (own is None or outside[0] > own[0]):
            holder_ref, holder_name, _origin = book.by_number[outside[1]]
            warning = (f"start {start} is at or below {outside[1]}, already given to "
                       f"{_describe(holder_ref, holder_name)}; continuing at {following}")
        created: list[PartyRef] = []
        for ref, name in missing:
            number = str(following)
            following += 1
            self._insert(connection, book, ref, number, name, "generated")
            numbers[ref] = number
            created.append(ref)
        return numbers, created, warning


# -- import from the accounting package (CSV) ------------------------------------------------------------


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
