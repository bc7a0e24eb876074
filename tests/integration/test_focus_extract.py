"""``extract(department, since)`` against the Focus sandbox: exactly the seeded documents, cheaply."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from decimal import Decimal

import pytest

from connectors.domain import Document, DocumentKind, Party, PartyRole, SourceIssue, TaxRate
from connectors.focus import streams
from connectors.focus.extract import extract

from .test_focus_client import max_in_window

KINDS = [k.value for k in DocumentKind]


def extracted(client, department_id, **kwargs):
    records = list(extract(client, department_id, **kwargs))
    documents = [r for r in records if isinstance(r, Document)]
    return records, documents


def ids_by_kind(documents) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for doc in documents:
        out[doc.kind.value].add(doc.source_id)
    return out


@pytest.fixture
def departments(focus):
    return focus.manifest()["departments"]


def test_extract_yields_exactly_the_seeded_documents_of_each_department(focus, connect, departments):
    client = connect(focus)
    for department in departments:
        _, documents = extracted(client, department["id"])
        assert ids_by_kind(documents) == {k: set(department["documents"][k]) for k in KINDS}, department["name"]


def test_extract_yields_each_referenced_party_once_with_its_roles(focus, connect, departments):
    client = connect(focus)
    for department in departments:
        records, documents = extracted(client, department["id"])
        parties = [r for r in records if isinstance(r, Party)]
        assert len({p.ref for p in parties}) == len(parties)
        assert {p.ref for p in parties} == {d.party for d in documents}
        roles = Counter(role for p in parties for role in p.roles)
        assert roles[PartyRole.CUSTOMER] == department["counts"]["customers"]
        assert roles[PartyRole.SUPPLIER] == department["counts"]["suppliers"]


def test_parties_are_fetched_in_batches_never_one_info_call_each(focus, connect, departments):
    client = connect(focus)
    for department in departments:
        list(extract(client, department["id"]))
    assert focus.requests(endpoint="companies.info") == []
    assert focus.requests(endpoint="contacts.info") == []
    assert focus.requests(endpoint="invoices.info") == []


def test_every_extracted_document_balances_to_the_cent(focus, connect, departments):
    client = connect(focus)
    for department in departments:
        _, documents = extracted(client, department["id"])
        for doc in documents:
            assert doc.lines_total == doc.total_excl, doc.number
            assert sum((v.taxable for v in doc.vat), Decimal(0)) == doc.total_excl, doc.number
            assert sum((v.tax for v in doc.vat), Decimal(0)) == doc.total_vat, doc.number
            assert doc.total_excl + doc.total_vat == doc.total_incl, doc.number
            assert doc.total_incl >= 0, f"{doc.number}: credit notes carry positive amounts"


def test_negative_invoices_come_out_as_credit_notes(focus, connect, departments):
    client = connect(focus)
    _, documents = extracted(client, departments[0]["id"])
    flipped = [d for d in documents if d.from_negative_invoice]
    assert flipped, "the demo data has negative invoices"
    assert all(d.kind is DocumentKind.SALES_CREDIT_NOTE and d.source_type == "invoice" for d in flipped)


def test_tax_rates_and_ledger_accounts_come_first(focus, connect, departments):
    client = connect(focus)
    records = list(extract(client, departments[0]["id"]))
    first_document = next(i for i, r in enumerate(records) if isinstance(r, Document))
    assert {type(r).__name__ for r in records[:first_document]} == {"TaxRate", "LedgerAccount"}
    rates = {r.percent for r in records if isinstance(r, TaxRate)}
    assert {Decimal(21), Decimal(6), Decimal(0)} <= rates


def test_lines_without_a_linked_category_have_no_ledger_account(focus, connect, departments):
    client = connect(focus)
    _, documents = extracted(client, departments[0]["id"])
    sales_lines = [ln for d in documents if d.kind.is_sales for ln in d.lines if ln.kind == "item"]
    assert any(ln.ledger_account for ln in sales_lines)
    assert any(ln.ledger_account is None for ln in sales_lines)


def test_start_date_drops_older_documents(focus, connect, departments):
    client = connect(focus)
    start = dt.date(2026, 1, 1)
    _, documents = extracted(client, departments[0]["id"], start_date=start)
    assert documents and all(d.date >= start for d in documents)


def test_since_returns_only_documents_updated_after_the_watermark(start_focus_sandbox, connect):
    sandbox = start_focus_sandbox(invoices=12)
    client = connect(sandbox)
    department = sandbox.manifest()["departments"][0]
    watermark = dt.datetime.fromisoformat(sandbox.admin("GET", "/_sandbox/clock").json()["now"])
    sandbox.advance_clock(60)
    target = next(
        item for item in streams.booked_invoices(client, department["id"])
        if item["status"] == "outstanding" and item["total"]["payable"]["amount"] > 0
    )
    client.call("invoices.registerPayment",
                {"id": target["id"], "payment": {"amount": 1.0, "currency": "EUR"},
                 "paid_at": "2026-11-20T10:00:00+00:00"}, idempotent=False)
    _, documents = extracted(client, department["id"], since=watermark)
    assert {d.source_id for d in documents if d.kind.is_sales} == {target["id"]}


def test_a_document_that_cannot_be_mapped_is_reported_and_the_others_proceed(start_focus_sandbox, connect):
    sandbox = start_focus_sandbox(invoices=30)
    client = connect(sandbox)
    department = sandbox.manifest()["departments"][0]
    _, baseline = extracted(client, department["id"])
    # A department tax rate that disappears makes every line using it unmappable.
    rates = streams.tax_rates(client, department["id"])
    victim = next(r for r in rates if r["rate"] == Decimal("0.06"))
    records = list(extract(_WithoutTaxRate(client, victim["id"]), department["id"]))
    issues = [r for r in records if isinstance(r, SourceIssue)]
    documents = [r for r in records if isinstance(r, Document)]
    assert issues, "some demo invoices use 6%"
    assert all("its tax rate" in i.message and i.number for i in issues)
    assert len(documents) + len(issues) == len(baseline)


class _WithoutTaxRate:
    """A client whose taxRates.list misses one rate: simulates a rate deleted in Focus."""

    def __init__(self, client, rate_id):
        self._client = client
        self._rate_id = rate_id

    def __getattr__(self, name):
        return getattr(self._client, name)

    def paginate(self, endpoint, body=None, **kwargs):
        for item in self._client.paginate(endpoint, body, **kwargs):
            if endpoint == "taxRates.list" and item["id"] == self._rate_id:
                continue
            yield item


def test_extraction_survives_429_bursts_and_5xx_within_the_rate(start_focus_sandbox, connect):
    sandbox = start_focus_sandbox(invoices=150)
    sandbox.configure(rate_limit=15, rate_window_seconds=2)
    sandbox.add_fault(endpoint="*", kind="error", status=503, probability=0.1, seed=7)
    sandbox.add_fault(endpoint="invoices.list", kind="rate_limit", count=3, retry_after_seconds=0.5)
    sandbox.add_fault(endpoint="companies.list", kind="rate_limit", count=2, retry_after_seconds=0.5)
    client = connect(sandbox)
    for department in sandbox.manifest()["departments"]:
        _, documents = extracted(client, department["id"])
        assert ids_by_kind(documents) == {k: set(department["documents"][k]) for k in KINDS}
    log = sandbox.requests()
    api = [r for r in log if not r["endpoint"].startswith(("oauth2", "_files"))]
    assert any(r["injected"] == "error" for r in api) and any(r["injected"] == "rate_limit" for r in api)
    assert [r for r in api if r["status"] == 429 and not r["injected"]] == []
    counted = [r for r in api if r["status"] != 429]
    assert max_in_window(counted, 2.0) <= 15


@pytest.mark.slow
def test_a_10000_invoice_department_costs_one_list_call_per_100_invoices(start_focus_sandbox, connect):
    sandbox = start_focus_sandbox(invoices=10_000)
    sandbox.configure(rate_limit=100_000)
    client = connect(sandbox)
    department = next(d for d in sandbox.manifest()["departments"] if d["counts"]["sales_invoice"] > 5000)
    sandbox.clear_requests()
    records = list(extract(client, department["id"]))
    documents = [r for r in records if isinstance(r, Document)]
    invoices_listed = sum(1 for d in documents if d.source_type == "invoice")
    parties = [r for r in records if isinstance(r, Party)]

    calls = Counter(r["endpoint"] for r in sandbox.requests())
    assert calls["invoices.list"] <= math.ceil(invoices_listed / 100) + 1
    party_batches = calls["companies.list"] + calls["contacts.list"]
    assert party_batches <= math.ceil(len(parties) / 100) + 2
    downloads = calls["files.download"] + calls["_files"]
    list_calls = calls["invoices.list"] + calls["creditNotes.list"] + calls["expenses.list"]
    assert list_calls <= math.ceil(invoices_listed / 100) + 1 + math.ceil(len(documents) / 100 / 10) + 2
    # The constant: tax rates, product categories, and two calls per incoming Peppol document
    # (at most 24 per department in the demo data, whatever the number of invoices).
    assert sum(calls.values()) <= list_calls + party_batches + 2 + downloads
    assert downloads <= 2 * 24


class _HostileFiles:
    """A client whose Peppol file downloads answer what a hostile or broken supplier might send."""

    def __init__(self, client, content: bytes):
        self._client = client
        self._content = content

    def __getattr__(self, name):
        return getattr(self._client, name)

    def download(self, location):
        return self._content


@pytest.mark.parametrize("content, reason", [
    (b'<?xml version="1.0"?><!DOCTYPE Invoice [<!ENTITY x "y">]><Invoice/>', "declares a DTD"),
    (b"<Invoice><unclosed></Invoice>", "not well-formed"),
])
def test_a_refused_peppol_file_names_its_document(focus, connect, departments, content, reason):
    """Finding: UBL refusals ("declares a DTD", "not well-formed") did not name the document."""
    department = departments[0]
    records = list(extract(_HostileFiles(connect(focus), content), department["id"]))
    issues = [r for r in records if isinstance(r, SourceIssue) and r.source_type.startswith("incoming")]
    assert len(issues) == len(department["documents"]["purchase_invoice"] + department["documents"][
        "purchase_credit_note"])
    for issue in issues:
        assert issue.message.startswith(("Incoming invoice ", "Incoming credit note "))
        assert f"{issue.number}: its Peppol file is refused: " in issue.message and reason in issue.message
        assert issue.field == "file"
