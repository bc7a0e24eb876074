"""The document ledger: every document Focus returned, and where it stands.

Every document extraction sees gets one row per department (``documents``),
mappable or not: nothing Focus returns is ever lost. A document that cannot
be read waits as ``unmappable`` with the message naming its field and fix,
and is read again by id every run; a person may ``exclude`` it (who, why,
when are kept). Booking goes through ``state.claims`` (claim → post → book).
A document edited in Focus after booking is never posted a second time: it
is reported for a manual correction in the tool.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Engine, bindparam, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.domain import Document, SourceIssue
from connectors.serialization import booking_from_payload, content_hash, document_from_payload, to_payload
from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.models import OPEN_STATES, DocumentRecord, DocumentState
from connectors.targets.base import Booking

BATCH = 1_000
_docs = DocumentRecord.__table__
#: ``booked_hash`` of a document found in the tool with a total that differs from Focus's.
DIFFERS = "differs-from-focus"


class DocumentNotFound(LookupError):
    pass


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    state: DocumentState
    document: Document | None  # None while unmappable
    content_hash: str
    target_id: str | None
    booked_hash: str | None
    refused_in_run: int | None = None
    claim_id: str | None = None
    claim_owner: str | None = None
    claim_expires_at: Any = None
    claimed_hash: str | None = None
    claimed_booking: Booking | None = None
    source_type: str = ""
    focus_id: str = ""
    number: str | None = None
    last_error: str | None = None
    valid_hash: str | None = None

    @property
    def passed_validation(self) -> bool:
        """Validation passed exactly this content (not an older one, not after another run refused it)."""
        return self.document is not None and self.valid_hash == self.content_hash

    @property
    def label(self) -> str:
        return self.document.label if self.document else f"{self.source_type} {self.number or self.focus_id}"


def _entry(row) -> LedgerEntry:
    document = document_from_payload(row.payload) if row.payload else None
    claimed = booking_from_payload(row.claimed_booking) if row.claimed_booking else None
    return LedgerEntry(row.id, DocumentState(row.state), document, row.content_hash, row.target_id, row.booked_hash,
                       row.refused_in_run, row.claim_id, row.claim_owner, clock.aware(row.claim_expires_at),
                       row.claimed_hash, claimed, row.source_type, row.focus_id, row.number, row.last_error,
                       row.valid_hash)


def _same(column, value):
    return column.is_(None) if value is None else column == value


def _insert(connection):
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert


class DocumentLedger:
    def __init__(self, engine: Engine, *, integration_id: int | None, department_id: str, target: str):
        self._engine = engine
        self._integration_id = integration_id
        self._department_id = department_id
        self._target = target

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def department_id(self) -> str:
        return self._department_id

    # -- extraction ------------------------------------------------------------------------

    def record(self, documents: Iterable[Document], edited_after_booking: list[Document] | None = None
               ) -> Counter[str]:
        """Store what was extracted: new rows ``pending``; changes to unbooked rows update them (a claimed
        row keeps what it claimed); a row that was unmappable and now maps becomes ``pending``. Booked
        documents that Focus shows edited since this run's previous read go to ``edited_after_booking``.

        Returns counts: new, changed, unchanged, changed_after_booking, now_readable.
        """
        counts: Counter[str] = Counter()
        iterator = iter(documents)
        while batch := list(islice(iterator, BATCH)):
            rows = [(d, to_payload(d)) for d in batch]
            with write_transaction(self._engine) as connection:
                existing = self._existing(connection, [d.source_id for d in batch])
                now = clock.now()
                inserts = []
                for document, payload in rows:
                    digest = content_hash(payload)
                    row = existing.get((document.source_type, document.source_id))
                    if row is None:
                        counts["new"] += 1
                        inserts.append(self._new_row(document.source_type, document.source_id, now, payload=payload,
                                                     content_hash=digest, kind=document.kind.value,
                                                     number=document.number, document_date=document.date,
                                                     state=DocumentState.PENDING.value))
                        continue
                    values: dict[str, Any] = {"last_seen_at": now, "payload": payload,
                                              "integration_id": self._integration_id, "content_hash": digest,
                                              "kind": document.kind.value, "number": document.number,
                                              "document_date": document.date}
                    state = DocumentState(row.state)
                    if state is DocumentState.BOOKED:
                        compared = row.booked_hash
                        counts["changed_after_booking" if compared and digest != compared else "unchanged"] += 1
                        if compared and digest != compared and digest != row.content_hash \
                                and edited_after_booking is not None:
                            edited_after_booking.append(document)
                    elif state is DocumentState.UNMAPPABLE:
                        counts["now_readable"] += 1
                        connection.execute(update(_docs).where(
                            _docs.c.id == row.id, _docs.c.state == DocumentState.UNMAPPABLE.value).values(
                            state=DocumentState.PENDING.value, last_error=None, error_field=None))
                    elif digest != row.content_hash:
                        counts["changed"] += 1
                    else:
                        counts["unchanged"] += 1
                    # The content is Focus's latest whatever the state; a claim keeps what it claimed apart.
                    connection.execute(update(_docs).where(_docs.c.id == row.id).values(**values))
                self._insert_new(connection, inserts)
        return counts

    def record_unreadable(self, issues: Iterable[SourceIssue]) -> Counter[str]:
        """Documents Focus returned that cannot be read: a row of their own, waiting for a fix.

        A booked document keeps its booking (the run reports the problem whenever Focus returns it); a
        claimed one stays claimed until the tool is checked; an excluded one stays excluded.
        """
        counts: Counter[str] = Counter()
        iterator = iter(issues)
        while batch := list(islice(iterator, BATCH)):
            with write_transaction(self._engine) as connection:
                existing = self._existing(connection, [i.source_id for i in batch])
                now = clock.now()
                inserts = []
                for issue in batch:
                    row = existing.get((issue.source_type, issue.source_id))
                    problem = {"last_error": issue.message, "error_field": issue.field, "last_seen_at": now}
                    if row is None:
                        counts["new_unmappable"] += 1
                        inserts.append(self._new_row(issue.source_type, issue.source_id, now, payload={},
                                                     content_hash="", number=issue.number,
                                                     state=DocumentState.UNMAPPABLE.value, **problem))
                        continue
                    state = DocumentState(row.state)
                    if state in (DocumentState.PENDING, DocumentState.FAILED):
                        counts["became_unmappable"] += 1
                        problem.update(state=DocumentState.UNMAPPABLE.value, valid_hash=None)
                    else:
                        counts[f"unmappable_{state.value}"] += 1
                    # Only from the state read: a document claimed meanwhile stays with its claim.
                    connection.execute(update(_docs).where(_docs.c.id == row.id, _docs.c.state == row.state)
                                       .values(**problem))
                self._insert_new(connection, inserts)
        return counts

    def _existing(self, connection, focus_ids: list[str]) -> dict[tuple[str, str], Any]:
        return {
            (row.source_type, row.focus_id): row
            for row in connection.execute(
                select(_docs.c.id, _docs.c.source_type, _docs.c.focus_id, _docs.c.state, _docs.c.content_hash,
                       _docs.c.booked_hash)
                .where(_docs.c.department_id == self._department_id, _docs.c.focus_id.in_(focus_ids)))
        }

    def _new_row(self, source_type: str, focus_id: str, now, **values: Any) -> dict[str, Any]:
        return {**dict(integration_id=self._integration_id, department_id=self._department_id, target=self._target,
                       source_type=source_type, focus_id=focus_id, attempts=0, first_seen_at=now, last_seen_at=now),
                **values}

    def _insert_new(self, connection, inserts: list[dict[str, Any]]) -> None:
        """Insert, leaving alone a row another worker inserted meanwhile (its next record() updates it)."""
        if inserts:
            statement = _insert(connection)(_docs).on_conflict_do_nothing(
                index_elements=[_docs.c.department_id, _docs.c.source_type, _docs.c.focus_id])
            connection.execute(statement, inserts)

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *states: DocumentState) -> Iterator[LedgerEntry]:
        """Rows in the given states, streamed in batches (ordered by id)."""
        last_id = 0
        while True:
            with self._engine.connect() as connection:
                rows = connection.execute(
                    select(_docs)
                    .where(_docs.c.department_id == self._department_id,
                           _docs.c.state.in_([s.value for s in states]), _docs.c.id > last_id)
                    .order_by(_docs.c.id).limit(BATCH)
                ).all()
            if not rows:
                return
            for row in rows:
                yield _entry(row)
            last_id = rows[-1].id

    def entry(self, entry_id: int) -> LedgerEntry:
        with self._engine.connect() as connection:
            row = connection.execute(select(_docs).where(_docs.c.id == entry_id)).one()
        return _entry(row)

    def unmappable(self) -> list[LedgerEntry]:
        return list(self.entries(DocumentState.UNMAPPABLE))

    def changed_after_booking(self) -> Iterator[LedgerEntry]:
        for entry in self.entries(DocumentState.BOOKED):
            if entry.booked_hash and entry.booked_hash != entry.content_hash:
                yield entry

    def open_problems(self) -> list[LedgerEntry]:
        """Everything that waits for a person: unreadable, refused, unconfirmed, or edited after booking."""
        problems = [e for e in self.entries(*OPEN_STATES) if e.last_error]
        return problems + list(self.changed_after_booking())

    # -- refusals and exclusions ------------------------------------------------------------

    def set_error(self, entry: LedgerEntry, message: str, run_id: int | None = None,
                  field: str | None = None) -> None:
        """Refused before posting (validation, missing party): ``failed`` with the reason, skipped by this run.

        A half-posted row stays ``posting``: whether the tool has it must still be resolved.
        """
        state = entry.state if entry.state is DocumentState.POSTING else DocumentState.FAILED
        with write_transaction(self._engine) as connection:
            # Only the row as it was read: one claimed or booked meanwhile is not turned back.
            connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state == entry.state.value, _same(_docs.c.claim_id, entry.claim_id),
            ).values(state=state.value, last_error=message, error_field=field, refused_in_run=run_id,
                     valid_hash=None))

    def mark_valid(self, entries: Iterable[LedgerEntry]) -> int:
        """Validation passed these documents as read: only that content may be posted."""
        rows = [{"entry_id": e.id, "hash": e.content_hash} for e in entries]
        if not rows:
            return 0
        statement = (update(_docs).where(_docs.c.id == bindparam("entry_id"), _docs.c.content_hash == bindparam("hash"))
                     .values(valid_hash=bindparam("hash")))
        with write_transaction(self._engine) as connection:
            connection.execute(statement, rows)
        return len(rows)

    def find(self, document: str) -> LedgerEntry:
        """A row by Focus id or document number ("2026 / 17", "INV-9")."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(_docs).where(
                _docs.c.department_id == self._department_id,
                or_(_docs.c.focus_id == document, _docs.c.number == document))).all()
        if not rows:
            raise DocumentNotFound(f"No document {document!r} in the ledger of this entity; use its Focus id or "
                                   "its number as `documents problems` lists it")
        if len(rows) > 1:
            raise DocumentNotFound(f"{document!r} names {len(rows)} documents; use the Focus id instead")
        return _entry(rows[0])

    def exclude(self, document: str, *, by: str, reason: str) -> LedgerEntry:
        """A person decides a document is never booked; who, why and when are kept. Only documents that are
        not (possibly) in the tool can be excluded."""
        entry = self.find(document)
        excludable = (DocumentState.PENDING, DocumentState.FAILED, DocumentState.UNMAPPABLE)
        with write_transaction(self._engine) as connection:
            done = connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state.in_([s.value for s in excludable])).values(
                state=DocumentState.EXCLUDED.value, excluded_by=by, excluded_reason=reason,
                excluded_at=clock.now(), valid_hash=None)).rowcount
        if not done:
            now = self.entry(entry.id)
            raise ValueError(f"{now.label} is {now.state.value}: it is (or may be) in the tool, so it cannot be "
                             "excluded; correct it there instead")
        return self.entry(entry.id)

    def include(self, document: str) -> LedgerEntry:
        """Undo an exclusion: the document is read and booked like any other again."""
        entry = self.find(document)
        if entry.state is not DocumentState.EXCLUDED:
            raise ValueError(f"{entry.label} is not excluded (it is {entry.state.value})")
        state = DocumentState.PENDING if entry.document else DocumentState.UNMAPPABLE
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(
                _docs.c.id == entry.id, _docs.c.state == DocumentState.EXCLUDED.value).values(
                state=state.value, excluded_by=None, excluded_reason=None, excluded_at=None))
        return self.entry(entry.id)

    def withdraw(self, entry: LedgerEntry, reason: str) -> None:
        """A document not yet booked that Focus no longer returns (deleted, or no longer approved): excluded by
        Focus, so it is never booked."""
        waiting = (DocumentState.PENDING, DocumentState.FAILED, DocumentState.UNMAPPABLE)
        with write_transaction(self._engine) as connection:
            connection.execute(update(_docs).where(_docs.c.id == entry.id,
                                                   _docs.c.state.in_([s.value for s in waiting])).values(
                state=DocumentState.EXCLUDED.value, excluded_by="Focus", excluded_reason=reason,
                excluded_at=clock.now()))
