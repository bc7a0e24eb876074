"""Exactly once, under the faults that break it: concurrency, a lost or restored state database, lost answers,
a lookup that cannot prove absence, a Focus edit while a document is half-posted. Every tool, both databases.

Each test counts what the tool holds from the sandbox itself: a document or party written twice shows there.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import delete, insert, select, text

from connectors import integrations
from connectors.state import clock
from connectors.state.claims import Claims, lease_from_env
from connectors.state.db import migrate, write_transaction
from connectors.state.models import Base, DocumentState
from connectors.sync import run
from connectors.targets.base import LookupFailed
from connectors.tasks import production_env
from tests.contract.conftest import ENTITY, set_up_entity
from tests.contract.test_target_contract import booked, seeded_documents, sync


@pytest.fixture
def focus(start_focus_sandbox):
    """A Focus of this test's own: some tests edit documents."""
    return start_focus_sandbox(invoices=30)


def references(tool, sandbox) -> Counter[str]:
    return Counter(b.reference for b in tool.books(sandbox))


def assert_each_document_once(tool, sandbox, env) -> None:
    held = references(tool, sandbox)
    assert held and max(held.values()) == 1, [r for r, n in held.items() if n > 1]
    assert set(held) == set(booked(env))


def assert_each_party_once(tool, sandbox) -> None:
    names = Counter(name for _, name in tool.parties(sandbox))
    assert max(names.values()) == 1, [n for n, c in names.items() if c > 1]


def after_the_lease(monkeypatch) -> None:
    later = clock.now() + lease_from_env() + dt.timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)


def die_after_the_tool_committed(monkeypatch, when):
    """The worker is killed right after the tool took the post, before the ledger heard of it.
    Returns the worker that lives (to put back)."""
    original = Claims.booked

    def booked_or_die(self, claim, ref):
        if when(claim):
            raise SystemExit("worker killed after the tool committed")
        return original(self, claim, ref)

    monkeypatch.setattr(Claims, "booked", booked_or_die)
    return original


def test_two_syncs_of_one_entity_at_once_book_every_document_once(entity_env, tool, tool_sandbox, focus):
    """Finding: a row in ``posting`` was looked up and posted again without a claim, so a second worker posted
    while the first one's post was in flight (6 duplicates in 20 rounds on PostgreSQL)."""
    tool.slow_bookings(tool_sandbox, 0.2)  # posts stay in flight while the other worker looks
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def worker() -> None:
        env = production_env(ENTITY, entity_env.engine)
        start.wait()
        try:
            sync(env)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    tool_sandbox.clear_faults()
    sync(entity_env)  # whatever one worker left in flight, the next run settles
    assert_each_document_once(tool, tool_sandbox, entity_env)
    assert_each_party_once(tool, tool_sandbox)
    assert list(entity_env.ledger.entries(DocumentState.POSTING)) == []


def wipe(engine) -> None:
    """Everything the connector kept is gone: a lost or replaced state database."""
    Base.metadata.drop_all(engine)
    with write_transaction(engine) as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrate(engine)


def test_a_lost_state_database_is_rebuilt_from_the_tool_and_nothing_is_booked_or_created_twice(
        entity_env, tool, tool_sandbox, focus, be_department):
    """Finding: with the state database lost, 30 bookings were made for 15 documents."""
    sync(entity_env)
    books, parties = references(tool, tool_sandbox), Counter(tool.parties(tool_sandbox))
    assert books

    wipe(entity_env.engine)
    env = set_up_entity(entity_env.engine, tool, tool_sandbox, focus, be_department)
    tool_sandbox.clear_requests()
    _, counts, _ = sync(env)

    assert tool.booking_posts(tool_sandbox) == []
    assert references(tool, tool_sandbox) == books
    assert Counter(tool.parties(tool_sandbox)) == parties
    assert counts.get("documents_found_in_tool") == len(books) == len(booked(env))


def backup(engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {table.name: [dict(row._mapping) for row in connection.execute(select(table))]
                for table in Base.metadata.sorted_tables}


def restore(engine, dump: dict[str, list[dict]]) -> None:
    """Every table as the backup had it — except the tokens, which a user reconnects after a restore (the tools
    rotate refresh tokens, so a backup's are spent)."""
    tables = [t for t in Base.metadata.sorted_tables if t.name != "oauth_tokens"]
    with write_transaction(engine) as connection:
        for table in reversed(tables):
            connection.execute(delete(table))
        for table in tables:
            if dump[table.name]:
                connection.execute(insert(table), dump[table.name])


def test_a_state_database_restored_from_a_backup_books_nothing_twice(entity_env, tool, tool_sandbox, focus,
                                                                     monkeypatch):
    """The backup knows the first documents; the documents booked after it must be found, not booked again."""
    late = dt.date(2026, 6, 1)
    integrations.edit(entity_env.engine, ENTITY, integrations.Settings(start_date=late))
    env = production_env(ENTITY, entity_env.engine)
    sync(env)
    first = references(tool, tool_sandbox)
    dump = backup(env.engine)  # last night's backup

    integrations.edit(env.engine, ENTITY, integrations.Settings(start_date=dt.date(2025, 1, 1)))
    env = production_env(ENTITY, env.engine)
    run_id = run.start(env)
    run.extract(env, run_id, full_resync=True)
    sync(env)
    books, parties = references(tool, tool_sandbox), Counter(tool.parties(tool_sandbox))
    assert len(books) > len(first)

    restore(env.engine, dump)  # the state database is restored from the backup
    integrations.edit(env.engine, ENTITY, integrations.Settings(start_date=dt.date(2025, 1, 1)))
    env = production_env(ENTITY, env.engine)
    tool_sandbox.clear_requests()
    run_id = run.start(env)
    run.extract(env, run_id, full_resync=True)
    _, counts, _ = sync(env)

    assert tool.booking_posts(tool_sandbox) == []
    assert references(tool, tool_sandbox) == books
    assert Counter(tool.parties(tool_sandbox)) == parties
    assert counts.get("documents_found_in_tool") == len(books) - len(first)


def test_a_party_create_whose_answer_is_lost_is_looked_up_and_never_made_twice(entity_env, tool, tool_sandbox,
                                                                               focus):
    """Finding: Exact Online created a second customer after a timeout that followed the create, and the run
    stopped with an error naming no party."""
    tool.party_create_times_out(tool_sandbox, delay=4)
    run_id, _, _ = sync(entity_env)
    party_errors = [e.message for e in entity_env.runs.errors(run_id) if e.code == "party_unconfirmed"]
    assert all(not message.startswith("POST") for message in party_errors)  # each names its party first
    sync(entity_env)
    assert_each_party_once(tool, tool_sandbox)
    assert_each_document_once(tool, tool_sandbox, entity_env)
    assert len(booked(entity_env)) >= 20


def test_a_lookup_that_cannot_prove_absence_posts_nothing(entity_env, tool, tool_sandbox, focus, monkeypatch):
    """Finding: Octopus took every 404 for "nothing found" (an unknown book year too) and then posted."""
    lives = die_after_the_tool_committed(monkeypatch, lambda claim: True)
    tool_sandbox.clear_requests()
    with pytest.raises(SystemExit):
        sync(entity_env)
    # Every document the dead worker sent is half-posted (one per call: the first; a batch: all of it).
    sent = sum(tool.documents_in(r) for r in tool.booking_posts(tool_sandbox))
    monkeypatch.setattr(Claims, "booked", lives)
    after_the_lease(monkeypatch)
    tool.lookups_fail(tool_sandbox)
    tool_sandbox.clear_requests()

    with pytest.raises(LookupFailed):
        sync(entity_env)
    assert tool.booking_posts(tool_sandbox) == []
    assert len(list(entity_env.ledger.entries(DocumentState.POSTING))) == sent >= 1

    tool_sandbox.clear_faults()
    _, counts, _ = sync(entity_env)
    assert counts.get("documents_recovered") == sent
    assert_each_document_once(tool, tool_sandbox, entity_env)


def test_a_document_edited_in_focus_while_half_posted_is_reported_as_changed_after_booking(
        entity_env, tool, tool_sandbox, focus, monkeypatch):
    """Finding: re-extraction overwrote the claimed payload, and recovery marked the old booking booked with
    the new hash (tool 121.00, ledger 242.00, nothing reported)."""
    lives = die_after_the_tool_committed(monkeypatch, lambda claim: claim.booking.kind.value == "sales_invoice")
    with pytest.raises(SystemExit):
        sync(entity_env)
    monkeypatch.setattr(Claims, "booked", lives)
    # One document per call: the one sales invoice sent; a batch: the first sales invoice of it.
    half_posted = next(e for e in entity_env.ledger.entries(DocumentState.POSTING)
                       if e.document.kind.value == "sales_invoice")
    claimed_total = half_posted.claimed_booking.total_incl
    focus.edit_invoice(half_posted.focus_id, line=1, quantity="7")  # edited in Focus meanwhile
    after_the_lease(monkeypatch)

    run_id, _, failure = sync(entity_env)

    assert failure is not None
    [message] = [e.message for e in entity_env.runs.errors(run_id) if e.focus_id == half_posted.focus_id]
    assert message.startswith(f"{half_posted.label}: edited in Focus while it was being booked")
    [held] = [b for b in tool.books(tool_sandbox) if b.reference == half_posted.claimed_booking.reference]
    assert abs(held.total) == claimed_total  # the tool has what was claimed, not the edit
    assert [e.focus_id for e in entity_env.ledger.changed_after_booking()] == [half_posted.focus_id]
    assert_each_document_once(tool, tool_sandbox, entity_env)
    assert seeded_documents(focus, entity_env.entity.department_id) >= len(booked(entity_env))
