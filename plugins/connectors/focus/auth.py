"""OAuth2 for Teamleader Focus: authorization code, single-use rotating refresh tokens.

Focus refresh tokens work exactly once; every refresh returns a new pair and
kills the old one. Two workers refreshing the same token at once means one of
them ends up with a dead integration. So refreshing happens under the token
store's lock, re-reads the stored token first (someone else may have refreshed
already), and persists the new pair *before* anybody uses the new access token.

The store is a small interface: in memory for tests, a JSON file for the CLI,
and (next issue) a row in the state database locked with ``SELECT … FOR UPDATE``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import urlencode

import httpx

from connectors.focus.errors import FocusAuthError, FocusError, FocusUnavailable


@dataclass(frozen=True)
class Token:
    """An access/refresh token pair. ``expires_at`` is a Unix time on our clock."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float

    def expires_within(self, seconds: float, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) + seconds >= self.expires_at

    def to_json(self) -> dict:
        return {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_at": self.expires_at}

    @classmethod
    def from_json(cls, data: dict) -> Token:
        return cls(data["access_token"], data["refresh_token"], float(data["expires_at"]))


class TokenStore(Protocol):
    """Where one connection's tokens live, with a lock that spans processes where needed."""

    def load(self) -> Token | None: ...

    def save(self, token: Token) -> None: ...

    def lock(self) -> contextlib.AbstractContextManager[None]: ...


class MemoryTokenStore:
    """Tokens for one process (tests, one-off scripts)."""

    def __init__(self, token: Token | None = None):
        self._token = token
        self._lock = threading.RLock()

    def load(self) -> Token | None:
        return self._token

    def save(self, token: Token) -> None:
        self._token = token

    def lock(self) -> contextlib.AbstractContextManager[None]:
        return self._lock


class FileTokenStore:
    """Tokens in a JSON file readable by its owner only, locked with flock across processes."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._local = threading.RLock()

    def load(self) -> Token | None:
        try:
            return Token.from_json(json.loads(self.path.read_text()))
        except FileNotFoundError:
            return None

    def save(self, token: Token) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(token.to_json(), fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._local, open(self._lock_path, "a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


class FocusOAuth:
    """The two OAuth2 endpoints of Focus (``/oauth2/authorize`` and ``/oauth2/access_token``)."""

    def __init__(
        self,
        http: httpx.Client,
        auth_base_url: str,
        client_id: str,
        client_secret: str,
        clock: Callable[[], float] = time.time,
    ):
        self._http = http
        self._base = auth_base_url.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urlencode(
            {"client_id": self._client_id, "response_type": "code", "state": state, "redirect_uri": redirect_uri}
        )
        return f"{self._base}/oauth2/authorize?{query}"

    def exchange_code(self, code: str, *, redirect_uri: str) -> Token:
        return self._token_request(
            {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        )

    def refresh(self, refresh_token: str) -> Token:
        return self._token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def _token_request(self, grant: dict[str, str]) -> Token:
        form = {"client_id": self._client_id, "client_secret": self._client_secret, **grant}
        sent_at = self._clock()
        try:
            response = self._http.post(f"{self._base}/oauth2/access_token", data=form)
        except httpx.ConnectError as exc:  # never reached the server: nothing was spent
            raise FocusUnavailable(f"Focus OAuth endpoint unreachable: {type(exc).__name__}") from None
        except httpx.TransportError as exc:
            # The server may have rotated the refresh token without us seeing the new one.
            raise FocusAuthError(
                f"Focus token request failed mid-flight ({type(exc).__name__}); if it was a refresh, "
                "the refresh token may be spent: reconnect with `focus-connector focus connect`",
                endpoint="oauth2/access_token",
            ) from None
        if response.status_code == 200:
            body = response.json()
            return Token(
                access_token=body["access_token"],
                refresh_token=body["refresh_token"],
                expires_at=sent_at + float(body.get("expires_in", 3600)),
            )
        error = _oauth_error(response)
        if response.status_code in (400, 401):
            raise FocusAuthError(
                f"Focus refused the {grant['grant_type']} grant ({error}); "
                "reconnect the integration with `focus-connector focus connect`",
                endpoint="oauth2/access_token",
                status=response.status_code,
            )
        raise FocusError(
            f"Focus token endpoint answered HTTP {response.status_code} ({error})",
            endpoint="oauth2/access_token",
            status=response.status_code,
        )


def _oauth_error(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no JSON body"
    if isinstance(body, dict) and "error" in body:
        return str(body["error"])
    if isinstance(body, dict) and body.get("errors"):
        return "; ".join(str(e.get("title", "")) for e in body["errors"])
    return "unrecognised error body"


class TokenManager:
    """Hands out a valid access token, refreshing it safely when needed."""

    def __init__(self, oauth: FocusOAuth, store: TokenStore, *, leeway: float = 60.0,
                 clock: Callable[[], float] = time.time):
        self._oauth = oauth
        self._store = store
        self._leeway = leeway
        self._clock = clock

    def access_token(self) -> str:
        token = self._store.load()
        if token is None:
            raise FocusAuthError("No Focus token stored: connect first with `focus-connector focus connect`")
        if token.expires_within(self._leeway, self._clock()):
            token = self._refresh(stale=None)
        return token.access_token

    def after_unauthorized(self, rejected_access_token: str) -> str:
        """Focus said 401 to this token: refresh unless someone already replaced it."""
        token = self._refresh(stale=rejected_access_token)
        return token.access_token

    def _refresh(self, stale: str | None) -> Token:
        with self._store.lock():
            current = self._store.load()
            if current is None:
                raise FocusAuthError("No Focus token stored: connect first with `focus-connector focus connect`")
            if stale is not None and current.access_token != stale:
                return current  # another worker refreshed while we waited for the lock
            if stale is None and not current.expires_within(self._leeway, self._clock()):
                return current
            fresh = self._oauth.refresh(current.refresh_token)
            self._store.save(fresh)  # persist before first use: the old refresh token is dead now
            return fresh
