"""Customer numbers: a customer's account number in an accounting package, per department and package.

A number, once given to a customer (a Focus company or contact) in a department + package, never changes and
is never given to another customer; the table's primary key (one number per party) and its unique key (one
party per number) hold that even when two processes write at once. Numbers are text (``007123`` keeps its
zeros); generation is numeric: the next number is ``max(start, highest numeric number in use + 1)``.

Every write is one short ``write_transaction`` (``BEGIN IMMEDIATE`` on SQLite, so writers queue). On
PostgreSQL the writers of one department + package queue on a transaction-level advisory lock, and a write
that still collides (a unique violation or a deadlock: another writer got there first) is rolled back and
done again on what is then committed: a party that got its number from the other process keeps that one.

Numbers that come from the accounting package (a CSV file) are matched and stored by
``customer_number_import``, through this store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from connectors.domain import PartyRef
from connectors.exports.settings import DEFAULT_NUMBER_START
from connectors.state.db import sessions, write_transaction
from connectors.state.export_models import CustomerNumber

T = TypeVar("T")

ORIGINS = ("imported", "manual", "generated")
PARTY_TYPES = ("company", "contact")
MAX_NUMBER_LENGTH = 32
MAX_NAME_LENGTH = 255
#: How often a write that collided with another process is done again (each attempt sees what committed).
WRITE_ATTEMPTS = 30
#: Parties per write transaction when generating, so a transaction stays short.
GENERATE_CHUNK = 500

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
