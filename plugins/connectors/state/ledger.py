"""The booked-document ledger: how a document is booked at most once.

Every extracted document gets one row per department (``documents``). The
load step *claims* a row (``pending``/``failed`` → ``posting``) and commits
that before it calls the tool; only the tool's answer moves it to ``booked``.
A worker that dies after the tool committed leaves the row ``posting``; the
next attempt looks the booking up by the connector's reference before it
ever posts again. A document edited in Focus after booking is never posted a
second time: it is reported for a manual correction in the tool.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from sqlalchemy import Engine, and_, select, update

from connectors.domain import Document
from connectors.serialization import content_hash, document_from_payload, to_payload
from connectors.state.models import DocumentRecord, DocumentState

BATCH = 1_000
_docs = DocumentRecord.__table__


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    state: DocumentState
    document: Document
    content_hash: str
    target_id: str | None
    booked_hash: str | None
    refused_in_run: int | None = None


class DocumentLedger:
    def __init__(self, engine: Engine, *, integration_id: int | None, department_id: str, target: str):
        self._engine = engine
        self._integration_id = integration_id
        self._department_id = department_id
        self._target = target

    # -- extraction ------------------------------------------------------------------------

    def record(self, documents: Iterable[Document]) -> Counter[str]:
        """Store what was extracted: new rows ``pending``; changes to unbooked rows update them.

        Returns counts: new, changed, unchanged, changed_after_booking.
        """
        counts: Counter[str] = Counter()
        iterator = iter(documents)
        while batch := list(islice(iterator, BATCH)):
            with self._engine.begin() as connection:
                keys = [(d.source_type, d.source_id) for d in batch]
                existing = {
                    (row.source_type, row.focus_id): row
                    for row in connection.execute(
                        select(_docs.c.id, _docs.c.source_type, _docs.c.focus_id, _docs.c.state,
                               _docs.c.content_hash, _docs.c.booked_hash)
                        .where(_docs.c.department_id == self._department_id,
                               _docs.c.focus_id.in_([k[1] for k in keys]))
                    )
                }
                now = _now()
                inserts = []
                for document in batch:
                    payload = to_payload(document)
                    digest = content_hash(payload)
                    row = existing.get((document.source_type, document.source_id))
                    if row is None:
                        counts["new"] += 1
                        inserts.append(dict(
                            integration_id=self._integration_id, department_id=self._department_id,
                            target=self._target, source_type=document.source_type, focus_id=document.source_id,
                            kind=document.kind.value, number=document.number, document_date=document.date,
                            content_hash=digest, payload=payload, state=DocumentState.PENDING.value, attempts=0,
                            first_seen_at=now, last_seen_at=now,
                        ))
                        continue
                    values: dict = {"last_seen_at": now, "payload": payload, "integration_id": self._integration_id}
                    if row.state == DocumentState.BOOKED.value:
                        if row.booked_hash and digest != row.booked_hash:
                            counts["changed_after_booking"] += 1
                        else:
                            counts["unchanged"] += 1
                        values["content_hash"] = digest
                    elif digest != row.content_hash:
                        counts["changed"] += 1
                        values.update(content_hash=digest, kind=document.kind.value, number=document.number,
                                      document_date=document.date)
                    else:
                        counts["unchanged"] += 1
                    connection.execute(update(_docs).where(_docs.c.id == row.id).values(**values))
                if inserts:
                    connection.execute(_docs.insert(), inserts)
        return counts

    # -- reading ---------------------------------------------------------------------------

    def entries(self, *states: DocumentState) -> Iterator[LedgerEntry]:
        """Rows in the given states, streamed in batches (ordered by date, then id)."""
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
                yield LedgerEntry(row.id, DocumentState(row.state), document_from_payload(row.payload),
                                  row.content_hash, row.target_id, row.booked_hash, row.refused_in_run)
            last_id = rows[-1].id

    def changed_after_booking(self) -> Iterator[LedgerEntry]:
        for entry in self.entries(DocumentState.BOOKED):
            if entry.booked_hash and entry.booked_hash != entry.content_hash:
                yield entry

    # -- booking ---------------------------------------------------------------------------

    def claim(self, entry: LedgerEntry) -> bool:
        """``pending``/``failed`` → ``posting``, committed before the tool is called. False if taken."""
        with self._engine.begin() as connection:
            result = connection.execute(
                update(_docs)
                .where(and_(_docs.c.id == entry.id,
                            _docs.c.state.in_([DocumentState.PENDING.value, DocumentState.FAILED.value])))
                .values(state=DocumentState.POSTING.value, claimed_at=_now(), attempts=_docs.c.attempts + 1)
            )
            return result.rowcount == 1

    def mark_booked(self, entry: LedgerEntry, target_id: str, booking_number: str | None) -> None:
        with self._engine.begin() as connection:
            connection.execute(update(_docs).where(_docs.c.id == entry.id).values(
                state=DocumentState.BOOKED.value, target_id=target_id, booking_number=booking_number,
                booked_hash=entry.content_hash, booked_at=_now(), last_error=None, refused_in_run=None,
            ))

    def mark_failed(self, entry: LedgerEntry, message: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(update(_docs).where(_docs.c.id == entry.id).values(
                state=DocumentState.FAILED.value, last_error=message))

    def set_error(self, entry: LedgerEntry, message: str, run_id: int | None = None) -> None:
        """Refused before posting (validation, missing party): ``failed`` with the reason, skipped by this run.

        A half-posted row stays ``posting``: whether the tool has it must still be resolved.
        """
        state = entry.state if entry.state is DocumentState.POSTING else DocumentState.FAILED
        with self._engine.begin() as connection:
            connection.execute(update(_docs).where(_docs.c.id == entry.id).values(
                state=state.value, last_error=message, refused_in_run=run_id))
