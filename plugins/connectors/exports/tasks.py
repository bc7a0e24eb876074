"""Production wiring for the offline-export DAG's tasks: the state database and Focus, then one step.

A user's data or settings that stop an export (validation problems, a refused file) end the task red with
the list logged at ERROR, one line each, and no traceback (``ExportStopped``); an unexpected failure marks
the export failed — nothing published, nothing charged — and lets Airflow retry the step.
"""

from __future__ import annotations

import logging
from typing import Any

from connectors.exports import job, summaries
from connectors.focus.connection import focus_client
from connectors.state.db import make_engine, migrate

log = logging.getLogger(__name__)


class ExportStopped(SystemExit):
    """The export stops because of the user's data or settings: a verdict, not a crash (logged above)."""


def _engine():
    engine = make_engine()
    migrate(engine)
    return engine


def run_step(name: str, export_id: int, **kwargs: Any) -> Any:
    engine = _engine()
    try:
        if name == "collect":
            return job.collect(engine, lambda: focus_client(engine), export_id)
        return getattr(job, name)(engine, export_id, **kwargs)
    except job.ExportRefused as refused:
        log.error("%s", refused.summary)
        for line in refused.lines:
            log.error("- %s", line)
        if name in ("write", "publish_and_bill"):
            job.fail(engine, export_id, refused.summary)
        raise ExportStopped(f"{refused.summary} (listed above)") from None


def start(request: job.ExportRequest, run_ref: str) -> int:
    try:
        return job.start(_engine(), request, run_ref)
    except (job.ExportRefused, LookupError) as exc:
        log.error("%s", exc)
        raise ExportStopped(str(exc)) from None


def review(export_id: int) -> str:
    return summaries.review_markdown(_engine(), export_id)


def decide(export_id: int, approved: bool, by: str) -> None:
    engine = _engine()
    (job.approve if approved else job.reject)(engine, export_id, by)


def report(export_id: int) -> list[str]:
    lines = summaries.report(_engine(), export_id)
    for line in lines:
        log.info("%s", line)
    return lines
