"""Progress lines of long steps: a line each tenth of a known total, at least every 30 seconds, a final line."""

from __future__ import annotations

import logging

from connectors.progress import Progress

log = logging.getLogger("tests.progress")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == log.name]


def test_a_known_total_logs_each_tenth_with_its_counts_then_a_final_line(caplog):
    caplog.set_level(logging.INFO, logger=log.name)
    clock = Clock()
    progress = Progress(log, "documents to Exact Online", total=200, clock=clock)
    for n in range(200):
        clock.now += 0.01
        progress.step(outcome="refused" if n % 10 == 0 else "booked")
    progress.finish()
    found = lines(caplog)
    assert len(found) == 10  # 10% … 90%, then the final line
    assert found[0] == "documents to Exact Online: 20/200 (10%) — refused 2, booked 18 — 0s"
    assert found[4].startswith("documents to Exact Online: 100/200 (50%) — refused 10, booked 90")
    assert found[-1] == "documents to Exact Online: 200/200 (100%), done — refused 20, booked 180 — 2s"


def test_a_slow_step_logs_at_least_every_30_seconds(caplog):
    caplog.set_level(logging.INFO, logger=log.name)
    clock = Clock()
    progress = Progress(log, "documents recorded", unit="documents", clock=clock)
    for _ in range(12):  # one document every 10 s: a line at the first, then every 30 s
        clock.now += 10
        progress.step(outcome="sales_invoice")
    assert lines(caplog) == [
        "documents recorded: 1 documents so far — sales invoice 1 — 10s",
        "documents recorded: 4 documents so far — sales invoice 4 — 40s",
        "documents recorded: 7 documents so far — sales invoice 7 — 70s",
        "documents recorded: 10 documents so far — sales invoice 10 — 100s",
    ]


def test_counts_between_steps_also_log_when_30_seconds_passed(caplog):
    """Calls between pages (one .info per document where Focus ignores includes) keep the log moving."""
    caplog.set_level(logging.INFO, logger=log.name)
    clock = Clock()
    progress = Progress(log, "Focus invoices.list", unit="pages read", clock=clock)
    progress.step()
    for _ in range(7):
        clock.now += 5
        progress.count("invoices.info read")
    assert lines(caplog)[-1] == "Focus invoices.list: 1 pages read so far — invoices.info read 6 — 30s"


def test_a_small_total_logs_only_its_final_line(caplog):
    caplog.set_level(logging.INFO, logger=log.name)
    progress = Progress(log, "parties to Octopus", total=5, clock=Clock())
    for _ in range(5):
        progress.step(outcome="created")
    progress.finish()
    assert lines(caplog) == ["parties to Octopus: 5/5 (100%), done — created 5 — 0s"]
