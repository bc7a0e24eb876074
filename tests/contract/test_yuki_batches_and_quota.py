"""Yuki's acceptance: batches, no write on an unchanged re-run, a first sync within one day's calls, and a run
that meets the daily cap books what fits and leaves the rest for the next day.

Everything is read from the Yuki sandbox's request log and its own call counts (``/_sandbox/quotas``), not from
the connector.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, func, select

from connectors.state.call_counts import ToolCallCount
from connectors.state.db import write_transaction
from connectors.state.models import DocumentState
from connectors.sync import run
from connectors.targets.yuki.cap import PAYMENT_RESERVE
from connectors.targets.yuki.target import YukiTarget
from sandbox.runner import RunningSandbox, start_sandbox
from tests.contract.conftest import TOOL_TIMEOUT, connect_environment, set_up_entity
from tests.contract.test_target_contract import seeded_documents, sync
from tests.contract.tools import YukiHarness

IMPORTS = ("Sales.ProcessSalesInvoices", "Purchase.ProcessPurchaseInvoices")


@pytest.fixture
def yuki() -> YukiHarness:
    return YukiHarness()


@pytest.fixture
def yuki_sandbox(yuki) -> Iterator[RunningSandbox]:
    with yuki.running() as sandbox:
        yield sandbox


def calls_today(sandbox: RunningSandbox) -> int:
    return sum(row["used"] for row in sandbox.admin("GET", "quotas").json()["data"])


def imports(sandbox: RunningSandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["endpoint"] in IMPORTS]


def writes(yuki: YukiHarness, sandbox: RunningSandbox) -> list[dict]:
    return [r for r in sandbox.requests() if yuki.is_write(r)]


def test_new_documents_go_in_batches_and_an_unchanged_rerun_writes_nothing(yuki, yuki_sandbox, focus, engine,
                                                                           tmp_path, monkeypatch):
    connect_environment(monkeypatch, tmp_path, yuki, yuki_sandbox, focus)
    department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
    env = set_up_entity(engine, yuki, yuki_sandbox, focus, department)
    yuki_sandbox.clear_requests()
    sync(env)
    sales = [r["body"]["batch"] for r in imports(yuki_sandbox) if r["endpoint"] == IMPORTS[0]]
    assert len(sales) == 1 and sales[0] >= 25  # every sales document of the department in one call
    assert len(list(env.ledger.entries(DocumentState.BOOKED))) >= 25

    yuki_sandbox.clear_requests()
    sync(env)
    assert writes(yuki, yuki_sandbox) == []


def test_a_first_sync_of_500_documents_stays_within_a_1000_call_day(yuki, yuki_sandbox, engine, tmp_path,
                                                                    monkeypatch):
    with start_sandbox("focus", invoices=1600) as focus:
        department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
        assert seeded_documents(focus, department["id"]) >= 500
        yuki_sandbox.configure(daily_limit=1000)
        yuki.daily_limit = 1000
        connect_environment(monkeypatch, tmp_path, yuki, yuki_sandbox, focus)
        yuki_sandbox.admin("DELETE", "ratelimit")
        env = set_up_entity(engine, yuki, yuki_sandbox, focus, department)
        _, counts, _ = sync(env)
        assert counts.get("documents_booked", 0) >= 500
        assert counts.get("documents_waiting_for_quota", 0) == 0
        assert calls_today(yuki_sandbox) <= 1000
        assert all(r["body"]["batch"] >= 25 for r in imports(yuki_sandbox)[:-2])


def connector_calls(engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.coalesce(func.sum(ToolCallCount.calls), 0))).scalar_one())


def set_limit(monkeypatch, yuki: YukiHarness, sandbox: RunningSandbox, limit: int) -> None:
    """The day's cap on both sides: Yuki's, and the one the connection tells the connector."""
    yuki.daily_limit = limit
    sandbox.configure(daily_limit=limit)
    monkeypatch.setenv(f"AIRFLOW_CONN_{yuki.connection_id.upper()}", yuki.connection(sandbox, TOOL_TIMEOUT))


def next_day(monkeypatch, yuki: YukiHarness, sandbox: RunningSandbox, engine) -> None:
    """A new day: a new count on both sides, and the default cap."""
    sandbox.admin("DELETE", "ratelimit")
    with write_transaction(engine) as connection:
        connection.execute(delete(ToolCallCount))
    set_limit(monkeypatch, yuki, sandbox, 1000)


def test_a_run_that_meets_the_daily_cap_books_what_fits_and_the_next_day_the_rest(yuki, yuki_sandbox, focus,
                                                                                  engine, tmp_path, monkeypatch):
    connect_environment(monkeypatch, tmp_path, yuki, yuki_sandbox, focus)
    department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
    env = set_up_entity(engine, yuki, yuki_sandbox, focus, department)
    monkeypatch.setattr(YukiTarget, "batch_size", 5)
    run_id = run.start(env, "manual__quota", False)
    run.refresh_master_data(env, run_id)
    run.extract(env, run_id)
    run.validate(env, run_id)
    run.load_parties(env, run_id)
    to_book = len([e for e in env.ledger.entries(DocumentState.PENDING) if e.passed_validation])
    # Room for the read-back, a few batches of 5, and the payment read the connector keeps aside.
    limit = connector_calls(engine) + 1 + 6 + PAYMENT_RESERVE
    set_limit(monkeypatch, yuki, yuki_sandbox, limit)

    counts = run.load_documents(env, run_id)
    run.backfill_payments(env, run_id)
    waiting = counts.get("waiting_for_quota", 0)
    booked_today = len(list(env.ledger.entries(DocumentState.BOOKED)))
    assert waiting > 0 and booked_today > 0
    assert booked_today + waiting + counts.get("refused", 0) == to_book
    assert connector_calls(engine) == calls_today(yuki_sandbox) <= limit  # both sides counted the same calls
    assert not [r for r in yuki_sandbox.requests() if r["status"] >= 400]  # no call was refused
    assert len(yuki.books(yuki_sandbox)) == booked_today

    # The next day: the rest is booked, nothing twice.
    next_day(monkeypatch, yuki, yuki_sandbox, engine)
    _, counts, _ = sync(env)
    assert counts.get("documents_waiting_for_quota", 0) == 0
    books = yuki.books(yuki_sandbox)
    assert len(books) == len({b.reference for b in books}) == len(list(env.ledger.entries(DocumentState.BOOKED)))
    assert len(books) > booked_today


def test_parties_the_cap_leaves_for_tomorrow_hold_back_their_documents_without_an_error(
        yuki, yuki_sandbox, focus, engine, tmp_path, monkeypatch):
    connect_environment(monkeypatch, tmp_path, yuki, yuki_sandbox, focus)
    department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
    env = set_up_entity(engine, yuki, yuki_sandbox, focus, department)
    # Room for a few parties only (each may cost three calls), beyond what the payment read keeps aside.
    set_limit(monkeypatch, yuki, yuki_sandbox, connector_calls(engine) + PAYMENT_RESERVE + 10)

    run_id, counts, _ = sync(env)
    assert counts.get("parties_waiting_for_quota", 0) > 0
    assert counts.get("documents_waiting_for_party", 0) + counts.get("documents_waiting_for_quota", 0) > 0
    messages = [e.message for e in env.runs.errors(run_id)]
    assert not [m for m in messages if "not in the tool yet" in m]
    assert connector_calls(engine) == calls_today(yuki_sandbox) <= yuki.daily_limit
    assert not [r for r in yuki_sandbox.requests() if r["status"] >= 400]

    next_day(monkeypatch, yuki, yuki_sandbox, engine)
    _, counts, _ = sync(env)
    assert counts.get("parties_waiting_for_quota", 0) == 0
    books = yuki.books(yuki_sandbox)
    assert len(books) == len({b.reference for b in books}) == len(list(env.ledger.entries(DocumentState.BOOKED)))
    names = [name for _, name in yuki.parties(yuki_sandbox)]
    assert len(names) == len(set(names))  # no contact made twice across the two days
