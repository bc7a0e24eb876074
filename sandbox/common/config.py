"""Limits a test may retune while the sandbox runs (rate limit, window, token TTL).

Values persist in the database so a restart keeps what a test configured;
options given explicitly on the command line win over persisted values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sandbox.common.store import Meta

_KEY = "config"


@dataclass(frozen=True)
class RuntimeSettings:
    rate_limit: int = 200
    rate_window_seconds: float = 60.0
    token_ttl: int = 3600


def _validated(changes: dict[str, Any]) -> dict[str, Any]:
    """Check types and ranges; raises ValueError naming the bad key."""
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in RuntimeSettings.__dataclass_fields__:
            raise ValueError(f"unknown config key {key!r}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"{key} must be a positive number")
        clean[key] = float(value) if key == "rate_window_seconds" else int(value)
    return clean


class RuntimeConfig:
    def __init__(self, meta: Meta, defaults: RuntimeSettings, overrides: dict[str, Any]) -> None:
        self._meta = meta
        self._defaults = defaults
        persisted = _validated(meta.get(_KEY, {}))
        self._current = replace(defaults, **persisted, **_validated(overrides))
        meta.put(_KEY, asdict(self._current))

    @property
    def current(self) -> RuntimeSettings:
        return self._current

    def update(self, changes: dict[str, Any]) -> RuntimeSettings:
        self._current = replace(self._current, **_validated(changes))
        self._meta.put(_KEY, asdict(self._current))
        return self._current

    def reset(self) -> None:
        """Back to the values the process started with."""
        self._current = self._defaults
        self._meta.put(_KEY, asdict(self._current))
