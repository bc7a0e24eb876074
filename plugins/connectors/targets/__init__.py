"""Accounting tools behind one contract (``targets.base.Target``).

Each tool module exposes ``build(connection, token_store, administration)``;
adding a tool is one module plus one line in ``BUILDERS``.
"""

from __future__ import annotations

import importlib

from connectors.connections import ConnectionInfo
from connectors.oauth import TokenStore
from connectors.targets.base import Target

#: target name → module that builds it (imported lazily: DAG parsing never loads a tool's client).
BUILDERS = {
    "exact_online": "connectors.targets.exact_online",
}


def build_target(name: str, connection: ConnectionInfo, store: TokenStore, administration: str | None) -> Target:
    try:
        module = importlib.import_module(BUILDERS[name])
    except KeyError:
        raise ValueError(f"Unknown accounting tool {name!r}; supported: {', '.join(sorted(BUILDERS))}") from None
    return module.build(connection, store, administration)


def oauth_for(name: str, connection: ConnectionInfo):
    """The tool's OAuth consent helper (``authorize_url``, ``exchange_code``) for the setup CLI."""
    return importlib.import_module(BUILDERS[name]).oauth(connection)
