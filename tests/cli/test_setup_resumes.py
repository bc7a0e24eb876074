"""Setup is a state machine a user can finish: a failed consent or administration pick leaves the
integration Connecting with the command that resumes it, and that command finishes it."""

from __future__ import annotations

import pytest

from connectors import integrations
from connectors.cli.common import state_engine
from sandbox.world import OCTOPUS_SOFTWARE_HOUSE_UUID
from tests.cli.conftest import _conn

COMMON = ["--start-date", "2025-01-01", "--accept-suggestions", "--sales-discount-account", "708000",
          "--fill-ledger-by-vat-rate"]


@pytest.fixture
def connected_focus(with_focus, run_cli):
    assert run_cli("focus", "connect", "--code", with_focus.authorization_code()).code == 0
    return [d["id"] for d in with_focus.manifest()["departments"]]


@pytest.fixture
def exact_conn(exact, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_EXACT_ONLINE_ACME", _conn(exact.base_url))
    return exact


@pytest.fixture
def octopus_conn(octopus, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_OCTOPUS_ACME", _conn(f"{octopus.base_url}/octopus-rest-api/v1",
                                                          software_house_uuid=OCTOPUS_SOFTWARE_HOUSE_UUID))
    return octopus


def status(entity: str = "acme") -> str:
    return integrations.get(state_engine(), entity).status


def test_a_refused_consent_code_leaves_the_integration_connecting_with_the_command_that_resumes_it(
        connected_focus, exact_conn, run_cli):
    result = run_cli("integrations", "add", "acme", "--department", connected_focus[0], "--tool", "exact_online",
                     "--administration", "100001", "--code", "not-a-real-code", *COMMON)
    assert result.code == 1 and "Traceback" not in result.err
    assert "focus-connector integrations connect acme --code" in result.err
    assert status() == "connecting"


def test_integrations_connect_finishes_a_setup_whose_consent_failed(connected_focus, exact_conn, run_cli):
    run_cli("integrations", "add", "acme", "--department", connected_focus[0], "--tool", "exact_online",
            "--administration", "100001", "--code", "not-a-real-code", *COMMON)
    result = run_cli("integrations", "connect", "acme", "--administration", "100001", "--accept-suggestions",
                     "--code", exact_conn.authorization_code())
    assert result.code == 0, result.err
    assert status() == "connected"
    assert integrations.get(state_engine(), "acme").target_administration == "100001"


def test_running_add_again_resumes_an_unfinished_setup(connected_focus, exact_conn, run_cli):
    run_cli("integrations", "add", "acme", "--department", connected_focus[0], "--tool", "exact_online",
            "--administration", "100001", "--code", "not-a-real-code", *COMMON)
    result = run_cli("integrations", "add", "acme", "--department", connected_focus[0], "--tool", "exact_online",
                     "--administration", "100001", "--code", exact_conn.authorization_code(), *COMMON)
    assert result.code == 0, result.err
    assert "resuming" in result.out
    assert status() == "connected"


def test_an_unknown_octopus_dossier_lists_the_dossiers_and_stays_connecting(connected_focus, octopus_conn, run_cli):
    result = run_cli("integrations", "add", "acme", "--department", connected_focus[2], "--tool", "octopus",
                     "--administration", "9999", *COMMON)
    assert result.code == 1 and "Traceback" not in result.err
    assert "no administration '9999'" in result.err and "8001" in result.err
    assert "focus-connector integrations connect acme --administration ID" in result.err
    assert status() == "connecting"
    assert run_cli("integrations", "connect", "acme", "--administration", "8001", "--accept-suggestions").code == 0
    assert status() == "connected"


def test_a_connecting_integration_keeps_its_status_when_other_settings_change(connected_focus, octopus_conn, run_cli):
    run_cli("integrations", "add", "acme", "--department", connected_focus[2], "--tool", "octopus",
            "--administration", "9999", *COMMON)
    assert run_cli("integrations", "edit", "acme", "--journal", "sales_invoice=V1").code == 0
    assert status() == "connecting"


def test_a_department_with_an_unfinished_setup_cannot_be_linked_twice(connected_focus, octopus_conn, run_cli):
    run_cli("integrations", "add", "acme", "--department", connected_focus[2], "--tool", "octopus",
            "--administration", "9999", *COMMON)
    result = run_cli("integrations", "add", "acme_two", "--department", connected_focus[2], "--tool", "octopus")
    assert result.code == 1 and "linked already" in result.err
