"""The entity DAG end to end under Airflow (`airflow dags test`, i.e. dag.test()), against the sandboxes,
with the state database on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from connectors.state.models import DocumentRecord, SyncError, SyncRun
from sandbox.world import DEMO_ENTITIES, demo_world


@pytest.fixture
def world(tmp_path, state_url):
    with demo_world(tmp_path / "world", invoices=12) as world:
        world.env["CONNECTOR_STATE_URL"] = state_url
        world.setup_demo_integrations({"demo_be": DEMO_ENTITIES["demo_be"]})
        assert world.airflow("db", "migrate").returncode == 0
        yield world


def runs(world):
    engine = create_engine(world.env["CONNECTOR_STATE_URL"])
    with engine.connect() as connection:
        found = connection.execute(select(SyncRun).order_by(SyncRun.id)).all()
        errors = connection.execute(select(SyncError.message)).scalars().all()
        booked = connection.execute(select(DocumentRecord.focus_id).where(DocumentRecord.state == "booked")
                                    ).scalars().all()
    engine.dispose()
    return found, errors, booked


def test_the_entity_dag_books_turns_red_on_refused_documents_and_never_books_twice(world):
    result = world.airflow("dags", "test", "accounting_sync__demo_be")
    [run], errors, booked = runs(world)
    assert run.counts.get("documents_booked", 0) == len(booked) > 0
    if errors:
        assert result.returncode != 0 and run.status == "failed"
        assert all(" " in message and message[0].isupper() for message in errors)
    else:
        assert result.returncode == 0 and run.status == "success"

    world.tools["exact_be"].clear_requests()
    world.airflow("dags", "test", "accounting_sync__demo_be")
    [_, second], _, _ = runs(world)
    assert second.counts.get("documents_booked", 0) == 0
    assert [r for r in world.tools["exact_be"].requests() if r["method"] in ("POST", "PUT")] == []


def test_a_dry_run_from_the_trigger_form_writes_nothing(world):
    world.tools["exact_be"].clear_requests()
    world.airflow("dags", "test", "accounting_sync__demo_be", "--conf", '{"dry_run": true}')
    assert [r for r in world.tools["exact_be"].requests() if r["method"] in ("POST", "PUT")] == []
    _, _, booked = runs(world)
    assert booked == []
