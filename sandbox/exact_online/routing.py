"""Which entity set a ``/api/v1/...`` path names, before the gate runs.

The gate needs the endpoint name (for fault rules and the log) and the
division (the rate-limit scope) up front. Paths are matched
case-insensitively, as on the real service; the endpoint name is the
canonical entity-set path (``salesentry/SalesEntries``), whatever the key,
``/$count`` or navigation suffix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sandbox.exact_online.entities import ENTITY_SETS, ME, EntitySet

_SUFFIX = re.compile(r"^(?:\((?P<key>[^)]*)\))?(?:/(?P<tail>\$count|[A-Za-z]+))?$")
_BY_LENGTH = sorted(ENTITY_SETS.values(), key=lambda entity: -len(entity.path))


@dataclass(frozen=True)
class Route:
    endpoint: str
    #: The division segment as sent (None for ``current/Me``).
    division: str | None
    entity: EntitySet | None
    key: str | None = None
    #: ``$count`` or a navigation property.
    tail: str | None = None


def route(path: str) -> Route:
    """``path`` is what follows ``/api/v1/``."""
    if path.lower() == ME.path.lower():
        return Route(ME.path, None, ME)
    division, _, rest = path.partition("/")
    for entity in _BY_LENGTH:
        if entity is ME or not rest.lower().startswith(entity.path.lower()):
            continue
        match = _SUFFIX.match(rest[len(entity.path):])
        if match is not None:
            return Route(entity.path, division, entity, match.group("key"), match.group("tail"))
    return Route(rest or path, division, None)
