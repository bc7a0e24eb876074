"""``focus-connector exports setup|list``, ``export`` and ``billing report`` against the Focus sandbox: what they
print, what they save and publish, what they charge, and one-line errors (no traceback) for the user's
mistakes. The state database is SQLite (a fresh installation per test); the exports folder and the DAG's
snapshot live in the test's own folder.

Expected invoice counts come from Focus itself, read with a bare HTTP caller (``FocusTruth``), never from the
billing code."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.cli.common import state_engine
from connectors.exports.settings import load_profile
from tests.exports.exporting import FocusTruth

ENTITY = "demo_be"
ALL_OF_IT = ("2025-01-01", "2026-12-31")
PRICE = Decimal("0.10")
#: The Belgian demo department as a bookkeeper sets it up: an account per rate for lines without one,
#: discounts to 708000, the generic CSV package (UBL refuses periods with private persons).
SETUP_OPTIONS = ("--ledger-by-rate", "0.21=700000", "--ledger-by-rate", "0.12=700000",
                 "--ledger-by-rate", "0.06=700000", "--ledger-by-rate", "0=700000",
                 "--fill-lines-by-rate", "--discount-account", "708000", "--package", "csv")


def one_line_error(err: str) -> bool:
    return err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def exports_dir(tmp_path: Path) -> Path:
    return tmp_path / "exports"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    return tmp_path / "export_entities.json"


@pytest.fixture
def connected(with_focus, install, run_cli, exports_dir, snapshot, monkeypatch: pytest.MonkeyPatch):
    """Focus consented, exports and snapshot in the test's folder (for this process and the real binary)."""
    for name, value in (("CONNECTOR_EXPORTS_URL", str(exports_dir)),
                        ("CONNECTOR_EXPORT_ENTITIES_FILE", str(snapshot))):
        monkeypatch.setenv(name, value)  # also undoes `export --out`, which sets it for its process
        install[name] = value
    result = run_cli("focus", "connect", "--code", with_focus.authorization_code())
    assert result.code == 0, result.err
    return with_focus


@pytest.fixture
def department(connected) -> dict:
    return connected.manifest()["departments"][0]


@pytest.fixture
def set_up(connected, department, run_cli) -> str:
    result = run_cli("exports", "setup", ENTITY, "--department", department["name"], *SETUP_OPTIONS)
    assert result.code == 0, result.err
    return ENTITY


@pytest.fixture
def focus_invoices(connected, department) -> list[str]:
    """Numbers of the Focus invoices (not credit notes) of the department in ALL_OF_IT, read without the
    connector: what an export of that period charges the first time."""
    truth = FocusTruth(connected)
    try:
        return sorted(d.number for d in truth.documents(department["id"], ALL_OF_IT) if d.source_type == "invoice")
    finally:
        truth.close()


def export(run_cli, *options: str):
    return run_cli("export", "--entity", ENTITY, "--from", ALL_OF_IT[0], "--to", ALL_OF_IT[1], *options)


def this_month() -> str:
    return f"{dt.datetime.now(dt.UTC):%Y-%m}"


# -- exports setup ----------------------------------------------------------------------------------------


def test_setup_saves_the_settings_prints_them_and_writes_the_dag_snapshot(connected, department, run_cli,
                                                                        snapshot):
    result = run_cli("exports", "setup", ENTITY, "--department", department["name"], *SETUP_OPTIONS)

    assert result.code == 0, result.err
    assert f"Export settings of {ENTITY} ({department['name']}) saved" in result.out
    assert "21 % → 700000" in result.out and "0 % → 700000" in result.out
    assert "708000" in result.out and "csv" in result.out
    profile = load_profile(state_engine(), ENTITY)
    assert (profile.department_id, profile.country) == (department["id"], "BE")
    assert profile.settings.fill_lines_by_rate is True
    assert profile.settings.ledger_by_rate == {"0.21": "700000", "0.12": "700000", "0.06": "700000",
                                               "0": "700000"}
    assert json.loads(snapshot.read_text()) == [{
        "entity": ENTITY, "department_name": department["name"], "package": "csv", "invoice_journal": "VF",
        "credit_note_journal": "VC", "customer_numbers": "generate"}]


def test_setup_by_department_id_finds_the_same_department(connected, department, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--department", department["id"], "--package", "csv")

    assert result.code == 0, result.err
    assert load_profile(state_engine(), ENTITY).department_name == department["name"]


def test_setup_again_with_one_option_changes_only_that_option(set_up, run_cli, snapshot):
    before = load_profile(state_engine(), ENTITY)

    result = run_cli("exports", "setup", ENTITY, "--invoice-journal", "V1")

    assert result.code == 0, result.err
    assert "invoices V1" in result.out
    after = load_profile(state_engine(), ENTITY)
    assert (after.department_id, after.department_name, after.country) == \
           (before.department_id, before.department_name, before.country)
    assert after.settings.to_json() == {**before.settings.to_json(), "invoice_journal": "V1"}
    assert json.loads(snapshot.read_text())[0]["invoice_journal"] == "V1"


def test_setup_with_an_unknown_department_is_a_one_line_error_and_saves_nothing(connected, run_cli, snapshot):
    result = run_cli("exports", "setup", ENTITY, "--department", "Nowhere BV", *SETUP_OPTIONS)

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "Nowhere BV" in result.err and "focus-connector focus departments" in result.err
    assert not snapshot.exists()


def test_a_first_setup_without_department_is_a_one_line_error(connected, run_cli, snapshot):
    result = run_cli("exports", "setup", ENTITY, *SETUP_OPTIONS)

    assert result.code == 1 and one_line_error(result.err), result.err
    assert ENTITY in result.err and "--department" in result.err
    assert not snapshot.exists()


@pytest.mark.parametrize("value", ["0=X", "reverse charge", "0.21=Z", "=AE"])
def test_a_bad_vat_category_is_refused_in_one_line_naming_the_option(set_up, run_cli, value):
    before = load_profile(state_engine(), ENTITY).settings

    result = run_cli("exports", "setup", ENTITY, "--vat-category", value)

    assert result.code != 0 and one_line_error(result.err), result.err
    assert "--vat-category" in result.err
    assert load_profile(state_engine(), ENTITY).settings == before


def test_a_ledger_rate_given_as_a_percentage_is_refused_in_one_line_naming_the_option(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--ledger-by-rate", "21%=700000")

    assert result.code != 0 and one_line_error(result.err), result.err
    assert "--ledger-by-rate" in result.err and "'21%'" in result.err and "0.21 for 21 %" in result.err


def test_a_ledger_rate_without_account_is_refused_with_what_the_user_typed(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--ledger-by-rate", "0.21")

    assert result.code != 0 and one_line_error(result.err), result.err
    assert "'0.21'" in result.err and "DIR:" not in result.err


def test_a_purchase_ledger_rate_is_refused_rather_than_ignored(set_up, run_cli):
    before = load_profile(state_engine(), ENTITY).settings

    result = run_cli("exports", "setup", ENTITY, "--ledger-by-rate", "purchase:0.21=600000")

    assert result.code != 0 and one_line_error(result.err), result.err
    assert load_profile(state_engine(), ENTITY).settings == before


def test_a_vat_category_for_a_focus_tax_rate_description_is_saved(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--vat-category", "0% Medecontractant / reverse charge=ae")

    assert result.code == 0, result.err
    assert load_profile(state_engine(), ENTITY).settings.vat_categories == {
        "0% Medecontractant / reverse charge": "AE"}


def test_an_unknown_package_parameter_is_refused_in_one_line_naming_it_and_the_known_ones(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--param", "delimiter=;")

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "'delimiter'" in result.err and "csv_delimiter" in result.err


def test_a_package_parameter_value_not_among_its_choices_is_refused_in_one_line_naming_the_option(
        set_up, run_cli):
    before = load_profile(state_engine(), ENTITY).settings

    result = run_cli("exports", "setup", ENTITY, "--param", "csv_delimiter=|")

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "--param csv_delimiter" in result.err and "'|'" in result.err
    assert load_profile(state_engine(), ENTITY).settings == before


def test_the_refusal_of_a_package_parameter_value_shows_its_choices_readably(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--param", "csv_delimiter=|")

    assert "','" in result.err and "';'" in result.err


def test_a_package_parameter_among_its_choices_is_saved(set_up, run_cli):
    result = run_cli("exports", "setup", ENTITY, "--param", "csv_delimiter=;")

    assert result.code == 0, result.err
    assert load_profile(state_engine(), ENTITY).settings.package_params == {"csv": {"csv_delimiter": ";"}}


# -- export -----------------------------------------------------------------------------------------------


def test_export_without_approve_prints_the_quote_and_writes_and_charges_nothing(set_up, run_cli, exports_dir,
                                                                             focus_invoices):
    result = export(run_cli)

    assert result.code == 0, result.err
    new = len(focus_invoices)
    assert f"{new} invoice(s) charged for the first time at {PRICE} EUR = {PRICE * new} EUR" in result.out
    assert "Nothing was written or charged" in result.out and "--approve" in result.out
    assert files_under(exports_dir) == []
    assert run_cli("billing", "report", "--month", this_month()).out.startswith("No invoice was charged")


def test_export_with_approve_publishes_under_out_and_prints_the_files_and_the_charge(
        set_up, run_cli, tmp_path, exports_dir, focus_invoices):
    out = tmp_path / "elsewhere"

    result = export(run_cli, "--approve", "--out", str(out))

    assert result.code == 0, result.err
    published = files_under(out / ENTITY)
    assert sorted(p.name.rsplit("_", 1)[1] for p in published) == ["customers.csv", "documents.csv", "lines.csv"]
    assert all(p.name in result.out for p in published)
    new = len(focus_invoices)
    assert f"charged: {new} invoice(s) = {PRICE * new} EUR; 0 free re-export(s)" in result.out
    assert files_under(exports_dir) == []  # --out, not the configured location


def test_a_second_identical_export_is_a_free_re_export(set_up, run_cli, tmp_path, focus_invoices):
    out = tmp_path / "elsewhere"
    assert export(run_cli, "--approve", "--out", str(out)).code == 0

    again = export(run_cli, "--approve", "--out", str(out))

    assert again.code == 0, again.err
    assert f"charged: 0 invoice(s) = 0.00 EUR; {len(focus_invoices)} free re-export(s)" in again.out


def test_an_export_with_validation_problems_prints_each_problem_and_exits_1_without_traceback(
        set_up, run_binary, exports_dir):
    result = run_binary("export", "--entity", ENTITY, "--from", ALL_OF_IT[0], "--to", ALL_OF_IT[1],
                        "--package", "ubl")

    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert one_line_error(result.err), result.err
    problems = [text for text in result.out.splitlines() if text.startswith("- ")]
    assert problems and all(text.startswith("- Customer ") for text in problems)
    assert any("generic CSV" in text for text in problems)
    assert f"has {len(problems)} problem(s)" in result.err and "nothing was written or charged" in result.err
    (report,) = files_under(exports_dir)
    assert report.parent == exports_dir / ENTITY / "reports"


def test_an_export_whose_period_starts_after_it_ends_is_a_one_line_error(set_up, run_binary):
    result = run_binary("export", "--entity", ENTITY, "--from", "2026-02-01", "--to", "2026-01-31")

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "2026-02-01" in result.err and "swap the dates" in result.err


def test_an_export_of_an_unknown_entity_is_a_one_line_error_naming_the_setup_command(set_up, run_binary):
    result = run_binary("export", "--entity", "unknown", "--from", ALL_OF_IT[0], "--to", ALL_OF_IT[1])

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "'unknown'" in result.err and "focus-connector exports setup unknown --department" in result.err


# -- exports list, billing report -------------------------------------------------------------------------


def test_exports_list_shows_each_export_with_its_status_and_charge(set_up, run_cli, tmp_path, focus_invoices):
    assert export(run_cli).code == 0
    assert export(run_cli, "--approve", "--out", str(tmp_path / "elsewhere")).code == 0

    result = run_cli("exports", "list")

    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(f"{ENTITY}  (") and "csv" in lines[0]
    newest, oldest = lines[1].split(), lines[2].split()
    assert newest[0] == "#2" and "published" in newest and f"{PRICE * len(focus_invoices)}" in newest
    assert oldest[0] == "#1" and "rejected" in oldest and "charged" not in oldest


def test_billing_report_of_this_month_lists_the_entity_and_each_invoice_charged(set_up, run_cli, tmp_path,
                                                                               focus_invoices):
    assert export(run_cli, "--approve", "--out", str(tmp_path / "elsewhere")).code == 0

    result = run_cli("billing", "report", "--month", this_month())

    assert result.code == 0, result.err
    n = len(focus_invoices)
    assert f"{ENTITY}: {n} invoice(s), {PRICE * n} EUR" in result.out
    listed = sorted(text.strip().split("  ")[0] for text in result.out.splitlines() if text.startswith("  "))
    assert listed == focus_invoices
    assert f"Total {this_month()}: {n} invoice(s)" in result.out


def test_billing_report_with_a_malformed_month_is_a_one_line_error(install, run_cli):
    result = run_cli("billing", "report", "--month", "11/2026")

    assert result.code == 1 and one_line_error(result.err), result.err
    assert "--month" in result.err and "11/2026" in result.err
