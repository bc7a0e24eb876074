"""A fault campaign: many syncs of one entity under randomly drawn faults, then the books are checked.

Each round draws (from one seeded ``random.Random``) a set of faults — 5xx answers, 429 bursts, a booking or
party create that commits and then times out, access tokens that expire, a worker killed right after the tool
committed, a second worker syncing at the same moment — injects them through the sandboxes' fault API, runs
the sync(s), and lets whatever failed fail. After the last round the faults go, the leases run out, and two
clean syncs settle what was left in flight. The verdict comes from the tool sandbox, not from the connector:
every document the clean sync does not refuse is booked exactly once, and no party was created twice.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import update

from connectors.state import clock
from connectors.state.claims import Claims
from connectors.state.db import write_transaction
from connectors.state.models import DocumentRecord, PartyRecord
from connectors.tasks import production_env

ERROR_STATUSES = (500, 502, 503)


@dataclass
class Round:
    number: int
    tool_faults: list[dict] = field(default_factory=list)
    focus_faults: list[dict] = field(default_factory=list)
    kill_after: int | None = None  # the worker dies after this many committed posts
    concurrent: bool = False
    outcome: str = ""

    def describe(self) -> str:
        parts = [f"{f['kind']}@{f.get('method', '')}{f['endpoint']}" for f in self.tool_faults + self.focus_faults]
        if self.kill_after is not None:
            parts.append(f"kill after {self.kill_after} posts")
        if self.concurrent:
            parts.append("two workers")
        return f"round {self.number}: {', '.join(parts) or 'no faults'} → {self.outcome}"


def draw(rng: random.Random, number: int, tool) -> Round:
    """One round's faults; every kind appears often over a campaign of a few rounds."""
    plan = Round(number)
    seed = rng.randrange(1_000_000)
    if rng.random() < 0.5:
        plan.tool_faults.append({"endpoint": rng.choice(tool.chaos_endpoints), "kind": "error",
                                 "status": rng.choice(ERROR_STATUSES), "probability": 0.15, "seed": seed})
    if rng.random() < 0.35:
        plan.tool_faults.append({"endpoint": rng.choice(tool.chaos_endpoints), "kind": "rate_limit",
                                 "count": rng.randint(1, 3), "retry_after_seconds": 0.2})
    if rng.random() < 0.4:
        plan.tool_faults.append(tool.chaos_commit_then_timeout(rng))
    if rng.random() < 0.25:
        plan.tool_faults.append(tool.chaos_party_commit_then_timeout())
    if rng.random() < 0.3:
        plan.tool_faults.append({"endpoint": rng.choice(tool.chaos_endpoints), "kind": "expire_tokens",
                                 "count": 1})
    if rng.random() < 0.3:
        plan.focus_faults.append({"endpoint": rng.choice(["invoices.list", "creditNotes.list", "expenses.list",
                                                          "companies.list"]),
                                  "kind": rng.choice(["error", "rate_limit"]), "count": rng.randint(1, 2),
                                  "status": 503, "retry_after_seconds": 0.2})
    if rng.random() < 0.3:
        plan.kill_after = rng.randint(0, 4)
    plan.concurrent = rng.random() < 0.3
    return plan


class Killer:
    """Kills the worker (SystemExit) right after the tool committed its ``n``-th post, once."""

    def __init__(self, after: int):
        self.after = after
        self.lock = threading.Lock()
        self.posts = 0
        self.fired = False


class Leases:
    """When a worker died, its leases run out before the next round (written into the claims, so the clock — and
    with it the reconciliation cursor — stays true however many rounds a campaign has)."""

    def __init__(self, engine):
        self.engine = engine

    def run_out(self) -> None:
        past = clock.now() - dt.timedelta(seconds=1)
        with write_transaction(self.engine) as connection:
            for table in (DocumentRecord.__table__, PartyRecord.__table__):
                connection.execute(update(table).where(table.c.claim_expires_at.is_not(None))
                                   .values(claim_expires_at=past))


def run_round(plan: Round, engine, entity: str, tool, tool_sandbox, focus, sync, monkeypatch, leases: Leases) -> None:
    for fault in plan.tool_faults:
        tool_sandbox.add_fault(**fault)
    for fault in plan.focus_faults:
        focus.add_fault(**fault)
    original = Claims.booked
    killer = Killer(plan.kill_after) if plan.kill_after is not None else None

    if killer is not None:
        def booked_or_die(self, claim, ref):
            with killer.lock:
                if not killer.fired and killer.posts >= killer.after:
                    killer.fired = True
                    raise SystemExit("worker killed after the tool committed")
                killer.posts += 1
            return original(self, claim, ref)

        monkeypatch.setattr(Claims, "booked", booked_or_die)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            _, _, failure = sync(production_env(entity, engine))
            outcomes.append("red" if failure else "green")
        except BaseException as exc:  # noqa: BLE001 - a fault is allowed to stop a run; the books are judged
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=worker) for _ in range(2 if plan.concurrent else 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    monkeypatch.setattr(Claims, "booked", original)
    tool_sandbox.clear_faults()
    focus.clear_faults()
    plan.outcome = "/".join(outcomes)
    if killer is not None and killer.fired:
        leases.run_out()


def duplicated(counter: Counter) -> list:
    return [key for key, count in counter.items() if count > 1]
