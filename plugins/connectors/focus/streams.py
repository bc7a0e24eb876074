"""The Focus resources the pipeline reads, each as one small function over ``FocusClient``.

Call budget matters (200 requests a minute per integration). Lists go 100
per page (N items cost N//100 + 1 calls) and parties come in batches of 100
ids. The real ``invoices.list``/``creditNotes.list`` return no lines, so
each booked invoice and credit note costs one ``.info`` call: a first sync
of a 10,000-invoice department is about 10,600 calls, some 53 minutes at
200 a minute; later runs read only what changed. The client also asks the
lists for their lines (``includes``), which the sandbox honours as a
documented extension (then the same department costs ~130 calls); where
Focus ignores or refuses that, the stream falls back to ``.info`` — the
numbers are measured both ways in tests/integration/test_focus_without_includes.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from connectors.focus.client import MAX_PAGE_SIZE, FocusClient
from connectors.focus.errors import FocusBadRequest
from connectors.progress import Progress

log = logging.getLogger(__name__)

BOOKED_INVOICE_STATUSES = ["outstanding", "matched"]
#: Extra fields asked on invoice and credit-note list items (same shapes as ``.info``).
DOCUMENT_INCLUDES = "grouped_lines,discounts,payments"
#: What a list item must carry to stand in for ``.info`` (credit notes have no payments in Focus).
INCLUDED_FIELDS = {"invoices": ("grouped_lines", "discounts", "payments"), "creditNotes": ("grouped_lines", "discounts")}
PEPPOL_SOURCE_TYPES = ["incomingInvoice", "incomingCreditNote"]


def departments(client: FocusClient) -> list[dict[str, Any]]:
    return client.call("departments.list", {"filter": {"status": ["active"]}})["data"]


def department_info(client: FocusClient, department_id: str) -> dict[str, Any]:
    return client.call("departments.info", {"id": department_id})["data"]


def tax_rates(client: FocusClient, department_id: str) -> list[dict[str, Any]]:
    return list(client.paginate("taxRates.list", {"filter": {"department_id": department_id}}))


def product_categories(client: FocusClient, department_id: str) -> list[dict[str, Any]]:
    return client.call("productCategories.list", {"filter": {"department_id": department_id}})["data"]


def booked_invoices(
    client: FocusClient, department_id: str, *, since: dt.datetime | None = None, start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """Booked invoices (``outstanding`` or ``matched``) with lines, discounts and payments, dated from
    ``start_date`` to ``end_date`` (both included) when given."""
    filters: dict[str, Any] = {"department_id": department_id, "status": BOOKED_INVOICE_STATUSES}
    if since:
        filters["updated_since"] = since.isoformat()
    if start_date:
        filters["invoice_date_after"] = start_date.isoformat()
    if end_date:
        filters["invoice_date_before"] = end_date.isoformat()  # inclusive for invoices
    body = {"filter": filters, "sort": [{"field": "invoice_number", "order": "asc"}]}
    yield from _with_details(client, "invoices", body)


def credit_notes(
    client: FocusClient, department_id: str, *, since: dt.datetime | None = None, start_date: dt.date | None = None,
    end_date: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """Credit notes dated from ``start_date`` to ``end_date`` (both included) when given."""
    filters: dict[str, Any] = {"department_id": department_id}
    if since:
        filters["updated_since"] = since.isoformat()
    if start_date:
        filters["credit_note_date_after"] = start_date.isoformat()
    if end_date:  # credit_note_date_before is exclusive, unlike invoices (apis.md §1.7)
        filters["credit_note_date_before"] = (end_date + dt.timedelta(days=1)).isoformat()
    yield from _with_details(client, "creditNotes", {"filter": filters})


def invoices_by_ids(client: FocusClient, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Invoices read again by id (documents that waited for a fix), 100 ids a call."""
    for batch in _batches(ids):
        yield from _with_details(client, "invoices", {"filter": {"ids": batch}})


def credit_notes_by_ids(client: FocusClient, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    for batch in _batches(ids):
        yield from _with_details(client, "creditNotes", {"filter": {"ids": batch}})


def _batches(ids: Iterable[str]) -> Iterator[list[str]]:
    unique = sorted(set(ids))
    for start in range(0, len(unique), MAX_PAGE_SIZE):
        yield unique[start : start + MAX_PAGE_SIZE]


def approved_peppol_documents(
    client: FocusClient, department_id: str, *, start_date: dt.date | None = None
) -> Iterator[dict[str, Any]]:
    """Approved incoming invoices and credit notes that arrived over Peppol.

    ``expenses.list`` has no ``updated_since``: every run reads the approved
    ones, filtered on the document date here (the state database dedupes).
    """
    body = {
        "filter": {
            "department_ids": [department_id],
            "source_types": PEPPOL_SOURCE_TYPES,
            "review_statuses": ["approved"],
        },
        "sort": [{"field": "document_date", "order": "asc"}],
    }
    for item in _listed(client, "expenses.list", body):
        if (item.get("origin") or {}).get("type") != "peppolIncomingDocument":
            continue
        if start_date and _before(item.get("document_date"), start_date):
            continue
        yield item


def _before(value: Any, start_date: dt.date) -> bool:
    """Dated before the start date; a date that does not parse is kept, for mapping to report it."""
    try:
        return bool(value) and dt.date.fromisoformat(str(value)[:10]) < start_date
    except ValueError:
        return False


def companies(client: FocusClient, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    yield from _by_ids(client, "companies.list", ids)


def contacts(client: FocusClient, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    yield from _by_ids(client, "contacts.list", ids)


def file_content(client: FocusClient, file_id: str) -> bytes:
    """Download a file (a Peppol UBL document): ``files.download`` hands out a temporary link."""
    location = client.call("files.download", {"id": file_id})["data"]["location"]
    return client.download(location)


def _by_ids(client: FocusClient, endpoint: str, ids: Iterable[str]) -> Iterator[dict[str, Any]]:
    batches = list(_batches(ids))
    progress = Progress(log, f"Focus {endpoint}", total=len(batches), unit="batches of ids read")
    for batch in batches:
        body = {"filter": {"ids": batch}, "page": {"size": MAX_PAGE_SIZE, "number": 1}}
        items = client.call(endpoint, body)["data"]
        progress.count("items", len(items))
        progress.step()
        yield from items
    progress.finish()


def _listed(client: FocusClient, endpoint: str, body: dict[str, Any], progress: Progress | None = None
            ) -> Iterator[dict[str, Any]]:
    """``client.paginate``, logging the pages read as they come (a line at the first page, then at least
    every 30 seconds, and a final one)."""
    progress = progress or Progress(log, f"Focus {endpoint}", unit="pages read")
    for count, item in enumerate(client.paginate(endpoint, body)):
        if count % MAX_PAGE_SIZE == 0:  # the first item of a page: that page was just read
            progress.step()
        progress.count("items")
        yield item
    progress.finish()


def _with_details(client: FocusClient, resource: str, body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """List items in ``.info`` shape: from the list's includes, else one ``.info`` per item.

    A refusal of the includes is remembered on the client, so later lists of the run ask without them."""
    items: Iterator[dict[str, Any]]
    progress = Progress(log, f"Focus {resource}.list", unit="pages read")
    if resource in client.includes_refused:
        items = _listed(client, f"{resource}.list", body, progress)
    else:
        try:
            items = _peek(_listed(client, f"{resource}.list", {**body, "includes": DOCUMENT_INCLUDES}, progress))
        except FocusBadRequest:
            log.warning("Focus refused includes on %s.list; reading %s.info per document", resource, resource)
            client.includes_refused.add(resource)
            items = _listed(client, f"{resource}.list", body, progress)
    for item in items:
        if all(name in item for name in INCLUDED_FIELDS[resource]):
            yield item
        else:
            progress.count(f"{resource}.info read")
            data = client.call(f"{resource}.info", {"id": item["id"]})["data"]
            # The published spec types creditNotes.info's data as an array; accept both.
            yield data[0] if isinstance(data, list) else data


def _peek(iterator: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Fetch the first page now, so a refusal of the request surfaces here and not mid-stream."""
    try:
        first = next(iterator)
    except StopIteration:
        return iter(())

    def chained() -> Iterator[dict[str, Any]]:
        yield first
        yield from iterator

    return chained()
