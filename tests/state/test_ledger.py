"""The document ledger on SQLite and PostgreSQL: claims, bookings, edits after booking."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.domain import Document, DocumentKind, Line, PartyRef, VatAmount
from connectors.state.ledger import DocumentLedger
from connectors.state.models import DocumentState

D = Decimal


def doc(n: int, amount: str = "100.00") -> Document:
    return Document(f"inv-{n}", "invoice", DocumentKind.SALES_INVOICE, "dept", f"2026 / {n}", dt.date(2026, 1, n),
                    PartyRef("company", "c"), "EUR", (Line(1, "x", D(amount), D("0.21"), tax_rate_id="t"),),
                    (VatAmount(D("0.21"), D(amount), D(amount) * D("0.21")),), D(amount),
                    (D(amount) * D("0.21")).quantize(D("0.01")), D(amount) * D("1.21"))


@pytest.fixture
def ledger(engine):
    return DocumentLedger(engine, integration_id=None, department_id="dept", target="exact_online")


def test_new_documents_are_pending(ledger):
    assert ledger.record([doc(1), doc(2)])["new"] == 2
    assert [e.document.number for e in ledger.entries(DocumentState.PENDING)] == ["2026 / 1", "2026 / 2"]


def test_recording_the_same_documents_again_changes_nothing(ledger):
    ledger.record([doc(1)])
    assert ledger.record([doc(1)]) == {"unchanged": 1}


def test_a_claimed_document_cannot_be_claimed_twice(ledger):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    assert ledger.claim(entry) is True
    assert ledger.claim(entry) is False
    assert [e.state for e in ledger.entries(DocumentState.POSTING)] == [DocumentState.POSTING]


def test_a_booked_document_is_never_pending_again(ledger):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    ledger.claim(entry)
    ledger.mark_booked(entry, "E-1", "26700001")
    assert ledger.record([doc(1)]) == {"unchanged": 1}
    assert list(ledger.entries(DocumentState.PENDING, DocumentState.FAILED, DocumentState.POSTING)) == []


def test_an_edit_after_booking_is_reported_not_rebooked(ledger):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    ledger.claim(entry)
    ledger.mark_booked(entry, "E-1", None)
    assert ledger.record([doc(1, amount="200.00")]) == {"changed_after_booking": 1}
    assert [e.document.number for e in ledger.changed_after_booking()] == ["2026 / 1"]
    assert list(ledger.entries(DocumentState.PENDING)) == []


def test_a_failed_document_is_retried_after_its_data_changes(ledger):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    ledger.claim(entry)
    ledger.mark_failed(entry, "closed period")
    assert ledger.record([replace(doc(1), date=dt.date(2026, 2, 1))]) == {"changed": 1}
    [retry] = ledger.entries(DocumentState.FAILED)
    assert retry.document.date == dt.date(2026, 2, 1)
    assert ledger.claim(retry) is True
