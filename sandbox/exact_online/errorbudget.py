"""Exact's error budget (off unless ``error_limit`` > 0): too many failed calls block an endpoint.

The real service blocks an app for an hour after 10 answers of 400, 401,
403 or 404 per user, division and endpoint within an hour. The sandbox
counts the 400/403/404 answers a known client gets per (client, division,
endpoint) in a sliding hour; at ``error_limit`` such errors that endpoint
answers 429 for the client until the oldest error is an hour old. 401s are
not counted: without a valid token there is no client to charge. Kept in
memory, like the rate windows, and emptied with them.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from sandbox.common.config import RuntimeConfig

HOUR = 3600.0
COUNTED = (400, 403, 404)
BLOCKED_MESSAGE = "Too many errors on this endpoint: blocked for up to an hour."


class ErrorBudget:
    def __init__(self, config: RuntimeConfig[Any]) -> None:
        self._config = config
        self._errors: dict[tuple[str, str, str], deque[float]] = {}

    def _recent(self, key: tuple[str, str, str], now: float) -> deque[float]:
        errors = self._errors.setdefault(key, deque())
        while errors and errors[0] <= now - HOUR:
            errors.popleft()
        return errors

    def blocked(self, key: tuple[str, str, str], now: float) -> bool:
        limit = self._config.current.error_limit
        return limit > 0 and len(self._recent(key, now)) >= limit

    def record(self, key: tuple[str, str, str], status: int, now: float) -> None:
        if self._config.current.error_limit > 0 and status in COUNTED:
            self._recent(key, now).append(now)

    def clear(self) -> None:
        self._errors.clear()
