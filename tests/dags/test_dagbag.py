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
    monkeypatch.setenv("CONNECTOR_EXPORT_ENTITIES_FILE", str(tmp_path / "export_entities.json"))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "false")
    write_entities(SPECS)
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder="dags")


def test_dag_files_import_without_errors(dagbag):
    assert dagbag.import_errors == {}


def test_one_dag_per_entity_plus_the_sync_all_dag_and_the_offline_export(dagbag):
    assert set(dagbag.dags) == {"accounting_sync__demo_be", "accounting_sync__demo_nl",
                                "accounting_sync__all_entities", "offline_export"}


def test_entity_dags_never_run_twice_at_once_and_carry_tool_and_country_tags(dagbag):
    dag = dagbag.dags["accounting_sync__demo_be"]
    assert dag.max_active_runs == 1
    assert {"exact_online", "be"} <= set(dag.tags)
    assert dag.doc_md and "Exact Online" in dag.doc_md
    assert [t.task_id for t in dag.tasks] == ["start_run", "refresh_master_data", "extract", "validate",
                                               "load_parties", "load_documents", "backfill_payments", "report"]
    assert all(t.retries >= 2 for t in dag.tasks if t.task_id != "report")


def test_the_report_task_gives_its_verdict_once(dagbag):
    """Seen: a red report was retried twice under retries=2, so every red run ended minutes late."""
    assert dagbag.dags["accounting_sync__demo_be"].get_task("report").retries == 0


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
    monkeypatch.setenv("CONNECTOR_EXPORT_ENTITIES_FILE", str(tmp_path / "export_entities.json"))
    monkeypatch.setenv("CONNECTOR_STATE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/none")  # unusable
    path.write_text(json.dumps([{**SPECS[0].__dict__, "entity": f"e{i}"} for i in range(200)]))
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder="dags")
    assert bag.import_errors == {} and len(bag.dags) == 202  # and the offline export


def test_dags_show_the_company_entity_and_its_tool(dagbag):
    assert dagbag.dags["accounting_sync__demo_be"].dag_display_name == "Focus Demo BV → Exact Online"


def test_entity_dags_are_not_paused_when_created(dagbag):
    assert dagbag.dags["accounting_sync__demo_be"].is_paused_upon_creation is False
    assert dagbag.dags["accounting_sync__demo_nl"].is_paused_upon_creation is False


def test_a_failed_run_notifies_the_data_team(dagbag):
    from connectors.notify import RunFailedNotifier

    callbacks = dagbag.dags["accounting_sync__demo_be"].on_failure_callback
    callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
    assert [type(c) for c in callbacks] == [RunFailedNotifier]


def test_the_first_nightly_run_comes_after_automatic_sync_was_switched_on(tmp_path, monkeypatch):
    """Seen: unpausing a nightly entity started last night's run at once, next to the manual one."""
    import datetime as dt

    import pendulum
    from airflow.timetables.base import TimeRestriction
    from airflow.timetables.trigger import CronTriggerTimetable  # the scheduler's side of the SDK timetable

    from connectors.orchestration import entity_dag

    switched_on = dt.datetime.now(dt.UTC).replace(microsecond=0)
    spec = EntitySpec("acme", "Acme", "exact_online", "BE", "connected", True, "0 2 * * *", "Europe/Brussels",
                      auto_sync_since=switched_on.isoformat())
    dag = entity_dag(spec)
    first = CronTriggerTimetable(spec.schedule, timezone=spec.timezone).next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=dag.start_date, latest=None, catchup=False))
    assert first.run_after >= pendulum.instance(switched_on)
    assert first.run_after.in_timezone("Europe/Brussels").hour == 2


BROKEN = {
    "time zone not in the tz database": {"timezone": "Mars/Olympus"},
    "schedule that is not cron": {"schedule": "every night"},
    "entity name that is not a DAG id": {"entity": "Bad Name!"},
    "a field missing": {"timezone": None, "schedule": None, "drop": "status"},
}


@pytest.mark.parametrize("damage", list(BROKEN.values()), ids=list(BROKEN))
def test_one_broken_entity_never_takes_the_other_dags_down(tmp_path, monkeypatch, caplog, damage):
    path = tmp_path / "entities.json"
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(path))
    write_entities(SPECS)
    rows = json.loads(path.read_text())
    broken = {**rows[0], "entity": "broken_one", "auto_sync": True}
    broken.update({k: v for k, v in damage.items() if k != "drop" and v is not None})
    broken.pop(damage.get("drop", ""), None)
    path.write_text(json.dumps([*rows, broken]))
    from airflow.dag_processing.dagbag import DagBag

    with caplog.at_level("ERROR"):
        bag = DagBag(dag_folder="dags")
    assert bag.import_errors == {}
    assert {"accounting_sync__demo_be", "accounting_sync__demo_nl"} <= set(bag.dags)
    assert not any("broken" in dag_id or "Bad" in dag_id for dag_id in bag.dags)
    assert any(damage.get("entity", "broken_one") in record.getMessage() for record in caplog.records)
