"""A Focus client from the installation's Focus connection and the state database.

Production and sandbox differ only in the connection: ``host`` is the API base
URL, ``login``/``password`` the OAuth client id and secret, and the extras
``auth_url`` (where ``/oauth2/*`` lives; the API host when absent) and
``redirect_uri``. Tokens live encrypted in the state database, so the CLI and
every DAG task share one rotating pair. Token requests take their own, longer
timeout and retries (``connectors.token_requests.TokenPolicy``, ``CONNECTOR_TOKEN_*``),
not the API client's.
"""

from __future__ import annotations

import httpx
from sqlalchemy import Engine

from connectors.connections import FOCUS_CONN_ID, ConnectionInfo, get_connection
from connectors.focus.auth import RECONNECT_HINT, FocusOAuth
from connectors.focus.client import FocusClient, RetryPolicy
from connectors.oauth import TokenManager, TokenStore
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore

#: The real service: API calls and OAuth live on two different hosts.
PRODUCTION_API_URL = "https://api.focus.teamleader.eu"
PRODUCTION_AUTH_URL = "https://focus.teamleader.eu"
DEFAULT_REDIRECT_URI = "http://localhost:8765/callback"


def auth_url(conn: ConnectionInfo) -> str:
    return conn.extra.get("auth_url") or (PRODUCTION_AUTH_URL if conn.host == PRODUCTION_API_URL else conn.host)


def redirect_uri(conn: ConnectionInfo) -> str:
    return conn.extra.get("redirect_uri") or DEFAULT_REDIRECT_URI


def oauth_for(conn: ConnectionInfo, http: httpx.Client | None = None) -> FocusOAuth:
    return FocusOAuth(http or httpx.Client(timeout=30), auth_url(conn), conn.login, conn.password)


def token_store(engine: Engine, conn_id: str = FOCUS_CONN_ID) -> TokenStore:
    return DbTokenStore(engine, conn_id, load_cipher())


def focus_client(engine: Engine, conn: ConnectionInfo | None = None, *, retry: RetryPolicy | None = None) -> FocusClient:
    conn = conn or get_connection(FOCUS_CONN_ID)
    http = httpx.Client(timeout=(retry or RetryPolicy()).timeout, headers={"Accept": "application/json"})
    tokens = TokenManager(oauth_for(conn, http), token_store(engine, conn.conn_id), reconnect_hint=RECONNECT_HINT)
    return FocusClient(conn.host or PRODUCTION_API_URL, tokens, http=http, retry=retry, owns_http=True)
