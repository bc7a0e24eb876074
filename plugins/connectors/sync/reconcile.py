"""Reading back what the tool holds before anything is posted: the ledger rebuilt from the tool.

Before a load posts anything into an administration, it reads the bookings
carrying a connector reference that the tool has since the last read (all of
them when the state database has no record of a read: a new, lost or
replaced database). A backup restored from yesterday has yesterday's cursor,
so everything booked since is read again. Documents found there are marked
booked instead of being posted. The read starts two hours before the cursor
(``CONNECTOR_RECONCILE_OVERLAP_MINUTES``), for clocks that disagree.

Cost: Exact Online reads two filtered listings (sales, purchases), 60 entries
a page; Octopus one ``/buysellbookings/modified`` call per open book year
(48 a day). Runs with nothing to post read nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterable, Iterator

from connectors.progress import Progress
from connectors.state import clock
from connectors.state.tool_bookings import ToolBookings
from connectors.targets.base import BookingRef, Target

log = logging.getLogger(__name__)


def overlap() -> dt.timedelta:
    """Two hours by default: clocks that disagree, and the hour that repeats when Brussels (Octopus's
    ``modifiedTimeStamp``) leaves summer time."""
    return dt.timedelta(minutes=int(os.environ.get("CONNECTOR_RECONCILE_OVERLAP_MINUTES", "120")))


def reconcile(target: Target, tool_bookings: ToolBookings, *, from_date: dt.date | None,
              booked_twice: Callable[[str, list[BookingRef]], None] = lambda reference, refs: None) -> dict[str, int]:
    """Read the tool's connector bookings since the cursor into ``tool_bookings``; move the cursor.
    A full read when there is no cursor, or when the documents now start earlier than the reads covered
    (a start date moved back; another integration on the administration). Raises ``LookupFailed`` (nothing
    may be posted then) when the tool cannot be read."""
    started = clock.now()
    cursor = tool_bookings.cursor()
    full = cursor is None or (cursor[1] is not None and (from_date is None or from_date < cursor[1]))
    since = None if full else cursor[0] - overlap()
    scope = "all of them" if since is None else f"since {since:%Y-%m-%d %H:%M}"
    progress = Progress(log, f"reading back the connector's bookings in {target.name} ({scope})", unit="bookings")
    found, twice = tool_bookings.save(_counted(target.connector_bookings(since, from_date=from_date), progress))
    progress.finish(held_twice=len(twice))
    for reference, refs in twice.items():
        booked_twice(reference, refs)
    covered = from_date if full else cursor[1]
    tool_bookings.set_cursor(started, covered)
    return {"reconciled_full": int(full), "reconciled_found": found, "reconciled_twice": len(twice)}


def _counted(found: Iterable, progress: Progress) -> Iterator:
    for item in found:
        progress.step()
        yield item
