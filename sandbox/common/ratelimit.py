"""Sliding-window rate limiter keyed by client id.

Kept in memory: it is traffic shaping, not data, and a restart starting with
an empty window is what a real gateway does too. Rejected requests are not
counted, so a client that backs off recovers exactly one window after its
oldest counted request.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from sandbox.common.config import RuntimeConfig


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    #: When the oldest counted request leaves the window; when rejected, the
    #: earliest moment a request will be accepted again.
    reset_at: float


class SlidingWindowLimiter:
    def __init__(self, config: RuntimeConfig) -> None:
        self._config = config
        self._hits: dict[str, deque[float]] = {}

    def hit(self, key: str, now: float) -> RateDecision:
        """Count one request for ``key`` unless that would exceed the limit."""
        limit = self._config.current.rate_limit
        window = self._config.current.rate_window_seconds
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
        """The state for ``key`` without counting a request (unknown key: empty window)."""
        limit = self._config.current.rate_limit
        window = self._config.current.rate_window_seconds
        live = [t for t in self._hits.get(key or "", ()) if now - window < t <= now]
        reset_at = live[max(0, len(live) - limit)] + window if live else now
        return RateDecision(len(live) < limit, limit, max(0, limit - len(live)), reset_at)

    def clear(self) -> None:
        self._hits.clear()
