"""What one OS process does in ``tests/state/test_sqlite_concurrency.py``: run by the test as
``python -m tests.state.parallel_sync <command> …`` from the repository root, several at once.

``sync ENTITY ROUND_DIR``
    One entity's whole run, every step through the production wiring the DAG tasks call
    (``connectors.tasks.start_run`` and ``connectors.tasks.step``; the state database from
    ``CONNECTOR_STATE_URL``, connections from ``AIRFLOW_CONN_*``).
``hammer NAME RUN_ID WRITES ROUND_DIR``
    Many short write transactions on one SQLite file: ``RunLog.add_counts`` (read, merge, write one
    JSON value: a lost update shows) and ``RunLog.add_error`` (an insert), ``WRITES`` times each.

The processes of a round start together: each says it is ready (``ready-NAME`` in ``ROUND_DIR``), waits
for ``go`` there, and at the end writes what it saw to ``NAME.json``: when it started and ended (a sync: each
step too) and every ``BEGIN IMMEDIATE`` (when, and how long it waited for the write lock). The suite's guard
(``tests.state.conftest.refuse_deferred_writes``) is on for every engine of the process: a write outside
``BEGIN IMMEDIATE`` fails at once. Any failure leaves a traceback on stderr and a non-zero exit status for
the test to show.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from connectors import tasks
from connectors.state.db import make_engine
from connectors.state.runs import RunLog
from connectors.tasks import RunNeedsAttention
from tests.state.conftest import refuse_deferred_writes

#: The DAG's tasks after ``start_run``, in order (``connectors.orchestration.STEPS``, without importing Airflow).
STEPS = ("refresh_master_data", "extract", "validate", "load_parties", "load_documents", "backfill_payments",
         "report")
#: How long a process waits for the others to be ready before it gives up.
READY_TIMEOUT = 120.0


class WriteLocks:
    """Every ``BEGIN IMMEDIATE`` any engine of this process runs: (wall-clock start, seconds it waited)."""

    def __init__(self) -> None:
        self.taken: list[tuple[float, float]] = []
        event.listen(Engine, "before_cursor_execute", self._before)
        event.listen(Engine, "after_cursor_execute", self._after)

    def _before(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if statement == "BEGIN IMMEDIATE":
            connection.info["begin_at"] = (time.time(), time.perf_counter())

    def _after(self, connection, cursor, statement, parameters, context, executemany) -> None:
        if statement == "BEGIN IMMEDIATE":
            wall, started = connection.info.pop("begin_at")
            self.taken.append((wall, time.perf_counter() - started))


def wait_for_go(round_dir: Path, name: str) -> None:
    (round_dir / f"ready-{name}").touch()
    deadline = time.monotonic() + READY_TIMEOUT
    while not (round_dir / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{name}: no go after {READY_TIMEOUT:.0f} s")
        time.sleep(0.002)


def sync_one_entity(entity: str) -> dict[str, Any]:
    """Every step of one run, as the entity's DAG calls them; a refused document is no failure here."""
    steps = []
    began = time.time()
    run_id = tasks.start_run(entity, f"manual__parallel_{entity}", False)
    steps.append(("start_run", began, time.time()))
    refused = None
    for name in STEPS:
        began = time.time()
        try:
            tasks.step(name, entity, run_id)
        except RunNeedsAttention as failure:  # report: some demo documents are refused
            refused = str(failure.code)
        steps.append((name, began, time.time()))
    return {"entity": entity, "run_id": run_id, "refused": refused, "steps": steps}


def hammer(name: str, run_id: int, writes: int) -> dict[str, Any]:
    runs = RunLog(make_engine())
    for n in range(1, writes + 1):
        runs.add_counts(run_id, {name: n})
        runs.add_error(run_id, focus_id=f"{name}-{n}", number=None, code="hammer", field=None, message=name)
    return {"name": name, "run_id": run_id}


def main(argv: list[str]) -> None:
    command, *args = argv
    round_dir = Path(args[-1])
    name = args[0]
    refuse_deferred_writes(Engine)  # every engine of this process: a deferred write fails at once, loudly
    locks = WriteLocks()
    wait_for_go(round_dir, name)
    started = time.time()
    if command == "sync":
        result = sync_one_entity(name)
    elif command == "hammer":
        result = hammer(name, int(args[1]), int(args[2]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    ended = time.time()
    report = {**result, "started": started, "ended": ended, "write_locks": locks.taken}
    (round_dir / f"{name}.json").write_text(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1:])
