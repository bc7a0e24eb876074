"""Limits a test may retune while the sandbox runs (rate limits, windows, token TTL).

Each sandbox describes its settings as a frozen dataclass (Focus uses
``RuntimeSettings``); values persist in the database so a restart keeps what
a test configured, and options given on the command line win over persisted
values. A field's metadata ``{"min": 0}`` allows zero (an "off" switch);
every other numeric setting must be positive. A ``bool`` field is a switch
(Octopus's ``enforce_quotas``) and takes only ``true`` or ``false``; a field
with metadata ``{"choices": (...)}`` (Focus's ``list_includes``) takes only
one of those strings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Generic, TypeVar

from sandbox.common.store import Meta

_KEY = "config"


@dataclass(frozen=True)
class RuntimeSettings:
    rate_limit: int = 200
    rate_window_seconds: float = 60.0
    token_ttl: int = 3600


Settings = TypeVar("Settings")


def _validated(kind: type, changes: dict[str, Any]) -> dict[str, Any]:
    """Check keys, types and ranges against the settings dataclass; raises ValueError naming the bad key."""
    known = {f.name: f for f in fields(kind)}
    clean: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in known:
            raise ValueError(f"unknown config key {key!r}")
        if isinstance(known[key].default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
            clean[key] = value
            continue
        choices = known[key].metadata.get("choices")
        if choices is not None:
            if value not in choices:
                raise ValueError(f"{key} must be one of: {', '.join(choices)}")
            clean[key] = value
            continue
        minimum = known[key].metadata.get("min")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{key} must be a number")
        if value < 0 or (minimum is None and value == 0):
            raise ValueError(f"{key} must be a {'non-negative' if minimum == 0 else 'positive'} number")
        clean[key] = float(value) if isinstance(known[key].default, float) else int(value)
    return clean


class RuntimeConfig(Generic[Settings]):
    def __init__(self, meta: Meta, defaults: Settings, overrides: dict[str, Any]) -> None:
        self._meta = meta
        self._defaults = defaults
        kind = type(defaults)
        persisted = {k: v for k, v in meta.get(_KEY, {}).items() if k in {f.name for f in fields(kind)}}
        self._current: Settings = replace(defaults, **_validated(kind, persisted), **_validated(kind, overrides))
        meta.put(_KEY, asdict(self._current))

    @property
    def current(self) -> Settings:
        return self._current

    @property
    def defaults(self) -> Settings:
        """The production values (what ``reset`` restores)."""
        return self._defaults

    def update(self, changes: dict[str, Any]) -> Settings:
        self._current = replace(self._current, **_validated(type(self._defaults), changes))
        self._meta.put(_KEY, asdict(self._current))
        return self._current

    def reset(self) -> None:
        """Back to the production defaults (command-line limits are not re-applied)."""
        self._current = self._defaults
        self._meta.put(_KEY, asdict(self._current))
