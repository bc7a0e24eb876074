"""A summary of each division for tests (``GET /_sandbox/manifest``): what is there to find."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sandbox.exact_online.booking import PURCHASE, SALES
from sandbox.exact_online.books import Books
from sandbox.exact_online.entities import ACCOUNTS
from sandbox.exact_online.openitems import open_items
from sandbox.exact_online.store import ACCOUNT_WIDE, DIVISIONS, ExactStore


def _division(store: ExactStore, division: dict[str, Any]) -> dict[str, Any]:
    books = Books(store, division["Code"])
    accounts = books.docs(ACCOUNTS.path)
    journals = Counter(entry["Journal"] for ledger in (SALES, PURCHASE)
                       for entry in books.docs(ledger.entries.path))
    return {
        "code": division["Code"],
        "description": division["Description"],
        "country": division["Country"],
        "counts": {
            "accounts": len(accounts),
            "customers": sum(1 for a in accounts if a["Status"] == "C"),
            "suppliers": sum(1 for a in accounts if a["IsSupplier"]),
            "entries": dict(sorted(journals.items())),
            "open_receivables": len(open_items(books, SALES)),
            "open_payables": len(open_items(books, PURCHASE)),
        },
    }


def build_manifest(store: ExactStore) -> dict[str, Any]:
    divisions = sorted(store.docs(DIVISIONS, ACCOUNT_WIDE), key=lambda d: d["Code"])
    return {"divisions": [_division(store, division) for division in divisions]}
