"""Test hook: overwrite fields of a stored document as is (``POST /_sandbox/documents/patch``).

A test can hand the connector what Focus might send but the demo data never
holds: an amount as the text ``"100,00"``, a 30 February. Paths are dotted,
list items by index (``grouped_lines.0.line_items.0.total.tax_exclusive.amount``);
the last step may name a new key, every step before it must exist. Values
are not validated. Invoices and credit notes first get ``updated_at`` = now
(sandbox clock), so an ``updated_since`` read finds them again (an
``updated_at`` in the patch itself wins); expenses have no such stamp. The
indexed columns follow the patched document where they can be derived from
it, and keep their value where they cannot (``store.tolerant_row``).
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.common.clock import iso_seconds
from sandbox.focus.records import Expense
from sandbox.focus.store import (
    CREDIT_NOTE_COLUMNS,
    EXPENSE_COLUMNS,
    INVOICE_COLUMNS,
    Columns,
    FocusStore,
    tolerant_row,
)

#: ``type`` in the request -> (table, its derived columns).
DOCUMENT_TYPES: dict[str, tuple[str, Columns]] = {
    "invoice": ("invoices", INVOICE_COLUMNS),
    "creditNote": ("credit_notes", CREDIT_NOTE_COLUMNS),
    "expense": ("expenses", EXPENSE_COLUMNS),
}


class PatchError(ValueError):
    """A path that does not lead into the document."""


def _index(items: list[Any], part: str, path: str) -> int:
    if not part.isdigit() or int(part) >= len(items):
        raise PatchError(f"{path}: no item {part} in a list of {len(items)}")
    return int(part)


def _step(node: Any, part: str, path: str) -> Any:
    if isinstance(node, dict):
        if part not in node:
            raise PatchError(f"{path}: no field {part!r}")
        return node[part]
    if isinstance(node, list):
        return node[_index(node, part, path)]
    raise PatchError(f"{path}: {part!r} is inside a value that is neither an object nor a list")


def set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    """``doc`` with the value at dotted ``path`` replaced (or added as the last key), in place."""
    parts = path.split(".")
    if not all(parts):
        raise PatchError(f"{path!r} is not a dotted path")
    target: Any = doc
    for part in parts[:-1]:
        target = _step(target, part, path)
    last = parts[-1]
    if isinstance(target, list):
        target[_index(target, last, path)] = value
    elif isinstance(target, dict):
        target[last] = value
    else:
        raise PatchError(f"{path}: {'.'.join(parts[:-1])} is neither an object nor a list")


def patch_document(store: FocusStore, doc_type: str, doc_id: str, changes: dict[str, Any],
                   now: float) -> dict[str, Any]:
    """Apply ``changes`` (dotted path -> JSON value) to a stored document; answers the document.
    Raises LookupError for an unknown id, PatchError for a bad path (nothing is stored then)."""
    table, columns = DOCUMENT_TYPES[doc_type]
    current = store.current_row(table, doc_id)
    if current is None:
        raise LookupError(f"no {doc_type} {doc_id}")
    doc = json.loads(current["doc"])
    if doc_type != "expense":
        doc["updated_at"] = iso_seconds(now)
    for path, value in changes.items():
        set_path(doc, path, value)
    payload = Expense(doc, current["supplier_name"], json.loads(current["payments"])) if doc_type == "expense" else doc
    row = tolerant_row(columns, payload, current)
    store.replace_row(table, (doc_id, *row[1:]))  # the row stays under its id, whatever the patch did to it
    return doc
