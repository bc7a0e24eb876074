"""What is still open per booking in Octopus, and what became of bookings that left the open items.

Octopus's ``OpenData`` carries no ``orderReference``: items are matched by
the booking id the connector kept at booking time (``bookyear/journal/seq``).
A booking that left the open items was settled only when a balancing (a
payment, or a credit note matched against an invoice) names it:
``balancings/modified`` lists them in one call (48 a day) since the last
read. A booking no balancing names is missing from the dossier (deleted).
Octopus keeps no payment date in either read: the connector dates what it
sees by the day it saw it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal

from connectors.domain import CENT
from connectors.targets.base import LookupFailed, OpenItem, Settled, Settlement, TargetError
from connectors.targets.octopus.api import OctopusApi
from connectors.targets.octopus.bookings import OctopusBookings, stamp

SIDES = (("clients", True), ("suppliers", False))
#: DocumentKey.journalType → the journal letter of its journalKey ("V1" = type 2, sequence 1).
JOURNAL_LETTERS = {1: "A", 2: "V", 3: "F", 4: "D", 7: "L"}


def read_open_items(api: OctopusApi, bookings: OctopusBookings) -> Iterator[OpenItem]:
    years = sorted(bookings.books.years(), key=lambda y: y.start)
    if not years:
        return
    query = {"fromBookyearKey": {"id": int(years[0].id)}, "toBookyearKey": {"id": int(years[-1].id)},
             "fromBookyearPeriodNr": -1, "toBookyearPeriodNr": -1, "externalRelationId": -1, "relationId": -1}
    known = {y.id for y in years}
    for side, sales in SIDES:
        rows = api.query("POST", f"reports/{side}/open", json=query, absent_ok=True) or []
        for row in rows:
            year_id = str(row["bookyearKey"]["id"])
            if year_id not in known:
                continue
            ref = bookings.ref(year_id, str(row["journalKey"]), int(row["documentSequenceNr"]))
            yield OpenItem(None, ref.target_id, sales, Decimal(str(row.get("openDocAmount") or 0)).quantize(CENT))


def document_key_id(key: dict) -> str | None:
    """``<book year id>/<journal>/<number>`` of a DocumentKey, as the connector keeps booking ids."""
    letter = JOURNAL_LETTERS.get(int(key.get("journalType") or 0))
    if letter is None:
        return None
    return f"{key['bookyearKey']['id']}/{letter}{key['journalSequenceNr']}/{key['documentSequenceNr']}"


def read_settlements(api: OctopusApi, target_ids: Sequence[str], since: dt.datetime | None
                     ) -> dict[str, Settlement]:
    try:
        answer = api.query("GET", "balancings/modified",
                           params={"modifiedTimeStamp": stamp(since)},
                           absent_ok=True) or {}
    except TargetError as exc:
        raise LookupFailed(f"Could not read balancings from Octopus ({exc})") from None
    balanced = set()
    for balancing in answer.get("modifiedBalancings") or []:
        for side in ("debetDocument", "creditDocument"):
            key = balancing.get(side)
            if key:
                balanced.add(document_key_id(key))
    return {target_id: Settlement(target_id, Settled.SETTLED if target_id in balanced else Settled.MISSING)
            for target_id in target_ids}
