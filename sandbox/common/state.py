"""Everything one sandbox process keeps, opened from a single database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.config import RuntimeConfig, RuntimeSettings
from sandbox.common.faults import FaultInjector
from sandbox.common.ratelimit import SlidingWindowLimiter
from sandbox.common.requestlog import RequestLog
from sandbox.common.store import Meta
from sandbox.common.tokens import TokenStore


@dataclass(frozen=True)
class ClientCredentials:
    """The one OAuth client (integration) the sandbox knows."""

    client_id: str
    client_secret: str


class SandboxState:
    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        client: ClientCredentials,
        defaults: RuntimeSettings,
        overrides: dict[str, Any],
    ) -> None:
        self.db = db
        self.client = client
        self.meta = Meta(db)
        self.clock = Clock(self.meta)
        self.config = RuntimeConfig(self.meta, defaults, overrides)
        self.tokens = TokenStore(db, self.clock, self.config)
        self.limiter = SlidingWindowLimiter(self.config)
        self.faults = FaultInjector(db)
        self.log = RequestLog(db)

    def wipe_runtime(self) -> None:
        """Forget tokens, faults, the log, clock moves, config changes and rate windows."""
        self.tokens.clear()
        self.faults.clear()
        self.log.clear()
        self.clock.set_offset(0.0)
        self.config.reset()
        self.limiter.clear()
