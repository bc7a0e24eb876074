"""Tokens in the state database: encrypted at rest, refreshed once under a row lock."""

from __future__ import annotations

import multiprocessing
import threading
import time

from cryptography.fernet import Fernet
from sqlalchemy import select

from connectors.oauth import Token, TokenManager
from connectors.state.models import OAuthToken
from connectors.state.secrets import Cipher
from connectors.state.tokens import DbTokenStore


def test_token_round_trips_and_is_encrypted_at_rest(engine, cipher):
    store = DbTokenStore(engine, "focus", cipher)
    store.save(Token("access-secret", "refresh-secret", 123.0))
    assert store.load() == Token("access-secret", "refresh-secret", 123.0)
    with engine.connect() as connection:
        row = connection.execute(select(OAuthToken.__table__)).one()
    assert "secret" not in row.access_token + row.refresh_token


def test_saving_again_replaces_the_pair(engine, cipher):
    store = DbTokenStore(engine, "focus", cipher)
    store.save(Token("a1", "r1", 1.0))
    store.save(Token("a2", "r2", 2.0))
    assert store.load().refresh_token == "r2"


class CountingOAuth:
    """A stand-in token endpoint that hands out a new pair per refresh and refuses spent refresh tokens."""

    def __init__(self):
        self.refreshes = 0
        self.spent: set[str] = set()
        self.lock = threading.Lock()

    def refresh(self, refresh_token: str) -> Token:
        with self.lock:
            assert refresh_token not in self.spent, "refresh token spent twice"
            self.spent.add(refresh_token)
            self.refreshes += 1
            n = self.refreshes
        time.sleep(0.05)  # widen the race window
        return Token(f"a{n}", f"r{n}", time.time() + 3600)


def test_concurrent_refreshes_in_threads_spend_the_refresh_token_once(engine, cipher):
    DbTokenStore(engine, "focus", cipher).save(Token("a0", "r0", time.time() - 1))
    oauth = CountingOAuth()
    results: list[str] = []

    def work():
        manager = TokenManager(oauth, DbTokenStore(engine, "focus", cipher))  # type: ignore[arg-type]
        results.append(manager.access_token())

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert oauth.refreshes == 1
    assert results == ["a1"] * 6


def _refresh_in_process(url: str, key: bytes, focus_url: str, barrier, out) -> None:
    """One worker: wait for the other, then ask for a token (refreshing it) and use it."""
    import httpx

    from connectors.focus.auth import FocusOAuth
    from connectors.state.db import make_engine
    from connectors.state.secrets import Cipher

    engine = make_engine(url)
    with httpx.Client() as http:
        manager = TokenManager(FocusOAuth(http, focus_url, "sandbox", "sandbox"),
                               DbTokenStore(engine, "focus", Cipher(key)))
        barrier.wait()
        access = manager.access_token()
        status = http.post(f"{focus_url}/departments.list", json={},
                           headers={"Authorization": f"Bearer {access}"}).status_code
    out.put((access, status))
    engine.dispose()


def test_two_processes_refreshing_at_once_both_end_with_a_working_token(engine, state_url, focus):
    key = Fernet.generate_key()
    pair = focus.mint_tokens()
    DbTokenStore(engine, "focus", Cipher(key)).save(Token(pair["access_token"], pair["refresh_token"], 0.0))
    ctx = multiprocessing.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    workers = [ctx.Process(target=_refresh_in_process, args=(state_url, key, focus.base_url, barrier, out))
               for _ in range(2)]
    for w in workers:
        w.start()
    results = [out.get(timeout=60), out.get(timeout=60)]
    for w in workers:
        w.join(30)
        assert w.exitcode == 0
    assert [status for _, status in results] == [200, 200]
    assert results[0][0] == results[1][0]  # the second process found the pair the first one stored
    refreshes = [r for r in focus.requests(endpoint="oauth2/access_token") if r["status"] == 200]
    assert len(refreshes) == 1
