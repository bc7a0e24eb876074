"""``extract()`` with the sandbox's ``includes`` extension taken away (``list_includes`` ignore / refuse).

The real ``invoices.list`` / ``creditNotes.list`` return no lines; only the sandbox honours
``includes: grouped_lines,discounts,payments`` (a documented extension). These tests run the production
client against three sandboxes seeded alike (same seed, same size) that differ only in ``list_includes``,
and hold it to: the same records whatever the mode, and an exact call cost counted from the sandbox's
request log — honour: one list call per page and no ``.info``; ignore: the same pages plus one ``.info``
per document; refuse: one refused (400) call per list endpoint on top of that.

Expected numbers come from the sandbox (its manifest, and what its own lists answer to a bare caller
with a minted token), never from the production code.
"""

from __future__ import annotations

import json
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from connectors.domain import Document
from connectors.focus.extract import extract
from sandbox.runner import RunningSandbox, start_sandbox

from .conftest import ClientFactory
from .test_focus_client import max_in_window

SEED = 42
#: 120 invoices in the first department: ~114 booked, so invoices.list needs two pages.
INVOICES = 120
PAGE = 100
BOOKED = ["outstanding", "matched"]
#: What the client must not have to ask the real Focus for on a list (the sandbox extension).
EXTENSION_FIELDS = {"grouped_lines", "discounts", "payments"}
SALES_ENDPOINTS = {"invoices.list", "invoices.info", "creditNotes.list", "creditNotes.info"}


def pages(n: int) -> int:
    """List calls for ``n`` items at 100 a page, walking until a short page (the only end-of-list
    signal): ceil(n / 100), plus one empty page when ``n`` is a multiple of 100."""
    return n // PAGE + 1


@dataclass(frozen=True)
class Listed:
    """What the department's sales lists hold, as the sandbox itself answers a bare caller."""

    invoice_ids: list[str]  # invoices.list, filter department + booked statuses
    credit_note_ids: list[str]  # creditNotes.list, filter department
    invoice_matches: int  # meta.matches of invoices.list (includes=pagination)
    credit_note_matches: int


@dataclass(frozen=True)
class Run:
    mode: str
    department: dict[str, Any]  # the manifest's entry
    listed: Listed
    records: list[Any]
    log: list[dict[str, Any]]  # every request extract() sent, in order
    seconds: float

    @property
    def documents(self) -> dict[tuple[str, str], Document]:
        return {(r.source_type, r.source_id): r for r in self.records if isinstance(r, Document)}

    def calls(self, endpoint: str) -> list[dict[str, Any]]:
        return [r for r in self.log if r["endpoint"] == endpoint]

    def other_calls(self) -> Counter[tuple[str, int]]:
        """Everything extract() sent besides the sales lists and .info calls, with statuses."""
        return Counter((r["endpoint"], r["status"]) for r in self.log if r["endpoint"] not in SALES_ENDPOINTS)


def _bare_list(http: httpx.Client, sandbox: RunningSandbox, token: str, endpoint: str,
               filters: dict[str, Any]) -> tuple[list[str], int]:
    """Every id of a list (pages of 100) plus its ``meta.matches``, without the production client."""
    ids: list[str] = []
    matches = None
    number = 1
    while True:
        body = {"filter": filters, "includes": "pagination", "page": {"size": PAGE, "number": number}}
        response = http.post(f"{sandbox.base_url}/{endpoint}", json=body,
                             headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        envelope = json.loads(response.text, parse_float=Decimal)
        matches = envelope["meta"]["matches"]
        ids += [item["id"] for item in envelope["data"]]
        if len(envelope["data"]) < PAGE:
            return ids, matches
        number += 1


def _listed(sandbox: RunningSandbox, department_id: str) -> Listed:
    token = sandbox.mint_tokens()["access_token"]
    with httpx.Client(timeout=30) as http:
        invoices, invoice_matches = _bare_list(http, sandbox, token, "invoices.list",
                                               {"department_id": department_id, "status": BOOKED})
        notes, note_matches = _bare_list(http, sandbox, token, "creditNotes.list", {"department_id": department_id})
    return Listed(invoices, notes, invoice_matches, note_matches)


def _run(mode: str, **config: Any) -> Iterator[Run]:
    """One ``extract()`` of the first department on a fresh sandbox in ``mode`` (``config``: limits)."""
    with start_sandbox("focus", invoices=INVOICES, seed=SEED, list_includes=mode) as sandbox:
        assert sandbox.admin("GET", "config").json()["list_includes"] == mode
        department = sandbox.manifest()["departments"][0]
        listed = _listed(sandbox, department["id"])
        factory = ClientFactory()
        try:
            client = factory(sandbox)  # the OAuth code exchange happens here, before the log is cleared
            if config:
                sandbox.configure(**config)
            sandbox.admin("DELETE", "ratelimit")  # the bare listing above does not eat into the run's window
            sandbox.clear_requests()
            started = time.perf_counter()
            records = list(extract(client, department["id"]))
            seconds = time.perf_counter() - started
            yield Run(mode, department, listed, records, sandbox.requests(), seconds)
        finally:
            factory.close()


@pytest.fixture(scope="module")
def honour() -> Iterator[Run]:
    yield from _run("honour")


@pytest.fixture(scope="module")
def ignore() -> Iterator[Run]:
    yield from _run("ignore")


@pytest.fixture(scope="module")
def refuse() -> Iterator[Run]:
    yield from _run("refuse")


@pytest.fixture(params=["ignore", "refuse"])
def without_extension(request) -> Run:
    return request.getfixturevalue(request.param)


# -- the department under test ----------------------------------------------------------------


def test_the_department_spans_more_than_one_invoice_page_and_matches_the_manifest(honour):
    listed, documents = honour.listed, honour.department["documents"]
    assert listed.invoice_matches == len(listed.invoice_ids) > PAGE
    assert listed.credit_note_matches == len(listed.credit_note_ids) > 0
    assert len(set(listed.invoice_ids)) == len(listed.invoice_ids)
    # Booked invoices with payable >= 0 are sales invoices; credit notes and negative booked
    # invoices are sales credit notes: the two lists together are exactly the manifest's sales documents.
    assert set(documents["sales_invoice"]) <= set(listed.invoice_ids)
    assert set(listed.invoice_ids) | set(listed.credit_note_ids) == (
        set(documents["sales_invoice"]) | set(documents["sales_credit_note"]))
    assert not set(listed.invoice_ids) & set(listed.credit_note_ids)


# -- same records whatever the mode -----------------------------------------------------------


def test_without_the_extension_extract_yields_the_same_documents(honour, without_extension):
    run = without_extension
    manifest = run.department["documents"]
    ids = {kind: {d.source_id for d in run.documents.values() if d.kind.value == kind} for kind in manifest}
    assert ids == {kind: set(manifest[kind]) for kind in manifest}
    assert run.documents.keys() == honour.documents.keys()
    for key, document in honour.documents.items():
        other = run.documents[key]
        assert other.lines == document.lines, key
        assert other.vat == document.vat, key
        assert (other.total_excl, other.total_vat, other.total_incl, other.payable) == (
            document.total_excl, document.total_vat, document.total_incl, document.payable), key
        assert other.payments == document.payments, key
        assert other == document, key  # every other field too (dates, party, numbers, flags)
    sales = [d for d in honour.documents.values() if d.kind.is_sales]
    assert sum(len(d.lines) for d in sales) > len(sales), "the comparison covers real lines"


def test_without_the_extension_extract_yields_the_same_records_in_the_same_order(honour, without_extension):
    assert without_extension.records == honour.records  # tax rates, ledger accounts, documents, parties


# -- call cost, counted from the request log --------------------------------------------------


def _list_pages(run: Run, endpoint: str) -> list[int]:
    return [r["body"]["page"]["number"] for r in run.calls(endpoint) if r["status"] == 200]


def _info_ids(run: Run, endpoint: str) -> Counter[str]:
    return Counter(r["body"]["id"] for r in run.calls(endpoint))


def test_honour_costs_one_list_call_per_page_and_no_info_calls(honour):
    listed = honour.listed
    assert _list_pages(honour, "invoices.list") == list(range(1, pages(listed.invoice_matches) + 1))
    assert _list_pages(honour, "creditNotes.list") == list(range(1, pages(listed.credit_note_matches) + 1))
    assert honour.calls("invoices.info") == [] and honour.calls("creditNotes.info") == []
    assert all(set(r["body"]["includes"].split(",")) >= EXTENSION_FIELDS
               for endpoint in ("invoices.list", "creditNotes.list") for r in honour.calls(endpoint))
    assert [r for r in honour.log if r["status"] != 200] == []


def test_ignore_costs_the_same_list_pages_plus_one_info_call_per_document(honour, ignore):
    listed = ignore.listed
    # The client still asks for the includes; the sandbox answers the documented list shape.
    for endpoint, n in (("invoices.list", listed.invoice_matches), ("creditNotes.list", listed.credit_note_matches)):
        calls = ignore.calls(endpoint)
        assert [r["body"]["page"]["number"] for r in calls] == list(range(1, pages(n) + 1)), endpoint
        assert all(set(r["body"]["includes"].split(",")) >= EXTENSION_FIELDS for r in calls), endpoint
    # Exactly one .info per listed document, none twice, none for anything else.
    assert _info_ids(ignore, "invoices.info") == Counter(listed.invoice_ids)
    assert _info_ids(ignore, "creditNotes.info") == Counter(listed.credit_note_ids)
    assert [r for r in ignore.log if r["status"] != 200] == []  # no 400, no 429
    assert ignore.other_calls() == honour.other_calls()  # rates, categories, Peppol, parties: unchanged
    extra = len(ignore.log) - len(honour.log)
    assert extra == listed.invoice_matches + listed.credit_note_matches


def test_refuse_costs_one_refused_call_per_list_then_the_plain_pages_plus_one_info_per_document(honour, refuse):
    listed = refuse.listed
    for endpoint, n in (("invoices.list", listed.invoice_matches), ("creditNotes.list", listed.credit_note_matches)):
        calls = refuse.calls(endpoint)
        refused, *plain = calls
        # First: page 1 with the includes, answered 400 and not retried ...
        assert refused["status"] == 400 and refused["body"]["page"]["number"] == 1, endpoint
        assert set(refused["body"]["includes"].split(",")) >= EXTENSION_FIELDS, endpoint
        # ... then the list again without them, every page once.
        assert [r["status"] for r in plain] == [200] * pages(n), endpoint
        assert [r["body"]["page"]["number"] for r in plain] == list(range(1, pages(n) + 1)), endpoint
        assert all("includes" not in r["body"] for r in plain), endpoint
    assert _info_ids(refuse, "invoices.info") == Counter(listed.invoice_ids)
    assert _info_ids(refuse, "creditNotes.info") == Counter(listed.credit_note_ids)
    # Each .info comes after its list's fallback page was read, never before the refusal.
    first_info = min(i for i, r in enumerate(refuse.log) if r["endpoint"] == "invoices.info")
    first_plain = next(i for i, r in enumerate(refuse.log) if r["endpoint"] == "invoices.list" and r["status"] == 200)
    assert first_plain < first_info
    assert Counter(r["status"] for r in refuse.log if r["status"] != 200) == Counter({400: 2})
    assert refuse.other_calls() == honour.other_calls()
    extra = len(refuse.log) - len(honour.log)
    assert extra == 2 + listed.invoice_matches + listed.credit_note_matches


# -- what the extra calls cost in time ----------------------------------------------------------

#: The production limit is 200 calls a minute; the same ratio of calls to limit, 60 times faster.
PACED_LIMIT, PACED_WINDOW = 50, 1.0


def _rate_counted(run: Run) -> list[dict[str, Any]]:
    """The calls the sandbox counts against the limit (file links and OAuth are not)."""
    return [r for r in run.log if r["endpoint"] != "_files" and not r["endpoint"].startswith("oauth2")]


@pytest.fixture(scope="module")
def ignore_paced() -> Iterator[Run]:
    yield from _run("ignore", rate_limit=PACED_LIMIT, rate_window_seconds=PACED_WINDOW)


def test_the_production_limit_is_not_reached_by_this_department_in_any_mode(honour, ignore, refuse):
    for run in (honour, ignore, refuse):
        assert len(_rate_counted(run)) <= 200, run.mode  # so the cost tests above measure calls, not waits
        assert not any(r["status"] == 429 for r in run.log), run.mode


def test_without_the_extension_the_client_paces_the_info_calls_to_the_limit(honour, ignore_paced):
    """Past the limit, every .info call waits its turn: no 429, same records, and the run lasts at
    least (windows needed - 1) windows — the time cost the README must state (N / 200 minutes)."""
    counted = _rate_counted(ignore_paced)
    assert len(counted) > 3 * PACED_LIMIT
    assert [r for r in ignore_paced.log if r["status"] != 200] == []
    assert max_in_window(counted, PACED_WINDOW) <= PACED_LIMIT
    assert ignore_paced.records == honour.records
    windows = math.ceil(len(counted) / PACED_LIMIT)
    assert ignore_paced.seconds >= (windows - 1) * PACED_WINDOW
