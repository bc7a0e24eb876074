"""``cashflow/Receivables`` (sales) and ``cashflow/Payments`` (purchases): payment status per entry.

Unlike the open-item lists these keep settled entries, so a client can tell
"paid" (``IsFullyPaid``, ``Status`` 50 matched, ``LastPaymentDate``) from
"deleted" (no row at all). One row per entry; ``ID`` is the row's own GUID,
derived from the entry id so it stays the same on every read, and
``TransactionEntryID`` is the entry's ``EntryID`` (what clients filter on).
``AmountDC`` / ``AmountFC`` are the entry's amount including VAT, signed like
``GAccountAmountFC`` (credit notes negative); what is still open, fees
included, is in the open-item lists.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sandbox.exact_online.booking import SALES, Ledger
from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import ACCOUNTS
from sandbox.exact_online.odata.values import wire_date
from sandbox.exact_online.settlements import standings

#: Namespace of the row ids (uuid5 of the entry id): stable, and never equal to the EntryID.
ROW_NAMESPACE = uuid.UUID("6d1b9c52-3f0e-4c38-9a57-2f4f3e1c0a11")
OPEN, MATCHED = 20, 50


def cashflow_rows(books: Books, ledger: Ledger) -> list[Doc]:
    accounts = {doc["ID"]: doc for doc in books.docs(ACCOUNTS.path)}
    rows = []
    for standing in standings(books, ledger):
        entry, party = standing.entry, standing.entry[ledger.party]
        settled = standing.open == 0
        last = standing.last_payment_day
        rows.append({
            "ID": str(uuid.uuid5(ROW_NAMESPACE, entry["EntryID"])), "TransactionEntryID": entry["EntryID"],
            "EntryNumber": entry["EntryNumber"], "InvoiceNumber": entry.get("InvoiceNumber", entry["EntryNumber"]),
            "YourRef": entry["YourRef"], "Account": party, "AccountCode": accounts[party]["Code"],
            "AccountName": entry[ledger.party_name], "AmountDC": standing.document, "AmountFC": standing.document,
            "Currency": entry["Currency"], "Description": entry["Description"], "DueDate": entry["DueDate"],
            "EntryDate": entry["EntryDate"],
            "InvoiceDate": entry["EntryDate"] if ledger is SALES else entry["InvoiceDate"],
            "IsFullyPaid": settled, "Journal": entry["Journal"],
            "LastPaymentDate": None if last is None else wire_date(dt.date.fromisoformat(last)),
            "PaymentReference": entry.get("PaymentReference"), "Status": MATCHED if settled else OPEN,
            "Division": books.division,
        })
    return rows
