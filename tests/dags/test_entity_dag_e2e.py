"""The entity DAG end to end under Airflow (`airflow dags test`, i.e. dag.test()), against the sandboxes,
with the state database on SQLite and on PostgreSQL.

The expected outcome never comes from the connector: ``tests/dags/oracle.py`` reads the demo data from the
Focus and Exact Online sandboxes over bare HTTP and decides, as an accountant would, which documents of
demo_be the first run must book and which it must refuse (invalid VAT numbers by python-stdnum, a Peppol
allowance with no purchase discount account set up). The demo data holds such documents on purpose, so
every run of demo_be must end red: the `report` task fails and only it, naming the refused documents.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from connectors.state.models import DocumentRecord, SyncError, SyncRun
from sandbox.world import DEMO_ENTITIES, World, demo_world
from tests.dags import oracle

DAG_ID = "accounting_sync__demo_be"
TASKS = ("start_run", "refresh_master_data", "extract", "validate", "load_parties", "load_documents",
         "backfill_payments", "report")
WRITES = ("POST", "PUT", "PATCH", "DELETE")
#: Focus endpoints that only read, besides ``*.list`` / ``*.info``: a dry run calls nothing else there.
FOCUS_READS = ("oauth2/access_token", "files.download", "_files")


@pytest.fixture
def world(tmp_path, state_url):
    with demo_world(tmp_path / "world", invoices=12) as world:
        world.env["CONNECTOR_STATE_URL"] = state_url
        world.setup_demo_integrations({"demo_be": DEMO_ENTITIES["demo_be"]})
        assert world.airflow("db", "migrate").returncode == 0
        yield world


@pytest.fixture
def expected(world) -> oracle.Oracle:
    """The first run's outcome, from the sandboxes' data alone; the demo data must exercise both outcomes."""
    found = oracle.first_run(world)
    assert found.bookable and found.refused_for(oracle.INVALID_VAT)
    tool(world).clear_requests()
    world.focus.clear_requests()
    return found


def tool(world: World):
    return world.tools[DEMO_ENTITIES["demo_be"].sandbox]


def dags_test(world: World, *args: str):
    return world.airflow("dags", "test", DAG_ID, *args)


def state(world: World):
    """(runs in order, {run id: [SyncError]}, {Focus id: ledger state}) from the state database."""
    engine = create_engine(world.env["CONNECTOR_STATE_URL"])
    try:
        with engine.connect() as connection:
            runs = connection.execute(select(SyncRun).order_by(SyncRun.id)).all()
            errors: dict[int, list] = defaultdict(list)
            for error in connection.execute(select(SyncError).order_by(SyncError.id)).all():
                errors[error.run_id].append(error)
            ledger = dict(connection.execute(select(DocumentRecord.focus_id, DocumentRecord.state)).all())
    finally:
        engine.dispose()
    return runs, errors, ledger


def booked(ledger: dict[str, str]) -> set[str]:
    return {focus_id for focus_id, state in ledger.items() if state == "booked"}


def task_states(world: World, airflow_run_id: str) -> dict[str, str]:
    """What Airflow recorded for each task of the DAG run (its metadata database: SQLite in AIRFLOW_HOME)."""
    path = Path(world.env["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT task_id, state FROM task_instance WHERE dag_id = ? AND run_id = ?",
                                  (DAG_ID, airflow_run_id)).fetchall()
    return dict(rows)


def tool_writes(world: World) -> list[dict]:
    return [r for r in tool(world).requests() if r["method"] in WRITES]


def assert_focus_only_read(world: World) -> None:
    calls = {r["endpoint"] for r in world.focus.requests()}
    assert calls and all(call.endswith((".list", ".info")) or call in FOCUS_READS for call in calls), calls


def assert_red_because_of_refusals(world: World, result, run, errors, expected: oracle.Oracle) -> None:
    """The run failed, and only because documents were refused: every task but `report` succeeded,
    `report` failed (exited red) after listing the refused documents, and the run's errors are exactly those."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert run.status == "failed"
    assert task_states(world, run.airflow_run_id) == {**{t: "success" for t in TASKS[:-1]}, "report": "failed"}
    assert "demo_be: " in output and "need attention (listed above)" in output
    assert all(d.number in output.split("need attention:", 1)[1] for d in expected.refused), output[-3000:]
    assert_refusals(errors, expected)


def assert_report_lists_what_needs_attention_once_without_a_traceback(world, result, run, errors, expected) -> None:
    """Finding: `report` raised SyncFailed under retries=2, so every red run repeated it twice and ended minutes
    late, and its log showed the refusals as a Python exception with 14 frames. Now it logs each refused
    document at ERROR and exits red at once: no retry, no traceback."""
    assert tries(world, run.airflow_run_id, "report") == 1
    log = task_log(result.stdout + result.stderr, "report")
    attention = [line.split("] ", 1)[1] for line in log.splitlines() if "[error    ]" in line
                 and "[connectors.tasks]" in line]
    assert attention[0].startswith(f"demo_be: {len(errors)} document(s) or parties need attention:")
    assert len(attention) == 1 + len(errors)
    for document in expected.refused:
        assert any(line.startswith("- ") and document.number in line for line in attention[1:]), attention
    assert "SyncFailed" not in log
    assert "Traceback (most recent call last)" not in log
    assert "Task exited" in log and "need attention (listed above)" in log


def assert_refusals(errors, expected: oracle.Oracle) -> None:
    by_document: dict[str | None, list] = defaultdict(list)
    for error in errors:
        by_document[error.focus_id].append(error)
    # Exactly the refused documents have errors (no party errors, no other document).
    assert set(by_document) == {d.focus_id for d in expected.refused}, [e.message for e in errors]
    documents = {d.focus_id: d for d in expected.documents}
    for focus_id, found in by_document.items():
        document = documents[focus_id]
        for error in found:  # each message names its document
            assert error.document_number == document.number
            assert document.number in error.message, error.message
        messages = [e.message for e in found]
        if oracle.INVALID_VAT in document.refusals:
            assert any(document.vat_number in m for m in messages), messages
        if oracle.NO_PURCHASE_DISCOUNT_ACCOUNT in document.refusals:
            assert any("discount" in m.lower() for m in messages), messages
    # The documents refused for their VAT number are exactly those whose party's number is invalid.
    named_vat = {d.focus_id for d in expected.documents
                 if d.vat_number and any(d.vat_number in e.message for e in by_document.get(d.focus_id, []))}
    assert named_vat == {d.focus_id for d in expected.refused_for(oracle.INVALID_VAT)}


def task_log(output: str, task_id: str) -> str:
    """What one task logged in a `dags test` run (tasks run in that process, their log goes to its output)."""
    return output.split(f"[DAG TEST] starting task_id={task_id} ", 1)[1].split(f"[DAG TEST] end task task_id={task_id} ",
                                                                            1)[0]


def tries(world: World, airflow_run_id: str, task_id: str) -> int:
    path = Path(world.env["AIRFLOW_HOME"]) / "airflow.db"
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT try_number FROM task_instance WHERE dag_id = ? AND run_id = ? AND "
                                  "task_id = ?", (DAG_ID, airflow_run_id, task_id)).fetchone()[0]


def connector_entries(world: World) -> list[dict]:
    return [e for e in oracle.tool_entries(world) if (e["entry"].get("YourRef") or "").startswith("FC-")]


def test_the_first_run_books_what_passes_turns_red_on_refused_documents_and_the_second_books_nothing(
        world, expected):
    world.env["CONNECTOR_TASK_RETRIES"] = "2"  # as in production: the red report must still be tried once
    result = dags_test(world)
    [run], errors, ledger = state(world)
    assert run.dry_run is False
    assert_red_because_of_refusals(world, result, run, errors[run.id], expected)
    assert_report_lists_what_needs_attention_once_without_a_traceback(world, result, run, errors[run.id], expected)

    # Everything else is booked, once, in the state database and in the tool's books.
    assert booked(ledger) == {d.focus_id for d in expected.bookable}
    assert not booked(ledger) & {d.focus_id for d in expected.refused}
    assert run.counts["documents_booked"] == len(expected.bookable)
    entries = connector_entries(world)
    assert Counter(e["entry"]["YourRef"] for e in entries) == Counter(d.reference for d in expected.bookable)
    by_reference = {e["entry"]["YourRef"]: e for e in entries}
    for document in expected.bookable:
        entry = by_reference[document.reference]
        assert entry["kind"] == document.side, document
        credit_type = {"sales": 21, "purchase": 31}[document.side]
        assert (entry["entry"]["Type"] == credit_type) is document.is_credit, (document, entry["entry"]["Type"])
        assert abs(entry["entry"]["AmountDC"]) == abs(document.total), document

    # The second run: nothing new in Focus, so nothing is written and nothing booked; still red, since the
    # refused documents still wait for a fix in Focus.
    books = oracle.tool_entries(world)
    tool(world).clear_requests()
    second_result = dags_test(world)
    [_, second], errors, second_ledger = state(world)
    assert second.dry_run is False
    assert_red_because_of_refusals(world, second_result, second, errors[second.id], expected)
    assert second.counts.get("documents_booked", 0) == 0
    assert second_ledger == ledger
    assert tool_writes(world) == []
    assert oracle.tool_entries(world) == books


def test_a_dry_run_from_the_trigger_form_writes_nothing_and_reports_what_would_be_booked(world, expected):
    """A dry run validates and reports; the refused documents need attention all the same, so it is red
    (a green dry run would tell the user that a real run would go through)."""
    books = oracle.tool_entries(world)
    result = dags_test(world, "--conf", '{"dry_run": true}')
    [run], errors, ledger = state(world)
    assert run.dry_run is True
    assert_red_because_of_refusals(world, result, run, errors[run.id], expected)

    assert tool_writes(world) == []
    assert oracle.tool_entries(world) == books
    assert connector_entries(world) == []
    assert booked(ledger) == set()
    assert run.counts.get("documents_booked", 0) == 0
    assert run.counts["validated"] == len(expected.documents)
    assert run.counts["refused_by_validation"] == len(expected.refused)
    assert run.counts["documents_to_book"] == len(expected.bookable)
    assert run.counts["parties_to_sync"] == len(expected.parties_to_book)
    assert_focus_only_read(world)
    log = task_log(result.stdout + result.stderr, "report")
    assert f"dry run: {len(expected.bookable)} document(s) would be booked in Exact Online:" in log
    for document in expected.bookable:
        assert re.search(rf"  {re.escape(document.number)} · .+ · -?\d+\.\d\d EUR · journal \S+", log), document


