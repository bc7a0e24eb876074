"""The contract every accounting tool keeps, run against each tool's sandbox over real HTTP.

Same Focus data in, same books out: per document the amounts per ledger
account and VAT rate, the party, the journal and the date, whatever the
tool. Nothing is booked twice, a timeout after the tool committed recovers
without a duplicate, and a document the tool cannot take (no VAT code link,
closed period) gets its own clear error while the others are booked.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import delete

from connectors.booking import reference
from connectors.domain import Document
from connectors.state import clock
from connectors.state.claims import Claims, lease_from_env
from connectors.state.db import write_transaction
from connectors.state.models import DocumentState, VatCodeLink
from connectors.sync import run
from connectors.sync.run import Env
from connectors.tasks import production_env
from tests.contract.conftest import ACCOUNTS, ENTITY
from tests.contract.oracle import Expected, FocusOracle
from tests.contract.tools import ToolBooking, ToolHarness


def sync(env: Env, *, dry_run: bool = False):
    """Every step of one run, as the DAG calls them; returns (run id, counts, failure)."""
    run_id = run.start(env, "manual__contract", dry_run)
    run.refresh_master_data(env, run_id)
    run.extract(env, run_id)
    run.validate(env, run_id)
    run.load_parties(env, run_id, dry_run=dry_run)
    run.load_documents(env, run_id, dry_run=dry_run)
    run.backfill_payments(env, run_id)
    try:
        return run_id, run.report(env, run_id), None
    except run.SyncFailed as failure:
        return run_id, env.runs.add_counts(run_id, {}), failure


def booked(env: Env) -> dict[str, Document]:
    return {reference(e.document): e.document for e in env.ledger.entries(DocumentState.BOOKED)}


def errors_by_document(env: Env, run_id: int) -> dict[str, str]:
    return {e.focus_id: e.message for e in env.runs.errors(run_id) if e.focus_id}


def writes(tool: ToolHarness, sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if tool.is_write(r)]


def seeded_documents(focus, department_id: str) -> int:
    department = next(d for d in focus.manifest()["departments"] if d["id"] == department_id)
    return sum(department["counts"][k] for k in ("sales_invoice", "sales_credit_note", "purchase_invoice",
                                                 "purchase_credit_note"))


def oracle(env: Env, focus) -> dict[str, Expected]:
    return FocusOracle(focus, env.entity.department_id, dt.date(2025, 1, 1), ACCOUNTS).expected()


@dataclass(frozen=True)
class Seen:
    """A booking as the tool holds it, in the oracle's terms."""

    kinds: frozenset[str]
    date: dt.date
    party: tuple[str, str] | None
    total: Decimal
    credit: bool
    net: dict
    vat: dict


def in_oracle_terms(env: Env, books: list[ToolBooking]) -> dict[str, Seen]:
    """The tool's books per reference: journal → document kinds, VAT code → its rate in the tool, party id →
    the Focus party it stands for, and the net per (ledger account, rate) and VAT per rate."""
    master = run.cached_master_data(env)
    kind_of_journal = defaultdict(set)
    for kind, journal in env.entity.settings.journals.items():
        kind_of_journal[journal].add(kind)
    party_of_target = {target.id: (ref.type, ref.id) for ref, target in env.parties.targets().items()}
    out = {}
    for booking in books:
        net: dict = defaultdict(lambda: Decimal("0.00"))
        vat: dict = defaultdict(lambda: Decimal("0.00"))
        for ledger, vat_code, line_net, line_vat in booking.lines:
            rate = master.vat_codes[vat_code].rate
            net[(ledger, rate)] += line_net
            vat[rate] += line_vat
        out[booking.reference] = Seen(frozenset(kind_of_journal[booking.journal]), booking.date,
                                      party_of_target.get(booking.party_id), abs(booking.total), booking.is_credit,
                                      {k: v for k, v in net.items() if v}, {k: v for k, v in vat.items() if v})
    return out


# -- the contract ------------------------------------------------------------------------------


def test_the_same_focus_data_gives_the_same_books_in_every_tool(entity_env, tool, tool_sandbox, focus):
    run_id, counts, _ = sync(entity_env)
    refused = errors_by_document(entity_env, run_id)
    assert len(booked(entity_env)) + len(refused) == seeded_documents(focus, entity_env.entity.department_id)
    assert counts.get("documents_booked", 0) >= 20
    assert all(message.startswith(("Invoice", "Credit note", "Incoming")) for message in refused.values())

    books = tool.books(tool_sandbox)
    assert max(Counter(b.reference for b in books).values()) == 1  # one booking per document
    seen = in_oracle_terms(entity_env, books)
    expected = {ref: e for ref, e in oracle(entity_env, focus).items() if e.focus_id not in refused}
    assert seen.keys() == expected.keys()
    for ref, want in expected.items():
        got = seen[ref]
        side = "sales" if ref.startswith(("FC-I-", "FC-C-")) else "purchase"
        kind = f"{side}_{'credit_note' if want.credit else 'invoice'}"
        assert kind in got.kinds, ref  # the journal is the one mapped for the document's kind
        assert (got.date, got.party, got.credit) == (want.date, want.party, want.credit), ref
        assert got.total == want.total, ref  # the party line is the Focus total, to the cent
        assert got.net == {k: v for k, v in want.net.items() if v}, ref  # net per ledger account and rate
        assert got.vat == {k: v for k, v in want.vat.items() if v}, ref  # VAT per rate, as Focus states it


def test_every_booking_balances_and_credit_notes_stay_credit_notes_with_positive_lines(entity_env, tool,
                                                                                    tool_sandbox, focus):
    sync(entity_env)
    expected = oracle(entity_env, focus)
    books = tool.books(tool_sandbox)
    assert any(b.is_credit for b in books) and any(not b.is_credit for b in books)
    for booking in books:
        lines = sum((net + vat for _, _, net, vat in booking.lines), Decimal("0.00"))
        assert abs(booking.total) == lines == expected[booking.reference].total > 0, booking.reference
        assert booking.is_credit == expected[booking.reference].credit, booking.reference


def test_a_second_run_books_nothing_twice_and_writes_nothing(entity_env, tool, tool_sandbox):
    sync(entity_env)
    first = tool.books(tool_sandbox)
    tool_sandbox.clear_requests()
    _, counts, _ = sync(entity_env)
    assert counts.get("documents_booked", 0) == 0
    assert writes(tool, tool_sandbox) == []
    assert len(tool.books(tool_sandbox)) == len(first)


def test_a_dry_run_writes_nothing_to_the_tool(entity_env, tool, tool_sandbox):
    tool_sandbox.clear_requests()
    _, counts, _ = sync(entity_env, dry_run=True)
    assert writes(tool, tool_sandbox) == []
    assert booked(entity_env) == {} and counts.get("documents_to_book", 0) > 0
    assert tool.books(tool_sandbox) == []


def test_a_timeout_after_the_tool_committed_recovers_without_a_duplicate(entity_env, tool, tool_sandbox):
    tool.commit_then_timeout(tool_sandbox, delay=4)
    _, first, _ = sync(entity_env)
    faulted = tool.documents_in(held_back_call(tool, tool_sandbox))
    assert first.get("documents_recovered", 0) + first.get("documents_uncertain", 0) == faulted
    sync(entity_env)  # whatever the first run left uncertain, the second resolves
    references = Counter(b.reference for b in tool.books(tool_sandbox))
    assert references and max(references.values()) == 1
    assert set(references) == set(booked(entity_env))
    assert list(entity_env.ledger.entries(DocumentState.POSTING)) == []


def held_back_call(tool, tool_sandbox, wait: float = 15.0) -> dict:
    """The booking call the commit-then-timeout fault held back (the sandbox logs it once it answered)."""
    deadline = time.monotonic() + wait
    while True:
        calls = [r for r in tool.booking_posts(tool_sandbox) if r["endpoint"] == tool.timeout_endpoint]
        if calls or time.monotonic() > deadline:
            assert calls, "the fault never fired"
            return calls[0]
        time.sleep(0.2)


def test_a_worker_dying_after_the_tool_committed_leaves_no_duplicate(entity_env, tool, tool_sandbox, monkeypatch):
    original = Claims.booked
    calls = {"n": 0}

    def dies_on_the_third(self, claim, ref):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed after the tool committed")
        return original(self, claim, ref)

    monkeypatch.setattr(Claims, "booked", dies_on_the_third)
    tool_sandbox.clear_requests()
    with pytest.raises(SystemExit):
        sync(entity_env)
    monkeypatch.setattr(Claims, "booked", original)
    # The first two documents sent were recorded as booked; every other document sent is left half-posted
    # (one document per call: the third call's; batches: the rest of the batch).
    left = sum(tool.documents_in(r) for r in tool.booking_posts(tool_sandbox)) - 2
    assert len(list(entity_env.ledger.entries(DocumentState.POSTING))) == left

    _, counts, _ = sync(entity_env)  # a retry while the dead worker's lease still runs: hands off
    assert counts.get("documents_in_flight_elsewhere") == left and counts.get("documents_recovered", 0) == 0

    later = clock.now() + lease_from_env() + dt.timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    tool_sandbox.clear_requests()
    _, counts, _ = sync(entity_env)  # after the lease: the tool is asked, the booking found, nothing posted
    assert counts.get("documents_recovered") == left
    references = Counter(b.reference for b in tool.books(tool_sandbox))
    assert max(references.values()) == 1 and set(references) == set(booked(entity_env))


def sales_documents_at(env: Env, rate: Decimal) -> set[str]:
    return {e.document.source_id for e in env.ledger.entries(*DocumentState)
            if e.document.kind.is_sales and any(line.tax_rate == rate for line in e.document.lines)}


def peek(env: Env) -> None:
    """Extract only, so a test can look at the documents before the run it is about."""
    run.extract(env, run.start(env, "manual__peek", True))


def test_a_missing_vat_code_link_refuses_only_the_documents_that_need_it(entity_env, tool, tool_sandbox):
    peek(entity_env)
    in_use = Counter(line.tax_rate for e in entity_env.ledger.entries(*DocumentState) if e.document.kind.is_sales
                     for line in e.document.lines)
    rate = min(in_use, key=lambda r: (in_use[r], r))  # the rarest sales rate loses its link
    rate_ids = {line.tax_rate_id for e in entity_env.ledger.entries(*DocumentState) for line in e.document.lines
                if e.document.kind.is_sales and line.tax_rate == rate}
    needing = sales_documents_at(entity_env, rate)
    with write_transaction(entity_env.engine) as connection:
        connection.execute(delete(VatCodeLink).where(VatCodeLink.integration_id == entity_env.entity.id,
                                                     VatCodeLink.direction == "sales",
                                                     VatCodeLink.source_key.in_(rate_ids)))
    env = production_env(ENTITY, entity_env.engine)  # the settings as a new task reads them

    run_id, _, failure = sync(env)
    errors = errors_by_document(env, run_id)
    assert failure is not None
    for focus_id in needing:
        assert f"tax rate {(rate * 100).normalize():f}% has no VAT code linked" in errors[focus_id]
    booked_ids = {d.source_id for d in booked(env).values()}
    assert len(booked_ids) >= 15 and not needing & booked_ids


def test_a_closed_period_refuses_only_the_documents_in_it(entity_env, tool, tool_sandbox):
    peek(entity_env)
    invoices = sorted((e.document for e in entity_env.ledger.entries(*DocumentState) if e.document.kind.value == "sales_invoice"),
                      key=lambda d: d.date)
    first = invoices[0]
    tool.close_period(tool_sandbox, first.date, entity_env.entity.settings.journals["sales_invoice"])

    run_id, _, failure = sync(entity_env)
    errors = errors_by_document(entity_env, run_id)
    assert failure is not None
    assert "closed" in errors[first.source_id] and errors[first.source_id].startswith(first.label)
    closed = [e.document for e in entity_env.ledger.entries(*DocumentState) if "closed" in errors.get(e.document.source_id, "")]
    next_month = (first.date.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    assert all(document.date < next_month for document in closed)
    assert len(booked(entity_env)) >= 20
