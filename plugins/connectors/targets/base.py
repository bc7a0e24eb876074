"""The contract every accounting tool implements: one small interface, no protocol leaks.

Pipeline code talks to a ``Target`` only; a tool module (``exact_online.py``,
``octopus.py``, …) and its sandbox are the only places that know a protocol.
Bookings arrive fully resolved — journal code, party id, ledger account and VAT
code per line, VAT per code — so a target translates, it never decides.

Exactly-once rests on rules every target keeps:

- ``post_batch`` sends up to ``batch_size`` documents in one call (Yuki's
  import takes many; Exact Online and Octopus one, through ``post_each``)
  and answers per document: booked (a ``BookingRef``), refused
  (``DocumentRefused``), ``AmbiguousWrite`` when it cannot know whether the
  tool committed (a timeout after the request left) — the pipeline then
  looks each such document up before it ever posts it again — or
  ``NotSent``. Every booking carries the connector's own reference;
- ``find_booking`` looks one document up by that reference, and
  ``connector_bookings`` reads every booking carrying a connector reference
  (since a moment, or all of them) in as few paged calls as the tool allows,
  so a lost or restored state database is rebuilt from the tool;
- lookups **fail closed**: only the tool's documented "nothing found" means
  absent; any other answer raises ``LookupFailed`` and nothing is posted;
- ``open_items`` is one complete paged read of what is still open, and
  ``settlements`` tells, in bulk, whether a booking that left it was settled
  (paid, or matched against a credit note) or is missing from the tool: a
  deleted booking is never taken for a payment;
- a party create that ends ambiguously is looked up by the connector's key
  (or VAT number) before the target gives up with ``AmbiguousWrite``.

Tools with a daily call cap (Yuki) say how many calls the load may still
spend today (``calls_left``, after what the run's payment back-fill needs);
the load books what fits and leaves the rest for tomorrow.

A tool module exposes ``build(connection, context) -> Target`` and
``oauth(connection)`` (the consent helper, or ``None`` when the connection's
credentials are all it needs). ``TargetContext`` is what the connector keeps
for a tool: tokens, the chosen administration, integer ids it hands out
(Octopus's ``externalRelationId``) and the cached master data. Tests run the
same suite against every tool (``tests/contract``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from connectors.domain import DocumentKind, Party
from connectors.oauth import TokenStore


class TargetError(Exception):
    """The tool failed in a way that is not about one document (auth, outage, limits)."""


class QuotaSpent(TargetError):
    """A daily call quota of the tool is used up: nothing to retry today; the next run continues."""


class DocumentRefused(TargetError):
    """The tool refused this one document (unknown account, closed period, …).

    ``message`` is for the user: it names the document, the field and the fix.
    Other documents go on.
    """

    def __init__(self, message: str, *, code: str = "refused_by_tool", field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field


class AmbiguousWrite(TargetError):
    """The write may or may not have been committed (e.g. a timeout after sending)."""


class LookupFailed(TargetError):
    """A lookup could not prove that the tool lacks a record: nothing may be written on that guess."""


@dataclass(frozen=True)
class Administration:
    """A division (Exact), dossier (Octopus), administration (Yuki) or office (Twinfield)."""

    id: str
    name: str
    country: str | None = None
    vat_number: str | None = None


@dataclass(frozen=True)
class AccountInfo:
    code: str
    description: str
    blocked: bool = False


@dataclass(frozen=True)
class VatCodeInfo:
    code: str
    description: str
    rate: Decimal  # fraction
    direction: str  # sales | purchase | both
    blocked: bool = False
    #: The tool reads amounts on lines with this code as VAT included (Exact's Type "I"): the connector sends
    #: amounts excluding VAT, so such a code would book other amounts than Focus states.
    inclusive: bool = False


@dataclass(frozen=True)
class JournalInfo:
    code: str
    description: str
    #: Which document kinds the journal can hold (a tool's journal type mapped to ours).
    kinds: frozenset[DocumentKind]
    blocked: bool = False


@dataclass(frozen=True)
class Period:
    number: int
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class BookYear:
    """A financial year as the tool numbers it (Octopus books into a year id and period number)."""

    id: str
    description: str
    start: dt.date
    end: dt.date
    closed: bool = False
    periods: tuple[Period, ...] = ()

    def period_of(self, day: dt.date) -> Period | None:
        return next((p for p in self.periods if p.start <= day <= p.end), None)


@dataclass(frozen=True)
class MasterData:
    ledger_accounts: dict[str, AccountInfo]
    vat_codes: dict[str, VatCodeInfo]
    journals: dict[str, JournalInfo]
    #: Inclusive date ranges the tool refuses bookings in (closed years/periods), where it has them.
    closed_periods: tuple[tuple[dt.date, dt.date], ...] = ()
    #: Book years and their periods, where the tool has them.
    book_years: tuple[BookYear, ...] = ()
    #: The administration's own currency: the only one the connector can book (it knows no exchange rates).
    currency: str | None = None

    def is_closed(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.closed_periods)

    def book_year_of(self, day: dt.date) -> BookYear | None:
        return next((y for y in self.book_years if y.start <= day <= y.end), None)


@dataclass(frozen=True)
class TargetParty:
    """A customer/supplier in the tool: its id, and the tool's own code or number where it shows one."""

    id: str
    code: str | None = None


@dataclass(frozen=True)
class BookingLine:
    description: str
    ledger_account: str
    vat_code: str
    amount: Decimal  # excl. VAT, as the document reads (positive on a credit note too)
    vat_amount: Decimal
    quantity: Decimal | None = None


@dataclass(frozen=True)
class Booking:
    """A document ready for the tool: everything resolved, amounts balanced to the cent."""

    reference: str  # the connector's own reference: how the booking is found again
    kind: DocumentKind
    number: str
    date: dt.date
    due_date: dt.date | None
    journal: str
    party: TargetParty
    currency: str
    lines: tuple[BookingLine, ...]
    total_incl: Decimal
    payment_reference: str | None = None
    description: str = ""

    @property
    def total_excl(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def total_vat(self) -> Decimal:
        return sum((line.vat_amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True)
class BookingRef:
    target_id: str
    booking_number: str | None = None
    #: The party line as the tool booked it, when its answer says (checked against what was sent).
    total: Decimal | None = None


@dataclass(frozen=True)
class FoundBooking:
    """A booking the tool holds with a connector reference, as a rebuild of the ledger reads it."""

    reference: str
    ref: BookingRef
    #: The party line (total incl. VAT, positive), when the tool's listing shows it.
    total: Decimal | None = None


@dataclass(frozen=True)
class OpenItem:
    """A booking the tool still shows open, as its open-items read lists it."""

    #: The connector's reference, where the tool's open items show it (Exact's ``YourRef``; Octopus's show none).
    reference: str | None
    #: The booking's id as the connector kept it when it booked, where the open items show it (Octopus's
    #: bookyear/journal/seq; Exact's lists show no EntryID).
    target_id: str | None
    sales: bool
    #: What is still open, signed like the booking: invoices positive, credit notes negative. Late fees and
    #: other costs the tool adds are in it: a booking is settled when this reaches zero, whatever was received.
    open_amount: Decimal


class Settled(StrEnum):
    """What the tool says of a booking it no longer lists as open."""

    #: Paid in full, or (a credit note) matched against an invoice or a payment.
    SETTLED = "settled"
    #: The tool still has it open (listed again, or its open-items read lagged).
    OPEN = "open"
    #: The tool has no such booking (deleted there): not a payment.
    MISSING = "missing"


@dataclass(frozen=True)
class Settlement:
    """The tool's answer for one booking whose open amount moved or that left the open items."""

    target_id: str
    state: Settled
    #: The date of the last payment or match, where the tool tells it (None: the connector uses the day it saw it).
    last_payment: dt.date | None = None


class ExternalIds(Protocol):
    """Integers the connector hands out for tools that key records by a number of *ours*
    (Octopus's ``externalRelationId`` is an int32; Focus ids are UUIDs). Stable forever
    per (tool, administration, kind, Focus id)."""

    def number_for(self, kind: str, source_id: str) -> int: ...

    def reassign(self, kind: str, source_id: str) -> int:
        """The tool holds another party under this source's number (two Focus ids hashed alike, and the state
        database that told them apart was lost): move this source to the next free number."""
        ...


class MemoryExternalIds:
    """For tests and one-off scripts: numbers kept in memory, counting up from ``start``."""

    def __init__(self, start: int = 1_000_000_001) -> None:
        self._numbers: dict[tuple[str, str], int] = {}
        self._next = start

    def number_for(self, kind: str, source_id: str) -> int:
        key = (kind, source_id)
        if key not in self._numbers:
            self._numbers[key] = self._next
            self._next += 1
        return self._numbers[key]

    def reassign(self, kind: str, source_id: str) -> int:
        self._numbers[(kind, source_id)] = self._next
        self._next += 1
        return self._numbers[(kind, source_id)]


class CallCounter(Protocol):
    """The connector's own count of calls to a tool with a daily cap (``state.call_counts``)."""

    def used(self, day: dt.date) -> int: ...

    def add(self, day: dt.date, calls: int = 1) -> int: ...


@dataclass
class TargetContext:
    """What the connector keeps for one tool connection and administration."""

    tokens: TokenStore
    administration: str | None = None
    #: A token store of its own for a key the tool chooses (Octopus: one dossier token per dossier,
    #: even when several entities share one connection). Defaults to ``tokens``.
    scoped_tokens: Callable[[str], TokenStore] | None = None
    external_ids: ExternalIds = field(default_factory=MemoryExternalIds)
    #: The master data last read from the tool (state database), or None.
    cached_master_data: Callable[[], MasterData | None] = lambda: None
    #: Counts of calls per scope and day for tools with a daily cap (state database), or None: in memory.
    call_counter: Callable[[str], CallCounter] | None = None

    def tokens_for(self, key: str) -> TokenStore:
        return self.scoped_tokens(key) if self.scoped_tokens else self.tokens


class NotSent(TargetError):
    """A write was not sent because the claim it was made under would run out first: nothing happened."""


#: What became of one document of a batch.
PostResult = BookingRef | DocumentRefused | AmbiguousWrite | NotSent


def post_each(post: Callable[[Booking], BookingRef], bookings: Sequence[Booking]) -> list[PostResult]:
    """``post_batch`` for tools that book one document per call: each document's own outcome, in order."""
    results: list[PostResult] = []
    for booking in bookings:
        try:
            results.append(post(booking))
        except (DocumentRefused, AmbiguousWrite, NotSent) as exc:
            results.append(exc)
    return results


class Target(Protocol):
    """One accounting tool for one administration.

    Parties carry their roles (customer, supplier or both): one party is one
    record in the tool, created or updated in one go.
    """

    name: str
    #: How long master data read from the tool may be reused; tools with tiny
    #: daily quotas (Octopus: 2 reads a day of accounts and VAT codes) say so here.
    master_data_max_age: dt.timedelta

    def administrations(self) -> Sequence[Administration]: ...

    def master_data(self) -> MasterData: ...

    def find_party(self, party: Party, known: TargetParty | None, *, fresh: bool = False) -> TargetParty | None:
        """The party's record in the tool, or None when the tool proves it has none. ``fresh``: a worker that
        died may have created it moments ago, so answer from the tool, not from a copy read earlier."""
        ...

    def create_party(self, party: Party) -> TargetParty: ...

    def update_party(self, target: TargetParty, party: Party) -> TargetParty: ...

    def find_booking(self, booking: Booking, *, as_of: dt.datetime | None = None) -> BookingRef | None:
        """The booking with this reference, or None when the tool proves it has none. The answer must reflect
        the tool as it was at ``as_of`` or later (a copy read before then may miss a write that landed since)."""
        ...

    def connector_bookings(self, since: dt.datetime | None, *, from_date: dt.date | None = None
                           ) -> Iterable[FoundBooking]:
        """Every booking carrying a connector reference written or changed since ``since`` (all of them
        when None), dated on or after ``from_date`` where the tool reads per period. Paged."""
        ...

    #: How many documents one ``post_batch`` call may carry (1: one document per call).
    batch_size: int

    def post_batch(self, bookings: Sequence[Booking]) -> list[PostResult]:
        """Book up to ``batch_size`` documents; one result per booking, in order. Raises only for what is not
        about the documents (auth, outage, quota), and then before anything was sent."""
        ...

    def calls_left(self) -> int | None:
        """Calls the load may still spend today under the tool's daily cap, after what this run's payment
        back-fill needs; None when the tool has no daily cap."""
        ...

    def open_items(self) -> Iterable[OpenItem]:
        """Everything still open in the administration, sales and purchase: one complete read, paged as the tool
        pages it (never one call per booking)."""
        ...

    def settlements(self, target_ids: Sequence[str], *, since: dt.datetime | None) -> dict[str, Settlement]:
        """What became of these bookings (read in bulk): settled with the last payment date where the tool keeps
        one, still open, or missing. ``since``: the last time the connector asked (None: read all there is)."""
        ...
