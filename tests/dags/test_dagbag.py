"""The DAG files import cleanly, cheaply, and build one well-formed DAG per entity."""

from __future__ import annotations

import json

import pytest

from connectors.entities import EntitySpec, write_entities

SPECS = [
    EntitySpec("demo_be", "Focus Demo BV", "exact_online", "BE", "connected", True, "0 2 * * *", "Europe/Brussels"),
    EntitySpec("demo_nl", "Focus Demo NL", "exact_online", "NL", "configuration_needed", False, "0 2 * * *",
               "Europe/Amsterdam"),
]


@pytest.fixture
def dagbag(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
    write_entities(SPECS)
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder="dags")


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_one_dag_per_entity_plus_the_sync_all_dag(dagbag):
    assert set(dagbag.dags) == {"accounting_sync__demo_be", "accounting_sync__demo_nl",
                                "accounting_sync__all_entities"}


def test_entity_dags_never_run_twice_at_once_and_carry_tool_and_country_tags(dagbag):
    dag = dagbag.dags["accounting_sync__demo_be"]
    assert dag.max_active_runs == 1
    assert {"exact_online", "be"} <= set(dag.tags)
    assert dag.doc_md and "Exact Online" in dag.doc_md
    assert [t.task_id for t in dag.tasks] == ["start_run", "refresh_master_data", "extract", "validate",
                                               "load_parties", "load_documents", "backfill_payments", "report"]
    assert all(t.retries >= 2 for t in dag.tasks)


def test_only_entities_with_automatic_sync_are_scheduled_in_their_time_zone(dagbag):
    scheduled = dagbag.dags["accounting_sync__demo_be"].timetable
    assert (scheduled.expression if hasattr(scheduled, "expression") else None) == "0 2 * * *"
    assert "Brussels" in repr(scheduled)
    assert type(dagbag.dags["accounting_sync__demo_nl"].timetable).__name__ == "NullTimetable"


def test_the_trigger_form_offers_full_resync_and_dry_run(dagbag):
    params = dagbag.dags["accounting_sync__demo_be"].params
    assert params["full_resync"] is False and params["dry_run"] is False


def test_sync_all_triggers_only_connected_entities(dagbag):
    assert [t.task_id for t in dagbag.dags["accounting_sync__all_entities"].tasks] == ["trigger__demo_be"]


def test_parsing_reads_only_the_snapshot_even_with_many_entities(tmp_path, monkeypatch):
    """No database or API at parse time: 200 entities parse with an unreachable state database."""
    path = tmp_path / "many.json"
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(path))
    monkeypatch.setenv("CONNECTOR_STATE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")  # unusable
    path.write_text(json.dumps([{**SPECS[0].__dict__, "entity": f"e{i}"} for i in range(200)]))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder="dags")
    assert bag.import_errors == {} and len(bag.dags) == 201
