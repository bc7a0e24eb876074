"""Connect production Focus clients to a running sandbox, the way an operator would."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from connectors.focus.auth import FocusOAuth
from connectors.focus.client import FocusClient, RetryPolicy
from connectors.oauth import MemoryTokenStore, TokenManager, TokenStore
from sandbox.runner import DEMO_REDIRECT_URI as REDIRECT_URI

#: Short backoff so retry tests stay fast; the waiting logic is the production one.
FAST_RETRY = RetryPolicy(max_attempts=5, backoff_initial=0.01, backoff_max=0.05, max_rate_limit_wait=30, timeout=10)


class ClientFactory:
    """Builds connected clients and closes them at teardown."""

    def __init__(self) -> None:
        self._open: list[httpx.Client] = []

    def oauth(self, sandbox, client_secret: str = "sandbox") -> FocusOAuth:
        http = httpx.Client(timeout=10)
        self._open.append(http)
        return FocusOAuth(http, sandbox.base_url, "sandbox", client_secret)

    def store_for(self, sandbox) -> MemoryTokenStore:
        oauth = self.oauth(sandbox)
        return MemoryTokenStore(oauth.exchange_code(sandbox.authorization_code(), redirect_uri=REDIRECT_URI))

    def __call__(self, sandbox, *, store: TokenStore | None = None, retry: RetryPolicy = FAST_RETRY,
                 sleep: Callable[[float], None] | None = None) -> FocusClient:
        store = store or self.store_for(sandbox)
        http = httpx.Client(timeout=retry.timeout)
        self._open.append(http)
        tokens = TokenManager(FocusOAuth(http, sandbox.base_url, "sandbox", "sandbox"), store)
        kwargs = {"sleep": sleep} if sleep else {}
        return FocusClient(sandbox.base_url, tokens, http=http, retry=retry, **kwargs)

    def close(self) -> None:
        for http in self._open:
            http.close()


@pytest.fixture
def connect() -> Iterator[ClientFactory]:
    factory = ClientFactory()
    yield factory
    factory.close()
