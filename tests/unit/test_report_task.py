"""The `report` task: a run with documents that need attention fails at once (no retries), listing them in
the log at ERROR; a dry run's report lists what it would book. Through ``tasks.step``, on a real state
database (SQLite), as the DAG's task body calls it."""

from __future__ import annotations

import logging

import pytest

from connectors import integrations, tasks
from connectors.state.db import make_engine, migrate
from connectors.state.runs import RunLog
from connectors.tasks import RunNeedsAttention

ENTITY = "report_be"


@pytest.fixture
def runs(tmp_path, monkeypatch) -> RunLog:
    monkeypatch.setenv("CONNECTOR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    engine = make_engine()
    migrate(engine)
    integrations.add(engine, ENTITY, department_id="dept-be", target="exact_online",
                     settings=integrations.Settings(department_name="Report BE", country="BE",
                                                    administration="100001"))
    return RunLog(engine)


def refuse(runs: RunLog, run_id: int, count: int) -> list[str]:
    messages = [f"Invoice 2025 / {n}: the VAT number BE1999999999 of Acme NV is not valid; correct it in Focus"
                for n in range(1, count + 1)]
    for n, message in enumerate(messages, 1):
        runs.add_error(run_id, focus_id=f"inv-{n}", number=f"2025 / {n}", code="invalid_vat_number",
                       field="vat_number", message=message)
    return messages


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "connectors.tasks" and r.levelno == logging.ERROR]


def test_report_with_refused_documents_exits_red_with_one_line(runs):
    run_id = runs.start(ENTITY, None, "manual__1", False)
    refuse(runs, run_id, 2)
    with pytest.raises(RunNeedsAttention) as failed:
        tasks.step("report", ENTITY, run_id)
    assert failed.value.code == "report_be: 2 document(s) or parties need attention (listed above)"
    assert failed.value.__cause__ is None and failed.value.__suppress_context__  # no SyncFailed chained


def test_report_logs_what_needs_attention_at_error_one_line_each(runs, caplog):
    caplog.set_level(logging.INFO)
    run_id = runs.start(ENTITY, None, "manual__1", False)
    messages = refuse(runs, run_id, 2)
    with pytest.raises(RunNeedsAttention):
        tasks.step("report", ENTITY, run_id)
    assert errors_logged(caplog) == ["report_be: 2 document(s) or parties need attention:",
                                     *(f"- {m}" for m in messages)]


def test_report_lists_the_first_50_that_need_attention_and_how_many_more(runs, caplog):
    caplog.set_level(logging.INFO)
    run_id = runs.start(ENTITY, None, "manual__1", False)
    messages = refuse(runs, run_id, 57)
    with pytest.raises(RunNeedsAttention):
        tasks.step("report", ENTITY, run_id)
    assert errors_logged(caplog)[1:] == [*(f"- {m}" for m in messages[:50]), "- and 7 more"]


def test_a_clean_run_reports_success_with_small_counts(runs):
    run_id = runs.start(ENTITY, None, "manual__1", False)
    runs.add_counts(run_id, {"documents_booked": 3})
    summary = tasks.step("report", ENTITY, run_id)
    assert summary == {"run_id": run_id, "documents_booked": 3, "errors": 0, "first_errors": []}


def test_a_dry_run_report_lists_what_would_be_booked_and_returns_only_counts(runs, caplog):
    caplog.set_level(logging.INFO)
    run_id = runs.start(ENTITY, None, "manual__1", True)
    rows = [{"reference": f"FC-I-{n}", "number": f"2025 / {n}", "kind": "sales_invoice", "date": "2025-03-01",
             "party": "Acme NV", "amount": f"{n}.10", "currency": "EUR", "journal": "70"} for n in range(1, 53)]
    runs.set_would_book(run_id, rows)
    runs.add_counts(run_id, {"documents_to_book": 52})
    summary = tasks.step("report", ENTITY, run_id)
    assert "would_book" not in summary and summary["documents_to_book"] == 52  # XCom stays small
    logged = [r.getMessage() for r in caplog.records if r.name == "connectors.sync.run"]
    start = logged.index("dry run: 52 document(s) would be booked in Exact Online:")
    assert logged[start + 1] == "  2025 / 1 · Acme NV · 1.10 EUR · journal 70"
    assert logged[start + 50] == "  2025 / 50 · Acme NV · 50.10 EUR · journal 70"
    assert logged[start + 51] == "  and 2 more"
