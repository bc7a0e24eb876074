"""What clients sent and got back, for tests to assert on (``/_sandbox/requests``).

One small INSERT per request in autocommit/WAL mode keeps this cheap. Bodies
(and, in ``path``, query strings) are stored for API calls only; OAuth calls
carry secrets and are logged without either, and tokens never reach the log. A request that arrived
before the log was cleared (say, one still stalled by a ``slow`` fault) is
not logged when it finishes, so it cannot leak into the next test's log. Bodies keep
their numbers exactly (``exactjson``): an amount sent as 149382714704938.26 is logged so.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.common import exactjson

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL, endpoint TEXT NOT NULL,
    status INTEGER NOT NULL, client_id TEXT, body TEXT, injected TEXT, duration_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_endpoint ON requests (endpoint, id);
"""


@dataclass(frozen=True)
class LogEntry:
    at: str
    method: str
    path: str
    endpoint: str
    status: int
    client_id: str | None
    body: Any
    injected: str | None
    duration_ms: float


class RequestLog:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db
        self._generation = 0
        db.executescript(_SCHEMA)

    @property
    def generation(self) -> int:
        """Changes on every clear; take it when a request arrives, pass it to ``record``."""
        return self._generation

    def record(self, entry: LogEntry, generation: int) -> None:
        if generation != self._generation:
            return
        body = None if entry.body is None else exactjson.dumps(entry.body)
        self._db.execute(
            "INSERT INTO requests (at, method, path, endpoint, status, client_id, body, injected, duration_ms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.at, entry.method, entry.path, entry.endpoint, entry.status, entry.client_id, body,
             entry.injected, round(entry.duration_ms, 3)),
        )

    def entries(self, since_id: int = 0, endpoint: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM requests WHERE id > ?"
        params: list[Any] = [since_id]
        if endpoint is not None:
            sql += " AND endpoint = ?"
            params.append(endpoint)
        cursor = self._db.execute(sql + " ORDER BY id", params)
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor]
        for row in rows:
            row["body"] = None if row["body"] is None else exactjson.loads(row["body"])
        return rows

    def clear(self) -> None:
        self._generation += 1
        self._db.execute("DELETE FROM requests")
