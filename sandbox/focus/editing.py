"""Test hook: change one line of a booked invoice, as Focus's ``invoices.updateBooked`` would
(``POST /_sandbox/invoices/edit``).

The line's ``unit_price`` and/or ``quantity`` change; then every line total,
the document totals (discounts and tax groups included) and what is due are
recomputed with the sandbox's own amount rules (``amounts``), payments kept,
``updated_at`` = now on the sandbox clock. A connector that already booked the
invoice sees it again through ``updated_since`` with other amounts.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.common.clock import iso_seconds
from sandbox.focus.amounts import (
    TaxedLine,
    document_total_json,
    document_totals,
    line_total_json,
    line_totals,
    number,
)
from sandbox.focus.payments import settle_invoice
from sandbox.focus.store import FocusStore, Where

#: What may change on a line.
EDITABLE = ("unit_price", "quantity")


class EditError(ValueError):
    """An edit the hook cannot make (a draft, a line that does not exist, a value that is no number)."""


def _decimal(name: str, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise EditError(f"{name} must be a number or a numeric string")
    try:
        number_value = Decimal(str(value))
    except InvalidOperation:
        raise EditError(f"{name} must be a number or a numeric string") from None
    if not number_value.is_finite():
        raise EditError(f"{name} must be a finite number")
    return number_value


def _recompute(store: FocusStore, doc: dict[str, Any]) -> None:
    """Line totals, document totals and due of ``doc`` from its lines, discounts and payments."""
    rates = {rate["id"]: Decimal(str(rate["rate"])) for rate in store.docs("tax_rates", Where())}
    taxed = []
    for item in (item for group in doc["grouped_lines"] for item in group["line_items"]):
        rate = rates[item["tax"]["id"]]
        discount = Decimal(str(item["discount"]["value"])) if item["discount"] else None
        totals = line_totals(Decimal(str(item["quantity"])), Decimal(str(item["unit_price"]["amount"])), discount, rate)
        item["total"] = line_total_json(totals)
        taxed.append(TaxedLine(item["tax"]["id"], rate, totals))
    discounts = [Decimal(str(discount["value"])) for discount in doc["discounts"]]
    doc["total"] = {**doc["total"], **document_total_json(document_totals(taxed, discounts))}
    settle_invoice(doc)


def edit_invoice_line(store: FocusStore, invoice_id: str, line: Any, changes: dict[str, Any],
                      now: float) -> dict[str, Any]:
    """Change line ``line`` (an integer, 1-based across all groups) of a booked invoice; answers it.
    Raises LookupError for an unknown id, EditError for an edit that cannot be made."""
    doc = store.doc("invoices", invoice_id)
    if doc is None:
        raise LookupError(f"no invoice {invoice_id}")
    if doc["status"] == "draft":
        raise EditError("only booked invoices can be edited this way (a draft changes through invoices.update)")
    unknown = set(changes) - set(EDITABLE)
    if unknown or not changes:
        raise EditError(f"give unit_price and/or quantity (not {sorted(unknown)})" if unknown
                        else "give unit_price and/or quantity")
    items = [item for group in doc["grouped_lines"] for item in group["line_items"]]
    if isinstance(line, bool) or not isinstance(line, int) or not 1 <= line <= len(items):
        raise EditError(f"line must be an integer between 1 and {len(items)}")
    item = items[line - 1]
    if "unit_price" in changes:
        item["unit_price"]["amount"] = number(_decimal("unit_price", changes["unit_price"]))
    if "quantity" in changes:
        item["quantity"] = number(_decimal("quantity", changes["quantity"]))
    _recompute(store, doc)
    doc["updated_at"] = iso_seconds(now)
    store.save_invoice(doc)
    return doc
