"""An entity whose tool is not connected fails its run at `start_run`, at once, naming the command."""

from __future__ import annotations

import pytest
from airflow.sdk.exceptions import AirflowFailException

from connectors import integrations, tasks
from connectors.state.db import make_engine, migrate
from connectors.state.runs import RunLog


def test_a_connecting_entity_fails_at_start_run_with_the_command_that_connects_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTOR_STATE_URL", f"sqlite:///{tmp_path / 'state.db'}")
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    engine = make_engine()
    migrate(engine)
    integrations.add(engine, "acme_be", department_id="dept-1", target="exact_online",
                     settings=integrations.Settings(department_name="Acme BE"))
    with pytest.raises(AirflowFailException, match="`focus-connector integrations connect acme_be`"):
        tasks.start_run("acme_be", "manual__1", False)
    assert RunLog(engine).latest("acme_be") is None
