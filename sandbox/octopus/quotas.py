"""Octopus's per-endpoint daily quotas: the limiter the shared gate consults.

Counted per (dossier, operation) for dossier-scoped calls and per (user,
operation) for the authentication and dossier calls, per calendar day in
Europe/Brussels on the sandbox clock. Every call that gets past the token
check counts, failed ones included (a login with a wrong password is charged
to the user it names); a call over quota is refused with 429 ErrorResult -99
"Maximum allowed calls per day exceeded (<limit>)" (``technicalInfo``: the
operation), is not executed and not counted. With ``enforce_quotas`` off,
calls are counted but never refused.

Counters are persisted (a restart does not hand out a fresh quota, as it
would not on the real service); ``DELETE /_sandbox/ratelimit`` empties them.
The gate's key is ``<user>|<scope>``; ``scope()`` builds the scope.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.common.config import RuntimeConfig
from sandbox.octopus.errors import QUOTA_EXCEEDED, OctopusError
from sandbox.octopus.wire import brussels_day

#: Operation (request-log endpoint, fault endpoint) -> calls per day.
QUOTAS = {
    "authentication": 150,
    "authentication.whoami": 150,
    "dossiers.list": 150,
    "dossiers.token": 150,
    "bookyears": 24,
    "journals": 24,
    "accounts": 2,
    "vatcodes": 2,
    "relations.list": 2,
    "relations.search": 400,
    "relations.put": 400,
    "relations.modified": 48,
    "buysellbookings.post": 400,
    "buysellbookings.get": 10,
    "buysellbookings.put": 10,
    "buysellbookings.modified": 48,
    "reports.clients.open": 24,
    "reports.suppliers.open": 24,
    "balancings.modified": 48,
    "error": 100,
}
DOSSIER_SCOPED = tuple(op for op in QUOTAS if op.split(".")[0] not in ("authentication", "dossiers", "error"))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS quota_counts (
    day TEXT NOT NULL, owner TEXT NOT NULL, operation TEXT NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (day, owner, operation)
);
"""


def scope(operation: str, dossier: int | None = None) -> str:
    """The gate's ``rate_scope``: the operation, and the dossier it is counted against."""
    return operation if dossier is None else f"{operation}@{dossier}"


def _counter(key: str) -> tuple[str, str]:
    """``user|operation[@dossier]`` -> (owner, operation); a dossier's calls count whoever makes them."""
    user, _, rest = key.partition("|")
    operation, _, dossier = rest.partition("@")
    return (f"dossier:{dossier}" if dossier else f"user:{user or '(anonymous)'}"), operation


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    operation: str
    limit: int | None
    used: int

    @property
    def error(self) -> OctopusError | None:
        """How the gate answers a refusal."""
        if self.allowed:
            return None
        return OctopusError(429, QUOTA_EXCEEDED, f"Maximum allowed calls per day exceeded ({self.limit})",
                            self.operation)


class Quotas:
    def __init__(self, config: RuntimeConfig[Any], db: sqlite3.Connection) -> None:
        self._config = config
        self._db = db
        db.executescript(_SCHEMA)

    def _used(self, day: str, owner: str, operation: str) -> int:
        row = self._db.execute("SELECT used FROM quota_counts WHERE day = ? AND owner = ? AND operation = ?",
                               (day, owner, operation)).fetchone()
        return 0 if row is None else int(row[0])

    def hit(self, key: str, now: float) -> QuotaDecision:
        owner, operation = _counter(key)
        day = brussels_day(now).isoformat()
        limit = QUOTAS.get(operation)
        used = self._used(day, owner, operation)
        if limit is not None and used >= limit and self._config.current.enforce_quotas:
            return QuotaDecision(False, operation, limit, used)
        self._db.execute(
            "INSERT INTO quota_counts (day, owner, operation, used) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, owner, operation) DO UPDATE SET used = used + 1",
            (day, owner, operation),
        )
        return QuotaDecision(True, operation, limit, used + 1)

    def peek(self, key: str | None, now: float) -> QuotaDecision:
        if key is None:
            return QuotaDecision(True, "", None, 0)
        owner, operation = _counter(key)
        used = self._used(brussels_day(now).isoformat(), owner, operation)
        limit = QUOTAS.get(operation)
        return QuotaDecision(limit is None or used < limit, operation, limit, used)

    def throttled(self, retry_at: float) -> QuotaDecision:
        return QuotaDecision(False, "", None, 0)

    def clear(self) -> None:
        self._db.execute("DELETE FROM quota_counts")

    def usage(self, now: float, dossier: int | None = None) -> list[dict[str, Any]]:
        """Today's counters: every dossier-scoped operation of ``dossier`` (used 0 included), or,
        without one, every counter used today (user-level rows have ``dossier`` null and a ``user``)."""
        day = brussels_day(now).isoformat()
        if dossier is not None:
            return [{"operation": op, "dossier": dossier, "used": self._used(day, f"dossier:{dossier}", op),
                     "limit": QUOTAS[op]} for op in DOSSIER_SCOPED]
        rows = []
        for owner, operation, used in self._db.execute(
                "SELECT owner, operation, used FROM quota_counts WHERE day = ? ORDER BY owner, operation", (day,)):
            kind, _, name = owner.partition(":")
            row: dict[str, Any] = {"operation": operation, "dossier": int(name) if kind == "dossier" else None,
                                   "used": used, "limit": QUOTAS.get(operation)}
            if kind == "user":
                row["user"] = name
            rows.append(row)
        return rows
