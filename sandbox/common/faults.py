"""Fault injection: make chosen endpoints fail, throttle, stall, drop tokens or time out after committing.

Rules persist in the database; each probabilistic rule draws from its own
seeded RNG so a test run is reproducible. A rule with ``count`` fires for the
next *count* matching requests and then stays listed with ``remaining: 0``.
"""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from typing import Any

KINDS = ("error", "rate_limit", "slow", "expire_tokens", "commit_then_delay")
#: Kinds that answer the request themselves: no later rule sees that request.
TERMINAL_KINDS = ("error", "rate_limit")

_SCHEMA = "CREATE TABLE IF NOT EXISTS faults (id INTEGER PRIMARY KEY AUTOINCREMENT, rule TEXT NOT NULL)"


@dataclass
class FaultRule:
    id: int
    endpoint: str
    kind: str
    #: Only requests of this HTTP method (``POST``), when given: a write fault that reads leave alone.
    method: str | None = None
    status: int = 503
    title: str | None = None
    retry_after_seconds: float = 1.0
    delay_seconds: float = 0.0
    probability: float | None = None
    count: int | None = None
    remaining: int | None = None
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def as_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.init}

    def fires(self, endpoint: str, method: str | None = None) -> bool:
        """Decide (and consume) whether this rule applies to one request."""
        if self.remaining == 0 or not fnmatchcase(endpoint, self.endpoint):
            return False
        if self.method is not None and method is not None and method.upper() != self.method:
            return False
        if self.probability is not None and self._rng.random() >= self.probability:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


def _parse_rule(spec: dict[str, Any]) -> dict[str, Any]:
    """Validate an admin request into FaultRule fields; raises ValueError."""
    allowed = {"endpoint", "kind", "method", "status", "title", "retry_after_seconds", "delay_seconds",
               "probability", "count", "seed"}
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown fault fields: {sorted(unknown)}")
    if spec.get("kind") not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    if not isinstance(spec.get("endpoint", "*"), str):
        raise ValueError("endpoint must be a string such as 'invoices.list' or '*'")
    method = spec.get("method")
    if method is not None and not (isinstance(method, str) and method.upper() in ("GET", "POST", "PUT", "DELETE")):
        raise ValueError("method must be GET, POST, PUT or DELETE")
    if method is not None:
        spec = {**spec, "method": method.upper()}
    probability = spec.get("probability")
    if probability is not None and not (isinstance(probability, (int, float)) and 0 <= probability <= 1):
        raise ValueError("probability must be between 0 and 1")
    count = spec.get("count")
    if count is not None and not (isinstance(count, int) and count >= 1):
        raise ValueError("count must be a positive integer")
    status = spec.get("status", 503)
    if not (isinstance(status, int) and 400 <= status <= 599):
        raise ValueError("status must be an HTTP error status")
    for key in ("retry_after_seconds", "delay_seconds"):
        if not isinstance(spec.get(key, 0), (int, float)) or spec.get(key, 0) < 0:
            raise ValueError(f"{key} must be a non-negative number")
    return {"endpoint": "*", **spec, "remaining": count}


class FaultInjector:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        db.execute(_SCHEMA)
        self._rules = [
            FaultRule(id=row[0], **json.loads(row[1]))
            for row in db.execute("SELECT id, rule FROM faults ORDER BY id")
        ]

    def add(self, spec: dict[str, Any]) -> FaultRule:
        values = _parse_rule(spec)
        cursor = self._db.execute("INSERT INTO faults (rule) VALUES (?)", (json.dumps(values),))
        rule = FaultRule(id=int(cursor.lastrowid or 0), **values)
        self._rules.append(rule)
        return rule

    def rules(self) -> list[FaultRule]:
        return list(self._rules)

    def remove(self, rule_id: int) -> bool:
        before = len(self._rules)
        self._rules = [r for r in self._rules if r.id != rule_id]
        self._db.execute("DELETE FROM faults WHERE id = ?", (rule_id,))
        return len(self._rules) < before

    def clear(self) -> None:
        self._rules = []
        self._db.execute("DELETE FROM faults")

    def draw(self, endpoint: str, kinds: Collection[str], method: str | None = None) -> list[FaultRule]:
        """The rules of ``kinds`` that fire for one request, in the order they were added.

        The gate draws per stage (see ``sandbox.common.gate``), so a rule is
        only consumed by a request that reached the stage where it acts.
        """
        fired = []
        for rule in self._rules:
            if rule.kind in kinds and rule.fires(endpoint, method):
                fired.append(rule)
                if rule.kind in TERMINAL_KINDS:
                    break
        for rule in fired:
            if rule.remaining is not None:
                stored = {k: v for k, v in rule.as_json().items() if k != "id"}
                self._db.execute("UPDATE faults SET rule = ? WHERE id = ?", (json.dumps(stored), rule.id))
        return fired
