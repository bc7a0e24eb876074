"""The embedded default holds the product's own load: four entities syncing at once on one SQLite file.

Without ``CONNECTOR_STATE_URL`` every task process of every entity shares one SQLite file. The product allows
at most four entities, and Airflow runs their DAGs side by side, so four syncs write to that file at the
same moment. SQLite allows one writer at a time; ``state.db`` makes that safe (WAL, ``BEGIN IMMEDIATE`` for
every write, a busy timeout that is honoured, a retried ``BEGIN``, short transactions). Before that, four
parallel syncs failed with "database is locked" after about 3 s in 4 of 4 rounds.

The proof is the load itself: four entities (two Exact Online divisions, two Octopus dossiers, each on its
own Focus department) set up as a user would, then synced in four OS processes released at one moment.
Each process runs every step of one run through the production wiring (``tests/state/parallel_sync.py``),
with the suite's guard that fails any write outside ``BEGIN IMMEDIATE`` at once. Two rounds: the first
extracts and books everything; the second is the daily re-run, started with every access token expired,
so the processes also refresh the shared Focus and Exact Online token rows at once (under the row lock,
the one transaction that holds an HTTP call). The test asserts that

- every process ends normally: no "database is locked", no traceback;
- the runs overlapped in time, and their write transactions interleaved (so it cannot pass by running
  one after another);
- for each entity every document its run did not refuse is booked in the tool exactly once, counted in the
  tool's own books for that administration, and the ledger says ``booked`` for exactly those;
- each shared token pair was refreshed once, the other processes using the new pair.

A second test shows the mechanism alone: four processes each making many short writes to one file at once
(a read-merge-write of one JSON value and an insert) end without an error and without a lost update.

With ``write_transaction`` put back to a plain deferred ``BEGIN`` (the old code), both tests fail: the guard
names the first deferred write, and without the guard the processes die with "database is locked".

Connections: the two Exact Online divisions share one connection and its token pair (one Exact user with
access to both divisions, as an accountant connects it; both processes may refresh the same row), the two
Octopus dossiers share one connection (Octopus keeps a dossier token per dossier, ``octopus#dossier:…``).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from connectors import integrations
from connectors.booking import reference
from connectors.connections import connection_json
from connectors.focus import streams
from connectors.focus.auth import FocusOAuth
from connectors.focus.mapping import tax_rate
from connectors.setup import suggest_journals, suggest_vat_links
from connectors.state.db import make_engine, migrate
from connectors.state.master_data import MasterDataStore
from connectors.state.models import DocumentState
from connectors.state.runs import RunLog
from connectors.state.secrets import load_cipher
from connectors.state.tokens import DbTokenStore
from connectors.tasks import production_env, target_for
from sandbox.runner import DEMO_REDIRECT_URI, RunningSandbox, start_sandbox
from tests.contract.conftest import ACCOUNTS, PURCHASE_RATES, SALES_RATES
from tests.contract.tools import ExactOnlineHarness, OctopusHarness, ToolHarness

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The tools' answer time the entities allow: four syncs share one sandbox process per tool.
TOOL_TIMEOUT = 30.0
#: Rounds of four parallel runs: the first extracts and books everything, the second is the daily re-run
#: (nothing new: it reads, compares and reports). One round takes 10-20 s, most of it validation (GX).
ROUNDS = 2
#: How long the test waits for a round's processes.
ROUND_TIMEOUT = 180.0


@dataclass(frozen=True)
class EntitySetup:
    """One of the four entities: which Focus department goes to which tool administration."""

    entity: str
    department: int  # index in the Focus manifest
    tool: str
    administration: str


#: The NL department goes to a Belgian division: its NL ledger accounts are refused there (a refusal per
#: document is part of a run, not a failure of this test); the other three book all but a few demo documents.
ENTITIES = (
    EntitySetup("demo_be_exact", 0, "exact_online", "100001"),
    EntitySetup("demo_nl_exact", 1, "exact_online", "100002"),
    EntitySetup("services_be_octopus", 2, "octopus", "8001"),
    EntitySetup("extra_be_octopus", 3, "octopus", "8002"),
)


def harness(tool: str, administration: str) -> ToolHarness:
    """The contract suite's harness for one tool, reading the books of one administration."""
    instance = {"exact_online": ExactOnlineHarness, "octopus": OctopusHarness}[tool]()
    instance.administration = administration
    return instance


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def focus() -> Iterator[RunningSandbox]:
    with start_sandbox("focus", departments=4) as sandbox:
        yield sandbox


@pytest.fixture
def tools() -> Iterator[dict[str, RunningSandbox]]:
    """One sandbox per tool (Exact Online ``--country be`` with the minutely limit raised, Octopus)."""
    with ExitStack() as stack:
        yield {tool: stack.enter_context(harness(tool, "").running()) for tool in ("exact_online", "octopus")}


@pytest.fixture
def state_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'state.db'}"


@pytest.fixture
def connector_env(focus, tools, state_url, tmp_path, monkeypatch) -> dict[str, str]:
    """The environment every process of the installation shares: state file, Fernet key, connections."""
    values = {
        "CONNECTOR_STATE_URL": state_url,
        "CONNECTOR_FERNET_KEY": Fernet.generate_key().decode(),
        "CONNECTOR_ENTITIES_FILE": str(tmp_path / "entities.json"),
        "AIRFLOW_CONN_FOCUS_DEFAULT": connection_json(focus.base_url, "sandbox", "sandbox"),
    }
    for tool, sandbox in tools.items():
        tool_harness = harness(tool, "")
        values[f"AIRFLOW_CONN_{tool_harness.connection_id.upper()}"] = tool_harness.connection(sandbox, TOOL_TIMEOUT)
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


# -- setting up four entities ----------------------------------------------------------------------


def connect_focus_and_tools(engine, focus: RunningSandbox, tools: dict[str, RunningSandbox]) -> None:
    """The consent steps, once per connection: Focus, Exact Online (shared by both divisions), Octopus."""
    with httpx.Client(timeout=10) as http:
        DbTokenStore(engine, "focus_default", load_cipher()).save(
            FocusOAuth(http, focus.base_url, "sandbox", "sandbox").exchange_code(
                focus.authorization_code(), redirect_uri=DEMO_REDIRECT_URI))
    for tool, sandbox in tools.items():
        tool_harness = harness(tool, "")
        tool_harness.connect(sandbox, DbTokenStore(engine, tool_harness.connection_id, load_cipher()))


def add_entity(engine, setup: EntitySetup, department: dict) -> None:
    """What a user does per entity: add the integration, read the tool's master data, take the suggestions
    (``tests.contract.conftest.set_up_entity`` for one of several entities)."""
    tool_harness = harness(setup.tool, setup.administration)
    sales_rates = {*SALES_RATES, "0.09"}  # the NL department sells at 9 % too
    row = integrations.add(engine, setup.entity, department_id=department["id"], target=setup.tool,
                           settings=integrations.Settings(
                               department_name=department["name"], country=department["country"],
                               target_connection_id=tool_harness.connection_id,
                               administration=setup.administration, start_date=dt.date(2025, 1, 1),
                               sales_discount_account=ACCOUNTS.sales_discount,
                               purchase_discount_account=ACCOUNTS.purchases_by_rate, fill_ledger_by_vat_rate=True,
                               ledger_by_rate={**{("sales", r): ACCOUNTS.sales_by_rate for r in sales_rates},
                                               **{("purchase", r): ACCOUNTS.purchases_by_rate
                                                  for r in PURCHASE_RATES}}))
    with production_env(setup.entity, engine).focus() as client:
        rates = [tax_rate(item) for item in streams.tax_rates(client, department["id"])]
    target = target_for(engine, target=setup.tool, connection_id=tool_harness.connection_id,
                        administration=setup.administration, integration_id=row.id)
    master = MasterDataStore(engine, row.id).refresh(target).master
    integrations.edit(engine, setup.entity, integrations.Settings(journals=suggest_journals(master),
                                                                 vat_links=suggest_vat_links(rates, master)))


@pytest.fixture
def four_entities(connector_env, focus, tools) -> Iterator:
    """Four entities in one SQLite state file, each on its own Focus department; yields the engine."""
    engine = make_engine(connector_env["CONNECTOR_STATE_URL"])
    migrate(engine)
    connect_focus_and_tools(engine, focus, tools)
    departments = focus.manifest()["departments"]
    assert len(departments) == 4 and sorted(d["country"] for d in departments) == ["BE", "BE", "BE", "NL"]
    for setup in ENTITIES:
        add_entity(engine, setup, departments[setup.department])
    assert [row.status for row in integrations.all_integrations(engine)] == ["connected"] * 4
    yield engine
    engine.dispose()


def expire_every_access_token(focus: RunningSandbox, tools: dict[str, RunningSandbox]) -> None:
    """The services refuse every access token handed out so far: the next round's processes all meet a 401 at
    once and refresh under the token row's lock (``BEGIN IMMEDIATE`` held across the refresh call, the one
    transaction with an HTTP call in it); the others wait, re-read and use the new pair."""
    for sandbox in (focus, *tools.values()):
        sandbox.expire_tokens()
        sandbox.clear_requests()


#: Where each OAuth service takes a refresh token (the sandbox's request log names the endpoint).
TOKEN_ENDPOINTS = {"focus": "oauth2/access_token", "exact_online": "api/oauth2/token"}


def assert_each_shared_token_refreshed_once(*sandboxes: RunningSandbox) -> None:
    """Focus (one token pair for four processes) and Exact Online (one for two): a single refresh each,
    the other processes found the new pair; a refresh token spent twice would have failed a process."""
    for sandbox in sandboxes:
        calls = [r["status"] for r in sandbox.requests() if r["endpoint"] == TOKEN_ENDPOINTS[sandbox.name]]
        assert calls == [200], f"{sandbox.name}: token endpoint answered {calls}"


# -- running processes at one moment ------------------------------------------------------------


@dataclass
class Finished:
    """One process of a round: its exit status, stderr and what it reported (``parallel_sync``)."""

    name: str
    returncode: int
    stderr: str
    report: dict | None

    @property
    def interval(self) -> tuple[float, float]:
        assert self.report is not None
        return self.report["started"], self.report["ended"]

    def describe(self) -> str:
        """The exit status and the end of stderr (long lines cut: SQLAlchemy prints every parameter)."""
        tail = "\n".join(line[:300] for line in self.stderr.splitlines()[-60:])
        return f"{self.name}: exit status {self.returncode}, report {'written' if self.report else 'missing'}\n{tail}"


def run_at_once(commands: dict[str, list[str]], env: dict[str, str], round_dir: Path) -> list[Finished]:
    """Start one process per command, wait until all are ready (imports done), release them together
    (the ``go`` file) and wait for them all."""
    round_dir.mkdir(parents=True)
    logs = {name: (round_dir / f"{name}.stderr").open("w+") for name in commands}
    processes = {name: subprocess.Popen([sys.executable, "-m", "tests.state.parallel_sync", *args, str(round_dir)],
                                        cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=logs[name])
                 for name, args in commands.items()}
    try:
        deadline = time.monotonic() + ROUND_TIMEOUT
        while not all((round_dir / f"ready-{name}").exists() for name in commands):
            if any(p.poll() is not None for p in processes.values()) or time.monotonic() > deadline:
                break  # one died before the start: the results below say why
            time.sleep(0.01)
        (round_dir / "go").touch()
        for process in processes.values():
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    finished = []
    for name, process in processes.items():
        logs[name].seek(0)
        stderr = logs[name].read()
        logs[name].close()
        out = round_dir / f"{name}.json"
        finished.append(Finished(name, process.returncode, stderr,
                                 json.loads(out.read_text()) if out.exists() else None))
    return finished


def assert_all_ended_normally(finished: list[Finished]) -> None:
    failed = [f for f in finished if f.returncode != 0 or f.report is None or "Traceback" in f.stderr
              or "database is locked" in f.stderr]
    assert not failed, "\n\n".join(f.describe() for f in failed)


def assert_ran_at_once(finished: list[Finished]) -> None:
    """All processes were running at one moment, and their write transactions interleaved: more often than
    processes run one after another would give (``n - 1`` times) the next write came from another process."""
    last_start = max(f.interval[0] for f in finished)
    first_end = min(f.interval[1] for f in finished)
    intervals = {f.name: f"{f.interval[0] - last_start:+.3f}..{f.interval[1] - last_start:+.3f} s" for f in finished}
    assert last_start < first_end, f"the runs did not overlap: {intervals}"
    assert switches(finished) > len(finished) - 1, f"the writes did not interleave: {intervals}"


def write_locks(finished: list[Finished]) -> list[tuple[float, float, str]]:
    """Every write transaction of the round, in time order: (when it began, its wait for the lock, process)."""
    return sorted((at, wait, f.name) for f in finished for at, wait in f.report["write_locks"])


def switches(finished: list[Finished]) -> int:
    return sum(a[2] != b[2] for a, b in pairwise(write_locks(finished)))


def write_summary(finished: list[Finished]) -> str:
    """How the write transactions went: how many, how often the next one came from another process,
    how long they waited for the write lock."""
    taken = write_locks(finished)
    longest = max(wait for _, wait, _ in taken)
    return (f"{len(taken)} write transactions, {switches(finished)} times the next from another process; "
            f"longest wait for the lock {longest * 1000:.0f} ms, {sum(w > 0.005 for _, w, _ in taken)} over 5 ms; "
            f"runs {', '.join(f'{f.interval[1] - f.interval[0]:.1f}' for f in finished)} s")


# -- what the tools hold -------------------------------------------------------------------------


def assert_each_unrefused_document_booked_once(engine, setup: EntitySetup, sandbox: RunningSandbox,
                                               department: dict, run_id: int) -> int:
    env = production_env(setup.entity, engine)
    entries = list(env.ledger.entries(*DocumentState))
    seeded = sum(department["counts"][kind] for kind in ("sales_invoice", "sales_credit_note", "purchase_invoice",
                                                         "purchase_credit_note"))
    assert len(entries) == seeded, f"{setup.entity}: the ledger holds {len(entries)} of {seeded} documents"
    refused = {error.focus_id for error in RunLog(engine).errors(run_id) if error.focus_id}
    booked = {reference(e.document) for e in entries if e.state == DocumentState.BOOKED}
    not_booked = {e.focus_id: e.state.value for e in entries if e.state != DocumentState.BOOKED}
    assert set(not_booked) <= refused, f"{setup.entity}: not booked and not refused: {not_booked.keys() - refused}"

    held = Counter(b.reference for b in harness(setup.tool, setup.administration).books(sandbox))
    twice = sorted(ref for ref, n in held.items() if n > 1)
    assert not twice, f"{setup.entity}: booked more than once in {setup.tool} {setup.administration}: {twice}"
    assert set(held) == booked, (f"{setup.entity}: the tool and the ledger differ; only in the tool: "
                                 f"{sorted(set(held) - booked)}, only in the ledger: {sorted(booked - set(held))}")
    return len(booked)


# -- the tests -----------------------------------------------------------------------------------


def test_four_entities_sync_at_once_in_parallel_processes_on_one_sqlite_file(four_entities, connector_env, focus,
                                                                             tools, tmp_path):
    engine = four_entities
    child_env = {**os.environ, **connector_env}
    departments = focus.manifest()["departments"]
    commands = {setup.entity: ["sync", setup.entity] for setup in ENTITIES}
    summaries = []
    for round_no in range(1, ROUNDS + 1):
        if round_no > 1:
            expire_every_access_token(focus, tools)
        finished = run_at_once(commands, child_env, tmp_path / f"round-{round_no}")
        assert_all_ended_normally(finished)
        assert_ran_at_once(finished)
        if round_no > 1:
            assert_each_shared_token_refreshed_once(focus, tools["exact_online"])
        summaries.append(f"round {round_no}: {write_summary(finished)}")

        runs = {f.name: f.report["run_id"] for f in finished}
        booked = {setup.entity: assert_each_unrefused_document_booked_once(
            engine, setup, tools[setup.tool], departments[setup.department], runs[setup.entity])
            for setup in ENTITIES}
        assert all(booked.values()), f"an entity booked nothing: {booked}"
    print("\n".join(summaries))


def test_four_processes_writing_at_once_to_one_sqlite_file_lose_nothing(tmp_path):
    """4 processes × 300 × (read-merge-write of one run's counts, then one insert), released together."""
    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = make_engine(url)
    migrate(engine)
    run_id = RunLog(engine).start("hammer", None, None, False)
    writes = 300
    names = [f"p{n}" for n in range(4)]
    finished = run_at_once({name: ["hammer", name, str(run_id), str(writes)] for name in names},
                           {**os.environ, "CONNECTOR_STATE_URL": url}, tmp_path / "hammer")
    assert_all_ended_normally(finished)
    assert_ran_at_once(finished)
    counts = RunLog(engine).add_counts(run_id, {})
    assert counts == dict.fromkeys(names, writes)  # no read-merge-write lost another's update
    assert Counter(e.message for e in RunLog(engine).errors(run_id)) == dict.fromkeys(names, writes)
    print(write_summary(finished))
    engine.dispose()
