"""One entity per test, wired exactly as in production, on every tool and both state databases.

The tool is a parameter (``exact_online``, ``octopus``; Yuki and Twinfield
join with their issues); the entity is set up through ``integrations.add``
with the setup's own suggestions, its connections come from
``AIRFLOW_CONN_*`` and its clients from ``connectors.tasks.production_env``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from cryptography.fernet import Fernet

from connectors import integrations
from connectors.connections import connection_json
from connectors.focus import streams
from connectors.focus.auth import FocusOAuth
from connectors.focus.mapping import tax_rate
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.master_data import MasterDataStore
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.sync.run import Env
from connectors.tasks import production_env, target_for
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox
from tests.contract.oracle import Accounts
from tests.contract.tools import HARNESSES, ToolHarness
from tests.sandbox.support import Api
from tests.state.conftest import engine, state_url  # noqa: F401 - the parametrised state database fixtures

ENTITY = "contract_be"
#: Short enough that a commit-then-timeout fault stays quick, long enough for a loaded CI machine.
TOOL_TIMEOUT = 3.0
SALES_RATES = ("0.21", "0.12", "0.06", "0")
PURCHASE_RATES = ("0.21", "0.12", "0.09", "0.06", "0")
#: The accounts the suite configures: lines without a ledger account (sales) and every purchase line go by rate.
ACCOUNTS = Accounts(sales_by_rate="701000", purchases_by_rate="604000", sales_discount="708000")


@pytest.fixture(params=sorted(HARNESSES))
def tool(request) -> ToolHarness:
    return HARNESSES[request.param]()


@pytest.fixture
def tool_sandbox(tool: ToolHarness) -> Iterator[RunningSandbox]:
    """A new administration per test: the suite books into it."""
    with tool.running() as sandbox:
        yield sandbox


@pytest.fixture
def be_department(focus) -> dict:
    return next(d for d in focus.manifest()["departments"] if d["country"] == "BE")


@pytest.fixture
def entity_env(tool, tool_sandbox, focus, be_department, engine, tmp_path, monkeypatch) -> Env:  # noqa: F811
    connect_environment(monkeypatch, tmp_path, tool, tool_sandbox, focus)
    return set_up_entity(engine, tool, tool_sandbox, focus, be_department)


def connect_environment(monkeypatch, tmp_path, tool: ToolHarness, tool_sandbox, focus) -> None:
    """The secrets key, the entities snapshot and the Airflow connections of Focus and the tool."""
    monkeypatch.setenv("CONNECTOR_FERNET_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    monkeypatch.setenv("AIRFLOW_CONN_FOCUS_DEFAULT", connection_json(focus.base_url, "sandbox", "sandbox"))
    monkeypatch.setenv(f"AIRFLOW_CONN_{tool.connection_id.upper()}", tool.connection(tool_sandbox, TOOL_TIMEOUT))


# -- payments: each test changes Focus's documents, so it gets a Focus of its own ------------------


@pytest.fixture
def own_focus(start_focus_sandbox) -> RunningSandbox:
    return start_focus_sandbox(invoices=60)


@pytest.fixture
def books(tool, tool_sandbox, own_focus, engine, tmp_path, monkeypatch) -> Env:  # noqa: F811
    """An entity on its own Focus whose documents a first run booked."""
    from tests.contract.test_target_contract import sync

    connect_environment(monkeypatch, tmp_path, tool, tool_sandbox, own_focus)
    department = next(d for d in own_focus.manifest()["departments"] if d["country"] == "BE")
    env = set_up_entity(engine, tool, tool_sandbox, own_focus, department)
    sync(env)
    return env


@pytest.fixture
def focus_api(own_focus) -> Api:
    """Focus's own API, for reading back what Focus shows (no production client involved)."""
    return Api(own_focus)


def set_up_entity(engine, tool: ToolHarness,  # noqa: F811 - a plain argument, not the fixture
                  tool_sandbox, focus, department: dict, *,
                  start_date: dt.date = dt.date(2025, 1, 1)) -> Env:
    """What a user does once: connect Focus and the tool, add the integration, take the suggestions.
    (Run again on an emptied state database, it is what a user does after losing it.)"""
    with httpx.Client(timeout=10) as http:
        DbTokenStore(engine, "focus_default", load_cipher()).save(
            FocusOAuth(http, focus.base_url, "sandbox", "sandbox").exchange_code(
                focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))
    tool.connect(tool_sandbox, DbTokenStore(engine, tool.connection_id, load_cipher()))

    row = integrations.add(engine, ENTITY, department_id=department["id"], target=tool.name,
                           settings=integrations.Settings(
                               department_name=department["name"], country="BE",
                               target_connection_id=tool.connection_id, administration=tool.administration,
                               start_date=start_date, sales_discount_account=ACCOUNTS.sales_discount,
                               purchase_discount_account=ACCOUNTS.purchases_by_rate, fill_ledger_by_vat_rate=True,
                               ledger_by_rate={**{("sales", r): ACCOUNTS.sales_by_rate for r in SALES_RATES},
                                               **{("purchase", r): ACCOUNTS.purchases_by_rate
                                                  for r in PURCHASE_RATES}}))
    env = production_env(ENTITY, engine)
    with env.focus() as client:
        rates = [tax_rate(item) for item in streams.tax_rates(client, department["id"])]
    target = target_for(engine, target=tool.name, connection_id=tool.connection_id,
                        administration=tool.administration, integration_id=row.id)
    master = MasterDataStore(engine, row.id).refresh(target).master
    integrations.edit(engine, ENTITY, integrations.Settings(journals=suggest_journals(master),
                                                            vat_links=suggest_vat_links(rates, master)))
    return production_env(ENTITY, engine)
