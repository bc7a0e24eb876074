"""The daily web-service call cap per domain: the limiter the shared gate consults.

Yuki documents a cap of 1,000 calls per domain per day (more with paid
features) but not what happens past it (SILENT). The sandbox decides: every
SOAP call whose caller is known counts against that caller's domain —
``Authenticate`` included (the access key names the domain), failed calls
included; a call refused at authentication (unknown access key, lapsed
session) or over the cap does not count. Past ``daily_limit`` a call is not
executed and answers HTTP 500 ``soap:Server`` "The maximum number of web
service calls for today (<limit>) has been reached". Days are calendar days
in Europe/Amsterdam on the sandbox clock. Counts are kept per operation and
persisted (a restart hands out no fresh quota); ``DELETE /_sandbox/ratelimit``
empties them. The gate's key is ``<domain>|<operation>``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.common.config import RuntimeConfig
from sandbox.yuki.soap import SoapFault

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS yuki_call_counts (
    day TEXT NOT NULL, domain TEXT NOT NULL, operation TEXT NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (day, domain, operation)
);
"""


def local_day(ts: float) -> dt.date:
    return dt.datetime.fromtimestamp(ts, AMSTERDAM).date()


def cap_fault(limit: int) -> SoapFault:
    return SoapFault(f"The maximum number of web service calls for today ({limit}) has been reached")


@dataclass(frozen=True)
class CapDecision:
    allowed: bool
    limit: int
    used: int

    @property
    def error(self) -> SoapFault | None:
        """How the gate answers a refusal."""
        return None if self.allowed else cap_fault(self.limit)


class DailyCap:
    def __init__(self, config: RuntimeConfig[Any], db: sqlite3.Connection) -> None:
        self._config = config
        self._db = db
        db.executescript(_SCHEMA)

    @property
    def limit(self) -> int:
        return int(self._config.current.daily_limit)

    def used(self, day: str, domain: str) -> int:
        row = self._db.execute("SELECT SUM(used) FROM yuki_call_counts WHERE day = ? AND domain = ?",
                               (day, domain)).fetchone()
        return int(row[0] or 0)

    def hit(self, key: str, now: float) -> CapDecision:
        domain, _, operation = key.partition("|")
        day = local_day(now).isoformat()
        used = self.used(day, domain)
        if used >= self.limit:
            return CapDecision(False, self.limit, used)
        self._db.execute(
            "INSERT INTO yuki_call_counts (day, domain, operation, used) VALUES (?, ?, ?, 1) "
            "ON CONFLICT (day, domain, operation) DO UPDATE SET used = used + 1", (day, domain, operation))
        return CapDecision(True, self.limit, used + 1)

    def peek(self, key: str | None, now: float) -> CapDecision:
        if key is None:
            return CapDecision(True, self.limit, 0)
        used = self.used(local_day(now).isoformat(), key.partition("|")[0])
        return CapDecision(used < self.limit, self.limit, used)

    def throttled(self, retry_at: float) -> CapDecision:
        return CapDecision(False, self.limit, self.limit)

    def clear(self) -> None:
        self._db.execute("DELETE FROM yuki_call_counts")

    def usage(self, now: float, domains: dict[str, str]) -> list[dict[str, Any]]:
        """Today's count per domain (``domains``: id -> name), with the calls per operation."""
        day = local_day(now).isoformat()
        rows = []
        for domain, name in domains.items():
            operations = dict(self._db.execute(
                "SELECT operation, used FROM yuki_call_counts WHERE day = ? AND domain = ? ORDER BY operation",
                (day, domain)).fetchall())
            used = sum(operations.values())
            rows.append({"domain": domain, "name": name, "day": day, "used": used, "limit": self.limit,
                         "remaining": max(0, self.limit - used), "operations": operations})
        return rows
