"""Exact Online's live-tunable limits, with the production values as defaults.

Changed through ``POST /_sandbox/config`` (persisted) or the command line.
``error_limit`` 0 switches the error budget off (the default).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExactSettings:
    #: Calls per client and division within ``rate_window_seconds`` (sliding).
    minutely_limit: int = 60
    #: Calls per client and division per UTC day (sandbox clock).
    daily_limit: int = 5000
    rate_window_seconds: float = 60.0
    #: Access-token lifetime (s); a refresh is accepted from 30 s before expiry.
    token_ttl: int = 600
    #: 400/401/403/404 answers per client, division and endpoint per hour before that
    #: endpoint answers 429 for the client; 0 = off.
    error_limit: int = field(default=0, metadata={"min": 0})
