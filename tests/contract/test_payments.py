"""Payment status back from the tool into Focus: the rules users were promised, on every tool and state database.

An accountant records payments in the tool (the sandbox's admin calls stand in for the tool's screens); the
next run shows them in Focus. What Focus holds is read back from the Focus sandbox over its own API, never from
the connector.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from sqlalchemy import select

from connectors.domain import Document, DocumentKind
from connectors.state.models import DocumentState
from connectors.state.payment_models import PaymentFeedEntry
from connectors.sync.run import Env
from sandbox.runner import RunningSandbox
from tests.contract.payments_worlds import WORLD_OF
from tests.contract.test_target_contract import sync
from tests.contract.tools import TOOL_KEEPS_PAYMENT_DATES, BookingId, ToolHarness
from tests.sandbox.support import Api

PAID_ON = dt.date(2026, 11, 20)
FOCUS_PAYMENT_WRITES = ("invoices.registerPayment", "invoices.removePayments", "incomingInvoices.registerPayment",
                        "incomingInvoices.removePayment", "incomingCreditNotes.registerPayment",
                        "incomingCreditNotes.removePayment")



# The tool and its sandbox are those of the module's booked world (``payments_world``), not a new one per test.
@pytest.fixture
def tool(payments_world) -> ToolHarness:
    return payments_world.tool


@pytest.fixture
def tool_sandbox(payments_world) -> RunningSandbox:
    return payments_world.tool_sandbox

def take(env: Env, *documents: Document) -> None:
    """These documents are this test's: no other test of the module uses them."""
    WORLD_OF[id(env)].taken.update(d.source_id for d in documents)


def all_unpaid(env: Env, kind: DocumentKind) -> list[tuple[Document, BookingId]]:
    """Booked documents of a kind, not from a negative invoice, that no other test took."""
    taken = WORLD_OF[id(env)].taken
    return [(entry.document, BookingId(entry.target_id, entry.document.date))
            for entry in env.ledger.entries(DocumentState.BOOKED)
            if entry.document.kind is kind and not entry.document.from_negative_invoice
            and entry.focus_id not in taken]


def unpaid(env: Env, kind: DocumentKind, count: int = 1) -> list[tuple[Document, BookingId]]:
    """``count`` booked documents of a kind, taken for this test, that Focus shows without any payment (the
    seeded data pays most of them: those payments are removed in Focus first, as a user would)."""
    found = all_unpaid(env, kind)[:count]
    assert len(found) == count, f"the seeded data has {len(found)} {kind.value}(s) left"
    take(env, *(document for document, _ in found))
    api = Api(WORLD_OF[id(env)].focus)
    for document, _ in found:
        remove_payments_in_focus(api, document)
    return found


def booked_one(env: Env, matches) -> tuple[Document, BookingId]:
    """The first booked document ``matches`` accepts, taken for this test, without payments in Focus."""
    taken = WORLD_OF[id(env)].taken
    document, booking = next((e.document, BookingId(e.target_id, e.document.date))
                             for e in env.ledger.entries(DocumentState.BOOKED)
                             if e.focus_id not in taken and matches(e))
    take(env, document)
    remove_payments_in_focus(Api(WORLD_OF[id(env)].focus), document)
    return document, booking


def remove_payments_in_focus(api: Api, document: Document) -> None:
    if document.source_type == "invoice":
        response = api.post("invoices.removePayments", {"id": document.source_id})
        assert response.status_code == 204, response.text
        return
    if document.source_type == "creditNote":
        return
    resource = {"incomingInvoice": "incomingInvoices", "incomingCreditNote": "incomingCreditNotes"}[
        document.source_type]
    for payment in api.data(f"{resource}.listPayments", {"id": document.source_id}):
        response = api.post(f"{resource}.removePayment", {"id": document.source_id, "payment_id": payment["id"]})
        assert response.status_code == 204, response.text


def payments_in_focus(api: Api, invoice_id: str) -> list[tuple[Decimal, str]]:
    info = api.data("invoices.info", {"id": invoice_id})
    return [(Decimal(str(p["payment"]["amount"])), p["paid_at"][:10]) for p in info["payments"]]


def focus_writes(focus, document_id: str | None = None) -> list[dict]:
    return [r for r in focus.requests() if r["endpoint"] in FOCUS_PAYMENT_WRITES
            and (document_id is None or (r.get("body") or {}).get("id") == document_id)]


def expected_day(tool) -> str:
    """Exact keeps payment dates; Octopus's reads have none, so the connector dates a payment the day it saw it."""
    return (PAID_ON if TOOL_KEEPS_PAYMENT_DATES[tool.name] else dt.datetime.now(dt.UTC).date()).isoformat()


def feed(env: Env) -> list[PaymentFeedEntry]:
    with env.engine.connect() as connection:
        return list(connection.execute(select(PaymentFeedEntry.__table__).order_by(PaymentFeedEntry.id)))


def total(document: Document) -> Decimal:
    return document.payable if document.payable is not None else document.total_incl


# -- rule 1: only what the connector booked ----------------------------------------------------


def test_only_documents_the_connector_booked_get_payments_in_focus(books, tool, tool_sandbox, own_focus):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON)
    own_focus.clear_requests()
    sync(books)
    written = {r["body"]["id"] for r in focus_writes(own_focus)}
    booked = {e.focus_id for e in books.ledger.entries(DocumentState.BOOKED)}
    assert written == {invoice.source_id}
    assert written <= booked


# -- rule 2: outgoing invoices -----------------------------------------------------------------


def test_a_partial_payment_is_registered_with_its_amount_and_date_and_the_invoice_stays_open(
        books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, Decimal("10.00"), on=PAID_ON)
    sync(books)
    info = focus_api.data("invoices.info", {"id": invoice.source_id})
    assert payments_in_focus(focus_api, invoice.source_id) == [(Decimal("10.00"), expected_day(tool))]
    assert (info["paid"], info["status"]) == (False, "outstanding")


def test_an_invoice_is_paid_in_focus_once_it_is_fully_settled_in_the_tool(books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, Decimal("10.00"), on=PAID_ON)
    sync(books)
    tool.pay(tool_sandbox, booking, total(invoice) - Decimal("10.00"), on=PAID_ON)
    sync(books)
    info = focus_api.data("invoices.info", {"id": invoice.source_id})
    assert (info["paid"], info["status"]) == (True, "matched")
    assert sum(amount for amount, _ in payments_in_focus(focus_api, invoice.source_id)) == total(invoice)


def test_an_unchanged_tool_means_no_write_to_focus(books, tool, tool_sandbox, own_focus):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON)
    sync(books)
    own_focus.clear_requests()
    sync(books)
    assert focus_writes(own_focus) == []


# -- rule 3: outgoing credit notes -------------------------------------------------------------


def test_a_credit_note_matched_against_an_invoice_is_settled_and_the_invoice_shows_the_credit(
        books, tool, tool_sandbox, focus_api, own_focus):
    credit_note, credit_booking, invoice, invoice_booking = matching_pair(books)
    tool.match(tool_sandbox, credit_booking, invoice_booking)
    own_focus.clear_requests()
    sync(books)
    entries = {(row.number, row.document_kind): row for row in feed(books)}
    settled = entries[(credit_note.number, "sales_credit_note")]
    assert (settled.in_full, Decimal(settled.amount)) == (True, total(credit_note))
    assert focus_writes(own_focus, credit_note.source_id) == []  # Focus has no call to mark a credit note paid
    assert sum(a for a, _ in payments_in_focus(focus_api, invoice.source_id)) == total(credit_note)


def matching_pair(env: Env):
    """A booked credit note and a larger unpaid invoice of the same customer."""
    invoices = all_unpaid(env, DocumentKind.SALES_INVOICE)
    for credit_note, credit_booking in all_unpaid(env, DocumentKind.SALES_CREDIT_NOTE):
        for invoice, invoice_booking in invoices:
            if invoice.party == credit_note.party and total(invoice) > total(credit_note):
                take(env, credit_note, invoice)
                remove_payments_in_focus(Api(WORLD_OF[id(env)].focus), invoice)
                return credit_note, credit_booking, invoice, invoice_booking
    pytest.fail("the seeded data has no credit note with a larger unpaid invoice of its customer")


def test_a_negative_invoice_booked_as_a_credit_note_is_paid_in_focus_once_settled(books, tool, tool_sandbox,
                                                                                  focus_api):
    negative, booking = booked_one(books, lambda e: e.document.from_negative_invoice and e.source_type == "invoice")
    tool.pay(tool_sandbox, booking, total(negative), on=PAID_ON)  # the refund went out
    sync(books)
    info = focus_api.data("invoices.info", {"id": negative.source_id})
    assert (info["paid"], payments_in_focus(focus_api, negative.source_id)) == (
        True, [(-total(negative), expected_day(tool))])


# -- rule 4: expenses follow the tool ----------------------------------------------------------


def test_an_incoming_invoice_follows_the_tool_partly_paid_then_paid(books, tool, tool_sandbox, focus_api):
    (expense, booking), = unpaid(books, DocumentKind.PURCHASE_INVOICE)
    tool.pay(tool_sandbox, booking, Decimal("5.00"), on=PAID_ON)
    sync(books)
    assert expense_in_focus(focus_api, expense) == ("partially_paid", [(Decimal("5.00"), expected_day(tool))])
    tool.pay(tool_sandbox, booking, total(expense) - Decimal("5.00"), on=PAID_ON)
    sync(books)
    status, payments = expense_in_focus(focus_api, expense)
    assert (status, sum(amount for amount, _ in payments)) == ("paid", total(expense))


def test_an_incoming_credit_note_is_paid_in_focus_once_the_tool_settles_it(books, tool, tool_sandbox, focus_api):
    credit_note, booking = booked_one(books, lambda e: e.document.kind is DocumentKind.PURCHASE_CREDIT_NOTE)
    tool.pay(tool_sandbox, booking, total(credit_note), on=PAID_ON)
    sync(books)
    assert expense_in_focus(focus_api, credit_note) == ("paid", [(total(credit_note), expected_day(tool))])


def expense_in_focus(api: Api, document: Document) -> tuple[str, list[tuple[Decimal, str]]]:
    resource = {"incomingInvoice": "incomingInvoices", "incomingCreditNote": "incomingCreditNotes"}[
        document.source_type]
    status = api.data(f"{resource}.info", {"id": document.source_id})["payment_status"]
    payments = api.data(f"{resource}.listPayments", {"id": document.source_id})
    return status, [(Decimal(str(p["payment"]["amount"])), p["paid_at"][:10]) for p in payments]


# -- rule 5: a payment made by hand in Focus wins ------------------------------------------------


def test_a_document_paid_by_hand_in_focus_is_never_changed_by_the_sync(books, tool, tool_sandbox, focus_api, own_focus):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    by_hand = focus_api.post("invoices.registerPayment", {"id": invoice.source_id,
                                                    "payment": {"amount": 1, "currency": invoice.currency},
                                                    "paid_at": "2026-11-01T10:00:00+00:00"})
    assert by_hand.status_code == 204, by_hand.text
    tool.pay(tool_sandbox, booking, Decimal("3.00"), on=PAID_ON)
    own_focus.clear_requests()
    sync(books)
    assert payments_in_focus(focus_api, invoice.source_id) == [(Decimal("1.00"), "2026-11-01")]
    assert focus_writes(own_focus) == [] or all(r["body"]["id"] != invoice.source_id
                                                for r in focus_writes(own_focus))


# -- rule 6: Focus's payments never go to the tool ------------------------------------------------


def test_a_payment_registered_in_focus_is_never_sent_to_the_tool(books, tool, tool_sandbox, focus_api):
    (invoice, _), = unpaid(books, DocumentKind.SALES_INVOICE)
    focus_api.post("invoices.registerPayment", {"id": invoice.source_id,
                                          "payment": {"amount": str(total(invoice)), "currency": invoice.currency},
                                          "paid_at": "2026-11-01T10:00:00+00:00"})
    tool_sandbox.clear_requests()
    sync(books)
    assert [r for r in tool_sandbox.requests() if tool.is_write(r)] == []


# -- rule 7: late fees follow the tool's open amount ----------------------------------------------


def test_a_late_fee_still_open_in_the_tool_keeps_the_invoice_open_in_focus(books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.charge_fee(tool_sandbox, booking, Decimal("15.00"))
    tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON)  # the invoice's amount received, the fee not
    sync(books)
    info = focus_api.data("invoices.info", {"id": invoice.source_id})
    assert (info["paid"], info["status"]) == (False, "outstanding")
    assert sum(a for a, _ in payments_in_focus(focus_api, invoice.source_id)) == total(invoice) - Decimal("15.00")
    tool.pay(tool_sandbox, booking, Decimal("15.00"), on=PAID_ON)
    sync(books)
    assert focus_api.data("invoices.info", {"id": invoice.source_id})["paid"] is True
    assert sum(a for a, _ in payments_in_focus(focus_api, invoice.source_id)) == total(invoice)


def test_an_invoice_paid_with_a_late_fee_on_top_is_paid_in_full_for_its_own_amount(books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON, late_fee=Decimal("25.00"))
    sync(books)
    assert focus_api.data("invoices.info", {"id": invoice.source_id})["paid"] is True
    assert payments_in_focus(focus_api, invoice.source_id) == [(total(invoice), expected_day(tool))]


# -- rule 8: a payment reversed in the tool -------------------------------------------------------


def test_a_payment_reversed_in_the_tool_is_taken_back_in_focus(books, tool, tool_sandbox, focus_api):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.pay(tool_sandbox, booking, total(invoice), on=PAID_ON)
    sync(books)
    tool.reverse(tool_sandbox, booking)
    sync(books)
    info = focus_api.data("invoices.info", {"id": invoice.source_id})
    assert (info["paid"], info["status"], info["payments"]) == (False, "outstanding", [])
    announced = [(row.number, Decimal(row.amount)) for row in feed(books) if row.focus_id == invoice.source_id]
    assert announced == [(invoice.number, total(invoice))]  # the feed keeps what was announced


def test_a_reversed_payment_of_an_incoming_invoice_is_taken_back_in_focus(books, tool, tool_sandbox, focus_api):
    (expense, booking), = unpaid(books, DocumentKind.PURCHASE_INVOICE)
    tool.pay(tool_sandbox, booking, total(expense), on=PAID_ON)
    sync(books)
    tool.reverse(tool_sandbox, booking)
    sync(books)
    assert expense_in_focus(focus_api, expense) == ("not_paid", [])


# -- rule 9: a deleted booking is not a payment ---------------------------------------------------


def test_a_booking_deleted_in_the_tool_is_reported_missing_and_never_paid(books, tool, tool_sandbox, focus_api, own_focus):
    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.delete(tool_sandbox, booking)
    own_focus.clear_requests()
    run_id, _, failure = sync(books)
    assert focus_writes(own_focus) == []
    assert focus_api.data("invoices.info", {"id": invoice.source_id})["paid"] is False
    errors = [e for e in books.runs.errors(run_id) if e.code == "missing_in_tool"]
    assert [e.focus_id for e in errors] == [invoice.source_id]
    assert invoice.number in errors[0].message and failure is not None


def test_integrations_status_lists_bookings_missing_from_the_tool(books, tool, tool_sandbox, monkeypatch, capsys):
    from connectors.cli import main
    from tests.contract.conftest import ENTITY

    (invoice, booking), = unpaid(books, DocumentKind.SALES_INVOICE)
    tool.delete(tool_sandbox, booking)
    sync(books)
    sync(books)  # reported red once; the status keeps listing it
    monkeypatch.setenv("CONNECTOR_STATE_URL", books.engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    handlers = list(logging.getLogger().handlers)
    try:
        assert main(["integrations", "status", ENTITY]) == 0
    finally:  # the CLI configures logging for its own process
        for handler in logging.getLogger().handlers[:]:
            if handler not in handlers:
                logging.getLogger().removeHandler(handler)
    out = capsys.readouterr().out
    assert "Booked but missing from" in out
    assert f"  - {invoice.label}" in out
