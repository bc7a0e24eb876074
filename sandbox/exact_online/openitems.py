"""Open items (``read/financial/ReceivablesList`` / ``PayablesList``) and the payments that settle them.

One row per entry that is not fully paid. ``Amount`` is the open amount,
signed from the company's point of view of the document: invoices positive
(to receive / to pay), credit notes negative. Payments are registered
through the admin API with a positive amount that reduces the open amount
towards zero, whatever the document's sign; paying more than is open is
refused. Amounts stay ``Decimal`` (written as exact JSON numbers).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.exact_online.booking import LEDGERS, SALES, Ledger, cents
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import ACCOUNTS
from sandbox.exact_online.odata import ODataError


def document_amount(entry: Doc) -> Decimal:
    """The signed amount of an entry (= ``GAccountAmountFC``)."""
    return Decimal(str(entry["GAccountAmountFC"]))


def open_amount(entry: Doc, paid: Decimal) -> Decimal:
    amount = document_amount(entry)
    return amount - paid if amount >= 0 else amount + paid


def open_items(books: Books, ledger: Ledger) -> list[Doc]:
    paid = books.store.paid(books.division)
    accounts = {doc["ID"]: doc for doc in books.docs(ACCOUNTS.path)}
    rows = []
    for hid, entry in books.store.docs_with_hid(ledger.entries.path, books.division):
        still_open = open_amount(entry, paid.get(entry["EntryID"], Decimal(0)))
        if still_open == 0:
            continue
        party = entry[ledger.party]
        rows.append({
            "HID": hid, "AccountId": party, "AccountCode": accounts[party]["Code"],
            "AccountName": entry[ledger.party_name], "Amount": cents(still_open), "AmountInTransit": Decimal("0.00"),
            "CurrencyCode": entry["Currency"], "Description": entry["Description"], "DueDate": entry["DueDate"],
            "EntryNumber": entry["EntryNumber"],
            "InvoiceDate": entry["EntryDate"] if ledger is SALES else entry["InvoiceDate"],
            "InvoiceNumber": entry.get("InvoiceNumber", entry["EntryNumber"]),
            "JournalCode": entry["Journal"], "JournalDescription": entry["JournalDescription"], "Notes": None,
            "YourRef": entry["YourRef"],
        })
    return rows


def find_entry(books: Books, entry_id: str) -> tuple[Ledger, Doc] | None:
    for ledger in LEDGERS.values():
        entry = books.doc(ledger.entries.path, entry_id)
        if entry is not None:
            return ledger, entry
    return None


def register_payment(books: Books, entry_id: str, amount: Decimal, now: float) -> dict[str, Any]:
    """Record a (partial) payment; raises ODataError when the entry is unknown or overpaid."""
    found = find_entry(books, entry_id.lower())
    if found is None:
        raise ODataError(f"no sales or purchase entry {entry_id} in division {books.division}")
    _, entry = found
    amount = cents(amount)
    paid = books.store.paid(books.division).get(entry["EntryID"], Decimal(0))
    still_open = abs(open_amount(entry, paid))
    if amount <= 0 or amount > still_open:
        raise ODataError(f"amount must be positive and at most the open amount {still_open}")
    books.store.add_payment(books.division, entry["EntryID"], amount, now)
    return {"entry_id": entry["EntryID"], "paid": cents(paid + amount),
            "open": cents(open_amount(entry, paid + amount))}
