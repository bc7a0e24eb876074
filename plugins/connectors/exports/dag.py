"""The ``offline_export`` DAG: manual only, a trigger form, and a person approving before anything is written.

collect → validate → quote → review → write → publish_and_bill → report. The form offers the departments of
the export snapshot (``focus-connector exports setup`` writes it; parsing reads nothing else), the period,
the package and its own parameters. ``review`` is the standard provider's ``ApprovalOperator``: its body shows
the quote, the customers and the documents, and nothing is written or charged until someone approves in
the Airflow UI (Required actions) or the REST API — unless the run asked ``approve_automatically``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pendulum
from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk import DAG, Param, task

from connectors.exports.settings import CUSTOMER_NUMBER_MODES, read_snapshot
from connectors.exports.writers import PACKAGES, writers

log = logging.getLogger(__name__)
DAG_ID = "offline_export"
DEFAULT = "default"
RETRIES = {"retries": 2, "retry_delay": dt.timedelta(minutes=1)}


def previous_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    first_of_this = (today or dt.date.today()).replace(day=1)
    last = first_of_this - dt.timedelta(days=1)
    return last.replace(day=1), last


def form_params() -> dict[str, Param]:
    entities = read_snapshot()
    names = [e.entity for e in entities] or ["(none set up)"]
    start, end = previous_month()
    package_writers = writers()
    params: dict[str, Param] = {
        "entity": Param(names[0], type="string", enum=names, title="Company entity",
                        description="The Focus department to export; `focus-connector exports setup ENTITY "
                                    "--department …` adds one.",
                        values_display={e.entity: f"{e.department_name} ({e.entity})" for e in entities}),
        "period_from": Param(start.isoformat(), type="string", format="date", title="Period from",
                             description="First document date exported (included)."),
        "period_to": Param(end.isoformat(), type="string", format="date", title="Period to",
                           description="Last document date exported (included)."),
        "package": Param(DEFAULT, type="string", enum=[DEFAULT, *PACKAGES], title="Package",
                         description="The accounting package the files are for.",
                         values_display={DEFAULT: "The department's default (exports setup)",
                                         **{k: w.title for k, w in package_writers.items()}}),
        "vat_mode": Param("on lines", type="string", enum=["on lines"], title="VAT",
                          description="Focus calculates VAT per line; the export keeps Focus's VAT per line and "
                                      "per rate (the only mode)."),
        "export_customers": Param(True, type="boolean", title="Export customers too",
                                  description="Write the customers the documents reference as well."),
        "invoice_journal": Param(None, type=["null", "string"], title="Invoice journal code",
                                 description="Empty: the department's setting."),
        "credit_note_journal": Param(None, type=["null", "string"], title="Credit-note journal code",
                                     description="Empty: the department's setting."),
        "customer_numbers": Param(DEFAULT, type="string", enum=[DEFAULT, *CUSTOMER_NUMBER_MODES],
                                  title="Customer numbers",
                                  description="generate: sequential from the department's start (100000 by "
                                              "default); manual: imported or set by hand, a missing one is an "
                                              "error.",
                                  values_display={DEFAULT: "The department's setting", "generate": "Generate",
                                                  "manual": "Managed by hand"}),
        "approve_automatically": Param(False, type="boolean", title="Approve automatically",
                                       description="Skip the review for scheduled or scripted use: the files "
                                                   "are written and charged without anyone approving."),
    }
    for writer in package_writers.values():
        for p in writer.params:
            schema: dict[str, Any] = {"type": p.type, "title": p.title, "section": f"{writer.title} options"}
            if p.enum:
                schema["enum"] = list(p.enum)
            params[p.name] = Param(p.default, description=p.description, **schema)
    return params


def request_from(params: dict[str, Any]):
    from connectors.exports.job import ExportRequest

    def chosen(name: str) -> Any:
        value = params.get(name)
        return None if value in (DEFAULT, "", None) else value

    package_params = {p.name: params.get(p.name) for w in writers().values() for p in w.params if p.name in params}
    return ExportRequest(
        entity=params["entity"], period_from=dt.date.fromisoformat(params["period_from"]),
        period_to=dt.date.fromisoformat(params["period_to"]), package=chosen("package"),
        export_customers=bool(params.get("export_customers", True)),
        invoice_journal=chosen("invoice_journal"), credit_note_journal=chosen("credit_note_journal"),
        customer_numbers=chosen("customer_numbers"), params=package_params)


class ExportReview(ApprovalOperator):
    """The review screen. Its body is built from the state database when the task runs (the quote, the
    customers, the documents); the decision is recorded on the export before downstream tasks run."""

    def execute(self, context):
        from connectors.exports import tasks

        export_id = context["ti"].xcom_pull(task_ids="start")
        if context["params"].get("approve_automatically"):
            tasks.decide(export_id, True, "approve_automatically (trigger parameter)")
            self.log.info("Export #%s approved automatically (trigger parameter)", export_id)
            return {"chosen_options": [self.APPROVE], "responded_by_user": None}
        self.body = tasks.review(export_id)
        return super().execute(context)

    def execute_complete(self, context, event: dict[str, Any]):
        from connectors.exports import tasks

        if "error" not in event:
            export_id = context["ti"].xcom_pull(task_ids="start")
            user = event.get("responded_by_user") or {}
            who = (user.get("name") or user.get("id")) if isinstance(user, dict) else str(user)
            chosen = (event.get("chosen_options") or [""])[0]
            tasks.decide(export_id, chosen == self.APPROVE, f"{who or 'someone'} (Airflow)")
        return super().execute_complete(context, event)


DOC = """
### Offline export — files for desktop accounting packages

Exports one department's booked invoices and credit notes of a period (and their customers) as files for an
accounting package, after validation and a quote. **Review** waits for someone to approve in Required actions
(or the REST API); nothing is written or charged before. Each invoice is charged once (€0.10 by default), the
first time it is published; re-exports and credit notes are free. Files land under the exports location
(`CONNECTOR_EXPORTS_URL`); `focus-connector exports list` shows past exports.
"""


def offline_export_dag() -> DAG:
    with DAG(
        dag_id=DAG_ID,
        dag_display_name="Offline export (accounting packages)",
        schedule=None,
        start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
        catchup=False,
        is_paused_upon_creation=False,
        tags=["offline-export"],
        doc_md=DOC,
        params=form_params(),
    ) as dag:

        @task(retries=0)
        def start(**context: Any) -> int:
            from connectors.exports import tasks

            return tasks.start(request_from(dict(context["params"])), context["run_id"])

        def step(name: str, retries: int = RETRIES["retries"]):
            @task(task_id=name, retries=retries, retry_delay=RETRIES["retry_delay"])
            def run(export_id: int) -> Any:
                from connectors.exports import tasks

                return tasks.run_step(name, export_id)

            return run

        @task(retries=0)
        def report(export_id: int) -> list[str]:
            from connectors.exports import tasks

            return tasks.report(export_id)

        export_id = start()
        collect = step("collect")(export_id)
        validate = step("validate", retries=0)(export_id)
        quote = step("quote")(export_id)
        review = ExportReview(task_id="review", subject="Approve the offline export?", body="(built at run time)")
        write = step("write")(export_id)
        publish = step("publish_and_bill")(export_id)
        export_id >> collect >> validate >> quote >> review >> write >> publish >> report(export_id)
    return dag
