"""Claims: how no document is posted by two workers, and a dead worker's document is recovered.

Posting a document requires holding its claim. Claiming is one atomic
compare-and-set on the ledger row — ``pending``/``failed`` → ``posting``
with a fresh claim id, the owner, a lease and the frozen booking — that only
succeeds when the row still is what the worker read (same state, same
content) and validation passed exactly that content (so a run never posts
what a concurrent run's validation refused). A worker that finds another's live claim leaves the document
alone. The lease (``CONNECTOR_CLAIM_LEASE_SECONDS``, 5 minutes by default)
outlasts any single post: the HTTP timeout plus the longest rate-limit wait.
An expired claim (a dead worker, a zombie task) is taken over only after the
tool was searched and the document proved absent, again by compare-and-set
on the old claim id, so of two workers that both found it absent one posts.

What was claimed is what is checked: the booking and content hash are
frozen at claim time; a booking found after a crash is compared with them,
and a Focus edit made after the claim shows as an edit after booking.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine, update

from connectors.serialization import to_payload
from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.ledger import DIFFERS, LedgerEntry
from connectors.state.models import DocumentRecord, DocumentState
from connectors.state.tool_bookings import ToolBookings
from connectors.targets.base import Booking, BookingRef, FoundBooking

log = logging.getLogger(__name__)
_docs = DocumentRecord.__table__
DEFAULT_LEASE_SECONDS = 300


def lease_from_env(env: Mapping[str, str] | None = None) -> dt.timedelta:
    return dt.timedelta(seconds=int((os.environ if env is None else env).get("CONNECTOR_CLAIM_LEASE_SECONDS",
                                                                              DEFAULT_LEASE_SECONDS)))


def new_owner(label: str = "") -> str:
    """Who claims: host, process and a random part, so two attempts of one task never share a name."""
    return f"{socket.gethostname()}:{os.getpid()}:{label}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    entry_id: int
    claim_id: str
    claimed_hash: str
    booking: Booking


class Claims:
    def __init__(self, engine: Engine, tool_bookings: ToolBookings, *, owner: str,
                 lease: dt.timedelta | None = None):
        self._engine = engine
        self._tool = tool_bookings
        self.owner = owner
        self.lease = lease or lease_from_env()

    def is_live(self, entry: LedgerEntry) -> bool:
        """Someone holds this document's claim right now (its lease has not run out)."""
        return entry.claim_expires_at is not None and entry.claim_expires_at > clock.now()

    def _claim_values(self, entry: LedgerEntry, booking: Booking) -> dict:
        now = clock.now()
        return dict(state=DocumentState.POSTING.value, claim_id=uuid.uuid4().hex, claim_owner=self.owner,
                    claimed_at=now, claim_expires_at=now + self.lease, claimed_hash=entry.content_hash,
                    claimed_booking=to_payload(booking), attempts=_docs.c.attempts + 1, last_error=None,
                    error_field=None)

    def claim(self, entry: LedgerEntry, booking: Booking) -> Claim | None:
        """``pending``/``failed`` → ``posting`` for this worker, if nobody changed the row since it was read."""
        values = self._claim_values(entry, booking)
        with write_transaction(self._engine) as connection:
            taken = connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state.in_([DocumentState.PENDING.value, DocumentState.FAILED.value]),
                _docs.c.content_hash == entry.content_hash, _docs.c.valid_hash == entry.content_hash,
            ).values(**values)).rowcount == 1
        return Claim(entry.id, values["claim_id"], entry.content_hash, booking) if taken else None

    def take_over(self, entry: LedgerEntry, booking: Booking) -> Claim | None:
        """An expired claim, after the tool proved the document absent: this worker's now, if still the same
        expired claim (another worker may have taken it over first)."""
        values = self._claim_values(entry, booking)
        with write_transaction(self._engine) as connection:
            taken = connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state == DocumentState.POSTING.value,
                _docs.c.claim_id == entry.claim_id, _docs.c.claim_expires_at <= clock.now(),
                _docs.c.content_hash == entry.content_hash, _docs.c.valid_hash == entry.content_hash,
            ).values(**values)).rowcount == 1
        return Claim(entry.id, values["claim_id"], entry.content_hash, booking) if taken else None

    def renew(self, claim: Claim) -> dt.datetime | None:
        """A fresh lease right before the write leaves (None: the claim is no longer this worker's). Writes
        are fenced by it (``targets.http.writes_before``)."""
        now = clock.now()
        expires = now + self.lease
        with write_transaction(self._engine) as connection:
            held = connection.execute(update(_docs).where(
                _docs.c.id == claim.entry_id, _docs.c.claim_id == claim.claim_id,
                _docs.c.state == DocumentState.POSTING.value, _docs.c.claim_expires_at > now,
            ).values(claim_expires_at=expires)).rowcount == 1
        return expires if held else None

    def booked(self, claim: Claim, ref: BookingRef) -> bool:
        """The tool took this worker's post (or has it after an ambiguous answer). False when the claim was
        no longer this worker's when it heard back: another worker may have posted too — report it."""
        self._tool.add(claim.booking.reference, ref, claim.booking.total_incl)
        with write_transaction(self._engine) as connection:
            done = connection.execute(update(_docs).where(
                _docs.c.id == claim.entry_id, _docs.c.claim_id == claim.claim_id,
                _docs.c.state == DocumentState.POSTING.value,
            ).values(**_booked(ref, claim.claimed_hash))).rowcount
            if not done:
                log.error("%s: the claim ran out while it was being posted; check the tool for a second booking "
                          "with reference %s", claim.booking.description, claim.booking.reference)
                connection.execute(update(_docs).where(
                    _docs.c.id == claim.entry_id, _docs.c.state.in_(
                        [DocumentState.POSTING.value, DocumentState.PENDING.value, DocumentState.FAILED.value]),
                ).values(**_booked(ref, claim.claimed_hash)))
        return bool(done)

    def not_sent(self, claim: Claim) -> None:
        """Nothing left this machine: the document is as it was before the claim."""
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(
                _docs.c.id == claim.entry_id, _docs.c.claim_id == claim.claim_id).values(
                state=DocumentState.PENDING.value, **_no_claim()))

    def absent(self, entry: LedgerEntry, message: str) -> bool:
        """A claim that ran out, on a document the tool proved it lacks, that cannot be posted now (validation
        refuses it): released, so it waits like any refused document (and may be excluded)."""
        with write_transaction(self._engine) as connection:
            return connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.claim_id == entry.claim_id,
                _docs.c.state == DocumentState.POSTING.value, _docs.c.claim_expires_at <= clock.now(),
            ).values(state=DocumentState.FAILED.value, last_error=message, **_no_claim())).rowcount == 1

    def recovered(self, entry: LedgerEntry, ref: BookingRef, total: object = None) -> bool:
        """An expired claim whose booking the tool has: booked as it was claimed (a later Focus edit shows as an
        edit after booking). False if the row changed meanwhile."""
        claimed = entry.claimed_booking
        differs = total is not None and claimed is not None and total != claimed.total_incl
        booked_hash = DIFFERS if differs else (entry.claimed_hash or entry.content_hash)
        with write_transaction(self._engine) as connection:
            return connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state == DocumentState.POSTING.value,
                _docs.c.claim_id == entry.claim_id,
            ).values(**_booked(ref, booked_hash))).rowcount == 1

    def found(self, entry: LedgerEntry, found: FoundBooking, booking: Booking) -> bool:
        """A document not claimed by anyone that the tool already has (a rebuilt or restored ledger)."""
        differs = found.total is not None and found.total != booking.total_incl
        with write_transaction(self._engine) as connection:
            return connection.execute(update(_docs).where(
                _docs.c.id == entry.id,
                _docs.c.state.in_([DocumentState.PENDING.value, DocumentState.FAILED.value]),
            ).values(**_booked(found.ref, DIFFERS if differs else entry.content_hash))).rowcount == 1

    def refused(self, claim: Claim, message: str, field: str | None = None) -> None:
        """The tool refused it: nothing was booked, the claim goes, the document waits for a fix."""
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(
                _docs.c.id == claim.entry_id, _docs.c.claim_id == claim.claim_id).values(
                state=DocumentState.FAILED.value, last_error=message, error_field=field, **_no_claim()))

    def unconfirmed(self, claim: Claim, message: str) -> None:
        """The tool did not confirm the post and has not got it yet: it stays claimed for a full lease more (the
        tool may still be committing), then the tool is searched again before anything is posted."""
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(
                _docs.c.id == claim.entry_id, _docs.c.claim_id == claim.claim_id).values(
                last_error=message, claim_expires_at=clock.now() + self.lease))

    def note(self, entry: LedgerEntry, message: str) -> None:
        """A problem with a claimed document that leaves its claim as it is (a lookup that failed)."""
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(_docs.c.id == entry.id).values(last_error=message))


def _no_claim() -> dict:
    return dict(claim_id=None, claim_owner=None, claim_expires_at=None, claimed_hash=None, claimed_booking=None)


def _booked(ref: BookingRef, booked_hash: str) -> dict:
    return dict(state=DocumentState.BOOKED.value, target_id=ref.target_id, booking_number=ref.booking_number,
                booked_hash=booked_hash, booked_at=clock.now(), last_error=None, error_field=None,
                refused_in_run=None, **_no_claim())
