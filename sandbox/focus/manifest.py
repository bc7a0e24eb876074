"""What an extractor should find per department (``GET /_sandbox/manifest``).

The counting rules are the connector's contract with Focus data: booked
invoices with a non-negative total are sales invoices; credit notes and
negative booked invoices are sales credit notes; only approved Peppol
documents are purchases (pending/refused ones and receipts are not).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.focus.store import FocusStore

BOOKED = "status IN ('outstanding', 'matched')"
APPROVED_PEPPOL = "origin_type = 'peppolIncomingDocument' AND review_status = 'approved'"


def _department_manifest(store: FocusStore, department: dict[str, Any]) -> dict[str, Any]:
    dep = department["id"]
    invoices = "SELECT id FROM invoices WHERE department_id = ? AND " + BOOKED
    documents = {
        "sales_invoice": store.column(f"{invoices} AND payable >= 0 ORDER BY number_key", dep),
        "sales_credit_note": [
            *store.column("SELECT id FROM credit_notes WHERE department_id = ? ORDER BY number_key", dep),
            *store.column(f"{invoices} AND payable < 0 ORDER BY number_key", dep),
        ],
        "purchase_invoice": store.column(
            "SELECT id FROM expenses WHERE department_id = ? AND source_type = 'incomingInvoice' AND "
            f"{APPROVED_PEPPOL} ORDER BY document_date, rowid", dep),
        "purchase_credit_note": store.column(
            "SELECT id FROM expenses WHERE department_id = ? AND source_type = 'incomingCreditNote' AND "
            f"{APPROVED_PEPPOL} ORDER BY document_date, rowid", dep),
    }
    customers = store.column(
        "SELECT COUNT(*) FROM (SELECT customer_type, customer_id FROM invoices WHERE department_id = ? AND "
        f"{BOOKED} UNION SELECT customer_type, customer_id FROM credit_notes WHERE department_id = ?)", dep, dep)[0]
    suppliers = store.column(
        "SELECT COUNT(DISTINCT supplier_id) FROM expenses WHERE department_id = ? AND "
        f"source_type IN ('incomingInvoice', 'incomingCreditNote') AND {APPROVED_PEPPOL}", dep)[0]
    return {
        "id": dep,
        "name": department["name"],
        "country": department["address"]["country"],
        "counts": {**{kind: len(ids) for kind, ids in documents.items()}, "customers": customers,
                   "suppliers": suppliers},
        "documents": documents,
    }


def build_manifest(store: FocusStore) -> dict[str, Any]:
    departments = [json.loads(doc) for doc in store.column("SELECT doc FROM departments ORDER BY position")]
    return {"departments": [_department_manifest(store, department) for department in departments]}
