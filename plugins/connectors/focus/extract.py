"""``extract(department, since)``: one department's Focus data as domain records.

Streams: documents are yielded as they are read, never collected, so memory
stays flat for a 100,000-invoice department. Only the ids of the parties the
documents reference are kept, to fetch those parties in batches at the end.
A document that cannot be mapped becomes a ``SourceIssue`` naming the
document, the field and the fix; the others go on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator

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
from connectors.focus.errors import FocusNotFound
from connectors.focus.ubl import UblError, parse_ubl

log = logging.getLogger(__name__)

Record = TaxRate | LedgerAccount | Document | Party | SourceIssue


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
    rates = [mapping.tax_rate(item) for item in streams.tax_rates(client, department_id)]
    yield from rates
    rates_by_id = {rate.id: rate for rate in rates}

    ledgers: dict[str, str] = {}
    for category in streams.product_categories(client, department_id):
        for account in mapping.ledger_accounts(category, department_id):
            ledgers.setdefault(account.category_id, account.number)
            yield account

    roles: dict[PartyRef, set[PartyRole]] = defaultdict(set)

    def keep(document: Document) -> Document:
        roles[document.party].add(document.party_role)
        return document

    for source_type, items in (
        ("invoice", streams.booked_invoices(client, department_id, since=since, start_date=start_date)),
        ("creditNote", streams.credit_notes(client, department_id, since=since, start_date=start_date)),
    ):
        for item in items:
            try:
                yield keep(mapping.sales_document(item, source_type, rates_by_id, ledgers))
            except mapping.MappingError as exc:
                yield _issue(source_type, item, str(exc))

    for item in streams.approved_peppol_documents(client, department_id, start_date=start_date):
        source = item.get("source") or {}
        file_id = (item.get("file") or {}).get("id")
        label = f"Incoming document {item.get('document_number') or source.get('id')}"
        if not file_id:
            yield _issue(source.get("type", "incomingInvoice"), item,
                         f"{label}: it has no Peppol UBL file in Focus, so its lines are unknown; "
                         "book it by hand or ask the supplier to resend it over Peppol")
            continue
        try:
            ubl = parse_ubl(streams.file_content(client, file_id))
            yield keep(mapping.purchase_document(item, ubl))
        except (UblError, mapping.MappingError) as exc:
            yield _issue(source.get("type", "incomingInvoice"), item, str(exc) if str(exc).startswith(
                ("Incoming", "UBL")) else f"{label}: {exc}")
        except FocusNotFound:
            yield _issue(source.get("type", "incomingInvoice"), item,
                         f"{label}: its Peppol file is gone from Focus; re-import the document")

    yield from _parties(client, roles)


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
            yield mapping.party(item, party_type, frozenset(roles[PartyRef(party_type, item["id"])]))
        if found != len(set(ids)):
            log.warning("Focus returned %d of %d %s records asked for", found, len(set(ids)), party_type)


def _issue(source_type: str, item: dict, message: str) -> SourceIssue:
    source = item.get("source") or {}
    return SourceIssue(
        source_type=source_type,
        source_id=source.get("id") or item.get("id", ""),
        number=item.get("invoice_number") or item.get("credit_note_number") or item.get("document_number"),
        message=message,
    )
