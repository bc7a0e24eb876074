"""What is still open per entry in Exact Online, and what became of entries that left the list.

``read/financial/ReceivablesList`` / ``PayablesList`` list every entry not yet
settled, with its open amount and ``YourRef`` (the connector's reference; the
lists show no EntryID). An entry that left them was either settled or deleted:
``cashflow/Receivables`` / ``cashflow/Payments`` tell which, in bulk (filtered
on ``TransactionEntryID``, 25 entries a call), with ``IsFullyPaid`` and
``LastPaymentDate``; an entry they do not know is missing from the division.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal

from connectors.domain import CENT
from connectors.targets.base import LookupFailed, OpenItem, Settled, Settlement, TargetError
from connectors.targets.exact_online.api import ExactApi, guid, parse_date

LISTS = (("read/financial/ReceivablesList", True), ("read/financial/PayablesList", False))
CASHFLOW = ("cashflow/Receivables", "cashflow/Payments")
#: Entries per cashflow read: an OData filter of 25 ``or`` terms stays far below URL length limits.
IDS_PER_CALL = 25
REFERENCE_PREFIX = "FC-"


def read_open_items(api: ExactApi) -> Iterator[OpenItem]:
    for path, sales in LISTS:
        for row in api.list(path, {"$select": "HID,Amount,EntryNumber,YourRef"}):
            reference = row.get("YourRef") or None
            if not reference or not str(reference).startswith(REFERENCE_PREFIX):
                continue  # not booked by the connector: never considered
            yield OpenItem(str(reference), None, sales, Decimal(str(row.get("Amount") or 0)).quantize(CENT))


def read_settlements(api: ExactApi, entry_ids: Sequence[str]) -> dict[str, Settlement]:
    """Per entry id: settled (fully paid or matched, with the last payment date), still open, or missing."""
    wanted = {entry_id.lower(): entry_id for entry_id in entry_ids}
    rows: dict[str, list[dict]] = {}
    try:
        for path in CASHFLOW:  # sales entries first; purchase entries only for ids not found among them
            remaining = [key for key in wanted if key not in rows]
            for start in range(0, len(remaining), IDS_PER_CALL):
                condition = " or ".join(f"TransactionEntryID eq {guid(key)}"
                                        for key in remaining[start:start + IDS_PER_CALL])
                for row in api.list(path, {"$select": "TransactionEntryID,IsFullyPaid,LastPaymentDate",
                                           "$filter": condition}):
                    rows.setdefault(str(row["TransactionEntryID"]).lower(), []).append(row)
    except TargetError as exc:
        raise LookupFailed(f"Could not read payments from Exact Online ({exc})") from None
    answers = {}
    for key, entry_id in wanted.items():
        found = rows.get(key)
        if not found:
            answers[entry_id] = Settlement(entry_id, Settled.MISSING)
            continue
        dates = [parse_date(r.get("LastPaymentDate")) for r in found]
        last = max((d for d in dates if d is not None), default=None)
        state = Settled.SETTLED if all(bool(r.get("IsFullyPaid")) for r in found) else Settled.OPEN
        answers[entry_id] = Settlement(entry_id, state, last.date() if last else None)
    return answers
