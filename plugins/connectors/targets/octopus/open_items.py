"""What is still open per booking in Octopus: the clients' and suppliers' open-items reports.

Octopus's ``OpenData`` carries no ``orderReference``: items are matched by
the booking id the connector kept at booking time (``bookyear/journal/seq``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from connectors.domain import CENT
from connectors.targets.base import OpenItem
from connectors.targets.octopus.api import OctopusApi
from connectors.targets.octopus.bookings import OctopusBookings

SIDES = (("clients", True), ("suppliers", False))


def read_open_items(api: OctopusApi, bookings: OctopusBookings) -> Iterator[OpenItem]:
    years = {y.id: y for y in bookings.books.years()}
    open_years = [y for y in years.values() if not y.closed] or list(years.values())
    query = {"fromBookyearKey": {"id": int(open_years[0].id)}, "toBookyearKey": {"id": int(open_years[-1].id)},
             "fromBookyearPeriodNr": -1, "toBookyearPeriodNr": -1, "externalRelationId": -1, "relationId": -1}
    for side, sales in SIDES:
        rows = api.query("POST", f"reports/{side}/open", json=query, absent_ok=True) or []
        for row in rows:
            year = years.get(str(row["bookyearKey"]["id"]))
            if year is None:
                continue
            ref = bookings.ref(year.id, str(row["journalKey"]), int(row["documentSequenceNr"]))
            yield OpenItem(None, ref.booking_number, sales,
                           Decimal(str(row.get("openDocAmount") or 0)).quantize(CENT),
                           {"target_id": ref.target_id, "reference": row.get("reference")})
