"""Claims on SQLite and PostgreSQL: one worker per document, leases that run out, frozen claimed bookings."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from connectors.state import clock
from connectors.state.claims import Claims
from connectors.state.ledger import DocumentLedger
from connectors.state.models import DocumentState
from connectors.state.tool_bookings import ToolBookings
from connectors.targets.base import BookingRef
from tests.state.test_ledger import booking_of, doc


@pytest.fixture
def ledger(engine):
    return DocumentLedger(engine, integration_id=None, department_id="dept", target="exact_online")


def claims_of(engine, owner: str, lease_seconds: int = 300) -> Claims:
    return Claims(engine, ToolBookings(engine, "exact_online", "1"), owner=owner,
                  lease=dt.timedelta(seconds=lease_seconds))


def pending(ledger):
    """The one pending document, as validation passed it."""
    [entry] = ledger.entries(DocumentState.PENDING)
    ledger.mark_valid([entry])
    return ledger.entry(entry.id)


def test_a_claimed_document_cannot_be_claimed_twice(ledger, engine):
    ledger.record([doc(1)])
    entry = pending(ledger)
    assert claims_of(engine, "a").claim(entry, booking_of(doc(1))) is not None
    assert claims_of(engine, "b").claim(entry, booking_of(doc(1))) is None
    [claimed] = ledger.entries(DocumentState.POSTING)
    assert claimed.claim_owner == "a"


def test_of_many_workers_claiming_at_once_exactly_one_wins(ledger, engine):
    ledger.record([doc(1)])
    entry = pending(ledger)
    start = threading.Barrier(8)
    winners = []

    def worker(n: int) -> None:
        start.wait()
        if claims_of(engine, f"w{n}").claim(entry, booking_of(doc(1))) is not None:
            winners.append(n)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1


def test_a_claim_is_live_until_its_lease_runs_out(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    claims_of(engine, "a", lease_seconds=60).claim(pending(ledger), booking_of(doc(1)))
    [claimed] = ledger.entries(DocumentState.POSTING)
    other = claims_of(engine, "b")
    assert other.is_live(claimed)
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert not other.is_live(claimed)


def test_a_live_claim_cannot_be_taken_over(ledger, engine):
    ledger.record([doc(1)])
    claims_of(engine, "a").claim(pending(ledger), booking_of(doc(1)))
    [claimed] = ledger.entries(DocumentState.POSTING)
    assert claims_of(engine, "b").take_over(claimed, booking_of(doc(1))) is None


def test_an_expired_claim_is_taken_over_by_one_worker_only(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    claims_of(engine, "dead", lease_seconds=60).claim(pending(ledger), booking_of(doc(1)))
    [claimed] = ledger.entries(DocumentState.POSTING)
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert claims_of(engine, "b").take_over(claimed, booking_of(doc(1))) is not None
    assert claims_of(engine, "c").take_over(claimed, booking_of(doc(1))) is None
    [now] = ledger.entries(DocumentState.POSTING)
    assert now.claim_owner == "b"


def test_what_was_claimed_stays_frozen_when_focus_edits_the_document(ledger, engine):
    ledger.record([doc(1)])
    claims_of(engine, "a").claim(pending(ledger), booking_of(doc(1)))
    ledger.record([doc(1, amount="200.00")])
    [claimed] = ledger.entries(DocumentState.POSTING)
    assert claimed.claimed_booking.total_incl == doc(1).total_incl
    assert claimed.document.total_incl == doc(1, amount="200.00").total_incl
    assert claimed.claimed_hash != claimed.content_hash


def test_a_recovered_booking_is_booked_as_claimed_so_a_later_edit_shows(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    claims_of(engine, "dead", lease_seconds=60).claim(pending(ledger), booking_of(doc(1)))
    ledger.record([doc(1, amount="200.00")])
    [claimed] = ledger.entries(DocumentState.POSTING)
    assert claims_of(engine, "b").recovered(claimed, BookingRef("E-1"))
    assert [e.document.total_incl for e in ledger.changed_after_booking()] == [doc(1, amount="200.00").total_incl]


def test_a_post_that_is_booked_records_the_reference_in_the_tool_index(ledger, engine):
    ledger.record([doc(1)])
    claims = claims_of(engine, "a")
    claim = claims.claim(pending(ledger), booking_of(doc(1)))
    claims.booked(claim, BookingRef("E-1", "26700001"))
    found = ToolBookings(engine, "exact_online", "1").get("FC-I-inv-1")
    assert found.ref == BookingRef("E-1", "26700001") and found.total == doc(1).total_incl
    assert [e.target_id for e in ledger.entries(DocumentState.BOOKED)] == ["E-1"]


def test_a_refused_post_releases_the_claim_and_keeps_the_message(ledger, engine):
    ledger.record([doc(1)])
    claims = claims_of(engine, "a")
    claims.refused(claims.claim(pending(ledger), booking_of(doc(1))), "Period is closed", "date")
    [failed] = ledger.entries(DocumentState.FAILED)
    assert failed.claim_id is None and failed.last_error == "Period is closed"
    assert claims_of(engine, "b").claim(failed, booking_of(doc(1))) is not None


def test_a_document_validation_has_not_passed_is_never_claimed(ledger, engine):
    ledger.record([doc(1)])
    [entry] = ledger.entries(DocumentState.PENDING)
    assert claims_of(engine, "a").claim(entry, booking_of(doc(1))) is None


def test_a_document_another_runs_validation_refused_is_never_claimed(ledger, engine):
    """Found by the fault campaign: run A refused a document, run B's validation wrote its own run id over A's
    refusal, and A then posted the document its own validation had refused."""
    ledger.record([doc(1)])
    passed_in_a = pending(ledger)
    ledger.set_error(passed_in_a, "the VAT number BE1999999999 is not valid", run_id=2)  # run B refuses it
    assert claims_of(engine, "run-a").claim(passed_in_a, booking_of(doc(1))) is None


def test_an_edit_after_validation_is_not_claimed_until_validated(ledger, engine):
    ledger.record([doc(1)])
    validated_entry = pending(ledger)
    ledger.record([doc(1, amount="200.00")])
    [edited] = ledger.entries(DocumentState.PENDING)
    assert not edited.passed_validation
    assert claims_of(engine, "a").claim(edited, booking_of(doc(1, amount="200.00"))) is None
    assert claims_of(engine, "a").claim(validated_entry, booking_of(doc(1))) is None


def test_a_claim_is_renewed_right_before_the_write_and_only_by_its_holder(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    claims = claims_of(engine, "a", lease_seconds=60)
    claim = claims.claim(pending(ledger), booking_of(doc(1)))
    later = clock.now() + dt.timedelta(seconds=30)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert claims.renew(claim) == later + dt.timedelta(seconds=60)
    expired = later + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: expired)
    assert claims.renew(claim) is None  # run out: this worker must not write any more


def test_a_post_that_outlived_its_claim_says_so(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    slow = claims_of(engine, "slow", lease_seconds=60)
    claim = slow.claim(pending(ledger), booking_of(doc(1)))
    later = clock.now() + dt.timedelta(seconds=61)
    monkeypatch.setattr(clock, "now", lambda: later)
    [expired] = ledger.entries(DocumentState.POSTING)
    assert claims_of(engine, "b").take_over(expired, booking_of(doc(1))) is not None
    assert slow.booked(claim, BookingRef("E-1")) is False  # the loader reports a possible double booking
    assert [e.state for e in ledger.entries(*DocumentState)] == [DocumentState.BOOKED]


def test_a_write_that_was_not_sent_leaves_the_document_as_it_was(ledger, engine):
    ledger.record([doc(1)])
    claims = claims_of(engine, "a")
    claims.not_sent(claims.claim(pending(ledger), booking_of(doc(1))))
    [entry] = ledger.entries(DocumentState.PENDING)
    assert entry.claim_id is None and entry.passed_validation


def test_an_unconfirmed_post_keeps_its_claim_a_full_lease_longer(ledger, engine, monkeypatch):
    ledger.record([doc(1)])
    claims = claims_of(engine, "a", lease_seconds=60)
    claim = claims.claim(pending(ledger), booking_of(doc(1)))
    later = clock.now() + dt.timedelta(seconds=50)
    monkeypatch.setattr(clock, "now", lambda: later)
    claims.unconfirmed(claim, "the tool did not answer")
    [entry] = ledger.entries(DocumentState.POSTING)
    assert entry.claim_expires_at == later + dt.timedelta(seconds=60)
