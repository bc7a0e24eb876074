"""Everything one sandbox process keeps, opened from a single database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sandbox.common.clock import Clock
from sandbox.common.config import RuntimeConfig
from sandbox.common.faults import FaultInjector
from sandbox.common.ratelimit import Limiter, SlidingWindowLimiter
from sandbox.common.requestlog import RequestLog
from sandbox.common.store import Meta
from sandbox.common.tokens import DEFAULT_RULES, TokenRules, TokenStore


@dataclass(frozen=True)
class ClientCredentials:
    """The one OAuth client (integration) the sandbox knows."""

    client_id: str
    client_secret: str


class SandboxState:
    """``defaults`` is the service's settings dataclass with production values;
    ``limiter`` builds its rate limiter (Focus: one sliding window per client);
    ``tokens`` is the token store class (a subclass keeps a vendor's own
    credentials, such as Octopus's session tokens, where faults and the admin
    API expire and wipe them)."""

    def __init__(
        self,
        db: sqlite3.Connection,
        *,
        client: ClientCredentials,
        defaults: Any,
        overrides: dict[str, Any],
        token_rules: TokenRules = DEFAULT_RULES,
        limiter: Callable[[RuntimeConfig[Any]], Limiter] = SlidingWindowLimiter,
        tokens: type[TokenStore] = TokenStore,
    ) -> None:
        self.db = db
        self.client = client
        self.meta = Meta(db)
        self.clock = Clock(self.meta)
        self.config: RuntimeConfig[Any] = RuntimeConfig(self.meta, defaults, overrides)
        self.tokens = tokens(db, self.clock, self.config, token_rules)
        self.limiter = limiter(self.config)
        self.faults = FaultInjector(db)
        self.log = RequestLog(db)
        #: Set by ``oauth_router``; ``/_sandbox/health`` tells the runner where consent starts.
        self.authorize_path: str | None = None

    def wipe_runtime(self) -> None:
        """Forget tokens, faults, the log, clock moves, config changes and rate windows."""
        self.tokens.clear()
        self.faults.clear()
        self.log.clear()
        self.clock.set_offset(0.0)
        self.config.reset()
        self.limiter.clear()
