"""Exact Online behind the target contract: REST/OData v2, per-country hosts.

Protocol facts this package handles (apis.md §2): 10-minute access tokens with
``expires_in`` as a string, refreshes refused before 9m30s, rotating
single-use refresh tokens (``auth``); ``Accept: application/json``;
``{"d": {"results": [...], "__next": ...}}`` paging at 60 rows; ``/Date(ms)/``;
padded account codes; 60 calls a minute and 5,000 a day per division,
announced in ``X-RateLimit-*`` headers (epoch ms) (``api``); errors as
``{"error": {"message": {"value": ...}}}``.

Exactly-once: every entry carries the connector's reference in ``YourRef``
(``bookings``); every account the connector creates carries its key in
``SearchCode`` (``parties``), so both are found again after a lost answer or
a lost state database. Credit notes go with positive lines and Type 21/31
(the sign convention is SILENT in Exact's docs, see sandbox/README.md).
"""

from __future__ import annotations

import httpx

from connectors.connections import ConnectionInfo
from connectors.targets.base import TargetContext
from connectors.targets.exact_online.api import parse_date
from connectors.targets.exact_online.auth import HOSTS, ExactOAuth
from connectors.targets.exact_online.target import ExactOnlineTarget
from connectors.targets.http import timeout

__all__ = ["HOSTS", "ExactOAuth", "ExactOnlineTarget", "build", "oauth", "parse_date"]


def build(connection: ConnectionInfo, context: TargetContext) -> ExactOnlineTarget:
    """From an Airflow connection: host = the country's base URL, login/password = client id/secret,
    extra ``timeout`` = seconds to wait for an answer (default 30)."""
    administration = context.administration
    return ExactOnlineTarget.connect(connection.host or HOSTS["nl"], connection.login, connection.password,
                                     context.tokens, int(administration) if administration else None,
                                     timeout=float(connection.extra.get("timeout", 30)))


def oauth(connection: ConnectionInfo, http: httpx.Client | None = None) -> ExactOAuth:
    """The consent flow for the setup CLI (authorize URL, code exchange)."""
    return ExactOAuth(http or httpx.Client(timeout=timeout(30)), connection.host or HOSTS["nl"], connection.login,
                      connection.password)
