"""One entity's sync run, step by step: what each DAG task calls.

Every step reads its input from the state database and writes its output
there; tasks only pass small counts to each other. Each step is safe to
retry: extraction upserts, validation re-marks, loading goes through the
ledger, and the report recomputes from the run's rows.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from connectors.booking import reference
from connectors.domain import Document, Party, SourceIssue
from connectors.focus.client import FocusClient
from connectors.focus.extract import PURCHASE_TYPES, WITHDRAWN_PURCHASE, Gone, reread
from connectors.focus.extract import extract as focus_extract
from connectors.mappings import MappingSettings
from connectors.progress import Progress
from connectors.state import clock
from connectors.state.claims import Claims, lease_from_env, new_owner
from connectors.state.db import write_transaction
from connectors.state.ledger import DocumentLedger
from connectors.state.master_data import MasterDataStore
from connectors.state.models import DocumentState, Integration
from connectors.state.parties import PartyLedger
from connectors.state.runs import RunLog
from connectors.state.tool_bookings import ToolBookings
from connectors.sync import load
from connectors.targets.base import MasterData, Target
from connectors.validation import Validator

log = logging.getLogger(__name__)
#: Documents updated this close to the previous run are read again (clock differences, slow commits in Focus).
WATERMARK_OVERLAP = dt.timedelta(minutes=10)
TOOL_NAMES = {"exact_online": "Exact Online", "octopus": "Octopus", "yuki": "Yuki", "twinfield": "Twinfield"}


#: How many lines of a list (what needs attention, what a dry run would book) the report logs.
REPORT_LINES = 50
CENT = Decimal("0.01")


class SyncFailed(Exception):
    """The run finished, but some documents were refused: the report task fails so the run shows red.

    ``summary`` is one line; ``attention`` lists what needs attention, one message per line."""

    def __init__(self, summary: str, attention: list[str]):
        self.summary = summary
        self.attention = attention
        super().__init__("\n".join([summary, *(f"- {line}" for line in attention)]))


@dataclass(frozen=True)
class Entity:
    """The plain view of one integration that the steps need."""

    id: int
    entity: str
    department_id: str
    target: str
    start_date: dt.date | None
    watermark: dt.datetime | None
    settings: MappingSettings
    target_connection_id: str = ""
    administration: str | None = None

    @property
    def tool(self) -> str:
        return TOOL_NAMES.get(self.target, self.target)


def load_entity(engine: Engine, name: str) -> Entity:
    with Session(engine) as session:
        row = session.scalars(select(Integration).where(Integration.entity == name)).one_or_none()
        if row is None:
            raise LookupError(f"No integration called {name!r}: see `focus-connector integrations list`")
        settings = MappingSettings(
            start_date=row.start_date,
            journals={j.document_kind: j.journal_code for j in row.journals},
            vat_links={(v.direction, v.source_key): v.target_vat_code for v in row.vat_links},
            ledger_by_rate={(r.direction, r.rate): r.ledger_account for r in row.ledger_by_rate},
            fill_ledger_by_vat_rate=row.fill_ledger_by_vat_rate,
            sales_discount_account=row.sales_discount_account,
            purchase_discount_account=row.purchase_discount_account,
        )
        return Entity(row.id, row.entity, row.focus_department_id, row.target, row.start_date,
                      clock.aware(row.extract_watermark), settings, row.target_connection_id,
                      row.target_administration)


@dataclass
class Env:
    """What a step works with: the state database, the entity, and how to reach Focus and the tool."""

    engine: Engine
    entity: Entity
    focus: Callable[[], FocusClient]
    target: Callable[[], Target]

    @property
    def ledger(self) -> DocumentLedger:
        return DocumentLedger(self.engine, integration_id=self.entity.id, department_id=self.entity.department_id,
                              target=self.entity.target)

    @property
    def parties(self) -> PartyLedger:
        return PartyLedger(self.engine, self.entity.id)

    @property
    def master_data(self) -> MasterDataStore:
        return MasterDataStore(self.engine, self.entity.id)

    @property
    def runs(self) -> RunLog:
        return RunLog(self.engine)

    @property
    def tool_bookings(self) -> ToolBookings:
        return ToolBookings(self.engine, self.entity.target, self.entity.administration)

    def claims(self, run_id: int) -> Claims:
        return Claims(self.engine, self.tool_bookings, owner=new_owner(f"{self.entity.entity}#{run_id}"))

    def error_sink(self, run_id: int) -> load.ErrorSink:
        def sink(focus_id, number, code, field, message):
            self.runs.add_error(run_id, focus_id=focus_id, number=number, code=code, field=field, message=message)
        return sink


# -- steps -----------------------------------------------------------------------------------


def start(env: Env, airflow_run_id: str | None = None, dry_run: bool = False) -> int:
    return env.runs.start(env.entity.entity, env.entity.id, airflow_run_id, dry_run)


def refresh_master_data(env: Env, run_id: int) -> dict[str, int]:
    """Read the tool's ledger accounts, VAT codes and journals (or reuse a copy as fresh as the
    tool's quotas require); the other steps use the cached copy."""
    cached = env.master_data.refresh(env.target())
    master = cached.master
    counts = {"ledger_accounts": len(master.ledger_accounts), "vat_codes": len(master.vat_codes),
              "journals": len(master.journals), "read_from_tool": int(cached.fresh_read)}
    env.runs.add_counts(run_id, {f"master_{k}": v for k, v in counts.items()})
    return counts


def cached_master_data(env: Env) -> MasterData:
    master = env.master_data.master_data()
    if master is None:
        raise LookupError(f"{env.entity.entity}: master data was never read from {env.entity.tool}")
    return master


class _Sorter:
    """Routes extracted records: documents to the ledger, parties and problems aside, counting as it goes."""

    def __init__(self, progress: Progress) -> None:
        self.parties: list[Party] = []
        self.problems: list[SourceIssue] = []
        self.gone: list[Gone] = []
        self.kinds: Counter[str] = Counter()
        self.seen: set[tuple[str, str]] = set()
        self.progress = progress

    def documents(self, records):
        for record in records:
            if isinstance(record, Document):
                self.kinds[record.kind.value] += 1
                self.seen.add((record.source_type, record.source_id))
                yield record  # recorded in the ledger once the caller asks for the next one
                self.progress.step(outcome=record.kind.value)
            elif isinstance(record, Party):
                self.parties.append(record)
            elif isinstance(record, SourceIssue):
                self.seen.add((record.source_type, record.source_id))
                self.problems.append(record)
                self.progress.step(outcome="unreadable")
            elif isinstance(record, Gone):
                self.gone.append(record)


def extract(env: Env, run_id: int, *, full_resync: bool = False) -> dict[str, int]:
    """Focus → the ledger: every item type, incrementally from the watermark, never before the start date;
    then the documents that wait for a fix, read again by id. Every document gets a ledger row."""
    started = dt.datetime.now(dt.UTC)
    since = None if full_resync or env.entity.watermark is None else env.entity.watermark - WATERMARK_OVERLAP
    ledger = env.ledger
    log.info("%s: extracting from Focus %s", env.entity.entity,
             "everything since the start date" if since is None else f"what changed since {since:%Y-%m-%d %H:%M}")
    sorter = _Sorter(Progress(log, "documents recorded", unit="documents"))
    edited: list[Document] = []
    with env.focus() as client:
        recorded = ledger.record(sorter.documents(
            focus_extract(client, env.entity.department_id, since=since, start_date=env.entity.start_date)), edited)
        waiting = [(e.source_type, e.focus_id) for e in ledger.unmappable()
                   if (e.source_type, e.focus_id) not in sorter.seen]
        recorded.update(ledger.record(sorter.documents(
            reread(client, env.entity.department_id, waiting, purchases_read=True)), edited))
    recorded.update(ledger.record_unreadable(sorter.problems))
    sorter.progress.finish(parties=len(sorter.parties), read_again=len(waiting))
    withdrawn = _withdraw(ledger, sorter)
    env.parties.record(sorter.parties)
    sink = env.error_sink(run_id)
    excluded = {(e.source_type, e.focus_id) for e in ledger.entries(DocumentState.EXCLUDED)}
    for problem in sorter.problems:
        if (problem.source_type, problem.source_id) not in excluded:  # a person decided: no more red
            sink(problem.source_id, problem.number, "unreadable_in_focus", problem.field, problem.message)
    for document in edited:
        sink(document.source_id, document.number, "changed_after_booking", None, edited_message(document, env))
    with write_transaction(env.engine) as connection:
        connection.execute(update(Integration.__table__).where(Integration.__table__.c.id == env.entity.id)
                           .values(extract_watermark=started))
    counts = {**{f"extracted_{k}": v for k, v in sorter.kinds.items()},
              **{f"ledger_{k}": v for k, v in recorded.items()},
              "extracted_parties": len(sorter.parties), "unmappable": len(sorter.problems),
              "withdrawn": withdrawn, "reread": len(waiting)}
    env.runs.add_counts(run_id, counts)
    return counts


def _withdraw(ledger: DocumentLedger, sorter: _Sorter) -> int:
    """Documents not yet booked that Focus no longer returns — deleted, or (every approved Peppol document is
    listed each run) no longer approved — are excluded by Focus, so they are never booked."""
    gone = {(g.source_type, g.source_id): g.reason for g in sorter.gone}
    count = 0
    for entry in ledger.entries(DocumentState.PENDING, DocumentState.FAILED, DocumentState.UNMAPPABLE):
        key = (entry.source_type, entry.focus_id)
        reason = gone.get(key) or (WITHDRAWN_PURCHASE if entry.source_type in PURCHASE_TYPES
                                   and key not in sorter.seen else None)
        if reason:
            ledger.withdraw(entry, reason)
            log.info("%s: %s; it is not booked", entry.label, reason)
            count += 1
    return count


def edited_message(document: Document, env: Env) -> str:
    return (f"{document.label}: edited in Focus after it was booked in {env.entity.tool}; the connector never books "
            f"a document twice, so correct the booking in {env.entity.tool} by hand")


def validate(env: Env, run_id: int) -> dict[str, int]:
    """GX validation of everything not booked yet; refused documents get their messages and wait."""
    ledger = env.ledger
    entries = {e.document.source_id: e for e in ledger.entries(
        DocumentState.PENDING, DocumentState.FAILED, DocumentState.POSTING) if e.document is not None}
    parties = {entry.party.ref: entry.party for entry in env.parties.entries()}
    validator = Validator(env.entity.settings, cached_master_data(env), env.entity.tool)
    sink = env.error_sink(run_id)
    refused: dict[str, list[str]] = {}
    fields: dict[str, str | None] = {}
    progress = Progress(log, "documents validated", total=len(entries))
    progress.count("refused", 0)
    for issue in validator.validate((e.document for e in entries.values()), parties, progress.step):
        if issue.focus_id not in refused:
            progress.count("refused")
        refused.setdefault(issue.focus_id, []).append(issue.message)
        fields.setdefault(issue.focus_id, issue.field)
        sink(issue.focus_id, issue.number, issue.code, issue.field, issue.message)
    for focus_id, messages in refused.items():
        ledger.set_error(entries[focus_id], "\n".join(messages), run_id, fields[focus_id])
    ledger.mark_valid(e for focus_id, e in entries.items() if focus_id not in refused)
    progress.finish()
    counts = {"validated": len(entries), "refused_by_validation": len(refused)}
    env.runs.add_counts(run_id, counts)
    return counts


def _to_load(env: Env, run_id: int):
    return [e for e in env.ledger.entries(DocumentState.POSTING, DocumentState.PENDING, DocumentState.FAILED)
            if e.passed_validation]


def load_parties(env: Env, run_id: int, *, dry_run: bool = False) -> dict[str, int]:
    needed = {entry.document.party for entry in _to_load(env, run_id)}
    if dry_run:
        pending = [p for p in env.parties.entries(needed) if not p.up_to_date]
        counts = {"parties_to_sync": len(pending)}
        log.info("dry run: %d of the %d parties the documents need would be created or updated in %s",
                 len(pending), len(needed), env.entity.tool)
        env.runs.add_counts(run_id, counts)
        return counts
    counts = load.load_parties(env.target(), env.parties, needed, env.error_sink(run_id),
                               owner=new_owner(f"{env.entity.entity}#{run_id}"), lease=lease_from_env())
    env.runs.add_counts(run_id, {f"parties_{k}": v for k, v in counts.items()})
    return dict(counts)


def load_documents(env: Env, run_id: int, *, dry_run: bool = False) -> dict[str, int]:
    if dry_run:
        rows = would_book(env, _to_load(env, run_id))
        env.runs.set_would_book(run_id, rows)
        log.info("dry run: %d document(s) would be booked in %s (the report lists them)", len(rows),
                 env.entity.tool)
        counts = {"documents_to_book": len(rows)}
        env.runs.add_counts(run_id, counts)
        return counts
    parties = env.parties
    waiting = parties.in_flight()
    if env.runs.counts(run_id).get("parties_waiting_for_quota"):
        # Parties the tool's daily cap left for tomorrow: their documents wait with them, quietly.
        waiting |= {e.party.ref for e in parties.entries() if e.target is None}
    counts = load.load_documents(env.target(), env.ledger, env.claims(run_id), env.tool_bookings,
                                 env.entity.settings, parties.targets(), waiting, run_id, env.error_sink(run_id))
    env.runs.add_counts(run_id, {f"documents_{k}": v for k, v in counts.items()})
    return dict(counts)


def would_book(env: Env, entries) -> list[dict[str, str]]:
    """What a real run would book: per document its reference in the tool, number, kind, date, party (as Focus
    names it), amount including VAT as Focus states it (Decimal text, to the cent) and currency, and journal."""
    names = {p.party.ref: p.party.name for p in env.parties.entries({e.document.party for e in entries})}
    rows = []
    for entry in entries:
        document = entry.document
        rows.append({"reference": reference(document), "number": document.number, "kind": document.kind.value,
                     "date": document.date.isoformat(),
                     "party": names.get(document.party, f"{document.party.type} {document.party.id}"),
                     "amount": str(document.total_incl.quantize(CENT)), "currency": document.currency,
                     "journal": env.entity.settings.journal_for(document.kind) or ""})
    return rows


def backfill_payments(env: Env, run_id: int, *, dry_run: bool = False) -> dict[str, int]:
    """Payment status from the tool back into Focus (``connectors.payments``), then the payment digests to the
    users who asked for them (a mail that fails waits for the next run; it never fails the sync)."""
    from connectors.payments.backfill import Backfill

    counts = Backfill(env, run_id, dry_run=dry_run).run()
    env.runs.add_counts(run_id, counts)
    if not dry_run:
        _send_digests(env)
    return counts


def _send_digests(env: Env) -> None:
    from connectors.payments.notifications import send_digests

    try:
        send_digests(env.engine, env.entity.id)
    except Exception:  # noqa: BLE001 - a digest never fails the sync; the entries wait for the next run
        log.warning("%s: the payment digests could not be sent; they are sent next run", env.entity.entity,
                    exc_info=True)


def report(env: Env, run_id: int) -> dict[str, Any]:
    """Close the run and log what it did; when a dry run, what it would book (the first 50). Fail (red in
    Airflow) when documents or parties need attention, listing them (the first 50)."""
    runs = env.runs
    errors = runs.errors(run_id)
    counts = runs.add_counts(run_id, {"errors": len(errors)})
    runs.finish(run_id, "failed" if errors else "success")
    runs.purge()
    log.info("%s: run %d — %s", env.entity.entity, run_id,
             ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items() if not k.startswith("master_")))
    planned = runs.would_book(run_id)
    if planned is not None:
        log.info("dry run: %d document(s) would be booked in %s:", len(planned), env.entity.tool)
        for line in _first(planned, lambda r: f"{r['number']} · {r['party']} · {r['amount']} {r['currency']} · "
                                              f"journal {r['journal'] or '-'}"):
            log.info("  %s", line)
    summary = {"run_id": run_id, **counts, "first_errors": [e.message for e in errors[:5]]}
    if errors:
        raise SyncFailed(f"{env.entity.entity}: {len(errors)} document(s) or parties need attention",
                         _first(errors, lambda e: e.message))
    return summary


def _first(items: list, line: Callable[[Any], str]) -> list[str]:
    """The first ``REPORT_LINES`` items, one line each, then "and N more" when there are more."""
    lines = [line(item) for item in items[:REPORT_LINES]]
    if len(items) > REPORT_LINES:
        lines.append(f"and {len(items) - REPORT_LINES} more")
    return lines
