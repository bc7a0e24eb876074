"""An export's rows in the state database: the export itself, what it collected, and its problems.

Bulk data between the steps goes through here (documents and customers as JSON payloads, read back in
pages), so nothing large crosses XCom and every step can run in its own process or on another worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, select, update

from connectors.domain import Document, Party, PartyRef
from connectors.serialization import document_from_payload, party_from_payload, to_payload
from connectors.state.db import session_scope, sessions, write_transaction
from connectors.state.export_models import Export, ExportItem, ExportProblem, ExportStatus

PAGE = 500


@dataclass(frozen=True)
class Problem:
    """Why an export cannot be written, about one customer or document: the field and the fix."""

    subject: str  # document | customer | export
    source_id: str | None
    label: str
    code: str
    field: str | None
    message: str


class ExportStore:
    def __init__(self, engine: Engine, export_id: int):
        self.engine = engine
        self.export_id = export_id

    # -- the export row --------------------------------------------------------------------------

    def get(self) -> Export:
        with sessions(self.engine)() as session:
            export = session.get(Export, self.export_id)
        if export is None:
            raise LookupError(f"export #{self.export_id} does not exist")
        return export

    def update(self, **values: Any) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(update(Export).where(Export.id == self.export_id).values(**values))

    def move(self, to: ExportStatus, *, allowed_from: Iterable[ExportStatus], **values: Any) -> bool:
        """Compare-and-set on the status: True when the export was in one of ``allowed_from``."""
        with write_transaction(self.engine) as connection:
            result = connection.execute(
                update(Export).where(Export.id == self.export_id,
                                     Export.status.in_([s.value for s in allowed_from]))
                .values(status=to.value, **values))
        return result.rowcount == 1

    # -- collected items -------------------------------------------------------------------------

    def clear_items(self) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(delete(ExportItem).where(ExportItem.export_id == self.export_id))
            connection.execute(delete(ExportProblem).where(ExportProblem.export_id == self.export_id))

    def add_documents(self, documents: list[Document], first_seq: int) -> None:
        self._add("document", [(d.source_type, d.source_id, d.label, to_payload(d)) for d in documents], first_seq)

    def add_customers(self, parties: list[Party], first_seq: int) -> None:
        self._add("customer", [(p.ref.type, p.ref.id, p.name, to_payload(p)) for p in parties], first_seq)

    def _add(self, item: str, rows: list[tuple[str, str, str, dict]], first_seq: int) -> None:
        if not rows:
            return
        with session_scope(self.engine) as session:
            for offset, (source_type, source_id, label, payload) in enumerate(rows):
                session.merge(ExportItem(export_id=self.export_id, item=item, source_type=source_type,
                                         source_id=source_id, seq=first_seq + offset, label=label[:255],
                                         payload=payload))

    def documents(self) -> Iterator[Document]:
        """The collected documents in collection order, read a page at a time."""
        for row in self._pages("document"):
            yield document_from_payload(row.payload)

    def customers(self) -> list[Party]:
        return [party_from_payload(row.payload) for row in self._pages("customer")]

    def customer_map(self) -> dict[PartyRef, Party]:
        return {party.ref: party for party in self.customers()}

    def _pages(self, item: str) -> Iterator[ExportItem]:
        last = -1
        while True:
            with sessions(self.engine)() as session:
                rows = session.scalars(select(ExportItem).where(
                    ExportItem.export_id == self.export_id, ExportItem.item == item, ExportItem.seq > last)
                    .order_by(ExportItem.seq).limit(PAGE)).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].seq

    def invoice_ids(self) -> list[tuple[str, str]]:
        """(Focus id, number) of the Focus invoices in the export — what billing counts (credit notes are free)."""
        with sessions(self.engine)() as session:
            rows = session.execute(select(ExportItem.source_id, ExportItem.label).where(
                ExportItem.export_id == self.export_id, ExportItem.item == "document",
                ExportItem.source_type == "invoice").order_by(ExportItem.seq)).all()
        return [(source_id, label.removeprefix("Invoice ").removeprefix("Credit note ")) for source_id, label in rows]

    def count(self, item: str) -> int:
        with sessions(self.engine)() as session:
            return session.scalar(select(func.count()).select_from(ExportItem).where(
                ExportItem.export_id == self.export_id, ExportItem.item == item)) or 0

    # -- problems --------------------------------------------------------------------------------

    def add_problems(self, problems: Iterable[Problem]) -> int:
        count = 0
        with session_scope(self.engine) as session:
            for p in problems:
                session.add(ExportProblem(export_id=self.export_id, subject=p.subject, source_id=p.source_id,
                                          label=p.label[:255], code=p.code, field=p.field, message=p.message))
                count += 1
        return count

    def clear_problems(self) -> None:
        with write_transaction(self.engine) as connection:
            connection.execute(delete(ExportProblem).where(ExportProblem.export_id == self.export_id))

    def problems(self) -> list[Problem]:
        with sessions(self.engine)() as session:
            rows = session.scalars(select(ExportProblem).where(ExportProblem.export_id == self.export_id)
                                   .order_by(ExportProblem.id)).all()
        return [Problem(r.subject, r.source_id, r.label, r.code, r.field, r.message) for r in rows]


def create_export(engine: Engine, *, profile_id: int, entity: str, department_id: str, package: str,
                  period_from: dt.date, period_to: dt.date, run_ref: str, options: dict[str, Any]) -> int:
    with session_scope(engine) as session:
        export = Export(profile_id=profile_id, entity=entity, department_id=department_id, package=package,
                        period_from=period_from, period_to=period_to, run_ref=run_ref, options=options,
                        status=ExportStatus.COLLECTED.value, seller={})
        session.add(export)
        session.flush()
        return export.id


def export_for_run(engine: Engine, run_ref: str) -> int | None:
    """The export a run (Airflow run id or CLI reference) already started: a retried step finds its export."""
    with sessions(engine)() as session:
        return session.scalar(select(Export.id).where(Export.run_ref == run_ref).order_by(Export.id.desc()))
