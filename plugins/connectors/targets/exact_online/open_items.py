"""What is still open per entry in Exact Online: the receivables and payables lists."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from connectors.domain import CENT
from connectors.targets.base import OpenItem
from connectors.targets.exact_online.api import ExactApi

LISTS = (("read/financial/ReceivablesList", True), ("read/financial/PayablesList", False))


def read_open_items(api: ExactApi) -> Iterator[OpenItem]:
    for path, sales in LISTS:
        for row in api.list(path, {"$select": "HID,Amount,EntryNumber,YourRef"}):
            yield OpenItem(row.get("YourRef"), str(row.get("EntryNumber") or "") or None, sales,
                           Decimal(str(row.get("Amount") or 0)).quantize(CENT))
