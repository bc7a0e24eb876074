"""``focus-connector customers import-numbers | set-number | numbers`` against the Focus sandbox: the report
and exit codes of an import, one-line errors (no traceback) for what the user must fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.cli.common import state_engine
from connectors.exports.settings import ExportSettings, Profile, save_profile
from tests.exports.test_customer_numbers import FocusData

ENTITY = "acme_be"


@pytest.fixture
def focus_data(with_focus) -> FocusData:
    return FocusData(with_focus)


@pytest.fixture
def profile(with_focus, run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    """Focus connected, and an export profile for its first department whose package is csv."""
    assert run_cli("focus", "connect", "--code", with_focus.authorization_code()).code == 0
    monkeypatch.setenv("CONNECTOR_EXPORT_ENTITIES_FILE", str(tmp_path / "export_entities.json"))
    department = with_focus.manifest()["departments"][0]
    return save_profile(state_engine(), Profile(ENTITY, department["id"], department["name"], "BE",
                                                ExportSettings(package="csv")))


def csv_file(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "numbers.csv"
    path.write_text(content, encoding="utf-8")
    return path


def one_line_error(err: str) -> bool:
    return err.startswith("error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_import_whose_rows_are_all_stored_prints_the_count_and_exits_0(profile, focus_data, run_cli, tmp_path):
    path = csv_file(tmp_path, f"number;focus_id;name\n4711;{focus_data.company['id']};\n"
                              f"4712;;{focus_data.other_company['name'].upper()}\n")
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 0, result.err
    assert result.out.startswith("2 customer number(s) stored, 0 already there, 0 not stored")


def test_an_import_with_an_unmatched_row_names_its_line_and_suggestion_and_exits_1(
        profile, focus_data, run_cli, tmp_path):
    name = focus_data.company["name"]
    typo = name[:3] + name[4:]
    path = csv_file(tmp_path, f"name,number\n{focus_data.other_company['name']},4712\n{typo},4711\n")
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 1
    assert "1 customer number(s) stored" in result.out
    [line] = [text for text in result.out.splitlines() if "line 3" in text]
    assert line.startswith("unmatched:") and f"did you mean {name!r}" in line


def test_an_import_with_an_ambiguous_name_reports_it_and_exits_1(profile, focus_data, run_cli, tmp_path):
    assert focus_data.duplicate_name, "the demo data should hold two companies with one name"
    path = csv_file(tmp_path, f"number;name\n4711;{focus_data.duplicate_name}\n")
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 1
    assert any(text.startswith("ambiguous: line 2") for text in result.out.splitlines())


def test_importing_the_same_file_again_finds_every_number_already_there_and_exits_0(
        profile, focus_data, run_cli, tmp_path):
    path = csv_file(tmp_path, f"number;focus_id\n4711;{focus_data.company['id']}\n")
    assert run_cli("customers", "import-numbers", ENTITY, str(path)).code == 0
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 0
    assert result.out.startswith("0 customer number(s) stored, 1 already there")


def test_an_import_conflicting_with_a_number_given_already_reports_the_conflict_and_exits_1(
        profile, focus_data, run_cli, tmp_path):
    assert run_cli("customers", "set-number", ENTITY, "--company", focus_data.company["id"], "4711").code == 0
    path = csv_file(tmp_path, f"number;focus_id\n4711;{focus_data.other_company['id']}\n")
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 1
    assert any(text.startswith("conflict: line 2") and focus_data.company["name"] in text
               for text in result.out.splitlines())


def test_a_file_without_a_number_column_is_a_one_line_error_naming_the_file(profile, run_cli, tmp_path):
    path = csv_file(tmp_path, "name;code\nAlpha NV;1\n")
    result = run_cli("customers", "import-numbers", ENTITY, str(path))
    assert result.code == 1 and one_line_error(result.err)
    assert str(path) in result.err and "number" in result.err


def test_a_missing_file_is_a_one_line_error(profile, run_cli, tmp_path):
    result = run_cli("customers", "import-numbers", ENTITY, str(tmp_path / "nowhere.csv"))
    assert result.code == 1 and one_line_error(result.err)
    assert "nowhere.csv" in result.err


def test_set_number_stores_the_number_with_the_focus_name_and_numbers_lists_it(profile, focus_data, run_cli):
    result = run_cli("customers", "set-number", ENTITY, "--company", focus_data.company["id"], "007123")
    assert result.code == 0, result.err
    listing = run_cli("customers", "numbers", ENTITY)
    assert listing.code == 0
    [row] = [text for text in listing.out.splitlines() if text.startswith("007123")]
    assert focus_data.company["id"] in row and focus_data.company["name"] in row and "manual" in row


def test_set_number_for_a_contact_stores_its_full_name(profile, focus_data, run_cli):
    contact = focus_data.contact
    assert run_cli("customers", "set-number", ENTITY, "--contact", contact["id"], "500").code == 0
    listing = run_cli("customers", "numbers", ENTITY).out
    assert f"{contact['first_name']} {contact['last_name']}" in listing


def test_set_number_for_an_unknown_company_is_a_one_line_error(profile, run_cli):
    result = run_cli("customers", "set-number", ENTITY, "--company", "00000000-0000-0000-0000-000000000000", "1")
    assert result.code == 1 and one_line_error(result.err)
    assert "00000000-0000-0000-0000-000000000000" in result.err
    assert "no customer numbers yet" in run_cli("customers", "numbers", ENTITY).out


def test_set_number_to_another_number_is_a_one_line_error_and_the_number_stays(profile, focus_data, run_cli):
    company = focus_data.company["id"]
    assert run_cli("customers", "set-number", ENTITY, "--company", company, "4711").code == 0
    result = run_cli("customers", "set-number", ENTITY, "--company", company, "4712")
    assert result.code == 1 and one_line_error(result.err)
    assert "never changes" in result.err
    listing = run_cli("customers", "numbers", ENTITY).out
    assert "4711" in listing and "4712" not in listing


def test_set_number_to_a_number_another_customer_has_is_a_one_line_error(profile, focus_data, run_cli):
    assert run_cli("customers", "set-number", ENTITY, "--company", focus_data.company["id"], "4711").code == 0
    result = run_cli("customers", "set-number", ENTITY, "--company", focus_data.other_company["id"], "4711")
    assert result.code == 1 and one_line_error(result.err)
    assert focus_data.company["name"] in result.err


def test_the_package_defaults_to_the_profiles_and_numbers_are_kept_per_package(profile, focus_data, run_cli):
    assert run_cli("customers", "set-number", ENTITY, "--company", focus_data.company["id"], "4711").code == 0
    assert "4711" in run_cli("customers", "numbers", ENTITY, "--package", "csv").out
    assert "no customer numbers yet" in run_cli("customers", "numbers", ENTITY, "--package", "ubl").out
    other = run_cli("customers", "set-number", ENTITY, "--company", focus_data.other_company["id"], "4711",
                    "--package", "ubl")
    assert other.code == 0, other.err


def test_an_unknown_package_is_refused_in_one_line(profile, run_cli):
    result = run_cli("customers", "numbers", ENTITY, "--package", "sage")
    assert result.code == 2 and one_line_error(result.err)


@pytest.mark.parametrize("argv", [
    ("numbers", "nobody"),
    ("set-number", "nobody", "--company", "00000000-0000-0000-0000-000000000000", "1"),
    ("import-numbers", "nobody", "numbers.csv"),
])
def test_an_unknown_entity_is_a_one_line_error_naming_the_setup_command(profile, run_cli, argv):
    result = run_cli("customers", *argv)
    assert result.code == 1 and one_line_error(result.err)
    assert "no export profile 'nobody'" in result.err and "exports setup" in result.err
