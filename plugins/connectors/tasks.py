"""Production wiring for the DAG tasks: state database, Airflow connections, token stores.

Each task builds its own ``Env`` (clients are cheap; tokens and bulk data live
in the state database), then calls one step of ``connectors.sync.run``.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from connectors import integrations
from connectors.connections import get_connection
from connectors.focus.connection import focus_client
from connectors.oauth import NeedsConsent
from connectors.state.call_counts import DbCallCounter
from connectors.state.db import make_engine, migrate
from connectors.state.external_ids import DbExternalIds
from connectors.state.master_data import MasterDataStore
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.sync import run
from connectors.targets import build_target
from connectors.targets.base import Target, TargetContext

log = logging.getLogger(__name__)


def target_for(engine: Engine, *, target: str, connection_id: str, administration: str | None,
               integration_id: int | None = None) -> Target:
    """The tool client for one integration: tokens, handed-out ids and cached master data in the state DB."""
    cache = MasterDataStore(engine, integration_id) if integration_id is not None else None
    cipher = load_cipher()
    context = TargetContext(
        tokens=DbTokenStore(engine, connection_id, cipher),
        scoped_tokens=lambda key: DbTokenStore(engine, f"{connection_id}#{key}", cipher),
        administration=administration,
        external_ids=DbExternalIds(engine, target, administration),
        cached_master_data=cache.master_data if cache else (lambda: None),
        call_counter=lambda scope: DbCallCounter(engine, target, scope),
    )
    return build_target(target, get_connection(connection_id), context)


def production_env(entity_name: str, engine: Engine | None = None) -> run.Env:
    engine = engine or make_engine()
    entity = run.load_entity(engine, entity_name)

    def target() -> Target:
        return target_for(engine, target=entity.target, connection_id=entity.target_connection_id,
                          administration=entity.administration, integration_id=entity.id)

    return run.Env(engine, entity, lambda: focus_client(engine), target)


def start_run(entity: str, airflow_run_id: str, dry_run: bool) -> int:
    """Open the run; an integration still Connecting fails at once with the command that connects it."""
    engine = make_engine()
    migrate(engine)
    try:
        integrations.require_connected(engine, entity)
    except integrations.IntegrationError as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None
    return run.start(production_env(entity, engine), airflow_run_id, dry_run)


class RunNeedsAttention(SystemExit):
    """The run ends red because documents wait for a person: a verdict, not a crash.

    Airflow 3 logs every task exception with its traceback except an exit, which it logs as one ERROR line
    ("Task exited"); the ``report`` task has no retries (a retry would report the same list minutes later),
    so this exit fails it at once."""


def step(name: str, entity: str, run_id: int, **kwargs: Any) -> dict[str, Any]:
    """Run one step by name (``refresh_master_data``, ``extract``, ``validate``, ``load_parties``, …).

    A run whose documents need attention fails its ``report`` task: the list is logged at ERROR, one line
    each, and the task exits red with the one-line summary (``RunNeedsAttention``), no traceback. A tool
    or Focus that wants a new consent fails the task at once (``AirflowFailException``): retrying cannot
    help, and the message names the command that reconnects."""
    try:
        return getattr(run, name)(production_env(entity), run_id, **kwargs)
    except run.SyncFailed as failed:
        log.error("%s:", failed.summary)
        for line in failed.attention:
            log.error("- %s", line)
        raise RunNeedsAttention(f"{failed.summary} (listed above)") from None
    except NeedsConsent as exc:
        from airflow.sdk.exceptions import AirflowFailException

        raise AirflowFailException(str(exc)) from None
