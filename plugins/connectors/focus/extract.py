"""``extract(department, since)``: one department's Focus data as domain records.

Streams: documents are yielded as they are read, never collected, so memory
stays flat for a 100,000-invoice department. Only the ids of the parties the
documents reference are kept, to fetch those parties in batches at the end.
A document that cannot be mapped becomes a ``SourceIssue`` naming the
document, the field and the fix — whatever went wrong with it, so one bad
document never stops the others. ``reread`` reads documents that waited for
a fix again by id, and says which ones Focus no longer returns (``Gone``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from connectors.domain import (
    Document,
    LedgerAccount,
    Party,
    PartyRef,
    PartyRole,
    SourceIssue,
    TaxRate,
)
from connectors.focus import mapping, streams
from connectors.focus.client import FocusClient
from connectors.focus.errors import FocusError, FocusNotFound
from connectors.focus.ubl import UblError, parse_ubl

log = logging.getLogger(__name__)

SALES_TYPES = ("invoice", "creditNote")
PURCHASE_TYPES = ("incomingInvoice", "incomingCreditNote")
WITHDRAWN_PURCHASE = "Focus no longer lists it as an approved Peppol document (refused or deleted in Focus)"


@dataclass(frozen=True)
class Gone:
    """A document that waited for a fix and that Focus no longer returns."""

    source_type: str
    source_id: str
    reason: str


Record = TaxRate | LedgerAccount | Document | Party | SourceIssue | Gone


def extract(
    client: FocusClient,
    department_id: str,
    *,
    since: dt.datetime | None = None,
    start_date: dt.date | None = None,
) -> Iterator[Record]:
    """Yield tax rates, ledger accounts, documents (or their issues), then the parties they reference.

    ``since`` limits outgoing documents to those updated since then (the
    watermark); ``start_date`` drops documents dated before the integration's
    start. Purchase documents are read in full every time (Focus offers no
    ``updated_since`` for them).
    """
    rates, ledgers = yield from _reference_data(client, department_id)
    roles: dict[PartyRef, set[PartyRole]] = defaultdict(set)
    for source_type, items in (
        ("invoice", streams.booked_invoices(client, department_id, since=since, start_date=start_date)),
        ("creditNote", streams.credit_notes(client, department_id, since=since, start_date=start_date)),
    ):
        yield from _sales(source_type, items, rates, ledgers, roles)
    yield from _purchases(client, streams.approved_peppol_documents(client, department_id, start_date=start_date),
                          roles)
    yield from _parties(client, roles)


def extract_sales(client: FocusClient, department_id: str, *, start_date: dt.date, end_date: dt.date
                  ) -> Iterator[Document | SourceIssue | Party]:
    """Booked invoices and credit notes dated ``start_date`` to ``end_date`` (both included), or their issues,
    then the customers they reference: what an offline export holds."""
    rates, ledgers = yield from _reference_data(client, department_id, emit=False)
    roles: dict[PartyRef, set[PartyRole]] = defaultdict(set)
    for source_type, items in (
        ("invoice", streams.booked_invoices(client, department_id, start_date=start_date, end_date=end_date)),
        ("creditNote", streams.credit_notes(client, department_id, start_date=start_date, end_date=end_date)),
    ):
        yield from _sales(source_type, items, rates, ledgers, roles)
    yield from _parties(client, roles)


def reread(client: FocusClient, department_id: str, waiting: Iterable[tuple[str, str]], *,
           purchases_read: bool) -> Iterator[Record]:
    """Documents that waited for a fix, read again by id (sales: 100 ids a call), then their parties.

    Approved Peppol documents are all read every run anyway (``purchases_read``): a waiting one that the
    full read did not return was deleted or is no longer approved in Focus.
    """
    by_type: dict[str, list[str]] = defaultdict(list)
    for source_type, source_id in waiting:
        by_type[source_type].append(source_id)
    if not by_type:
        return
    roles: dict[PartyRef, set[PartyRole]] = defaultdict(set)
    if any(by_type.get(t) for t in SALES_TYPES):
        rates, ledgers = yield from _reference_data(client, department_id, emit=False)
        for source_type, fetch in (("invoice", streams.invoices_by_ids), ("creditNote", streams.credit_notes_by_ids)):
            ids = by_type.get(source_type) or []
            returned: set[str] = set()
            yield from _sales(source_type, _noting(fetch(client, ids), returned), rates, ledgers, roles)
            for source_id in sorted(set(ids) - returned):
                yield Gone(source_type, source_id, "Focus no longer returns it (deleted in Focus)")
    if purchases_read:
        for source_type in PURCHASE_TYPES:
            for source_id in by_type.get(source_type) or []:
                yield Gone(source_type, source_id, WITHDRAWN_PURCHASE)
    yield from _parties(client, roles)


def _noting(items: Iterable[dict], returned: set[str]) -> Iterator[dict]:
    for item in items:
        returned.add(item.get("id", ""))
        yield item


def _reference_data(client: FocusClient, department_id: str, *, emit: bool = True):
    """Tax rates and product-category ledger accounts (yielded unless ``emit`` is off); returns their maps."""
    rates = []
    for item in streams.tax_rates(client, department_id):
        try:
            rates.append(mapping.tax_rate(item))
        except mapping.MappingError as exc:
            # The documents using it say so ("its tax rate … is not a tax rate of this department").
            log.warning("Skipping a tax rate Focus returned that cannot be read: %s", exc)
    if emit:
        yield from rates
    ledgers: dict[str, str] = {}
    for category in streams.product_categories(client, department_id):
        for account in mapping.ledger_accounts(category, department_id):
            ledgers.setdefault(account.category_id, account.number)
            if emit:
                yield account
    return {rate.id: rate for rate in rates}, ledgers


def _sales(source_type: str, items: Iterable[dict], rates: dict[str, TaxRate], ledgers: dict[str, str],
           roles: dict[PartyRef, set[PartyRole]]) -> Iterator[Record]:
    for item in items:
        try:
            document = mapping.sales_document(item, source_type, rates, ledgers)
        except mapping.MappingError as exc:
            yield _issue(source_type, item, str(exc), exc.field)
        except Exception as exc:  # noqa: BLE001 - one unreadable document must not stop the others
            log.exception("Could not read %s %s", source_type, item.get("id"))
            yield _issue(source_type, item, _unexpected(_sales_label(source_type, item), exc))
        else:
            roles[document.party].add(document.party_role)
            yield document


def _purchases(client: FocusClient, items: Iterable[dict], roles: dict[PartyRef, set[PartyRole]]
               ) -> Iterator[Record]:
    for item in items:
        source = item.get("source") or {}
        source_type = source.get("type", "incomingInvoice")
        kind = "Incoming credit note" if source_type == "incomingCreditNote" else "Incoming invoice"
        label = f"{kind} {item.get('document_number') or source.get('id')}"
        file_id = (item.get("file") or {}).get("id")
        if not file_id:
            yield _issue(source_type, item,
                         f"{label}: it has no Peppol UBL file in Focus, so its lines are unknown; "
                         "book it by hand or ask the supplier to resend it over Peppol", "file")
            continue
        try:
            ubl = parse_ubl(streams.file_content(client, file_id))
            document = mapping.purchase_document(item, ubl)
        except mapping.MappingError as exc:
            yield _issue(source_type, item, _named(label, str(exc)), exc.field)
        except UblError as exc:
            yield _issue(source_type, item, _named(label, f"its Peppol file is refused: {exc}"), "file")
        except FocusNotFound:
            yield _issue(source_type, item, f"{label}: its Peppol file is gone from Focus; re-import the document",
                         "file")
        except FocusError:
            raise  # Focus itself failing is not this document's fault: the step retries
        except Exception as exc:  # noqa: BLE001 - one unreadable document must not stop the others
            log.exception("Could not read %s", label)
            yield _issue(source_type, item, _unexpected(label, exc))
        else:
            roles[document.party].add(document.party_role)
            yield document


def _named(label: str, message: str) -> str:
    """Every message starts with the document it is about."""
    return message if message.startswith(label) else f"{label}: {message}"


def _sales_label(source_type: str, item: dict) -> str:
    kind = "Invoice" if source_type == "invoice" else "Credit note"
    return f"{kind} {item.get('invoice_number') or item.get('credit_note_number') or item.get('id')}"


def _unexpected(label: str, exc: Exception) -> str:
    return (f"{label}: the connector could not read it ({type(exc).__name__}: {exc}); it waits in the ledger and "
            "is read again every run — report this with the document number")


def _parties(client: FocusClient, roles: dict[PartyRef, set[PartyRole]]) -> Iterator[Party]:
    by_type: dict[str, list[str]] = defaultdict(list)
    for ref in roles:
        by_type[ref.type].append(ref.id)
    fetchers = {"company": streams.companies, "contact": streams.contacts}
    for party_type, ids in sorted(by_type.items()):
        fetch = fetchers.get(party_type)
        if fetch is None:
            log.warning("Ignoring %d parties of unknown Focus type %r", len(ids), party_type)
            continue
        found = 0
        for item in fetch(client, ids):
            found += 1
            try:
                yield mapping.party(item, party_type, frozenset(roles[PartyRef(party_type, item["id"])]))
            except Exception:  # noqa: BLE001 - one unreadable party must not stop the others
                log.exception("Could not read %s %s from Focus; its documents wait for it", party_type,
                              item.get("id"))
        if found != len(set(ids)):
            log.warning("Focus returned %d of %d %s records asked for", found, len(set(ids)), party_type)


def _issue(source_type: str, item: dict, message: str, field: str | None = None) -> SourceIssue:
    source = item.get("source") or {}
    number = item.get("invoice_number") or item.get("credit_note_number") or item.get("document_number")
    return SourceIssue(
        source_type=source_type,
        source_id=source.get("id") or item.get("id", ""),
        number=str(number) if number is not None else None,
        message=message,
        field=field,
    )
