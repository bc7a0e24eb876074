"""The document ledger on SQLite and PostgreSQL: every document gets a row, edits after booking are reported."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.domain import Document, DocumentKind, Line, PartyRef, SourceIssue, VatAmount
from connectors.state.claims import Claims
from connectors.state.ledger import DocumentLedger, DocumentNotFound
from connectors.state.models import DocumentState
from connectors.state.tool_bookings import ToolBookings
from connectors.targets.base import Booking, BookingRef, TargetParty

D = Decimal


def doc(n: int, amount: str = "100.00") -> Document:
    vat = (D(amount) * D("0.21")).quantize(D("0.01"))
    return Document(f"inv-{n}", "invoice", DocumentKind.SALES_INVOICE, "dept", f"2026 / {n}", dt.date(2026, 1, n),
                    PartyRef("company", "c"), "EUR", (Line(1, "x", D(amount), D("0.21"), tax_rate_id="t"),),
                    (VatAmount(D("0.21"), D(amount), vat),), D(amount), vat, D(amount) + vat)


def booking_of(document: Document) -> Booking:
    return Booking(f"FC-I-{document.source_id}", document.kind, document.number, document.date, None, "70",
                   TargetParty("p"), "EUR", (), document.total_incl, description=document.label)


def unreadable(n: int, message: str = "Invoice 2026 / 9: invoice_date '2025-02-30' is not a valid date") -> SourceIssue:
    return SourceIssue("invoice", f"inv-{n}", f"2026 / {n}", message, "invoice_date")


@pytest.fixture
def ledger(engine):
    return DocumentLedger(engine, integration_id=None, department_id="dept", target="exact_online")


@pytest.fixture
def claims(engine):
    return Claims(engine, ToolBookings(engine, "exact_online", "1"), owner="test-worker")


def validated(ledger, document: Document):
    """The ledger row of ``document``, as validation passed it."""
    [entry] = [e for e in ledger.entries(DocumentState.PENDING) if e.document.source_id == document.source_id]
    ledger.mark_valid([entry])
    return ledger.entry(entry.id)


def book(ledger, claims, document: Document) -> None:
    claims.booked(claims.claim(validated(ledger, document), booking_of(document)), BookingRef("E-1", "26700001"))


def test_new_documents_are_pending(ledger):
    assert ledger.record([doc(1), doc(2)])["new"] == 2
    assert [e.document.number for e in ledger.entries(DocumentState.PENDING)] == ["2026 / 1", "2026 / 2"]


def test_recording_the_same_documents_again_changes_nothing(ledger):
    ledger.record([doc(1)])
    assert ledger.record([doc(1)]) == {"unchanged": 1}


def test_a_booked_document_is_never_pending_again(ledger, claims):
    ledger.record([doc(1)])
    book(ledger, claims, doc(1))
    assert ledger.record([doc(1)]) == {"unchanged": 1}
    assert list(ledger.entries(DocumentState.PENDING, DocumentState.FAILED, DocumentState.POSTING)) == []


def test_an_edit_after_booking_is_reported_once_and_never_rebooked(ledger, claims):
    ledger.record([doc(1)])
    book(ledger, claims, doc(1))
    edited: list[Document] = []
    assert ledger.record([doc(1, amount="200.00")], edited) == {"changed_after_booking": 1}
    assert [d.number for d in edited] == ["2026 / 1"]
    assert [e.document.number for e in ledger.changed_after_booking()] == ["2026 / 1"]
    again: list[Document] = []
    ledger.record([doc(1, amount="200.00")], again)
    assert again == [] and list(ledger.entries(DocumentState.PENDING)) == []


def test_a_refused_document_is_retried_after_its_data_changes(ledger):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    ledger.set_error(entry, "closed period")
    assert ledger.record([replace(doc(1), date=dt.date(2026, 2, 1))]) == {"changed": 1}
    [retry] = ledger.entries(DocumentState.FAILED)
    assert retry.document.date == dt.date(2026, 2, 1) and retry.last_error == "closed period"


def test_a_document_focus_cannot_map_gets_a_row_of_its_own_with_its_message(ledger):
    assert ledger.record_unreadable([unreadable(9)]) == {"new_unmappable": 1}
    [entry] = ledger.unmappable()
    assert entry.document is None and entry.number == "2026 / 9"
    assert entry.last_error.startswith("Invoice 2026 / 9: invoice_date")
    assert [e.focus_id for e in ledger.open_problems()] == ["inv-9"]


def test_an_unmappable_document_that_maps_again_becomes_pending(ledger):
    ledger.record_unreadable([unreadable(9)])
    assert ledger.record([doc(9)]) == {"now_readable": 1}
    [entry] = ledger.entries(DocumentState.PENDING)
    assert entry.document.number == "2026 / 9" and entry.last_error is None and ledger.unmappable() == []


def test_a_pending_document_edited_into_an_unreadable_one_waits(ledger):
    ledger.record([doc(9)])
    assert ledger.record_unreadable([unreadable(9)]) == {"became_unmappable": 1}
    assert [e.focus_id for e in ledger.unmappable()] == ["inv-9"]


def test_a_booked_document_stays_booked_when_focus_can_no_longer_map_it(ledger, claims):
    ledger.record([doc(1)])
    book(ledger, claims, doc(1))
    ledger.record_unreadable([unreadable(1)])
    assert [e.state for e in ledger.entries(*DocumentState)] == [DocumentState.BOOKED]


def test_a_person_excludes_a_document_recording_who_and_why(ledger, engine):
    ledger.record_unreadable([unreadable(9)])
    entry = ledger.exclude("2026 / 9", by="an.accountant", reason="booked by hand in the tool")
    assert entry.state is DocumentState.EXCLUDED and ledger.open_problems() == []
    from sqlalchemy import select

    from connectors.state.models import DocumentRecord
    with engine.connect() as connection:
        row = connection.execute(select(DocumentRecord.excluded_by, DocumentRecord.excluded_reason)).one()
    assert tuple(row) == ("an.accountant", "booked by hand in the tool")


def test_an_excluded_document_is_included_again_on_request(ledger):
    ledger.record_unreadable([unreadable(9)])
    ledger.exclude("inv-9", by="x", reason="y")
    assert ledger.include("inv-9").state is DocumentState.UNMAPPABLE


def test_a_booked_document_cannot_be_excluded(ledger, claims):
    ledger.record([doc(1)])
    book(ledger, claims, doc(1))
    with pytest.raises(ValueError, match="booked"):
        ledger.exclude("2026 / 1", by="x", reason="y")


def test_an_unknown_document_is_named_in_the_error(ledger):
    with pytest.raises(DocumentNotFound, match="2026 / 404"):
        ledger.exclude("2026 / 404", by="x", reason="y")


def test_a_refusal_read_before_a_claim_does_not_undo_the_claim(ledger, claims):
    """Review finding: validation read a row as pending, another worker claimed it, and the refusal then wrote
    ``failed`` over the claim."""
    ledger.record([doc(1)])
    [seen] = ledger.entries(DocumentState.PENDING)
    claims.claim(validated(ledger, doc(1)), booking_of(doc(1)))
    ledger.set_error(seen, "refused by an older reading")
    [entry] = ledger.entries(*DocumentState)
    assert entry.state is DocumentState.POSTING and entry.claim_id is not None


def test_a_document_claimed_while_a_person_excludes_it_is_not_excluded(ledger, claims):
    ledger.record([doc(1)])
    claims.claim(validated(ledger, doc(1)), booking_of(doc(1)))
    with pytest.raises(ValueError, match="posting"):
        ledger.exclude("2026 / 1", by="x", reason="y")
