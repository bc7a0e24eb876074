"""Accounting tools behind one contract (``targets.base.Target``).

Each tool module exposes ``build(connection, context)`` and ``oauth(connection)``;
adding a tool is one module plus one line in ``BUILDERS``.
"""

from __future__ import annotations

import importlib

from connectors.connections import ConnectionInfo
from connectors.targets.base import Target, TargetContext

#: target name → module that builds it (imported lazily: DAG parsing never loads a tool's client).
BUILDERS = {
    "exact_online": "connectors.targets.exact_online",
    "octopus": "connectors.targets.octopus",
    "yuki": "connectors.targets.yuki",
}


def _module(name: str):
    try:
        return importlib.import_module(BUILDERS[name])
    except KeyError:
        raise ValueError(f"Unknown accounting tool {name!r}; supported: {', '.join(sorted(BUILDERS))}") from None


def build_target(name: str, connection: ConnectionInfo, context: TargetContext) -> Target:
    return _module(name).build(connection, context)


def oauth_for(name: str, connection: ConnectionInfo):
    """The tool's OAuth consent helper (``authorize_url``, ``exchange_code``) for the setup CLI,
    or None when the connection's own credentials are enough (Octopus)."""
    return _module(name).oauth(connection)
