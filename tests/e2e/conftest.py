"""An entity wired to both sandboxes and a fresh state database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet

from connectors.domain import TaxRate
from connectors.focus.auth import FocusOAuth
from connectors.focus.client import FocusClient
from connectors.focus.extract import extract
from connectors.oauth import TokenManager
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.db import session_scope
from connectors.state.models import Integration, Journal, LedgerByVatRate, VatCodeLink
from connectors.state.secrets import Cipher
from connectors.state.tokens import DbTokenStore
from connectors.sync.run import Env, load_entity
from connectors.targets.exact_online import ExactOAuth, ExactOnlineTarget
from sandbox.runner import DEMO_REDIRECT_URI
from tests.state.conftest import engine, state_url  # noqa: F401 - the parametrised state database fixtures

DIVISION = 100001


@pytest.fixture
def exact_fresh(start_exact_sandbox):
    """A new Exact Online administration per test. Its minutely limit is lifted: pacing has its own tests."""
    sandbox = start_exact_sandbox(extra_args=["--country", "be"])
    sandbox.configure(minutely_limit=100_000)
    return sandbox


@pytest.fixture
def entity_env(engine, focus, exact_fresh) -> Iterator[Env]:  # noqa: F811
    cipher = Cipher(Fernet.generate_key())
    http = httpx.Client(timeout=3)  # short, so the commit-then-timeout fault stays quick
    focus_store = DbTokenStore(engine, "focus_default", cipher)
    focus_store.save(FocusOAuth(http, focus.base_url, "sandbox", "sandbox").exchange_code(
        focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))
    exact_store = DbTokenStore(engine, "exact_demo_be", cipher)
    exact_store.save(ExactOAuth(http, exact_fresh.base_url, "sandbox", "sandbox").exchange_code(
        exact_fresh.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))

    def focus_client() -> FocusClient:
        return FocusClient(focus.base_url, TokenManager(FocusOAuth(http, focus.base_url, "sandbox", "sandbox"),
                                                        focus_store), http=http, owns_http=False)

    def target() -> ExactOnlineTarget:
        return ExactOnlineTarget.connect(exact_fresh.base_url, "sandbox", "sandbox", exact_store, DIVISION, http=http)

    department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
    with focus_client() as client:
        rates = [r for r in extract(client, department["id"]) if isinstance(r, TaxRate)]
    master = target().master_data()
    with session_scope(engine) as session:
        integration = Integration(
            entity="demo_be", focus_department_id=department["id"], focus_department_name=department["name"],
            country="BE", target="exact_online", target_connection_id="exact_demo_be",
            target_administration=str(DIVISION), status="connected", start_date=dt.date(2025, 1, 1),
            sales_discount_account="708000", fill_ledger_by_vat_rate=True,
        )
        integration.journals = [Journal(document_kind=k, journal_code=c) for k, c in suggest_journals(master).items()]
        integration.vat_links = [VatCodeLink(direction=d, source_key=k, target_vat_code=c)
                                 for (d, k), c in suggest_vat_links(rates, master).items()]
        integration.ledger_by_rate = [
            LedgerByVatRate(direction="sales", rate=r, ledger_account="701000") for r in ("0.21", "0.12", "0.06", "0")
        ] + [LedgerByVatRate(direction="purchase", rate=r, ledger_account="604000")
             for r in ("0.21", "0.12", "0.09", "0.06", "0")]
        session.add(integration)
    yield Env(engine, load_entity(engine, "demo_be"), focus_client, target)
    http.close()
