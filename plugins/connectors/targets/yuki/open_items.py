"""What is still open in Yuki (``OutstandingDebtorItems`` / ``OutstandingCreditorItems``), and what became of
bookings that left those lists.

The open items name each document by its ``Reference`` — the connector's
reference — with the open amount signed like the document (credit notes
negative). A booking that left them is either settled (paid, or matched
against a credit note) or deleted; the open items cannot tell, so the
transactions read (``YukiBookings.present``) does: a document still there
was settled. Yuki's reads give no payment date.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from connectors.targets.base import OpenItem, Settled, Settlement
from connectors.targets.yuki.bookings import PREFIX, YukiBookings
from connectors.targets.yuki.client import YukiClient, child_text, children


def read_open_items(client: YukiClient, administration: str) -> Iterator[OpenItem]:
    for operation, sales in (("OutstandingDebtorItems", True), ("OutstandingCreditorItems", False)):
        result = client.call("Accounting", operation, administrationID=administration,
                             includeBankTransactions=False, sortOrder="DateAsc")
        for node in children(result, "Item"):
            reference = child_text(node, "Reference") or ""
            if not reference.startswith(PREFIX):
                continue
            yield OpenItem(reference, reference, sales, Decimal(child_text(node, "OpenAmount") or "0"))


def read_settlements(bookings: YukiBookings, target_ids: Sequence[str]) -> dict[str, Settlement]:
    if not target_ids:
        return {}
    present = bookings.present()
    return {target_id: Settlement(target_id, Settled.SETTLED if target_id in present else Settled.MISSING)
            for target_id in target_ids}
