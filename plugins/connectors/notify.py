"""Telling the data team by mail when an entity's run fails, through the connector's SMTP connection.

One Airflow connection (``CONNECTOR_SMTP_CONN_ID``, ``connector_smtp`` by
default) carries the data team's run-failure mail: host, port,
login/password, and in its extra ``from``, ``to`` (comma separated) and
``starttls`` (true/false). (Payment digests go to the users who asked for
them, through ``smtp_default`` or the integration's own connection:
``connectors.payments.notifications``.) Without that connection
nothing is sent and nothing fails: mail is an addition to the Airflow UI,
never a reason for a red run.
"""

from __future__ import annotations

import logging
import os
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from connectors.connections import ConnectionInfo, ConnectionMissing, get_connection

log = logging.getLogger(__name__)
SMTP_TIMEOUT_SECONDS = 30


def smtp_conn_id() -> str:
    return os.environ.get("CONNECTOR_SMTP_CONN_ID", "connector_smtp")


@dataclass(frozen=True)
class RunFailure:
    entity: str
    dag_id: str
    run_id: str
    reason: str
    problems: Sequence[str] = ()
    url: str | None = None


def message_for(failure: RunFailure, sender: str, recipients: Sequence[str]) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"[Focus Accounting Connector] {failure.entity}: sync run failed"
    mail["From"] = sender
    mail["To"] = ", ".join(recipients)
    lines = [f"The accounting sync of {failure.entity} failed.", "",
             f"DAG: {failure.dag_id}", f"Run: {failure.run_id}", f"Reason: {failure.reason}"]
    if failure.url:
        lines.append(f"In Airflow: {failure.url}")
    if failure.problems:
        lines += ["", "What needs attention:", *(f"- {problem}" for problem in failure.problems)]
    lines += ["", f"All open problems: focus-connector integrations status {failure.entity}"]
    mail.set_content("\n".join(lines) + "\n")
    return mail


def send(failure: RunFailure, conn: ConnectionInfo | None = None) -> bool:
    """Mail the failure; False (and a log line) when no SMTP connection is configured."""
    if conn is None:
        try:
            conn = get_connection(smtp_conn_id())
        except ConnectionMissing:
            log.info("No SMTP connection %r: the failure of %s is not mailed", smtp_conn_id(), failure.entity)
            return False
    recipients = [r.strip() for r in str(conn.extra.get("to", "")).split(",") if r.strip()]
    if not recipients:
        log.warning("SMTP connection %r has no recipients (extra \"to\"): the failure of %s is not mailed",
                    conn.conn_id, failure.entity)
        return False
    sender = str(conn.extra.get("from") or "focus-connector@localhost")
    with smtplib.SMTP(conn.host, conn.port or 25, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if str(conn.extra.get("starttls", "false")).lower() == "true":
            smtp.starttls()
        if conn.login:
            smtp.login(conn.login, conn.password)
        smtp.send_message(message_for(failure, sender, recipients))
    log.info("Mailed the failure of %s to %s", failure.entity, ", ".join(recipients))
    return True


def _problems(entity: str, limit: int = 10) -> list[str]:
    """The failed run's first errors from the state database, when it can be read."""
    try:
        from connectors.state.db import make_engine
        from connectors.state.runs import RunLog

        runs = RunLog(make_engine())
        run_id = runs.latest(entity)
        return [] if run_id is None else [e.message.splitlines()[0] for e in runs.errors(run_id)[:limit]]
    except Exception:  # noqa: BLE001 - the mail goes out without the list rather than not at all
        log.warning("Could not read %s's problems for the failure mail", entity, exc_info=True)
        return []


class RunFailedNotifier:
    """A DAG's ``on_failure_callback``: mails the data team; a no-op without an SMTP connection.

    A plain callable rather than Airflow's ``BaseNotifier``: that one renders templates with the DAG's
    template environment, which the DAG-level callback's serialized DAG does not have in Airflow 3.3."""

    def __init__(self, entity: str):
        self.entity = entity

    def __call__(self, context: dict[str, Any]) -> None:
        self.notify(context)

    def notify(self, context: dict[str, Any]) -> None:
        dag_run = context.get("dag_run")
        failure = RunFailure(
            entity=self.entity,
            dag_id=getattr(dag_run, "dag_id", None) or f"accounting_sync__{self.entity}",
            run_id=getattr(dag_run, "run_id", "?"),
            reason=str(context.get("reason") or "a task failed"),
            problems=_problems(self.entity),
        )
        try:
            send(failure)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("Could not mail the failure of %s: %s", self.entity, exc)
