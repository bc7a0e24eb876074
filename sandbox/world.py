"""A complete local world: Focus, Exact Online, Octopus and Yuki sandboxes, a state database, Airflow
connections, and the demo integrations set up through the real CLI, as an operator would.

Used by ``make demo``, ``make airflow`` and the DAG end-to-end tests. Every
setting is an environment variable (``env``), so subprocesses such as
``airflow dags test`` see the same world.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet

from sandbox.runner import DEMO_REDIRECT_URI, REPO_ROOT, RunningSandbox, start_sandbox


@dataclass(frozen=True)
class DemoEntity:
    department: int  # position in the Focus sandbox's departments (0 BE, 1 NL, 2 BE services, 3 BE extra)
    tool: str  # exact_online | octopus | yuki
    sandbox: str  # key in World.tools
    administration: str  # Exact division / Octopus dossier / Yuki administration name (its GUID is the sandbox's)
    chart: str  # be | nl: which ledger accounts a bookkeeper would pick


#: Four entities of one Focus account: two on Exact Online, one on Octopus, one on Yuki.
DEMO_ENTITIES = {
    "demo_be": DemoEntity(0, "exact_online", "exact_be", "100001", "be"),
    "demo_nl": DemoEntity(1, "exact_online", "exact_nl", "200001", "nl"),
    "demo_be_octopus": DemoEntity(2, "octopus", "octopus", "8001", "be"),
    "demo_be_yuki": DemoEntity(3, "yuki", "yuki", "Yuki Demo BV", "be"),
}
FOCUS_DEPARTMENTS = 4
YUKI_DOMAIN = "Yuki Demo"
OCTOPUS_SOFTWARE_HOUSE_UUID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"
#: Ledger accounts for lines without one, per country: what a bookkeeper would pick.
LEDGER_BY_RATE = {
    "be": ["sales:0.21=701000", "sales:0.12=701000", "sales:0.06=700100", "sales:0=704000",
           "purchase:0.21=604000", "purchase:0.12=604000", "purchase:0.06=604000", "purchase:0=604000"],
    "nl": ["sales:0.21=8010", "sales:0.09=8020", "sales:0=8100",
           "purchase:0.21=7000", "purchase:0.09=7000", "purchase:0=7000"],
}
DISCOUNT_ACCOUNTS = {"be": "708000", "nl": "8900"}


def _conn(host: str, login: str = "sandbox", password: str = "sandbox", **extra: str) -> str:
    return json.dumps({"conn_type": "http", "host": host, "login": login, "password": password,
                       "extra": {"redirect_uri": DEMO_REDIRECT_URI, **extra}})


@dataclass
class World:
    home: Path
    focus: RunningSandbox
    #: exact_be, exact_nl, octopus, yuki
    tools: dict[str, RunningSandbox]
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([str(Path(sys.executable).with_name("focus-connector")), *args], env=self.env,
                              cwd=REPO_ROOT, text=True, capture_output=True, check=check)

    def airflow(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([str(Path(sys.executable).with_name("airflow")), *args], env=self.env,
                              cwd=REPO_ROOT, text=True, capture_output=True, check=check)

    def setup_demo_integrations(self, entities: dict[str, DemoEntity] = DEMO_ENTITIES) -> list[str]:
        """``focus connect`` then ``integrations add`` per entity, the operator's way. Returns the CLI output."""
        out = [self.cli("focus", "connect", "--code", self.focus.authorization_code()).stdout]
        departments = [d["id"] for d in self.focus.manifest()["departments"]]
        for entity, spec in entities.items():
            sandbox = self.tools[spec.sandbox]
            args = ["integrations", "add", entity, "--department", departments[spec.department], "--tool", spec.tool,
                    "--connection", f"{spec.tool}_{entity}", "--administration", administration_id(spec, sandbox),
                    "--start-date", "2025-01-01", "--accept-suggestions",
                    "--sales-discount-account", DISCOUNT_ACCOUNTS[spec.chart], "--fill-ledger-by-vat-rate",
                    "--timezone", "Europe/Amsterdam" if spec.chart == "nl" else "Europe/Brussels"]
            if sandbox.authorizes():
                args += ["--code", sandbox.authorization_code()]
            for pair in LEDGER_BY_RATE[spec.chart]:
                args += ["--ledger-by-rate", pair]
            out.append(self.cli(*args).stdout)
        return out


def administration_id(spec: DemoEntity, sandbox: RunningSandbox) -> str:
    """The id the tool gives the entity's administration (Yuki's are GUIDs the sandbox draws)."""
    if spec.tool != "yuki":
        return spec.administration
    domain = next(d for d in sandbox.admin("GET", "manifest").json()["domains"] if d["name"] == YUKI_DOMAIN)
    return next(a["id"] for a in domain["administrations"] if a["name"] == spec.administration)


def _tool_connection(spec: DemoEntity, sandbox: RunningSandbox) -> str:
    if spec.tool == "yuki":
        keys = sandbox.mint_tokens(domain=YUKI_DOMAIN)  # the access key an administrator creates in Yuki
        return json.dumps({"conn_type": "http", "host": sandbox.base_url, "login": "", "password": keys["accessKey"],
                           "extra": {"client_id": keys["clientID"], "client_secret": keys["clientSecret"]}})
    if spec.tool == "octopus":
        return _conn(f"{sandbox.base_url}/octopus-rest-api/v1", software_house_uuid=OCTOPUS_SOFTWARE_HOUSE_UUID)
    return _conn(sandbox.base_url)


@contextmanager
def demo_world(home: Path, *, invoices: int = 30, lift_exact_minutely_limit: bool = True) -> Iterator[World]:
    """Start the sandboxes under ``home`` and build the environment; stops everything on exit."""
    home.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        focus = stack.enter_context(start_sandbox("focus", invoices=invoices, db_path=home / "focus.db",
                                                  departments=FOCUS_DEPARTMENTS))
        tools = {f"exact_{country}": stack.enter_context(start_sandbox(
                     "exact_online", db_path=home / f"exact_{country}.db", extra_args=["--country", country]))
                 for country in ("be", "nl")}
        if lift_exact_minutely_limit:  # demo speed; the pacing itself is tested separately
            for sandbox in tools.values():
                sandbox.configure(minutely_limit=100_000)
        tools["octopus"] = stack.enter_context(start_sandbox("octopus", db_path=home / "octopus.db"))
        tools["yuki"] = stack.enter_context(start_sandbox("yuki", db_path=home / "yuki.db"))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_CONN_", "CONNECTOR_"))},
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",  # airflow spawns airflow
            "AIRFLOW_HOME": str(home / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "no-plugins"),
            "CONNECTOR_STATE_URL": f"sqlite:///{home / 'state.db'}",
            "CONNECTOR_FERNET_KEY": Fernet.generate_key().decode(),
            "CONNECTOR_ENTITIES_FILE": str(home / "entities.json"),
            "CONNECTOR_TASK_RETRIES": "0",
            "AIRFLOW_CONN_FOCUS_DEFAULT": _conn(focus.base_url),
            **{f"AIRFLOW_CONN_{spec.tool.upper()}_{entity.upper()}": _tool_connection(spec, tools[spec.sandbox])
               for entity, spec in DEMO_ENTITIES.items()},
        }
        yield World(home, focus, tools, env)
