"""The Exact Online target against the Exact Online sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import httpx
import pytest

from connectors.domain import Address, DocumentKind, Party, PartyRef, PartyRole
from connectors.oauth import MemoryTokenStore
from connectors.targets.base import (
    AmbiguousWrite,
    Booking,
    BookingLine,
    DocumentRefused,
    Settled,
    Settlement,
    TargetParty,
)
from connectors.targets.exact_online import ExactOAuth, ExactOnlineTarget
from sandbox.runner import DEMO_REDIRECT_URI

D = Decimal
DIVISION = 100001


def connect(sandbox, *, timeout: float = 10.0, store: MemoryTokenStore | None = None) -> ExactOnlineTarget:
    http = httpx.Client(timeout=timeout)
    token = ExactOAuth(http, sandbox.base_url, "sandbox", "sandbox").exchange_code(
        sandbox.authorization_code(), redirect_uri=DEMO_REDIRECT_URI)
    store = store or MemoryTokenStore()
    store.save(token)
    return ExactOnlineTarget.connect(sandbox.base_url, "sandbox", "sandbox", store, DIVISION, http=http)


@pytest.fixture
def target(exact):
    return connect(exact)


def customer(target: ExactOnlineTarget, vat: str | None = None) -> TargetParty:
    party = Party(PartyRef("company", str(uuid.uuid4())), f"Test {uuid.uuid4().hex[:6]}", vat_number=vat,
                  address=Address("Kerkstraat 1", "9000", "Gent", "BE"), roles=frozenset({PartyRole.CUSTOMER}))
    return target.create_party(party)


def booking(party: TargetParty, *, kind=DocumentKind.SALES_INVOICE, journal="70", vat_code="1",
            ledger="700000", day=dt.date(2026, 3, 2)) -> Booking:
    return Booking(reference=f"FC-I-{uuid.uuid4()}", kind=kind, number="2026 / 17", date=day, due_date=None,
                   journal=journal, party=party, currency="EUR",
                   lines=(BookingLine("Consultancy", ledger, vat_code, D("100.00"), D("21.00")),
                          BookingLine("Travel", ledger, vat_code, D("33.33"), D("7.00"))),
                   total_incl=D("161.33"), description="Invoice 2026 / 17")


def test_divisions_are_offered(target):
    assert {a.id for a in target.administrations()} >= {str(DIVISION)}


def test_master_data_has_accounts_vat_codes_journals_and_the_division_currency(target):
    master = target.master_data()
    assert "700000" in master.ledger_accounts
    assert master.vat_codes["1"].rate == D("0.21")
    assert DocumentKind.SALES_INVOICE in master.journals["70"].kinds
    assert DocumentKind.PURCHASE_INVOICE in master.journals["60"].kinds
    assert master.currency == "EUR"


def test_closed_periods_are_not_known_in_advance_since_exacts_periods_carry_no_closed_flag(target):
    """Exact's FinancialPeriods have no Closed property: a closed period shows as the tool's refusal."""
    assert target.master_data().closed_periods == ()


def test_a_created_party_is_found_again_by_its_vat_number(target):
    created = customer(target, vat="BE0477472701")
    party = Party(PartyRef("company", "x"), "Other name", vat_number="BE0477472701")
    assert target.find_party(party, None).id == created.id


def test_a_stored_party_id_is_found_first(target):
    created = customer(target)
    assert target.find_party(Party(PartyRef("company", "x"), "n"), created) == created


def test_a_posted_booking_is_found_by_its_reference(target, exact):
    entry = booking(customer(target))
    ref = target.post(entry)
    found = target.find_booking(entry)
    assert (found.target_id, found.booking_number) == (ref.target_id, ref.booking_number)
    assert ref.total == D("161.33")  # the tool's own total of what it booked, checked against what was sent
    [stored] = [e["entry"] for e in exact.admin("GET", f"entries?division={DIVISION}").json()["data"]
                if e["entry"].get("YourRef") == entry.reference]
    assert D(str(stored["AmountFC"])) == D("161.33") and D(str(stored["VATAmountFC"])) == D("28.00")


def test_a_booking_never_posted_is_not_found(target):
    assert target.find_booking(booking(TargetParty(str(uuid.uuid4())))) is None


def test_a_timeout_after_the_server_committed_is_ambiguous_and_the_lookup_finds_it(exact):
    slow = connect(exact, timeout=0.5)
    entry = booking(customer(slow))
    slow.master_data()
    exact.add_fault(endpoint="salesentry/SalesEntries", kind="commit_then_delay", delay_seconds=1.5, count=1)
    with pytest.raises(AmbiguousWrite):
        slow.post(entry)
    assert slow.find_booking(entry) is not None


def test_an_unknown_vat_code_is_refused_for_this_document_only(target):
    party = customer(target)
    with pytest.raises(DocumentRefused, match="Invoice 2026 / 17: Exact Online refused it"):
        target.post(booking(party, vat_code="99"))
    target.post(booking(party))


def test_a_closed_period_is_refused(target):
    with pytest.raises(DocumentRefused, match="closed"):
        target.post(booking(customer(target), day=dt.date(2024, 6, 3)))


def test_credit_notes_become_negative_open_items(target):
    entry = booking(customer(target), kind=DocumentKind.SALES_CREDIT_NOTE, journal="71")
    target.post(entry)
    [item] = [i for i in target.open_items() if i.reference == entry.reference]
    assert item.open_amount == D("-161.33") and item.sales


def test_access_tokens_are_refreshed_after_ten_minutes(exact):
    store = MemoryTokenStore()
    target = connect(exact, store=store)
    target.administrations()
    exact.advance_clock(600)
    token = store.load()  # make our clock agree with the sandbox's: the token is due
    store.save(type(token)(token.access_token, token.refresh_token, 0.0))
    assert target.administrations()


def test_the_minutely_limit_is_respected_without_a_429(exact):
    from tests.integration.test_focus_client import max_in_window

    exact.configure(minutely_limit=5, rate_window_seconds=2)
    target = connect(exact)
    exact.clear_requests()
    for _ in range(12):
        target.api.get("current/Me", {"$select": "CurrentDivision"})
    requests = [r for r in exact.requests() if not r["endpoint"].startswith("oauth2")]
    assert [r for r in requests if r["status"] == 429] == []
    assert max_in_window(requests, 2.0) <= 5


def test_amounts_reach_exact_online_to_the_cent_however_large(exact, target):
    """Finding: amounts went out as JSON floats: past 16 digits a float cannot hold the cents."""
    party = customer(target)
    big = Booking(reference=f"FC-I-{uuid.uuid4()}", kind=DocumentKind.SALES_INVOICE, number="2026 / 99",
                  date=dt.date(2026, 3, 2), due_date=None, journal="70", party=party, currency="EUR",
                  lines=(BookingLine("Big", "700000", "1", D("1234567890123456.78"), D("259259256925925.92")),
                         BookingLine("Small", "700000", "1", D("0.01"), D("0.00"))),
                  total_incl=D("1493827147049382.71"), description="Invoice 2026 / 99")
    target.post(big)
    entries = json.loads(exact.admin("GET", f"entries?division={DIVISION}").text, parse_float=Decimal)["data"]
    [entry] = [e["entry"] for e in entries if e["entry"].get("YourRef") == big.reference]
    assert Decimal(str(entry["AmountFC"])) == D("1493827147049382.71")
    assert [Decimal(str(ln["AmountFC"])) for ln in entry["SalesEntryLines"]] == [D("1234567890123456.78"), D("0.01")]


def test_an_account_under_the_parties_key_that_is_not_the_party_is_not_taken_for_it(exact, exact_api, target):
    """Review finding: the search code carries 40 bits of a hash; an account of another party that shares it
    must not be matched (and then updated) as this party's."""
    from connectors.targets.exact_online.parties import party_key

    party = Party(PartyRef("company", str(uuid.uuid4())), "Brouwerij Wouters CommV", roles=frozenset({PartyRole.CUSTOMER}))
    made = exact_api.post("crm/Accounts", {"Name": "Someone Else NV", "SearchCode": party_key(party)})
    assert made.status_code == 201
    assert target.find_party(party, None) is None
    own = exact_api.post("crm/Accounts", {"Name": party.name, "SearchCode": party_key(party)}).json()["d"]
    assert target.find_party(party, None, fresh=True).id == own["ID"]


# -- what became of a booking that left the open items ----------------------------------------


def pay(exact, entry_id: str, amount: str, day: str = "2026-11-20") -> None:
    response = exact.admin("POST", "payments", {"division": 100001, "entry_id": entry_id, "amount": amount,
                                                "date": day})
    assert response.status_code == 201, response.text


def test_a_fully_paid_entry_leaves_the_open_items_and_reads_as_settled_on_its_payment_date(exact, target):
    ref = target.post(booking(customer(target)))
    pay(exact, ref.target_id, "161.33")
    assert [i for i in target.open_items() if i.reference and i.target_id == ref.target_id] == []
    assert target.settlements([ref.target_id], since=None) == {
        ref.target_id: Settlement(ref.target_id, Settled.SETTLED, dt.date(2026, 11, 20))}


def test_a_partly_paid_entry_stays_open_with_what_is_left(exact, target):
    entry = booking(customer(target))
    ref = target.post(entry)
    pay(exact, ref.target_id, "61.33")
    [item] = [i for i in target.open_items() if i.reference == entry.reference]
    assert item.open_amount == D("100.00")
    assert target.settlements([ref.target_id], since=None)[ref.target_id].state is Settled.OPEN


def test_a_deleted_entry_reads_as_missing_not_settled(exact, target):
    ref = target.post(booking(customer(target)))
    exact.admin("POST", "entries/delete", {"division": 100001, "entry_id": ref.target_id}).raise_for_status()
    assert target.settlements([ref.target_id], since=None)[ref.target_id].state is Settled.MISSING


def test_settlements_of_many_entries_take_one_read_per_25(exact, target):
    party = customer(target)
    refs = [target.post(booking(party)).target_id for _ in range(30)]
    exact.clear_requests()
    answers = target.settlements(refs, since=None)
    assert {a.state for a in answers.values()} == {Settled.OPEN}
    assert len([r for r in exact.requests() if r["endpoint"] == "cashflow/Receivables"]) == 2
