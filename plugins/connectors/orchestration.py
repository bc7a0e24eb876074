"""DAG builders: one accounting sync DAG per entity, and a manual "sync every entity" DAG.

The DAG files in ``dags/`` only call ``register(globals())``. Building reads the
entities snapshot (``connectors.entities``) and nothing else: no database, no
API, so parsing stays cheap with many entities. Task bodies import the
production wiring lazily, at run time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, Param, task

from connectors import input_values
from connectors.entities import TOOL_NAMES, EntitySpec, read_entities

log = logging.getLogger(__name__)

DAG_PREFIX = "accounting_sync__"
ALL_DAG_ID = "accounting_sync__all_entities"
STEPS = ("refresh_master_data", "extract", "validate", "load_parties", "load_documents", "backfill_payments",
         "report")
DEFAULT_ARGS = {
    "retries": int(os.environ.get("CONNECTOR_TASK_RETRIES", "2")),
    "retry_delay": dt.timedelta(minutes=2),
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": dt.timedelta(minutes=20),
}


def _doc_md(spec: EntitySpec) -> str:
    schedule = f"nightly, `{spec.schedule}` ({spec.timezone})" if spec.auto_sync else "manual only (automatic sync is off)"
    return f"""
### Accounting sync — {spec.department_name} → {TOOL_NAMES.get(spec.target, spec.target)}

Extracts the entity's Focus documents (booked invoices, credit notes, approved Peppol purchase documents) and the
parties they reference, validates the ledger-account, VAT-code and journal mappings (Great Expectations), books
what passes into {TOOL_NAMES.get(spec.target, spec.target)}, and reports. Schedule: {schedule}. Never two runs at once.

- **full_resync**: read everything from the start date again (bookings stay exactly-once).
- **dry_run**: validate and report what would be booked, write nothing to the tool.

A red `report` task means some documents need attention: its log lists them, and
`focus-connector integrations status {spec.entity}` shows the run's errors.
"""


def display_name(spec: EntitySpec) -> str:
    """What the DAG list shows: the company entity and its tool (the DAG id stays ``accounting_sync__<entity>``)."""
    return f"{spec.department_name} → {TOOL_NAMES.get(spec.target, spec.target)}"


def first_schedulable(spec: EntitySpec) -> pendulum.DateTime:
    """The DAG's start date: the moment automatic sync was switched on, so the first nightly run is the next
    one after it — not last night's, started at once next to a manual run (catchup=False still schedules the
    latest past cron time otherwise)."""
    earliest = pendulum.datetime(2025, 1, 1, tz=spec.timezone)
    if spec.auto_sync and spec.auto_sync_since:
        return max(earliest, pendulum.parse(spec.auto_sync_since).in_timezone(spec.timezone))
    return earliest


def entity_dag(spec: EntitySpec) -> DAG:
    from connectors.notify import RunFailedNotifier

    input_values.entity_name(spec.entity)
    input_values.time_zone(spec.timezone)
    schedule = CronTriggerTimetable(input_values.cron_expression(spec.schedule), timezone=spec.timezone) \
        if spec.auto_sync else None
    with DAG(
        dag_id=f"{DAG_PREFIX}{spec.entity}",
        dag_display_name=display_name(spec),
        schedule=schedule,
        start_date=first_schedulable(spec),
        catchup=False,
        max_active_runs=1,
        # Unpaused from the start: a nightly entity runs at its next cron time, a manual one runs when triggered
        # (a paused DAG would keep a triggered run queued).
        is_paused_upon_creation=False,
        on_failure_callback=RunFailedNotifier(spec.entity),
        tags=["accounting-sync", spec.target, (spec.country or "xx").lower()],
        doc_md=_doc_md(spec),
        default_args=DEFAULT_ARGS,
        params={
            "full_resync": Param(False, type="boolean", title="Full resync from start date",
                                 description="Read every document since the start date again."),
            "dry_run": Param(False, type="boolean", title="Dry run",
                             description="Validate and report; write nothing to the accounting tool."),
        },
    ) as dag:

        @task
        def start_run(**context: Any) -> int:
            from connectors import tasks

            return tasks.start_run(spec.entity, context["run_id"], bool(context["params"]["dry_run"]))

        def step_task(name: str):
            # report only reads the state database and gives the verdict: retrying would repeat the same
            # list minutes later (tasks.RunNeedsAttention)
            @task(task_id=name, retries=0 if name == "report" else DEFAULT_ARGS["retries"])
            def run_step(sync_run: int, **context: Any) -> dict[str, Any]:
                from connectors import tasks

                params = context["params"]
                kwargs: dict[str, Any] = {}
                if name == "extract":
                    kwargs["full_resync"] = bool(params["full_resync"])
                if name in ("load_parties", "load_documents", "backfill_payments"):
                    kwargs["dry_run"] = bool(params["dry_run"])
                return tasks.step(name, spec.entity, sync_run, **kwargs)

            return run_step

        sync_run = start_run()  # the state database's run id ("run_id" is Airflow's own context key)
        previous = sync_run
        for name in STEPS:
            current = step_task(name)(sync_run)
            previous >> current
            previous = current
    return dag


def all_entities_dag(specs: list[EntitySpec]) -> DAG:
    from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator

    with DAG(
        dag_id=ALL_DAG_ID,
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        tags=["accounting-sync"],
        doc_md="### Sync every connected entity\n\nTriggers each entity's accounting sync DAG once.",
    ) as dag:
        for spec in specs:
            if spec.status == "connected":
                TriggerDagRunOperator(task_id=f"trigger__{spec.entity}", trigger_dag_id=f"{DAG_PREFIX}{spec.entity}")
    return dag


def register(namespace: dict[str, Any]) -> None:
    """Put one DAG per entity (plus the sync-all DAG) into a DAG file's globals.

    An entity whose settings cannot build a DAG is skipped with an error naming it and the fix; the others
    load (one bad entity must never take every entity's DAG down)."""
    built = []
    for spec in read_entities():
        try:
            dag = entity_dag(spec)
        except Exception as exc:  # noqa: BLE001 - whatever it is, the other entities must still load
            log.error("Entity %s: no DAG (%s). Fix its settings with `focus-connector integrations edit %s "
                      "--timezone … --schedule …`; the other entities are not affected.",
                      spec.entity, " ".join(str(exc).split()), spec.entity)
            continue
        namespace[dag.dag_id] = dag
        built.append(spec)
    namespace[ALL_DAG_ID] = all_entities_dag(built)
