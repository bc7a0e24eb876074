"""The Octopus target against the Octopus sandbox over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest

from connectors.domain import Address, DocumentKind, Party, PartyRef, PartyRole
from connectors.oauth import AuthError, MemoryTokenStore
from connectors.state.db import make_engine, migrate
from connectors.state.external_ids import DbExternalIds
from connectors.targets.base import (
    AmbiguousWrite,
    Booking,
    BookingLine,
    DocumentRefused,
    LookupFailed,
    MemoryExternalIds,
    Settled,
    TargetError,
)
from connectors.targets.octopus import OctopusTarget, octopus_vat_number
from tests.contract.tools import OctopusHarness

D = Decimal
DOSSIER = "8001"
UUID = OctopusHarness.software_house_uuid


def connect(sandbox, *, timeout: float = 10.0, store=None, ids=None, password: str = "sandbox") -> OctopusTarget:
    return OctopusTarget.connect(f"{sandbox.base_url}/octopus-rest-api/v1", UUID, "sandbox", password,
                                 store or MemoryTokenStore(), DOSSIER, external_ids=ids or MemoryExternalIds(),
                                 timeout=timeout)


@pytest.fixture
def octopus_fresh(start_octopus_sandbox):
    return start_octopus_sandbox()


@pytest.fixture
def target(octopus_fresh):
    return connect(octopus_fresh)


def company(vat: str | None = None, *roles: PartyRole) -> Party:
    return Party(PartyRef("company", str(uuid.uuid4())), f"Test {uuid.uuid4().hex[:6]}", vat_number=vat,
                 address=Address("Kerkstraat 1", "9000", "Gent", "BE"),
                 roles=frozenset(roles or {PartyRole.CUSTOMER}))


def booking(party, *, kind=DocumentKind.SALES_INVOICE, journal="V1", vat_code="V21", ledger="700000",
            day=dt.date(2026, 3, 2)) -> Booking:
    return Booking(reference=f"FC-I-{uuid.uuid4()}", kind=kind, number="2026 / 17", date=day, due_date=None,
                   journal=journal, party=party, currency="EUR",
                   lines=(BookingLine("Consultancy", ledger, vat_code, D("100.00"), D("21.00")),
                          BookingLine("Travel", ledger, vat_code, D("33.33"), D("7.00"))),
                   total_incl=D("161.33"), description="Invoice 2026 / 17")


def stored(sandbox, reference: str) -> dict:
    [row] = [b for b in OctopusHarness().books(sandbox) if b.reference == reference]
    return row


def calls(sandbox, operation: str) -> list[dict]:
    return [r for r in sandbox.requests() if r["endpoint"] == operation]


# -- authentication ---------------------------------------------------------------------------


def test_dossiers_are_offered(target):
    assert {a.id for a in target.administrations()} >= {DOSSIER, "8002"}


def test_three_steps_authenticate_once_for_many_calls(octopus_fresh):
    target = connect(octopus_fresh)
    target.master_data()
    target.api.get("vatcodes")
    assert len(calls(octopus_fresh, "authentication")) == 1 and len(calls(octopus_fresh, "dossiers.token")) == 1


def test_a_dossier_token_in_the_store_is_reused_by_the_next_task(octopus_fresh):
    store = MemoryTokenStore()
    connect(octopus_fresh, store=store).api.get("bookyears")
    connect(octopus_fresh, store=store).api.get("bookyears")
    assert len(calls(octopus_fresh, "authentication")) == 1


def test_a_lapsed_dossier_token_authenticates_again(octopus_fresh):
    target = connect(octopus_fresh)
    target.api.get("bookyears")
    octopus_fresh.expire_tokens()
    assert target.api.get("bookyears")
    assert len(calls(octopus_fresh, "authentication")) == 2


def test_wrong_credentials_say_what_to_check(octopus_fresh):
    with pytest.raises(AuthError, match="software-house UUID"):
        connect(octopus_fresh, password="wrong").api.get("bookyears")


# -- master data ------------------------------------------------------------------------------


def test_master_data_has_accounts_vat_codes_journals_and_book_years(target):
    master = target.master_data()
    assert "700000" in master.ledger_accounts and "708000" in master.ledger_accounts
    assert master.vat_codes["V21"].rate == D("0.21") and master.vat_codes["V21"].direction == "sales"
    assert master.vat_codes["A21"].direction == "purchase"
    assert DocumentKind.SALES_CREDIT_NOTE in master.journals["V1"].kinds
    assert DocumentKind.PURCHASE_INVOICE in master.journals["A1"].kinds and not master.journals["F1"].kinds
    assert master.is_closed(dt.date(2024, 6, 1)) and not master.is_closed(dt.date(2026, 6, 1))
    assert master.book_year_of(dt.date(2026, 3, 2)).period_of(dt.date(2026, 3, 2)).number == 202603


def test_a_third_read_of_accounts_in_one_day_is_a_clear_quota_error(octopus_fresh):
    target = connect(octopus_fresh)
    target.master_data()
    target.master_data()
    with pytest.raises(TargetError, match="daily quota"):
        target.master_data()


# -- relations --------------------------------------------------------------------------------


def test_a_new_party_is_one_search_and_one_upsert_keyed_by_our_number(octopus_fresh):
    ids = MemoryExternalIds(start=500)
    target = connect(octopus_fresh, ids=ids)
    party = company("BE0477472701", PartyRole.CUSTOMER, PartyRole.SUPPLIER)
    assert target.find_party(party, None) is None
    created = target.create_party(party)
    assert created.code == "500"
    [relation] = [r for r in octopus_fresh.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]
                  if r["relationIdentificationServiceData"].get("externalRelationId") == 500]
    assert relation["client"] and relation["supplier"] and relation["vatNr"] == "BE0477.472.701"
    assert len(calls(octopus_fresh, "relations.search")) == 1 and len(calls(octopus_fresh, "relations.put")) == 1
    assert calls(octopus_fresh, "relations.list") == []


def test_a_relation_someone_else_numbered_is_never_taken_over(octopus_fresh, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'state.db'}")
    migrate(engine)
    target = connect(octopus_fresh, ids=DbExternalIds(engine, "octopus", DOSSIER))
    before = {r["relationIdentificationServiceData"]["relationKey"]["id"]: r
              for r in octopus_fresh.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]}
    for _ in range(5):
        target.create_party(company("BE0477472701"))
    after = {r["relationIdentificationServiceData"]["relationKey"]["id"]: r
             for r in octopus_fresh.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]}
    assert len(after) == len(before) + 5
    assert all(after[key] == row for key, row in before.items())  # hand-numbered relations untouched


def test_an_existing_relation_is_found_by_vat_number(target):
    created = target.create_party(company("BE0477472701"))
    other = company("BE 0477.472.701")
    assert target.find_party(other, None).id == created.id


def test_a_known_relation_costs_no_lookup(octopus_fresh):
    target = connect(octopus_fresh)
    created = target.create_party(company())
    octopus_fresh.clear_requests()
    assert target.find_party(company(), created) == created
    assert octopus_fresh.requests() == []


def test_an_upsert_that_committed_before_a_timeout_is_not_duplicated(octopus_fresh):
    target = connect(octopus_fresh, timeout=0.5)
    target.api.get("bookyears")
    party = company()
    octopus_fresh.add_fault(endpoint="relations.put", kind="commit_then_delay", delay_seconds=1.5, count=1)
    created = target.create_party(party)
    named = [r for r in octopus_fresh.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]
             if r["name"] == party.name]
    assert len(named) == 1 and str(named[0]["relationIdentificationServiceData"]["relationKey"]["id"]) == created.id


def test_belgian_vat_numbers_are_written_as_octopus_shows_them():
    assert octopus_vat_number("be 0477 472 701") == "BE0477.472.701"
    assert octopus_vat_number("NL859048925B01") == "NL859048925B01"


# -- bookings ---------------------------------------------------------------------------------


def test_a_document_is_one_post_and_is_found_again_by_its_reference(octopus_fresh):
    target = connect(octopus_fresh)
    entry = booking(target.create_party(company()))
    octopus_fresh.clear_requests()
    ref = target.post(entry)
    assert len(calls(octopus_fresh, "buysellbookings.post")) == 1
    assert [r for r in octopus_fresh.requests() if r["method"] in ("PUT", "DELETE")] == []
    assert connect(octopus_fresh).find_booking(entry) == ref
    row = stored(octopus_fresh, entry.reference)
    assert row.total == D("161.33") and row.journal == "V1" and row.date == dt.date(2026, 3, 2)


def test_document_numbers_follow_the_journal(target, octopus_fresh):
    party = target.create_party(company())
    first = target.post(booking(party))
    second = target.post(booking(party))
    journal, year, number = first.target_id.split("/")[1], *first.booking_number.split(" ")[1].split("/")
    assert year == "2026" and journal == "V1"
    assert second.target_id.split("/")[2] == str(int(number) + 1)


def test_a_credit_note_has_a_negative_total_and_positive_lines(target, octopus_fresh):
    entry = booking(target.create_party(company()), kind=DocumentKind.SALES_CREDIT_NOTE)
    target.post(entry)
    row = stored(octopus_fresh, entry.reference)
    assert row.total == D("-161.33") and all(net > 0 and vat > 0 for _, _, net, vat in row.lines)


def test_a_booking_never_posted_is_not_found(target):
    assert target.find_booking(booking(target.create_party(company()))) is None


def test_a_timeout_after_the_server_committed_is_ambiguous_and_the_lookup_finds_it(octopus_fresh):
    target = connect(octopus_fresh, timeout=0.5)
    entry = booking(target.create_party(company()))
    octopus_fresh.add_fault(endpoint="buysellbookings.post", kind="commit_then_delay", delay_seconds=1.5, count=1)
    with pytest.raises(AmbiguousWrite):
        target.post(entry)
    assert target.find_booking(entry) is not None


def test_a_journal_of_the_wrong_type_is_refused_for_this_document_only(target):
    party = target.create_party(company())
    with pytest.raises(DocumentRefused, match="Invoice 2026 / 17: Octopus refused it: .*F1"):
        target.post(booking(party, journal="F1"))
    target.post(booking(party))


def test_a_purchase_vat_code_in_a_sales_journal_is_refused(target):
    with pytest.raises(DocumentRefused, match="A21"):
        target.post(booking(target.create_party(company()), vat_code="A21"))


def test_a_closed_book_year_is_refused_with_the_fix(target):
    with pytest.raises(DocumentRefused, match="closed .*reopen the period in Octopus") as refused:
        target.post(booking(target.create_party(company()), day=dt.date(2024, 6, 3)))
    assert refused.value.code == "period_closed"


def test_a_closed_journal_period_is_refused(target, octopus_fresh):
    party = target.create_party(company())
    octopus_fresh.admin("POST", "journals/close", {"dossier": int(DOSSIER), "year": 2026, "journal": "V1",
                                                   "period": 202603}).raise_for_status()
    with pytest.raises(DocumentRefused, match="closed"):
        target.post(booking(party))
    target.post(booking(party, day=dt.date(2026, 4, 1)))


# -- payment status ---------------------------------------------------------------------------


def test_open_items_name_the_booking_by_the_id_kept_at_booking_time(target):
    ref = target.post(booking(target.create_party(company())))
    items = {i.target_id: i for i in target.open_items()}
    assert items[ref.target_id].open_amount == D("161.33") and items[ref.target_id].sales


def test_amounts_reach_octopus_to_the_cent_however_large(octopus_fresh, target):
    relation = target.create_party(company(None))
    big = Booking(reference=f"FC-I-{uuid.uuid4()}", kind=DocumentKind.SALES_INVOICE, number="2026 / 99",
                  date=dt.date(2026, 3, 2), due_date=None, journal="V1", party=relation, currency="EUR",
                  lines=(BookingLine("Big", "700000", "V21", D("1234567890123456.78"), D("259259256925925.92")),
                         BookingLine("Small", "700000", "V21", D("0.01"), D("0.00"))),
                  total_incl=D("1493827147049382.71"), description="Invoice 2026 / 99")
    target.post(big)
    books = json.loads(octopus_fresh.admin("GET", f"bookings?dossier={DOSSIER}").text, parse_float=Decimal)["data"]
    [data] = [b for b in books if b.get("orderReference") == big.reference]
    assert Decimal(str(data["amount"])) == D("1493827147049382.71")
    assert [Decimal(str(ln["baseAmount"])) for ln in data["bookingLines"]] == [D("1234567890123456.78"), D("0.01")]


def test_a_booking_is_looked_up_in_its_book_year_and_journal_with_the_vendors_parameters(octopus_fresh):
    """Finding: the lookup read the whole dossier with ``bookyearId=-1``, which only the sandbox is known to take."""
    target = connect(octopus_fresh)
    entry = booking(target.create_party(company()), day=dt.date(2026, 3, 2))
    target.post(entry)
    octopus_fresh.clear_requests()
    assert connect(octopus_fresh).find_booking(entry) is not None
    [lookup] = calls(octopus_fresh, "buysellbookings.modified")
    query = dict(part.split("=", 1) for part in lookup["path"].split("?", 1)[1].split("&"))
    year_2026 = next(y for y in target.master_data().book_years if y.description == "2026")
    assert query["bookyearId"] == year_2026.id and query["journalKey"] == "V1"


def test_a_404_that_is_not_octopus_nothing_found_fails_the_lookup(octopus_fresh, target):
    """Finding: every 404 was read as "nothing found", an unknown book year too."""
    entry = booking(target.create_party(company()))
    octopus_fresh.add_fault(endpoint="buysellbookings.modified", kind="error", status=404,
                            title="Bookyear 3 not found")
    with pytest.raises(LookupFailed, match="could not read Octopus's bookings"):
        target.find_booking(entry)


def test_octopus_nothing_found_is_a_proven_absence(octopus_fresh, target):
    entry = booking(target.create_party(company()), day=dt.date(2027, 5, 1))  # a year with no bookings at all
    assert target.find_booking(entry) is None
    [lookup] = calls(octopus_fresh, "buysellbookings.modified")
    assert lookup["status"] == 404


def test_a_lookup_as_of_a_moment_never_answers_from_a_copy_read_before_it(octopus_fresh):
    """Review finding: the journal's bookings were cached for the whole task, so a document a dead worker
    committed after the first read was "absent" and would be posted again."""
    reader, writer = connect(octopus_fresh), connect(octopus_fresh)
    entry = booking(writer.create_party(company()))
    assert reader.find_booking(entry) is None  # the journal is read and kept
    writer.post(entry)  # meanwhile another worker's post lands
    assert reader.find_booking(entry, as_of=dt.datetime.now(dt.UTC)) is not None



class CollidingIds(MemoryExternalIds):
    """Two Focus ids whose numbers hashed alike, as a fresh state database hands them out: first come,
    first served."""

    def __init__(self, number: int) -> None:
        super().__init__(start=number + 1)
        self.number = number

    def number_for(self, kind: str, source_id: str) -> int:
        return self._numbers.setdefault((kind, source_id), self.number)


def test_a_relation_number_another_party_holds_is_never_written_over(octopus_fresh):
    """Review finding: after a lost state database, the party that arrived first took the other's number, and
    its upsert merged into the other's relation."""
    first, second = company(None), company(None)
    created = connect(octopus_fresh, ids=CollidingIds(1_234_567_890)).create_party(first)
    target = connect(octopus_fresh, ids=CollidingIds(1_234_567_890))  # a new state database, same collision
    assert target.find_party(second, None) is None
    made = target.create_party(second)
    relations = {r["relationIdentificationServiceData"]["relationKey"]["id"]: r
                 for r in octopus_fresh.admin("GET", f"relations?dossier={DOSSIER}").json()["data"]}
    assert relations[int(created.id)]["name"] == first.name  # untouched
    assert relations[int(made.id)]["name"] == second.name and made.id != created.id
    assert int(made.code) != 1_234_567_890


def pay(sandbox, ref, amount: str) -> None:
    _, journal, number = ref.target_id.split("/")
    response = sandbox.admin("POST", "payments", {"dossier": int(DOSSIER), "year": 2026, "journal": journal,
                                                  "documentSequenceNr": int(number), "amount": amount})
    assert response.status_code == 201, response.text


def test_a_paid_booking_leaves_the_open_items_and_a_balancing_confirms_it_settled(target, octopus_fresh):
    ref = target.post(booking(target.create_party(company())))
    pay(octopus_fresh, ref, "161.33")
    assert ref.target_id not in {i.target_id for i in target.open_items()}
    assert target.settlements([ref.target_id], since=None)[ref.target_id].state is Settled.SETTLED


def test_a_deleted_booking_reads_as_missing_not_settled(target, octopus_fresh):
    ref = target.post(booking(target.create_party(company())))
    _, journal, number = ref.target_id.split("/")
    octopus_fresh.admin("POST", "bookings/delete", {"dossier": int(DOSSIER), "year": 2026, "journal": journal,
                                                    "documentSequenceNr": int(number)}).raise_for_status()
    assert target.settlements([ref.target_id], since=None)[ref.target_id].state is Settled.MISSING


def test_settlements_are_one_balancings_read_whatever_the_number_of_bookings(target, octopus_fresh):
    party = target.create_party(company())
    refs = [target.post(booking(party)) for _ in range(3)]
    for ref in refs:
        pay(octopus_fresh, ref, "161.33")
    before = len(calls(octopus_fresh, "balancings.modified"))
    answers = target.settlements([r.target_id for r in refs], since=None)
    assert {a.state for a in answers.values()} == {Settled.SETTLED}
    assert len(calls(octopus_fresh, "balancings.modified")) == before + 1


def test_nothing_balanced_since_the_last_read_is_octopuss_404_and_reads_as_missing(target, octopus_fresh):
    ref = target.post(booking(target.create_party(company())))
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert target.settlements([ref.target_id], since=later)[ref.target_id].state is Settled.MISSING
