"""Open items (``read/financial/ReceivablesList`` / ``PayablesList``): one row per entry not fully settled.

``Amount`` is the open amount, signed from the company's point of view of the
document: invoices positive (to receive / to pay), credit notes negative;
payments and credit-note matches bring it towards zero, fees charged on the
entry move it away (``settlements``). An entry with nothing open is not
listed. Amounts stay ``Decimal`` (written as exact JSON numbers).
"""

from __future__ import annotations

from decimal import Decimal

from sandbox.exact_online.booking import SALES, Ledger
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import ACCOUNTS
from sandbox.exact_online.settlements import standings


def open_items(books: Books, ledger: Ledger) -> list[Doc]:
    """Computed once per change of the books: a paged read of ten thousand entries is not one listing per page."""
    rows = books.store.memo(("open_items", ledger.entries.path, books.division), lambda: _open_items(books, ledger))
    return [dict(row) for row in rows]


def _open_items(books: Books, ledger: Ledger) -> list[Doc]:
    accounts = {doc["ID"]: doc for doc in books.docs(ACCOUNTS.path)}
    still_open = {s.entry["EntryID"]: s.open for s in standings(books, ledger)}
    rows = []
    for hid, entry in books.store.docs_with_hid(ledger.entries.path, books.division):
        amount = still_open[entry["EntryID"]]
        if amount == 0:
            continue
        party = entry[ledger.party]
        rows.append({
            "HID": hid, "AccountId": party, "AccountCode": accounts[party]["Code"],
            "AccountName": entry[ledger.party_name], "Amount": amount, "AmountInTransit": Decimal("0.00"),
            "CurrencyCode": entry["Currency"], "Description": entry["Description"], "DueDate": entry["DueDate"],
            "EntryNumber": entry["EntryNumber"],
            "InvoiceDate": entry["EntryDate"] if ledger is SALES else entry["InvoiceDate"],
            "InvoiceNumber": entry.get("InvoiceNumber", entry["EntryNumber"]),
            "JournalCode": entry["Journal"], "JournalDescription": entry["JournalDescription"], "Notes": None,
            "YourRef": entry["YourRef"],
        })
    return rows
