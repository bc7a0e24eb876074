"""Exact's two rate limits per (client id, division): a sliding minutely window and a daily quota.

A refused request counts against neither. The limiter also carries the
(optional) error budget, so ``DELETE /_sandbox/ratelimit`` empties all three. When the daily quota is spent,
the 429 carries both header sets; when only the minutely window is full
(or a ``rate_limit`` fault fires), only the minutely headers, as the real
service does. The daily quota resets at midnight UTC on the sandbox clock
and, like the window, lives in memory (a restart starts afresh).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.common.config import RuntimeConfig
from sandbox.common.ratelimit import RateDecision, SlidingWindowLimiter
from sandbox.exact_online.errorbudget import ErrorBudget

DAY = 86400.0


@dataclass(frozen=True)
class ExactDecision:
    allowed: bool
    minutely: RateDecision
    #: None when the minutely limit refused: then only the minutely headers are sent.
    daily: RateDecision | None


class DailyQuota:
    def __init__(self, config: RuntimeConfig[Any]) -> None:
        self._config = config
        self._counts: dict[str, tuple[int, int]] = {}

    def _used(self, key: str | None, now: float) -> tuple[int, int]:
        day = int(now // DAY)
        counted_day, used = self._counts.get(key or "", (day, 0))
        return day, used if counted_day == day else 0

    def peek(self, key: str | None, now: float) -> RateDecision:
        limit = self._config.current.daily_limit
        day, used = self._used(key, now)
        return RateDecision(used < limit, limit, max(0, limit - used), (day + 1) * DAY)

    def hit(self, key: str, now: float) -> RateDecision:
        day, used = self._used(key, now)
        self._counts[key] = (day, used + 1)
        return self.peek(key, now)

    def clear(self) -> None:
        self._counts.clear()


class ExactLimiter:
    def __init__(self, config: RuntimeConfig[Any]) -> None:
        self._minutely = SlidingWindowLimiter(config, limit_field="minutely_limit")
        self._daily = DailyQuota(config)
        self.errors = ErrorBudget(config)

    def hit(self, key: str, now: float) -> ExactDecision:
        daily = self._daily.peek(key, now)
        if not daily.allowed:
            return ExactDecision(False, self._minutely.peek(key, now), daily)
        minutely = self._minutely.hit(key, now)
        if not minutely.allowed:
            return ExactDecision(False, minutely, None)
        return ExactDecision(True, minutely, self._daily.hit(key, now))

    def peek(self, key: str | None, now: float) -> ExactDecision:
        return ExactDecision(True, self._minutely.peek(key, now), self._daily.peek(key, now))

    def throttled(self, retry_at: float) -> ExactDecision:
        return ExactDecision(False, self._minutely.throttled(retry_at), None)

    def clear(self) -> None:
        self._minutely.clear()
        self._daily.clear()
        self.errors.clear()
