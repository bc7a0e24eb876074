"""Token requests against the Focus and Exact Online sandboxes over real HTTP, when things go wrong.

Transient trouble (429, 5xx, a gateway's bare 401, an endpoint slower than the
API timeout) must not tell anyone to reconnect; a real refusal must, naming
the tool and the command; a refresh whose answer was lost is not repeated
(neither tool keeps a used refresh token alive, apis.md §1.2/§2.2) and turns
the integrations of that connection to "connecting".
"""

from __future__ import annotations

import logging
import socket
import time

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from connectors.focus.auth import FocusOAuth
from connectors.focus.errors import FocusAuthError, FocusUnavailable
from connectors.oauth import (
    AnswerLost,
    AuthError,
    GrantRefused,
    MemoryTokenStore,
    Token,
    TokenManager,
    TokenUnavailable,
)
from connectors.state.db import make_engine, migrate, session_scope
from connectors.state.models import Integration
from connectors.state.secrets import Cipher
from connectors.state.tokens import DbTokenStore
from connectors.targets.base import TargetError
from connectors.targets.exact_online import ExactOAuth
from connectors.token_requests import TokenPolicy
from sandbox.runner import DEMO_REDIRECT_URI

#: Production retry rules with waits short enough for a test.
FAST = TokenPolicy(timeout=5.0, attempts=3, backoff=0.01, max_wait=0.05)
#: Exact refuses a refresh until 9m30s of a 10-minute token have passed.
EXACT_REFRESHABLE_AFTER = 580
FOCUS_TOKEN = "oauth2/access_token"
EXACT_TOKEN = "api/oauth2/token"


@pytest.fixture
def clients():
    opened: list[httpx.Client] = []

    def client(timeout: float = 10.0) -> httpx.Client:
        opened.append(httpx.Client(timeout=timeout))
        return opened[-1]

    yield client
    for http in opened:
        http.close()


def exact_oauth(exact, http: httpx.Client, policy: TokenPolicy | None = FAST) -> ExactOAuth:
    return ExactOAuth(http, exact.base_url, "sandbox", "sandbox", policy=policy)


def focus_oauth(focus, http: httpx.Client, policy: TokenPolicy = FAST) -> FocusOAuth:
    return FocusOAuth(http, focus.base_url, "sandbox", "sandbox", policy=policy)


def exact_token(exact, oauth: ExactOAuth) -> Token:
    """A fresh pair, with the sandbox clock moved to where Exact allows refreshing it."""
    token = oauth.exchange_code(exact.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    exact.advance_clock(EXACT_REFRESHABLE_AFTER)
    return token


def statuses(sandbox, endpoint: str) -> list[int]:
    return [r["status"] for r in sandbox.requests(endpoint=endpoint) if r["method"] == "POST"]


def expiring(token: Token) -> Token:
    """The same pair, due for a refresh by our own clock."""
    return Token(token.access_token, token.refresh_token, time.time() - 1)


@pytest.fixture
def state_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    with session_scope(engine) as session:
        session.add_all([
            Integration(entity="acme-be", focus_department_id="d1", target="exact_online",
                        target_connection_id="exact_be", status="connected"),
            Integration(entity="acme-nl", focus_department_id="d2", target="exact_online",
                        target_connection_id="exact_nl", status="connected"),
        ])
    yield engine
    engine.dispose()


def status_of(engine, entity: str) -> str:
    with session_scope(engine) as session:
        return session.execute(select(Integration.status).where(Integration.entity == entity)).scalar_one()


# -- transient trouble: retried, never "connect again" -----------------------------------------


def test_a_429_then_success_on_exacts_token_endpoint_refreshes_without_saying_connect_again(exact, clients,
                                                                                           caplog):
    oauth = exact_oauth(exact, clients())
    store = MemoryTokenStore()
    store.save(expiring(exact_token(exact, oauth)))
    exact.add_fault(endpoint=EXACT_TOKEN, kind="rate_limit", retry_after_seconds=0.01, count=1)
    with caplog.at_level(logging.INFO):
        access = TokenManager(oauth, store).access_token()
    assert access == store.load().access_token
    assert statuses(exact, EXACT_TOKEN) == [200, 429, 200]
    assert "connect again" not in caplog.text


def test_two_5xx_on_focus_token_endpoint_then_the_refresh_succeeds(focus, clients):
    oauth = focus_oauth(focus, clients())
    token = oauth.exchange_code(focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    focus.add_fault(endpoint=FOCUS_TOKEN, kind="error", status=503, count=2)
    fresh = oauth.refresh(token.refresh_token)
    assert fresh.refresh_token != token.refresh_token
    assert statuses(focus, FOCUS_TOKEN) == [200, 503, 503, 200]


def test_5xx_beyond_the_retry_budget_is_transient_and_does_not_say_connect_again(focus, clients):
    oauth = focus_oauth(focus, clients())
    token = oauth.exchange_code(focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    focus.add_fault(endpoint=FOCUS_TOKEN, kind="error", status=502, count=3)
    with pytest.raises(FocusUnavailable) as err:
        oauth.refresh(token.refresh_token)
    assert isinstance(err.value, TokenUnavailable) and not isinstance(err.value, AuthError)
    assert "connect" not in str(err.value) and "retried" in str(err.value)
    assert statuses(focus, FOCUS_TOKEN) == [200, 502, 502, 502]
    assert oauth.refresh(token.refresh_token).access_token  # nothing was spent


def test_a_bare_401_on_exacts_token_endpoint_is_transient_and_does_not_say_connect_again(exact, clients):
    oauth = exact_oauth(exact, clients())
    token = exact_token(exact, oauth)
    exact.add_fault(endpoint=EXACT_TOKEN, kind="error", status=401, count=1)
    with pytest.raises(TargetError) as err:
        oauth.refresh(token.refresh_token)
    assert isinstance(err.value, TokenUnavailable) and not isinstance(err.value, AuthError)
    assert "connect" not in str(err.value) and "retried" in str(err.value)
    assert oauth.refresh(token.refresh_token).access_token  # the next run works


def test_an_unreachable_token_endpoint_is_retried_and_transient(clients):
    # A port nobody listens on: the connection never opens. Bound for the whole test, so no other process (a
    # sandbox of another pytest-xdist worker) can take it meanwhile.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        oauth = FocusOAuth(clients(), f"http://127.0.0.1:{port}", "sandbox", "sandbox", policy=FAST)
        with pytest.raises(FocusUnavailable) as err:
            oauth.refresh("some-refresh-token")
    assert "3 attempt(s)" in str(err.value) and "connect" not in str(err.value)


def test_token_requests_wait_longer_than_the_api_timeout(exact, clients, monkeypatch):
    monkeypatch.setenv("CONNECTOR_TOKEN_TIMEOUT_SECONDS", "5")
    oauth = exact_oauth(exact, clients(timeout=0.5), policy=None)  # 0.5 s: the API timeout of this client
    token = exact_token(exact, oauth)
    exact.add_fault(endpoint=EXACT_TOKEN, kind="slow", delay_seconds=1.5, count=1)
    started = time.monotonic()
    fresh = oauth.refresh(token.refresh_token)
    assert fresh.refresh_token != token.refresh_token
    assert time.monotonic() - started >= 1.5
    assert statuses(exact, EXACT_TOKEN) == [200, 200]


def test_a_refresh_exact_finds_too_early_keeps_using_the_current_token(exact, clients):
    oauth = exact_oauth(exact, clients())
    token = oauth.exchange_code(exact.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    store = MemoryTokenStore(Token(token.access_token, token.refresh_token, time.time() + 20))
    assert TokenManager(oauth, store, leeway=30).access_token() == token.access_token
    assert statuses(exact, EXACT_TOKEN) == [200, 400]
    assert store.load().refresh_token == token.refresh_token  # nothing was spent, nothing replaced


# -- real refusals: "connect again", naming the tool and the command ------------------------------


def test_exact_refusing_a_spent_refresh_token_says_connect_again_with_the_integration_command(exact, clients,
                                                                                             caplog):
    oauth = exact_oauth(exact, clients())
    token = exact_token(exact, oauth)
    oauth.refresh(token.refresh_token)
    with caplog.at_level(logging.DEBUG), pytest.raises(GrantRefused) as err:
        oauth.refresh(token.refresh_token)
    message = str(err.value)
    assert message.startswith("Exact Online refused the refresh token (unauthorized_client")
    assert "connect again with `focus-connector integrations connect ENTITY`" in message
    assert token.refresh_token not in message + caplog.text and "sandbox" not in message


def test_exact_refusing_an_unknown_refresh_token_with_invalid_grant_says_connect_again(exact, clients):
    oauth = exact_oauth(exact, clients())
    with pytest.raises(GrantRefused) as err:
        oauth.refresh("Gcp7!IAAAAnot-a-token-exact-issued")
    assert "Exact Online refused the refresh token (invalid_grant" in str(err.value)
    assert "connect again with `focus-connector integrations connect ENTITY`" in str(err.value)
    assert "not-a-token" not in str(err.value)


def test_focus_refusing_a_spent_refresh_token_says_connect_focus_again(focus, clients):
    oauth = focus_oauth(focus, clients())
    token = oauth.exchange_code(focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    oauth.refresh(token.refresh_token)
    with pytest.raises(FocusAuthError) as err:
        oauth.refresh(token.refresh_token)
    assert isinstance(err.value, GrantRefused)
    assert str(err.value).startswith("Focus refused the refresh token (invalid_grant")
    assert "connect again with `focus-connector focus connect`" in str(err.value)


def test_a_refused_refresh_turns_the_connections_integrations_to_connecting(exact, clients, state_engine):
    oauth = exact_oauth(exact, clients())
    token = exact_token(exact, oauth)
    oauth.refresh(token.refresh_token)  # someone else spent it
    store = DbTokenStore(state_engine, "exact_be", Cipher(Fernet.generate_key()))
    store.save(expiring(token))
    with pytest.raises(GrantRefused) as err:
        TokenManager(oauth, store).access_token()
    assert "`focus-connector integrations connect acme-be`" in str(err.value)
    assert (status_of(state_engine, "acme-be"), status_of(state_engine, "acme-nl")) == ("connecting", "connected")


# -- a refresh whose answer was lost -----------------------------------------------------------


def test_a_lost_exact_refresh_is_not_repeated_and_turns_the_integration_to_connecting(exact, clients,
                                                                                       state_engine):
    oauth = exact_oauth(exact, clients(), policy=TokenPolicy(timeout=0.5, attempts=3, backoff=0.01))
    token = exact_token(exact, oauth)
    store = DbTokenStore(state_engine, "exact_be", Cipher(Fernet.generate_key()))
    store.save(expiring(token))
    exact.add_fault(endpoint=EXACT_TOKEN, kind="commit_then_delay", delay_seconds=1.5, count=1)
    with pytest.raises(AnswerLost) as err:
        TokenManager(oauth, store).access_token()
    assert "answer was lost" in str(err.value)
    assert "connect again with `focus-connector integrations connect acme-be`" in str(err.value)
    assert err.value.entities == ("acme-be",)
    assert (status_of(state_engine, "acme-be"), status_of(state_engine, "acme-nl")) == ("connecting", "connected")
    time.sleep(1.2)  # the stalled answer is logged once it is finally sent
    assert statuses(exact, EXACT_TOKEN) == [200, 200]  # one refresh, committed; no blind repeat
    with pytest.raises(GrantRefused):  # ...and the stored refresh token is indeed spent
        oauth.refresh(token.refresh_token)


def test_a_lost_focus_refresh_names_the_focus_connect_command(focus, clients):
    oauth = focus_oauth(focus, clients(), policy=TokenPolicy(timeout=0.5, attempts=3, backoff=0.01))
    token = oauth.exchange_code(focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    focus.add_fault(endpoint=FOCUS_TOKEN, kind="commit_then_delay", delay_seconds=1.5, count=1)
    with pytest.raises(FocusAuthError) as err:
        TokenManager(oauth, MemoryTokenStore(expiring(token))).access_token()
    assert isinstance(err.value, AnswerLost)
    assert "connect again with `focus-connector focus connect`" in str(err.value)
    time.sleep(1.2)
    assert statuses(focus, FOCUS_TOKEN) == [200, 200]
