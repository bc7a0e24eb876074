"""A back-fill over 10,000 booked invoices of which 100 got paid: one open-items read (its pages) from the tool
and exactly 100 writes to Focus, both counted in the sandboxes' request logs.

Exact Online, on the state database SQLite (the read and write counts do not depend on the database; the
contract suite runs the payment rules on both). The 10,000 bookings are arranged directly: 100 real Focus
invoices posted to Exact through its API, and 9,900 copies of one of them (same amount, their own references)
seeded through the sandbox's admin API, all marked booked in the connector's ledger.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import update

from connectors.booking import reference
from connectors.domain import DocumentKind
from connectors.state.db import write_transaction
from connectors.state.models import DocumentRecord, DocumentState
from connectors.sync import run
from tests.conftest import ExactApi
from tests.contract.conftest import connect_environment, set_up_entity
from tests.contract.tools import ExactOnlineHarness

BOOKED = 10_000
PAID = 100
#: Exact's regular endpoints answer 60 rows a page (apis.md §2.3).
PAGE = 60


@pytest.fixture
def sqlite_engine(tmp_path):
    from connectors.state.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def post_entry(api: ExactApi, customer: str, gl_account: str, ref: str, amount: Decimal) -> str:
    """An open sales entry of ``amount`` (no VAT) carrying the connector's reference."""
    response = api.post("salesentry/SalesEntries", {
        "Customer": customer, "Journal": "70", "EntryDate": "2026-03-02", "YourRef": ref,
        "SalesEntryLines": [{"GLAccount": gl_account, "AmountFC": str(amount), "VATCode": "0"}]})
    assert response.status_code == 201, response.text
    return response.json()["d"]["EntryID"]


def test_ten_thousand_booked_invoices_and_a_hundred_paid_cost_one_open_items_read_and_a_hundred_focus_writes(
        start_focus_sandbox, sqlite_engine, tmp_path, monkeypatch):
    harness = ExactOnlineHarness()
    with harness.running() as exact:
        focus = start_focus_sandbox(invoices=1000)
        connect_environment(monkeypatch, tmp_path, harness, exact, focus)
        department = next(d for d in focus.manifest()["departments"] if d["country"] == "BE")
        env = set_up_entity(sqlite_engine, harness, exact, focus, department, start_date=dt.date(2000, 1, 1))
        run_id = run.start(env, "manual__scale")
        run.extract(env, run_id)
        invoices = [e for e in env.ledger.entries(DocumentState.PENDING)
                    if e.document.kind is DocumentKind.SALES_INVOICE and not e.document.payments
                    and not e.document.paid and not e.document.from_negative_invoice][:PAID]
        assert len(invoices) == PAID

        api = ExactApi(exact, int(harness.administration))
        customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true"})[0]["ID"]
        gl_account = api.master("financial/GLAccounts", "700000")["ID"]
        target_ids = {e.id: post_entry(api, customer, gl_account, reference(e.document), e.document.total_incl)
                      for e in invoices}
        template = invoices[0].document
        copies = [dataclasses.replace(template, source_id=str(uuid.uuid4()), number=f"SCALE / {n}")
                  for n in range(BOOKED - PAID)]
        env.ledger.record(copies)
        seeded = exact.admin("POST", "entries/copies", {
            "division": int(harness.administration), "entry_id": target_ids[invoices[0].id],
            "references": [reference(c) for c in copies]})
        assert seeded.status_code == 201, seeded.text
        by_reference = {row["YourRef"]: row["EntryID"] for row in seeded.json()["data"]}
        copy_ids = {e.id: by_reference[reference(e.document)] for e in env.ledger.entries(DocumentState.PENDING)
                    if e.document and e.document.number.startswith("SCALE / ")}
        mark_booked(sqlite_engine, {**target_ids, **copy_ids})

        run.backfill_payments(env, run_id)  # the first back-fill: every booking open, nothing to tell Focus
        for entry in invoices:
            paid = exact.admin("POST", "payments", {"division": int(harness.administration),
                                                    "entry_id": target_ids[entry.id],
                                                    "amount": str(entry.document.total_incl)})
            assert paid.status_code == 201, paid.text
        exact.clear_requests()
        api.results("read/financial/ReceivablesList", {"$select": "HID"})  # one complete read, walked by hand
        one_read = len(exact.requests("read/financial/ReceivablesList"))
        exact.clear_requests()
        focus.clear_requests()
        counts = run.backfill_payments(env, run.start(env, "manual__scale_after_payments"))

        tool_reads = [r["endpoint"] for r in exact.requests() if not r["endpoint"].startswith("oauth2")]
        assert one_read >= (BOOKED - PAID) // PAGE  # ten thousand open entries are many pages
        assert tool_reads.count("read/financial/ReceivablesList") == one_read
        assert tool_reads.count("read/financial/PayablesList") == 1
        assert tool_reads.count("cashflow/Receivables") == PAID // 25  # the settlements, 25 entries a read
        assert set(tool_reads) <= {"read/financial/ReceivablesList", "read/financial/PayablesList",
                                   "cashflow/Receivables", "current/Me"}
        writes = [r for r in focus.requests() if r["endpoint"] == "invoices.registerPayment"]
        assert len(writes) == PAID
        assert {r["body"]["id"] for r in writes} == {e.focus_id for e in invoices}
        assert counts["paid_in_full"] == PAID


def mark_booked(engine, target_ids: dict[int, str]) -> None:
    """The ledger as the first runs would have left it: these documents booked under these tool ids."""
    table = DocumentRecord.__table__
    with write_transaction(engine) as connection:
        for entry_id, target_id in target_ids.items():
            connection.execute(update(table).where(table.c.id == entry_id)
                               .values(state=DocumentState.BOOKED.value, target_id=target_id))
