"""The contract every accounting tool implements: one small interface, no protocol leaks.

Pipeline code talks to a ``Target`` only; a tool module (``exact_online.py``,
``octopus.py``, …) and its sandbox are the only places that know a protocol.
Bookings arrive fully resolved — journal code, party id, ledger account and VAT
code per line, VAT per code — so a target translates, it never decides.

Exactly-once rests on two rules every target keeps: ``find_booking`` looks a
document up by the connector's own reference (written into the booking by
``post``), and ``post`` raises ``AmbiguousWrite`` when it cannot know whether
the tool committed (a timeout after the request left), so the pipeline looks
the booking up before it ever posts again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from connectors.domain import DocumentKind, Party, PartyRole


class TargetError(Exception):
    """The tool failed in a way that is not about one document (auth, outage, limits)."""


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


@dataclass(frozen=True)
class JournalInfo:
    code: str
    description: str
    #: Which document kinds the journal can hold (a tool's journal type mapped to ours).
    kinds: frozenset[DocumentKind]
    blocked: bool = False


@dataclass(frozen=True)
class MasterData:
    ledger_accounts: dict[str, AccountInfo]
    vat_codes: dict[str, VatCodeInfo]
    journals: dict[str, JournalInfo]
    #: Inclusive date ranges the tool refuses bookings in (closed years/periods), where it has them.
    closed_periods: tuple[tuple[dt.date, dt.date], ...] = ()

    def is_closed(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.closed_periods)


@dataclass(frozen=True)
class TargetParty:
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


@dataclass(frozen=True)
class OpenItem:
    """An unpaid or partly paid booking, as the tool sees it."""

    reference: str | None
    booking_number: str | None
    kind_is_sales: bool
    open_amount: Decimal
    extra: dict = field(default_factory=dict)


class Target(Protocol):
    """One accounting tool for one administration."""

    name: str

    def administrations(self) -> Sequence[Administration]: ...

    def master_data(self) -> MasterData: ...

    def find_party(self, party: Party, role: PartyRole, known: TargetParty | None) -> TargetParty | None: ...

    def create_party(self, party: Party, role: PartyRole) -> TargetParty: ...

    def update_party(self, target: TargetParty, party: Party, role: PartyRole) -> None: ...

    def find_booking(self, booking: Booking) -> BookingRef | None: ...

    def post(self, booking: Booking) -> BookingRef: ...

    def open_items(self) -> Iterable[OpenItem]: ...
