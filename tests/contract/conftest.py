"""One entity per test, wired exactly as in production, on every tool and both state databases.

The tool is a parameter (``exact_online``, ``octopus``; Yuki and Twinfield
join with their issues); the entity is set up through ``integrations.add``
with the setup's own suggestions, its connections come from
``AIRFLOW_CONN_*`` and its clients from ``connectors.tasks.production_env``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import pytest
from cryptography.fernet import Fernet

from connectors import integrations
from connectors.connections import connection_json
from connectors.focus import streams
from connectors.focus.auth import FocusOAuth
from connectors.focus.mapping import tax_rate
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.db import make_engine, migrate
from connectors.state.master_data import MasterDataStore
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.sync.run import Env
from connectors.tasks import production_env, target_for
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox, start_sandbox
from tests.contract.oracle import Accounts
from tests.contract.payments_worlds import WORLD_OF, PaymentsWorld
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


# -- payments: one booked world per tool and state database, shared by a module's tests ---------------


PAYMENTS_WORLDS = [pytest.param((name, db), id=f"{name}-{db}",
                                marks=[pytest.mark.postgres] if db == "postgresql" else [])
                   for name in sorted(HARNESSES) for db in ("sqlite", "postgresql")]


@pytest.fixture(scope="module", params=PAYMENTS_WORLDS)
def payments_world(request, tmp_path_factory) -> Iterator[PaymentsWorld]:
    from tests.contract.test_target_contract import sync
    from tests.state.conftest import _postgres_schema

    name, db = request.param
    tool = HARNESSES[name]()
    home = tmp_path_factory.mktemp(f"payments-{name}-{db}")
    with ExitStack() as stack, pytest.MonkeyPatch.context() as monkeypatch:
        if db == "sqlite":
            url = f"sqlite:///{home / 'state.db'}"
        else:
            schemas = _postgres_schema()
            url = next(schemas)
            stack.callback(lambda: next(schemas, None))
        engine = make_engine(url)
        stack.callback(engine.dispose)
        migrate(engine)
        tool_sandbox = stack.enter_context(tool.running())
        focus = stack.enter_context(start_sandbox("focus", invoices=60))
        connect_environment(monkeypatch, home, tool, tool_sandbox, focus)
        department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
        env = set_up_entity(engine, tool, tool_sandbox, focus, department)
        sync(env)
        yield PaymentsWorld(tool, tool_sandbox, focus, env)


@pytest.fixture
def books(payments_world) -> Env:
    """The module's booked entity, with the sandboxes' faults, rate windows and daily quotas as fresh as a new
    day's (each test runs a few syncs; a module runs dozens)."""
    payments_world.focus.reset_runtime()
    payments_world.tool_sandbox.clear_faults()
    assert payments_world.tool_sandbox.admin("DELETE", "ratelimit").status_code < 300
    WORLD_OF[id(payments_world.env)] = payments_world
    return payments_world.env


@pytest.fixture
def own_focus(payments_world) -> RunningSandbox:
    return payments_world.focus


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
