"""The offline_export DAG: its trigger form, its steps, and the review a person answers in Airflow.

The end-to-end tests run the DAG under Airflow (`airflow dags test`) against the Focus sandbox. The review test
starts Airflow's API server next to it, sharing its metadata database, and answers the review through the
REST API as a logged-in user (Airflow's simple auth manager): before the answer nothing is written or charged;
approving publishes and charges, rejecting writes and charges nothing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select

from connectors.exports.settings import ExportSettings, Profile, write_snapshot
from connectors.state.export_models import BillingCharge, Export
from sandbox.runner import DEMO_REDIRECT_URI, REPO_ROOT, RunningSandbox, start_sandbox

TASKS = ["start", "collect", "validate", "quote", "review", "write", "publish_and_bill", "report"]
#: The Belgian demo department, billed over its whole history: the csv package exports it as it is.
PERIOD = ("2025-01-01", "2026-12-31")
BIN = Path(sys.executable).parent


# -- the DAG as parsed ------------------------------------------------------------------------------------


@pytest.fixture
def dag(tmp_path, monkeypatch):
    monkeypatch.setenv("CONNECTOR_ENTITIES_FILE", str(tmp_path / "entities.json"))
    path = tmp_path / "export_entities.json"
    monkeypatch.setenv("CONNECTOR_EXPORT_ENTITIES_FILE", str(path))
    write_snapshot([Profile("acme_be", "d-1", "Acme BV", "BE", ExportSettings(package="csv")),
                    Profile("acme_nl", "d-2", "Acme Nederland B.V.", "NL", ExportSettings())], path)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder="dags")
    assert bag.import_errors == {}
    return bag.dags["offline_export"]


def test_the_offline_export_runs_only_when_triggered(dag):
    assert type(dag.timetable).__name__ == "NullTimetable"


def test_the_steps_run_in_order_and_the_review_is_an_airflow_approval(dag):
    from airflow.providers.standard.operators.hitl import ApprovalOperator

    assert [t.task_id for t in sorted(dag.tasks, key=lambda t: len(t.get_flat_relatives(upstream=True)))] == TASKS
    assert isinstance(dag.get_task("review"), ApprovalOperator)


def test_every_form_field_has_a_title_help_text_and_a_default(dag):
    for name, param in dag.params.items():
        schema = param.schema
        assert schema.get("title") and param.description, name
        # the journals' default is empty on purpose: "the department's setting"
        assert param.value is not None or name in ("invoice_journal", "credit_note_journal"), name


def test_the_form_offers_the_departments_of_the_snapshot_by_name(dag):
    entity = dag.params.get_param("entity").schema
    assert entity["enum"] == ["acme_be", "acme_nl"]
    assert entity["values_display"]["acme_nl"].startswith("Acme Nederland B.V.")


def test_the_form_offers_each_package_and_its_own_parameters_in_its_section(dag):
    assert set(dag.params.get_param("package").schema["enum"]) >= {"ubl", "csv"}
    sections = {dag.params.get_param(name).schema.get("section") for name in ("ubl_document_numbers",
                                                                                "csv_delimiter")}
    assert len(sections) == 2 and all(sections)


def test_vat_on_lines_is_shown_and_is_the_only_choice(dag):
    assert dag.params.get_param("vat_mode").schema["enum"] == ["on lines"]


def test_approving_automatically_is_off_and_customers_are_exported_by_default(dag):
    assert dag.params["approve_automatically"] is False and dag.params["export_customers"] is True


# -- under Airflow, against the Focus sandbox ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowWorld:
    def __init__(self, home: Path, focus: RunningSandbox):
        self.home = home
        self.focus = focus
        self.exports = home / "exports"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW_", "CONNECTOR_"))},
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "AIRFLOW_HOME": str(home / "airflow"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(home / "no-plugins"),
            "CONNECTOR_STATE_URL": f"sqlite:///{home / 'state.db'}",
            "CONNECTOR_FERNET_KEY": Fernet.generate_key().decode(),
            "CONNECTOR_ENTITIES_FILE": str(home / "entities.json"),
            "CONNECTOR_EXPORT_ENTITIES_FILE": str(home / "export_entities.json"),
            "CONNECTOR_EXPORTS_URL": str(self.exports),
            "AIRFLOW_CONN_FOCUS_DEFAULT": json.dumps({
                "conn_type": "http", "host": focus.base_url, "login": "sandbox", "password": "sandbox",
                "extra": {"redirect_uri": DEMO_REDIRECT_URI}}),
        }

    def run(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(BIN / argv[0]), *argv[1:]], env=self.env, cwd=REPO_ROOT, text=True,
                              capture_output=True, **kwargs)

    def trigger(self, entity: str, **conf) -> subprocess.CompletedProcess:
        return self.run("airflow", "dags", "test", "offline_export", "-c", json.dumps(self.conf(entity, **conf)),
                        timeout=300)

    def conf(self, entity: str, **conf) -> dict:
        return {"entity": entity, "period_from": PERIOD[0], "period_to": PERIOD[1], "package": "csv", **conf}

    def exports_rows(self, entity: str) -> list:
        engine = create_engine(self.env["CONNECTOR_STATE_URL"])
        try:
            with engine.connect() as connection:
                return connection.execute(select(Export).where(Export.entity == entity).order_by(Export.id)).all()
        finally:
            engine.dispose()

    def charges(self, entity: str) -> list:
        engine = create_engine(self.env["CONNECTOR_STATE_URL"])
        try:
            with engine.connect() as connection:
                return connection.execute(select(BillingCharge).where(BillingCharge.entity == entity)).all()
        finally:
            engine.dispose()

    def published(self, entity: str) -> list[Path]:
        return sorted(p for p in (self.exports / entity).rglob("*") if p.is_file() and "reports" not in p.parts)


@pytest.fixture(scope="module")
def focus_for_dags() -> Iterator[RunningSandbox]:
    with start_sandbox("focus", invoices=60) as sandbox:
        sandbox.configure(rate_limit=100_000)
        yield sandbox


#: One entity per test, on one Airflow home and state database for the module (setting Airflow up is slow):
#: a test only looks at its own entity's exports, charges and files.
ENTITIES = {"auto_be": 0, "approve_nl": 1, "reject_be": 2}


@pytest.fixture(scope="module")
def airflow_world(tmp_path_factory, focus_for_dags) -> AirflowWorld:
    world = AirflowWorld(tmp_path_factory.mktemp("offline-export-dag"), focus_for_dags)
    assert world.run("focus-connector", "focus", "connect", "--code", focus_for_dags.authorization_code()
                     ).returncode == 0
    departments = focus_for_dags.manifest()["departments"]
    for entity, position in ENTITIES.items():
        setup = world.run("focus-connector", "exports", "setup", entity, "--department", departments[position]["id"],
                          "--ledger-by-rate", "0.21=700000", "--ledger-by-rate", "0.12=700000",
                          "--ledger-by-rate", "0.09=8020", "--ledger-by-rate", "0.06=700000",
                          "--ledger-by-rate", "0=700000", "--fill-lines-by-rate", "--discount-account", "708000")
        assert setup.returncode == 0, setup.stderr
    assert world.run("airflow", "db", "migrate").returncode == 0
    return world


def test_a_triggered_export_approved_automatically_publishes_and_charges_once_per_invoice(airflow_world):
    run = airflow_world.trigger("auto_be", approve_automatically=True)
    assert run.returncode == 0, (run.stdout + run.stderr)[-3000:]
    (export,) = airflow_world.exports_rows("auto_be")
    assert export.status == "published" and export.approved_by.startswith("approve_automatically")
    assert len(airflow_world.published("auto_be")) == 3
    assert Decimal_of(export.charge) == Decimal_of("0.10") * export.invoice_count
    assert len(airflow_world.charges("auto_be")) == export.invoice_count


def Decimal_of(text: str):  # noqa: N802 - reads like the type it builds
    from decimal import Decimal

    return Decimal(text)


@contextmanager
def api_server(world: AirflowWorld) -> Iterator[str]:
    """Airflow's API server on a free port, with one user (simple auth manager), sharing the metadata DB."""
    port = _free_port()
    passwords = world.home / "passwords.json"
    passwords.write_text(json.dumps({"accountant": "s3cret-pass"}))
    world.env.update({"AIRFLOW__API__PORT": str(port), "AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__WORKERS": "1",
                      "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "accountant:admin",
                      "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
                      "AIRFLOW__API_AUTH__JWT_SECRET": "test-secret-" + str(port)})
    server = subprocess.Popen([str(BIN / "airflow"), "api-server", "--port", str(port)], env=world.env,
                              cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v2/version", timeout=2).status_code in (200, 401, 403):
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            raise AssertionError("the Airflow API server did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _token(base: str) -> str:
    answer = httpx.post(f"{base}/auth/token", json={"username": "accountant", "password": "s3cret-pass"}, timeout=10)
    assert answer.status_code == 201, answer.text
    return answer.json()["access_token"]


def _waiting_review(base: str, headers: dict, deadline: float) -> dict:
    while time.monotonic() < deadline:
        answer = httpx.get(f"{base}/api/v2/dags/~/dagRuns/~/hitlDetails", headers=headers, timeout=10)
        if answer.status_code == 200:
            waiting = [d for d in answer.json().get("hitl_details", []) if not d.get("response_received")]
            if waiting:
                return waiting[0]
        time.sleep(1)
    raise AssertionError("no review is waiting in Airflow")


@pytest.mark.parametrize(("choice", "entity"), [("Approve", "approve_nl"), ("Reject", "reject_be")])
def test_nothing_is_written_or_charged_until_a_logged_in_person_answers_the_review_in_airflow(airflow_world,
                                                                                               choice, entity):
    dag_run = subprocess.Popen([str(BIN / "airflow"), "dags", "test", "offline_export", "-c",
                                json.dumps(airflow_world.conf(entity))], env=airflow_world.env, cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with api_server(airflow_world) as base:
            headers = {"Authorization": f"Bearer {_token(base)}"}
            review = _waiting_review(base, headers, time.monotonic() + 180)
            (export,) = airflow_world.exports_rows(entity)
            assert export.status == "quoted"
            assert airflow_world.published(entity) == [] and airflow_world.charges(entity) == []
            assert f"{export.quoted_new} invoice(s) charged for the first time" in review["body"]
            assert "**Customers" in review["body"] and "**Documents" in review["body"]

            ti = review["task_instance"]
            url = f"{base}/api/v2/dags/offline_export/dagRuns/{ti['dag_run_id']}/taskInstances/review/-1/hitlDetails"
            anonymous = httpx.patch(url, json={"chosen_options": ["Approve"]}, timeout=30)
            assert anonymous.status_code == 401  # nobody approves without logging in
            answer = httpx.patch(url, headers=headers, json={"chosen_options": [choice]}, timeout=30)
            assert answer.status_code == 200, answer.text
            output, _ = dag_run.communicate(timeout=240)
    finally:
        if dag_run.poll() is None:
            dag_run.kill()
    (export,) = airflow_world.exports_rows(entity)
    if choice == "Approve":
        assert export.status == "published", output[-3000:]
        assert export.approved_by.startswith("accountant")
        assert len(airflow_world.published(entity)) == 3
        assert len(airflow_world.charges(entity)) == export.invoice_count
    else:
        assert export.status == "rejected", output[-3000:]
        assert airflow_world.published(entity) == [] and airflow_world.charges(entity) == []
