"""Reading back what the tool holds before anything is posted: the ledger rebuilt from the tool.

Before a load posts anything into an administration, it reads the bookings
carrying a connector reference that the tool has since the last read (all of
them when the state database has no record of a read: a new, lost or
replaced database). A backup restored from yesterday has yesterday's cursor,
so everything booked since is read again. Documents found there are marked
booked instead of being posted. The read starts an hour before the cursor
(``CONNECTOR_RECONCILE_OVERLAP_MINUTES``), for clocks that disagree.

Cost: Exact Online reads two filtered listings (sales, purchases), 60 entries
a page; Octopus one ``/buysellbookings/modified`` call per open book year
(48 a day). Runs with nothing to post read nothing.
"""

from __future__ import annotations

import datetime as dt
import os

from connectors.state import clock
from connectors.state.tool_bookings import ToolBookings
from connectors.targets.base import Target


def overlap() -> dt.timedelta:
    return dt.timedelta(minutes=int(os.environ.get("CONNECTOR_RECONCILE_OVERLAP_MINUTES", "60")))


def reconcile(target: Target, tool_bookings: ToolBookings, *, from_date: dt.date | None) -> dict[str, int]:
    """Read the tool's connector bookings since the cursor into ``tool_bookings``; move the cursor.
    Raises ``LookupFailed`` (nothing may be posted then) when the tool cannot be read."""
    started = clock.now()
    cursor = tool_bookings.reconciled_at()
    since = None if cursor is None else cursor - overlap()
    found = tool_bookings.save(target.connector_bookings(since, from_date=from_date))
    tool_bookings.set_reconciled_at(started)
    return {"reconciled_full": int(since is None), "reconciled_found": found}
