"""Where a Focus client gets its URLs and credentials.

Production and sandbox differ only here: base URLs and credentials. The CLI
reads them from the environment; the DAGs (next issue) from an Airflow
Connection. Secrets are never part of ``repr`` or messages.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from connectors.focus.auth import RECONNECT_HINT, FocusOAuth
from connectors.focus.client import FocusClient, RetryPolicy
from connectors.oauth import FileTokenStore, TokenManager, TokenStore

#: The real service: API calls and OAuth live on two different hosts.
PRODUCTION_API_URL = "https://api.focus.teamleader.eu"
PRODUCTION_AUTH_URL = "https://focus.teamleader.eu"


@dataclass(frozen=True)
class FocusSettings:
    api_url: str = PRODUCTION_API_URL
    auth_url: str = PRODUCTION_AUTH_URL
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = "http://localhost:8765/callback"
    token_file: Path = Path(".state/focus-token.json")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> FocusSettings:
        """``FOCUS_API_URL``, ``FOCUS_AUTH_URL``, ``FOCUS_CLIENT_ID``, ``FOCUS_CLIENT_SECRET``,
        ``FOCUS_REDIRECT_URI``, ``FOCUS_TOKEN_FILE``."""
        env = dict(os.environ if env is None else env)
        defaults = cls()
        return cls(
            api_url=env.get("FOCUS_API_URL", defaults.api_url),
            auth_url=env.get("FOCUS_AUTH_URL", defaults.auth_url),
            client_id=env.get("FOCUS_CLIENT_ID", ""),
            client_secret=env.get("FOCUS_CLIENT_SECRET", ""),
            redirect_uri=env.get("FOCUS_REDIRECT_URI", defaults.redirect_uri),
            token_file=Path(env.get("FOCUS_TOKEN_FILE", str(defaults.token_file))),
        )


def build_client(
    settings: FocusSettings, store: TokenStore | None = None, *, retry: RetryPolicy | None = None
) -> FocusClient:
    """A ready FocusClient whose tokens live in ``store`` (default: the settings' token file)."""
    http = httpx.Client(timeout=(retry or RetryPolicy()).timeout, headers={"Accept": "application/json"})
    oauth = FocusOAuth(http, settings.auth_url, settings.client_id, settings.client_secret)
    tokens = TokenManager(oauth, store or FileTokenStore(settings.token_file), reconnect_hint=RECONNECT_HINT)
    return FocusClient(settings.api_url, tokens, http=http, retry=retry, owns_http=True)


def oauth_for(settings: FocusSettings) -> FocusOAuth:
    return FocusOAuth(httpx.Client(timeout=30), settings.auth_url, settings.client_id, settings.client_secret)
