"""Sliding-window rate limiter, and the interface every sandbox's limiter offers the gate.

Kept in memory: it is traffic shaping, not data, and a restart starting with
an empty window is what a real gateway does too. Rejected requests are not
counted, so a client that backs off recovers exactly one window after its
oldest counted request.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any, Protocol

from sandbox.common.config import RuntimeConfig


class Decision(Protocol):
    """What a limiter decided; the service's ``ApiPolicy`` renders it as headers."""

    @property
    def allowed(self) -> bool: ...


class Limiter(Protocol):
    def hit(self, key: str, now: float) -> Decision:
        """Count one request for ``key`` unless that would exceed a limit."""
        ...

    def peek(self, key: str | None, now: float) -> Decision:
        """The state for ``key`` without counting (unknown key: untouched budget)."""
        ...

    def throttled(self, retry_at: float) -> Decision:
        """A refusal a ``rate_limit`` fault injects: nothing left until ``retry_at``."""
        ...

    def clear(self) -> None: ...


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    #: When the oldest counted request leaves the window; when rejected, the
    #: earliest moment a request will be accepted again.
    reset_at: float


class SlidingWindowLimiter:
    """``limit_field`` names the config setting that holds the limit (``rate_limit`` for Focus)."""

    def __init__(self, config: RuntimeConfig[Any], limit_field: str = "rate_limit") -> None:
        self._config = config
        self._limit_field = limit_field
        self._hits: dict[str, deque[float]] = {}

    def _limits(self) -> tuple[int, float]:
        settings = self._config.current
        return int(getattr(settings, self._limit_field)), float(settings.rate_window_seconds)

    def hit(self, key: str, now: float) -> RateDecision:
        limit, window = self._limits()
        hits = self._hits.setdefault(key, deque())
        if hits and hits[-1] > now:  # the clock was moved back: start afresh
            hits.clear()
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return RateDecision(False, limit, 0, hits[len(hits) - limit] + window)
        hits.append(now)
        return RateDecision(True, limit, limit - len(hits), hits[0] + window)

    def peek(self, key: str | None, now: float) -> RateDecision:
        limit, window = self._limits()
        live = [t for t in self._hits.get(key or "", ()) if now - window < t <= now]
        reset_at = live[max(0, len(live) - limit)] + window if live else now
        return RateDecision(len(live) < limit, limit, max(0, limit - len(live)), reset_at)

    def throttled(self, retry_at: float) -> RateDecision:
        return RateDecision(False, self._limits()[0], 0, retry_at)

    def clear(self) -> None:
        self._hits.clear()
