"""What a data team reads in the task logs: progress with counts as each step goes, and a dry run's list of
what it would book — checked against the Focus sandbox's own data and what a real run then books.

These lines come from the pipeline, not a tool, so one tool (Exact Online) serves; both databases.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from decimal import Decimal

import pytest

from connectors.sync import run
from tests.contract.conftest import ACCOUNTS
from tests.contract.oracle import FocusOracle
from tests.contract.test_target_contract import sync
from tests.contract.tools import ExactOnlineHarness
from tests.sandbox.support import Api

PURCHASES = ("FC-P", "FC-Q")


@pytest.fixture
def tool():
    return ExactOnlineHarness()


def logged(caplog, logger: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == logger]


def expected_documents(env, focus):
    return FocusOracle(focus, env.entity.department_id, dt.date(2025, 1, 1), ACCOUNTS).expected()


def focus_name(api: Api, party: tuple[str, str]) -> str:
    """The party's name as Focus holds it: a company's name, a contact's first and last name."""
    kind, focus_id = party
    item = api.data({"company": "companies.info", "contact": "contacts.info"}[kind], {"id": focus_id})
    return item["name"] if kind == "company" else " ".join(p for p in (item["first_name"], item["last_name"]) if p)


def test_extract_logs_the_pages_it_reads_and_the_documents_it_records_per_kind(entity_env, focus, caplog):
    caplog.set_level(logging.INFO)
    expected = expected_documents(entity_env, focus)
    run_id = run.start(entity_env, "manual__logs", False)
    run.extract(entity_env, run_id)

    pages = logged(caplog, "connectors.focus.streams")
    assert any(re.fullmatch(r"Focus invoices\.list: \d+ pages read, done — items \d+.*", line) for line in pages), pages
    assert any(line.startswith("Focus expenses.list: 1 pages read so far") for line in pages), pages
    [final] = [line for line in logged(caplog, "connectors.sync.run") if line.startswith("documents recorded:")
               and ", done" in line]
    # Every document with a UBL file maps in the demo data; an accountant books an invoice below zero as a
    # credit note, and so does the connector.
    per_kind = Counter(f"{'purchase' if ref.startswith(PURCHASES) else 'sales'} "
                       f"{'credit note' if document.credit else 'invoice'}" for ref, document in expected.items())
    for kind, count in per_kind.items():
        assert f"{kind} {count}" in final, (final, per_kind)


def test_validate_and_load_log_counts_as_they_go_and_a_final_line(entity_env, tool, tool_sandbox, caplog):
    caplog.set_level(logging.INFO)
    _, counts, _ = sync(entity_env)
    books = tool.books(tool_sandbox)
    validated = counts["validated"]
    assert f"documents validated: {validated}/{validated} (100%), done — refused {counts['refused_by_validation']}" \
        in " ".join(logged(caplog, "connectors.sync.run"))

    load = logged(caplog, "connectors.sync.load")
    total = len(books)  # everything that passed validation is booked on a first run
    [final] = [line for line in load if line.startswith("documents to Exact Online:") and ", done" in line]
    assert final.startswith(f"documents to Exact Online: {total}/{total} (100%), done — booked {total} — ")
    assert total >= 20  # large enough for lines at each tenth, before the final one
    during = [line for line in load if line.startswith("documents to Exact Online:") and ", done" not in line]
    assert len(during) >= 9, load
    first_tenth = -(-total // 10)  # the first document count that reaches 10%
    assert during[0].startswith(f"documents to Exact Online: {first_tenth}/{total} ({first_tenth * 100 // total}%) "
                                f"— booked {first_tenth} — ")
    assert any(line.startswith("parties to Exact Online:") and ", done — created" in line for line in load), load


def test_a_dry_run_report_lists_number_party_amount_and_journal_of_what_a_real_run_then_books(
        entity_env, focus, tool, tool_sandbox, caplog):
    caplog.set_level(logging.INFO)
    dry_run, _, _ = sync(entity_env, dry_run=True)
    rows = entity_env.runs.would_book(dry_run)
    report = logged(caplog, "connectors.sync.run")
    assert f"dry run: {len(rows)} document(s) would be booked in Exact Online:" in report

    sync(entity_env)
    books = {b.reference: b for b in tool.books(tool_sandbox)}
    assert rows and {row["reference"] for row in rows} == set(books)  # what the dry run listed, a real run booked
    expected = expected_documents(entity_env, focus)
    api = Api(focus)
    for row in rows:
        focus_document, booking = expected[row["reference"]], books[row["reference"]]
        assert row["number"] == focus_document.number
        assert row["party"] == focus_name(api, focus_document.party)
        assert re.fullmatch(r"-?\d+\.\d\d", row["amount"]) and abs(Decimal(row["amount"])) == focus_document.total
        assert abs(Decimal(row["amount"])) == abs(booking.total)
        assert row["journal"] == booking.journal
    for row in rows[:50]:
        assert f"  {row['number']} · {row['party']} · {row['amount']} EUR · journal {row['journal']}" in report
    if len(rows) > 50:
        assert f"  and {len(rows) - 50} more" in report
