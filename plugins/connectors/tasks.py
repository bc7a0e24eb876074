"""Production wiring for the DAG tasks: state database, Airflow connections, token stores.

Each task builds its own ``Env`` (clients are cheap; tokens and bulk data live
in the state database), then calls one step of ``connectors.sync.run``.
"""

from __future__ import annotations

from typing import Any

from connectors.connections import get_connection
from connectors.focus.connection import focus_client
from connectors.state.db import make_engine, migrate
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.sync import run
from connectors.targets import build_target


def production_env(entity_name: str) -> run.Env:
    engine = make_engine()
    entity = run.load_entity(engine, entity_name)
    cipher = load_cipher()

    def target():
        conn = get_connection(entity.target_connection_id)
        return build_target(entity.target, conn, DbTokenStore(engine, entity.target_connection_id, cipher),
                            entity.administration)

    return run.Env(engine, entity, lambda: focus_client(engine), target)


def start_run(entity: str, airflow_run_id: str, dry_run: bool) -> int:
    migrate(make_engine())
    return run.start(production_env(entity), airflow_run_id, dry_run)


def step(name: str, entity: str, run_id: int, **kwargs: Any) -> dict[str, Any]:
    """Run one step by name (``refresh_master_data``, ``extract``, ``validate``, ``load_parties``, …)."""
    return getattr(run, name)(production_env(entity), run_id, **kwargs)
