"""Every command, fed the ordinary mistakes, says what is wrong in one line and exits non-zero.

The sweep runs against a fresh installation (no tables yet) with one integration
added, so "unknown entity" and "bad value" are told apart from "nothing set up".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors import integrations
from connectors.cli.common import state_engine

ENTITY = "acme_be"


@pytest.fixture
def one_integration(install):
    integrations.add(state_engine(), ENTITY, department_id="dept-1", target="exact_online",
                     settings=integrations.Settings(department_name="Acme BE"))
    return ENTITY


MALFORMED = {
    "time zone not in the tz database": (["integrations", "edit", ENTITY, "--timezone", "Mars/Olympus"], "time zone"),
    "schedule that is not cron": (["integrations", "edit", ENTITY, "--schedule", "every night"], "cron expression"),
    "cron with a minute of 61": (["integrations", "edit", ENTITY, "--schedule", "61 2 * * *"], "cron expression"),
    "month 13": (["integrations", "edit", ENTITY, "--start-date", "2026-13-01"], "YYYY-MM-DD"),
    "date in day/month/year": (["integrations", "edit", ENTITY, "--start-date", "01/01/2026"], "YYYY-MM-DD"),
    "journal kind misspelt": (["integrations", "edit", ENTITY, "--journal", "sales_invoices=70"],
                              "sales_invoice, sales_credit_note, purchase_invoice, purchase_credit_note"),
    "journal without a code": (["integrations", "edit", ENTITY, "--journal", "sales_invoice"], "KIND=CODE"),
    "VAT link without a direction": (["integrations", "edit", ENTITY, "--vat-link", "tr-21=1"], "DIR:KEY=CODE"),
    "VAT link with an unknown direction": (["integrations", "edit", ENTITY, "--vat-link", "north:tr-21=1"],
                                           "sales or purchase"),
    "ledger rate as a percentage": (["integrations", "edit", ENTITY, "--ledger-by-rate", "sales:21%=700000"],
                                    "0.21 for 21 %"),
    "unknown tool": (["integrations", "add", "other", "--department", "d", "--tool", "quickbooks"], "invalid choice"),
    "a tool not implemented yet": (["integrations", "add", "other", "--department", "d", "--tool", "twinfield"],
                                   "invalid choice"),
    "since that is not a timestamp": (["focus", "extract", "--department", "d", "--since", "yesterday"], "ISO 8601"),
    "extract start date malformed": (["focus", "extract", "--department", "d", "--start-date", "2026-02-30"],
                                     "YYYY-MM-DD"),
    "negative limit": (["integrations", "status", ENTITY, "--limit", "-1"], "positive whole number"),
    "unknown command": (["integrations", "explode"], "invalid choice"),
    "show an unknown entity": (["integrations", "show", "nope"], "No integration called 'nope'"),
    "status of an unknown entity": (["integrations", "status", "nope"], "No integration called 'nope'"),
    "edit an unknown entity": (["integrations", "edit", "nope", "--auto-sync"], "No integration called 'nope'"),
    "connect an unknown entity": (["integrations", "connect", "nope"], "No integration called 'nope'"),
    "delete an unknown entity": (["integrations", "delete", "nope"], "No integration called 'nope'"),
    "problems of an unknown entity": (["documents", "problems", "nope"], "No integration called 'nope'"),
    "exclude from an unknown entity": (["documents", "exclude", "nope", "2026 / 1", "--reason", "test"],
                                       "No integration called 'nope'"),
    "exclude an unknown document": (["documents", "exclude", ENTITY, "2026 / 999", "--reason", "test"], "2026 / 999"),
    "entity name that cannot name a DAG": (["integrations", "add", "Acme BE!", "--department", "d", "--tool",
                                            "octopus"], "lower case"),
    "Focus not connected yet": (["focus", "departments"], "focus_default"),
}


def assert_one_line_refusal(result, fragment: str) -> None:
    assert result.code != 0, result
    assert "Traceback" not in result.err + result.out
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error"), lines[0]
    assert fragment in lines[0], lines[0]


@pytest.mark.parametrize("argv, fragment", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_malformed_value_is_refused_in_one_line(one_integration, run_cli, argv, fragment):
    assert_one_line_refusal(run_cli(*argv), fragment)


def test_a_refused_time_zone_is_never_stored(one_integration, run_cli, install):
    run_cli("integrations", "edit", ENTITY, "--timezone", "Mars/Olympus", "--schedule", "0 3 * * *")
    assert integrations.get(state_engine(), ENTITY).timezone == "Europe/Brussels"
    [spec] = json.loads(Path(install["CONNECTOR_ENTITIES_FILE"]).read_text())
    assert spec["timezone"] == "Europe/Brussels"


def test_settings_from_any_caller_are_checked_before_they_are_stored(one_integration):
    with pytest.raises(integrations.IntegrationError, match="time zone"):
        integrations.edit(state_engine(), ENTITY, integrations.Settings(timezone="Mars/Olympus"))
    with pytest.raises(integrations.IntegrationError, match="cron"):
        integrations.edit(state_engine(), ENTITY, integrations.Settings(schedule="every night"))


@pytest.mark.parametrize("argv", [["integrations", "list"], ["integrations", "show", "x"],
                                  ["integrations", "status", "x"], ["documents", "problems", "x"]],
                         ids=["list", "show", "status", "problems"])
def test_a_fresh_installation_answers_without_a_traceback(install, run_binary, argv):
    result = run_binary(*argv)
    assert "Traceback" not in result.err + result.out
    assert "no such table" not in result.err
    if argv == ["integrations", "list"]:
        assert result.code == 0 and "No integrations yet" in result.out
    else:
        assert_one_line_refusal(result, "No integration called 'x'")


def test_focus_departments_on_a_fresh_installation_says_how_to_connect(with_focus, run_binary):
    result = run_binary("focus", "departments")
    assert_one_line_refusal(result, "focus-connector focus connect")


def test_a_state_database_that_cannot_be_opened_is_named_without_its_password(install, run_binary):
    result = run_binary("integrations", "list",
                        extra_env={"CONNECTOR_STATE_URL": "postgresql+psycopg2://app:s3cret@127.0.0.1:1/state"})
    assert_one_line_refusal(result, "CONNECTOR_STATE_URL")
    assert "s3cret" not in result.err


def test_extracting_an_unknown_department_fails_and_names_it(with_focus, run_cli):
    assert run_cli("focus", "connect", "--code", with_focus.authorization_code()).code == 0
    result = run_cli("focus", "extract", "--department", "nope")
    assert_one_line_refusal(result, "no department 'nope'")


def test_adding_an_unknown_department_fails_and_leaves_nothing_behind(with_focus, run_cli):
    assert run_cli("focus", "connect", "--code", with_focus.authorization_code()).code == 0
    result = run_cli("integrations", "add", "acme", "--department", "nope", "--tool", "octopus")
    assert_one_line_refusal(result, "no department 'nope'")
    assert integrations.all_integrations(state_engine()) == []
