"""Customer numbers per department and package: given once, never changed, never given twice — also when two
processes generate at once — and imported from the accounting package's CSV by Focus id, VAT number or name,
never by guessing.

State database on SQLite and PostgreSQL (``engine``/``state_url``). Focus data for the import comes from the
session's sandbox, read here over its API with a minted token (never through the code under test)."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, insert

from connectors.domain import PartyRef
from connectors.exports.customer_number_import import NumbersFileError, import_numbers, read_numbers_csv
from connectors.exports.customer_numbers import CustomerNumbers, NumberConflict
from connectors.focus.client import FocusClient
from connectors.state.db import make_engine, migrate
from connectors.state.export_models import CustomerNumber
from sandbox.runner import RunningSandbox
from tests.integration.conftest import ClientFactory
from tests.state.conftest import _postgres_schema

DEPT = "dept-be"
OTHER_DEPT = "dept-nl"
A = PartyRef("company", "a")
B = PartyRef("company", "b")
C = PartyRef("contact", "c")


def book(engine, package: str = "csv", department: str = DEPT) -> CustomerNumbers:
    return CustomerNumbers(engine, department, package)


# -- generation -------------------------------------------------------------------------------------------


def test_generation_starts_at_100000(engine):
    generated = book(engine).generate([(A, "Alpha"), (B, "Beta")])
    assert generated.numbers == {A: "100000", B: "100001"}


def test_generation_gives_numbers_in_the_order_the_parties_come(engine):
    generated = book(engine).generate([(C, "Gamma"), (A, "Alpha"), (B, "Beta")], start=500)
    assert generated.numbers == {C: "500", A: "501", B: "502"}


def test_generation_continues_after_the_highest_number_in_use(engine):
    numbers = book(engine)
    numbers.set(A, "100041", "Alpha", origin="imported")
    numbers.set(C, "CUST-9", "Gamma")
    assert numbers.generate([(B, "Beta")]).numbers == {B: "100042"}


def test_generation_continues_after_its_own_numbers(engine):
    numbers = book(engine)
    numbers.generate([(A, "Alpha")])
    assert numbers.generate([(B, "Beta")]).numbers == {B: "100001"}


def test_a_number_with_leading_zeros_counts_as_its_value_and_keeps_its_zeros(engine):
    numbers = book(engine)
    numbers.set(A, "0100700", "Alpha")
    assert numbers.generate([(B, "Beta")]).numbers[B] == "100701"
    assert numbers.numbers([A]) == {A: "0100700"}


def test_a_start_at_or_below_a_number_in_use_warns_who_has_it_and_where_it_continues(engine):
    numbers = book(engine)
    numbers.set(A, "100004", "Brouwerij Maes NV", origin="imported")
    generated = numbers.generate([(B, "Beta")], start=100000)
    assert generated.numbers == {B: "100005"}
    [warning] = generated.warnings
    assert "\n" not in warning
    assert "start 100000 is at or below 100004" in warning
    assert "Brouwerij Maes NV" in warning
    assert "continuing at 100005" in warning


def test_a_start_equal_to_a_number_in_use_warns(engine):
    numbers = book(engine)
    numbers.set(A, "100000", "Alpha")
    generated = numbers.generate([(B, "Beta")], start=100000)
    assert generated.numbers == {B: "100001"}
    assert len(generated.warnings) == 1


def test_the_warning_is_given_once_and_later_generations_continue_silently(engine):
    numbers = book(engine)
    numbers.set(A, "100004", "Alpha", origin="imported")
    assert len(numbers.generate([(B, "Beta")]).warnings) == 1
    later = numbers.generate([(C, "Gamma")])
    assert later.numbers == {C: "100006"} and later.warnings == []


def test_a_start_above_every_number_in_use_gives_no_warning(engine):
    numbers = book(engine)
    numbers.set(A, "4711", "Alpha", origin="imported")
    generated = numbers.generate([(B, "Beta")], start=100000)
    assert generated.numbers == {B: "100000"}
    assert generated.warnings == []


def test_continuing_the_connectors_own_generated_numbers_gives_no_warning(engine):
    numbers = book(engine)
    numbers.generate([(A, "Alpha")])
    assert numbers.generate([(B, "Beta")]).warnings == []


def test_a_party_with_a_number_keeps_it_when_numbers_are_generated(engine):
    numbers = book(engine)
    numbers.set(A, "777", "Alpha")
    generated = numbers.generate([(A, "Alpha"), (B, "Beta")])
    assert generated.numbers == {A: "777", B: "100000"}
    assert generated.new == [B]


def test_generated_numbers_are_stored_with_their_origin_and_name(engine):
    book(engine).generate([(A, "Alpha")])
    [row] = book(engine).all()
    assert (row.party_type, row.party_id, row.number, row.origin, row.party_name) == (
        "company", "a", "100000", "generated", "Alpha")


# -- set: never changed, never given twice -----------------------------------------------------------------


def test_setting_a_number_stores_it(engine):
    assert book(engine).set(A, "4711", "Alpha") is True
    assert book(engine).numbers([A, B]) == {A: "4711"}


def test_setting_the_number_a_customer_has_already_changes_nothing(engine):
    book(engine).set(A, "4711", "Alpha")
    assert book(engine).set(A, "4711", "Alpha") is False


def test_a_number_never_changes(engine):
    book(engine).set(A, "4711", "Alpha")
    with pytest.raises(NumberConflict) as raised:
        book(engine).set(A, "4712", "Alpha")
    message = str(raised.value)
    assert "Alpha" in message and "4711" in message and "4712" in message and "never changes" in message
    assert book(engine).numbers([A]) == {A: "4711"}


def test_a_number_is_never_given_to_a_second_customer(engine):
    book(engine).set(A, "4711", "Alpha")
    with pytest.raises(NumberConflict) as raised:
        book(engine).set(B, "4711", "Beta")
    message = str(raised.value)
    assert "4711" in message and "Alpha" in message and "Beta" in message and "choose another number" in message
    assert book(engine).numbers([A, B]) == {A: "4711"}


def test_generation_never_gives_a_number_set_by_hand(engine):
    numbers = book(engine)
    numbers.set(A, "100000", "Alpha")
    assert numbers.generate([(B, "Beta")]).numbers[B] != "100000"


def test_an_empty_number_is_refused(engine):
    with pytest.raises(ValueError):
        book(engine).set(A, "  ", "Alpha")
    assert book(engine).all() == []


def test_numbers_are_per_package(engine):
    book(engine, "csv").set(A, "4711", "Alpha")
    assert book(engine, "ubl").set(B, "4711", "Beta") is True
    assert book(engine, "ubl").numbers([A, B]) == {B: "4711"}
    assert book(engine, "csv").numbers([A, B]) == {A: "4711"}


def test_a_customer_may_have_another_number_in_another_package(engine):
    book(engine, "csv").set(A, "4711", "Alpha")
    assert book(engine, "ubl").set(A, "9000", "Alpha") is True
    assert book(engine, "csv").numbers([A]) == {A: "4711"}


def test_numbers_are_per_department(engine):
    book(engine, department=DEPT).set(A, "4711", "Alpha")
    assert book(engine, department=OTHER_DEPT).set(B, "4711", "Beta") is True
    assert book(engine, department=OTHER_DEPT).generate([(C, "Gamma")]).numbers == {C: "100000"}


def test_the_list_shows_numbers_in_numeric_order_then_text(engine):
    numbers = book(engine)
    numbers.set(A, "100", "Alpha")
    numbers.set(B, "ZZ-1", "Beta")
    numbers.set(C, "99", "Gamma")
    assert [row.number for row in numbers.all()] == ["99", "100", "ZZ-1"]


# -- two generators at once ----------------------------------------------------------------------------------

PARTIES = [(PartyRef("company", f"p{n:03d}"), f"Party {n}") for n in range(60)]
#: Two overlapping halves, each in its own order: parties 20..39 are asked for by both.
FIRST = PARTIES[:40]
SECOND = list(reversed(PARTIES[20:]))


def _assert_one_number_each_and_none_twice(engine, results: list[dict[PartyRef, str]]) -> None:
    rows = book(engine).all()
    stored = {PartyRef(r.party_type, r.party_id): r.number for r in rows}
    assert set(stored) == {ref for ref, _ in PARTIES}
    assert len(rows) == len(PARTIES)
    assert [n for n, count in Counter(stored.values()).items() if count > 1] == []
    assert sorted(int(n) for n in stored.values()) == list(range(100000, 100000 + len(PARTIES)))
    for result in results:  # what each generator was told is what is stored
        assert all(stored[ref] == number for ref, number in result.items())


def test_two_threads_generating_at_once_give_each_party_one_number_and_no_number_twice(state_url, engine):
    start = threading.Barrier(2)
    results: list[dict[PartyRef, str]] = []
    errors: list[BaseException] = []

    def worker(parties: list[tuple[PartyRef, str]]) -> None:
        own = make_engine(state_url)  # its own connections, as a second process would have
        try:
            start.wait()
            results.append(CustomerNumbers(own, DEPT, "csv").generate(parties).numbers)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=worker, args=(parties,)) for parties in (FIRST, SECOND)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == 2
    _assert_one_number_each_and_none_twice(engine, results)


def _generate_in_a_process(url: str, parties: list[tuple[PartyRef, str]], start: Any, out: Any) -> None:
    own = make_engine(url)
    try:
        start.wait(timeout=60)
        out.put(("ok", CustomerNumbers(own, DEPT, "csv").generate(parties).numbers))
    except BaseException as exc:  # noqa: BLE001 - reported to the test
        out.put(("error", repr(exc)))
    finally:
        own.dispose()


def test_two_processes_generating_at_once_give_each_party_one_number_and_no_number_twice(state_url, engine):
    context = multiprocessing.get_context("fork")
    start, out = context.Barrier(4), context.Queue()
    batches = [FIRST, SECOND, PARTIES[10:50], list(reversed(PARTIES))]
    processes = [context.Process(target=_generate_in_a_process, args=(state_url, parties, start, out))
                 for parties in batches]
    for process in processes:
        process.start()
    answers = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert [status for status, _ in answers] == ["ok"] * len(batches), answers
    _assert_one_number_each_and_none_twice(engine, [numbers for _, numbers in answers])


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """PostgreSQL only: on SQLite, BEGIN IMMEDIATE lets no other writer in while a generator writes."""
    yield from _postgres_schema()


@pytest.mark.postgres
def test_a_party_that_got_a_number_from_another_writer_meanwhile_keeps_it(postgres_url):
    """A colliding insert is rolled back and done again on what the other writer committed (PostgreSQL)."""
    engine = make_engine(postgres_url)
    migrate(engine)
    other = make_engine(postgres_url)
    sneaked: list[bool] = []

    @event.listens_for(engine, "before_cursor_execute")
    def another_writer_first(connection, cursor, statement, parameters, context, executemany):
        if not sneaked and statement.lstrip().upper().startswith("INSERT INTO CUSTOMER_NUMBERS"):
            sneaked.append(True)
            with other.begin() as theirs:
                theirs.execute(insert(CustomerNumber.__table__).values(
                    department_id=DEPT, package="csv", party_type=B.type, party_id=B.id, number="100000",
                    origin="generated", party_name="Beta", created_at=dt.datetime.now(dt.UTC)))

    try:
        generated = book(engine).generate([(A, "Alpha"), (B, "Beta")])
        assert sneaked
        assert generated.numbers == {A: "100001", B: "100000"}
        assert book(engine).numbers([A, B]) == {A: "100001", B: "100000"}
    finally:
        other.dispose()
        engine.dispose()


# -- import from the accounting package -------------------------------------------------------------------


def focus_list(sandbox: RunningSandbox, endpoint: str) -> list[dict[str, Any]]:
    """Every item of a Focus list, read straight from the sandbox (not through the connector)."""
    token = sandbox.mint_tokens()["access_token"]
    items, number = [], 1
    with httpx.Client(timeout=30) as http:
        while True:
            response = http.post(f"{sandbox.base_url}/{endpoint}", json={"page": {"size": 100, "number": number}},
                                 headers={"Authorization": f"Bearer {token}"})
            response.raise_for_status()
            page = response.json()["data"]
            items += page
            if len(page) < 100:
                return items
            number += 1


def contact_name(contact: dict[str, Any]) -> str:
    return f"{contact['first_name']} {contact['last_name']}"


class FocusData:
    """The sandbox's companies and contacts, and a few picked for the tests."""

    def __init__(self, sandbox: RunningSandbox):
        self.companies = focus_list(sandbox, "companies.list")
        self.contacts = focus_list(sandbox, "contacts.list")
        names = Counter(" ".join(n.split()).lower()
                        for n in [c["name"] for c in self.companies] + [contact_name(c) for c in self.contacts])
        vats = Counter(c["vat_number"] for c in self.companies if c["vat_number"])
        unique = [c for c in self.companies if names[c["name"].lower()] == 1]
        self.company = unique[0]
        self.other_company = unique[1]
        self.be_company = next(c for c in unique if (c["vat_number"] or "").startswith("BE")
                               and len(c["vat_number"]) == 12 and vats[c["vat_number"]] == 1)
        self.contact = next(c for c in self.contacts if names[contact_name(c).lower()] == 1)
        self.duplicate_name = next((c["name"] for c in self.companies if names[c["name"].lower()] > 1), None)


@pytest.fixture(scope="module")
def focus_data(focus_sandbox) -> FocusData:
    return FocusData(focus_sandbox)


@pytest.fixture
def client(focus) -> Iterator[FocusClient]:
    factory = ClientFactory()
    yield factory(focus)
    factory.close()


def company_ref(company: dict[str, Any]) -> PartyRef:
    return PartyRef("company", company["id"])


def run_import(engine, client, *rows: dict[str, str], package: str = "csv"):
    return import_numbers(engine, client, DEPT, package, [{"line": str(n), **row} for n, row in
                                                         enumerate(rows, start=2)])


def test_a_row_is_matched_by_focus_id(engine, client, focus_data):
    report = run_import(engine, client, {"focus_id": focus_data.company["id"], "number": "4711"})
    assert [r.line for r in report.matched] == [2]
    assert book(engine).numbers([company_ref(focus_data.company)]) == {company_ref(focus_data.company): "4711"}


def test_an_imported_number_is_stored_with_origin_imported_and_the_focus_name(engine, client, focus_data):
    run_import(engine, client, {"focus_id": focus_data.company["id"], "number": "4711"})
    [row] = book(engine).all()
    assert (row.origin, row.party_name) == ("imported", focus_data.company["name"])


def test_a_row_is_matched_by_a_vat_number_written_with_spaces_dots_and_a_lower_case_country(
        engine, client, focus_data):
    vat = focus_data.be_company["vat_number"]  # BE0123456789
    written = f"{vat[:2].lower()} {vat[2:6]}.{vat[6:9]}.{vat[9:]}"  # be 0123.456.789
    report = run_import(engine, client, {"vat_number": written, "number": "4711"})
    assert len(report.matched) == 1
    assert book(engine).numbers([company_ref(focus_data.be_company)]) == {company_ref(focus_data.be_company): "4711"}


def test_a_row_is_matched_by_a_vat_number_without_its_country_prefix(engine, client, focus_data):
    vat = focus_data.be_company["vat_number"]
    report = run_import(engine, client, {"vat_number": f"{vat[2:6]} {vat[6:9]} {vat[9:]}", "number": "4711"})
    assert [r.party.ref for r in report.matched] == [company_ref(focus_data.be_company)]


def test_a_vat_number_focus_does_not_hold_falls_back_to_the_name_of_a_party_without_one(engine, client, focus_data):
    contact = focus_data.contact  # the sandbox's contacts have no VAT number
    report = run_import(engine, client, {"vat_number": "BE0477472701", "name": contact_name(contact),
                                         "number": "4711"})
    assert [r.party.ref for r in report.matched] == [PartyRef("contact", contact["id"])]


def test_a_vat_number_differing_from_the_named_companys_is_unmatched_and_nothing_stored(
        engine, client, focus_data):
    company = focus_data.be_company
    other_vat = "BE0477472701" if company["vat_number"] != "BE0477472701" else "BE0403170701"
    report = run_import(engine, client, {"vat_number": other_vat, "name": company["name"], "number": "4711"})
    [row] = report.unmatched
    assert company["vat_number"] in row.message
    assert book(engine).all() == []


def test_a_row_is_matched_by_exact_name_whatever_the_case_and_spacing(engine, client, focus_data):
    name = focus_data.company["name"]
    written = "  " + "   ".join(name.upper().split()) + " "
    report = run_import(engine, client, {"name": written, "number": "4711"})
    assert len(report.matched) == 1
    assert book(engine).numbers([company_ref(focus_data.company)]) == {company_ref(focus_data.company): "4711"}


def test_a_contact_is_matched_by_first_and_last_name(engine, client, focus_data):
    contact = focus_data.contact
    report = run_import(engine, client, {"name": contact_name(contact).lower(), "number": "0042"})
    ref = PartyRef("contact", contact["id"])
    assert [r.party.ref for r in report.matched] == [ref]
    assert book(engine).numbers([ref]) == {ref: "0042"}


def test_the_focus_id_decides_over_the_name(engine, client, focus_data):
    report = run_import(engine, client, {"focus_id": focus_data.company["id"],
                                         "name": focus_data.other_company["name"], "number": "4711"})
    assert [r.party.ref for r in report.matched] == [company_ref(focus_data.company)]


def test_an_unmatched_name_with_a_near_duplicate_in_focus_is_reported_with_the_suggestion_and_nothing_stored(
        engine, client, focus_data):
    name = focus_data.company["name"]
    typo = name[:3] + name[4:]  # one letter left out
    report = run_import(engine, client, {"name": typo, "number": "4711"})
    [row] = report.unmatched
    assert row.line == 2
    assert name in row.suggestions
    assert f"did you mean {name!r}" in row.describe()
    assert report.matched == [] and book(engine).all() == []


def test_a_focus_id_nobody_has_is_unmatched(engine, client):
    report = run_import(engine, client, {"focus_id": "00000000-0000-0000-0000-000000000000", "number": "4711"})
    assert len(report.unmatched) == 1 and book(engine).all() == []


def test_a_name_two_focus_parties_have_is_ambiguous_and_nothing_is_stored(engine, client, focus_data):
    assert focus_data.duplicate_name, "the demo data should hold two companies with one name"
    holders = [c["id"] for c in focus_data.companies if c["name"] == focus_data.duplicate_name]
    report = run_import(engine, client, {"name": focus_data.duplicate_name, "number": "4711"})
    [row] = report.ambiguous
    assert row.line == 2
    assert all(focus_id in row.message for focus_id in holders)
    assert book(engine).all() == []


def test_importing_a_number_another_customer_has_is_a_conflict_and_changes_nothing(engine, client, focus_data):
    book(engine).set(company_ref(focus_data.other_company), "4711", focus_data.other_company["name"])
    report = run_import(engine, client, {"focus_id": focus_data.company["id"], "number": "4711"})
    [row] = report.conflicts
    assert row.line == 2 and "4711" in row.message and focus_data.other_company["name"] in row.message
    assert book(engine).numbers([company_ref(focus_data.company)]) == {}


def test_importing_another_number_for_a_customer_that_has_one_is_a_conflict_and_changes_nothing(
        engine, client, focus_data):
    ref = company_ref(focus_data.company)
    book(engine).set(ref, "100000", focus_data.company["name"])
    report = run_import(engine, client, {"focus_id": ref.id, "number": "4711"})
    assert len(report.conflicts) == 1
    assert book(engine).numbers([ref]) == {ref: "100000"}


def test_importing_the_number_a_customer_has_already_is_reported_already_there(engine, client, focus_data):
    ref = company_ref(focus_data.company)
    book(engine).set(ref, "4711", focus_data.company["name"])
    report = run_import(engine, client, {"focus_id": ref.id, "number": "4711"})
    assert [r.line for r in report.already] == [2] and report.ok


def test_one_bad_row_does_not_stop_the_others(engine, client, focus_data):
    report = run_import(engine, client, {"name": "Nobody At All Ltd", "number": "1"},
                        {"focus_id": focus_data.company["id"], "number": "2"})
    assert [r.line for r in report.unmatched] == [2]
    assert [r.line for r in report.matched] == [3]


def test_an_imported_number_is_per_package(engine, client, focus_data):
    run_import(engine, client, {"focus_id": focus_data.company["id"], "number": "4711"}, package="ubl")
    assert book(engine, "csv").all() == []


# -- reading the CSV -----------------------------------------------------------------------------------------


def test_a_csv_with_bom_semicolons_and_capitalised_headers_is_read(tmp_path: Path):
    path = tmp_path / "numbers.csv"
    path.write_bytes("\ufeffCustomer_Number;Focus_ID;VAT_Number;Name\r\n007;abc;BE 0477.472.701;Alpha NV\r\n"
                     .encode())
    assert read_numbers_csv(path) == [{"line": "2", "number": "007", "focus_id": "abc",
                                       "vat_number": "BE 0477.472.701", "name": "Alpha NV"}]


def test_a_csv_with_commas_is_read_and_rows_carry_their_line_numbers(tmp_path: Path):
    path = tmp_path / "numbers.csv"
    path.write_text("name,number\nAlpha NV,1\n\nBeta BV,2\n", encoding="utf-8")
    assert read_numbers_csv(path) == [{"line": "2", "name": "Alpha NV", "number": "1"},
                                      {"line": "4", "name": "Beta BV", "number": "2"}]


def test_a_csv_without_a_number_column_is_refused_naming_the_file(tmp_path: Path):
    path = tmp_path / "numbers.csv"
    path.write_text("name;code\nAlpha NV;1\n", encoding="utf-8")
    with pytest.raises(NumbersFileError) as raised:
        read_numbers_csv(path)
    assert str(path) in str(raised.value) and "number" in str(raised.value)


def test_a_csv_that_is_not_utf8_is_refused_naming_the_file(tmp_path: Path):
    path = tmp_path / "numbers.csv"
    path.write_bytes("number;name\n1;Bäckerei Müller\n".encode("cp1252"))
    with pytest.raises(NumbersFileError) as raised:
        read_numbers_csv(path)
    assert str(path) in str(raised.value) and "UTF-8" in str(raised.value)
