"""OAuth2 token pairs that rotate: storage, locking and safe refreshing, for every service.

Focus and Exact Online both hand out single-use refresh tokens: every refresh
returns a new pair and kills the old one. Two workers refreshing the same
token at once means one of them ends up with a dead integration. So
refreshing happens under the token store's lock, re-reads the stored token
first (someone else may have refreshed already), and persists the new pair
*before* anybody uses the new access token.

The store is a small interface: in memory for tests, a JSON file for the CLI,
and a row in the state database locked with ``SELECT … FOR UPDATE``
(``state.tokens.DbTokenStore``) for the DAGs.

Token requests and the difference between their failures live in
``connectors.token_requests``; the errors they raise are defined here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


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


class AuthError(Exception):
    """Tokens are missing or refused: someone has to reconnect; retrying does not help."""


class NeedsConsent(AuthError):
    """Only a new consent helps; ``TokenManager`` marks the connection's integrations as Connecting."""

    #: The command the message names; ``ENTITY`` stands for an integration's name.
    command: str = ""
    #: Integrations whose status was set to "connecting" because of this.
    entities: tuple[str, ...] = ()

    def mark_connecting(self, entities: list[str]) -> None:
        """Name the integrations that now wait for consent, each with its own reconnect command."""
        if not entities:
            return
        self.entities = tuple(entities)
        commands = " or ".join(f"`{self.command.replace('ENTITY', name)}`" for name in entities)
        message = str(self.args[0]).replace(f"`{self.command}`", commands) if self.command else str(self.args[0])
        self.args = (f"{message} (status of {', '.join(entities)}: Connecting)",)


class GrantRefused(NeedsConsent):
    """The tool answered that the code, refresh token or client is not (or no longer) valid."""


class AnswerLost(NeedsConsent):
    """A code or refresh token was sent, but the answer never came: the single-use secret is probably spent."""


class TokenUnavailable(Exception):
    """The token endpoint failed in a passing way (429, 5xx, unreachable): a later run can simply try again."""


class RefreshTooEarly(TokenUnavailable):
    """The tool refused to refresh yet (Exact: before 9m30s); the current pair stays valid."""


class TokenEndpoint(Protocol):
    """What the token manager needs from a service's OAuth2 token endpoint."""

    def refresh(self, refresh_token: str) -> Token: ...


class TokenManager:
    """Hands out a valid access token, refreshing it safely when needed."""

    def __init__(self, oauth: TokenEndpoint, store: TokenStore, *, leeway: float = 60.0,
                 clock: Callable[[], float] = time.time, reconnect_hint: str = "connect it first"):
        self._oauth = oauth
        self._store = store
        self._leeway = leeway
        self._clock = clock
        self._reconnect_hint = reconnect_hint

    def _not_connected(self) -> AuthError:
        return AuthError(f"No token is stored for this connection: {self._reconnect_hint}")

    def access_token(self) -> str:
        token = self._store.load()
        if token is None:
            raise self._not_connected()
        if token.expires_within(self._leeway, self._clock()):
            token = self._refresh(stale=None)
        return token.access_token

    def after_unauthorized(self, rejected_access_token: str) -> str:
        """The service said 401 to this token: refresh unless someone already replaced it."""
        token = self._refresh(stale=rejected_access_token)
        return token.access_token

    def _refresh(self, stale: str | None) -> Token:
        try:
            with self._store.lock():
                current = self._store.load()
                if current is None:
                    raise self._not_connected()
                if stale is not None and current.access_token != stale:
                    return current  # another worker refreshed while we waited for the lock
                if stale is None and not current.expires_within(self._leeway, self._clock()):
                    return current
                try:
                    fresh = self._oauth.refresh(current.refresh_token)
                except RefreshTooEarly:
                    if stale is None and not current.expires_within(0, self._clock()):
                        return current  # the tool's clock says it still lives: use it until it does not
                    raise
                self._store.save(fresh)  # persist before first use: the old refresh token is dead now
                return fresh
        except NeedsConsent as dead:
            self._needs_consent(dead)  # after the lock: its transaction must not hold the database meanwhile
            raise

    def _needs_consent(self, dead: NeedsConsent) -> None:
        """Stores that know the integrations behind them (``DbTokenStore.needs_consent``) mark them Connecting."""
        if not hasattr(self._store, "needs_consent"):
            return
        try:
            entities = self._store.needs_consent()  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - the auth error matters more than the status
            log.warning("Could not mark the connection as needing consent: %s", type(exc).__name__)
            return
        dead.mark_connecting(entities)
        if entities:
            log.warning("Integrations %s wait for consent again: %s", ", ".join(entities), dead)
