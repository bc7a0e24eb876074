"""When the ledger is read back from the tool, and how much: the reconciliation cursor on both databases.

The tool here is a recording stand-in for ``Target.connector_bookings`` (no HTTP is involved in deciding
*what* to read; the contract suite proves the reads against the real sandboxes).
"""

from __future__ import annotations

import datetime as dt

import pytest

from connectors.state import clock
from connectors.state.tool_bookings import ToolBookings
from connectors.sync.reconcile import reconcile
from connectors.targets.base import BookingRef, FoundBooking


class RecordingTool:
    name = "Recording tool"

    def __init__(self, found=()):
        self.reads: list[tuple[dt.datetime | None, dt.date | None]] = []
        self.found = list(found)

    def connector_bookings(self, since, *, from_date=None):
        self.reads.append((since, from_date))
        return iter(self.found)


@pytest.fixture
def tool_bookings(engine):
    return ToolBookings(engine, "octopus", "8001")


def test_a_state_database_that_never_read_the_tool_reads_everything(tool_bookings):
    tool = RecordingTool([FoundBooking("FC-I-1", BookingRef("1/V1/1"), None)])
    assert reconcile(tool, tool_bookings, from_date=dt.date(2025, 1, 1)) == {
        "reconciled_full": 1, "reconciled_found": 1, "reconciled_twice": 0}
    assert tool.reads == [(None, dt.date(2025, 1, 1))]
    assert tool_bookings.get("FC-I-1").ref.target_id == "1/V1/1"


def test_later_reads_start_two_hours_before_the_last_one(tool_bookings, monkeypatch):
    tool = RecordingTool()
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start)
    reconcile(tool, tool_bookings, from_date=dt.date(2025, 1, 1))
    reconcile(tool, tool_bookings, from_date=dt.date(2025, 1, 1))
    assert tool.reads[1] == (start - dt.timedelta(hours=2), dt.date(2025, 1, 1))


def test_a_start_date_moved_back_reads_everything_again(tool_bookings):
    """Review finding: a read that skipped old book years still moved the cursor, so documents of those years
    booked before (by a lost state database, say) were never found and would be posted again."""
    tool = RecordingTool()
    reconcile(tool, tool_bookings, from_date=dt.date(2026, 1, 1))
    reconcile(tool, tool_bookings, from_date=dt.date(2025, 1, 1))
    reconcile(tool, tool_bookings, from_date=dt.date(2025, 6, 1))  # later than covered: incremental
    assert [since is None for since, _ in tool.reads] == [True, True, False]


def test_a_reference_the_tool_holds_twice_is_reported(tool_bookings):
    tool = RecordingTool([FoundBooking("FC-I-1", BookingRef("1/V1/1", "V1 2026/1"), None),
                          FoundBooking("FC-I-1", BookingRef("1/V1/2", "V1 2026/2"), None)])
    reported = []
    counts = reconcile(tool, tool_bookings, from_date=None, booked_twice=lambda ref, refs: reported.append(
        (ref, [r.booking_number for r in refs])))
    assert counts["reconciled_twice"] == 1
    assert reported == [("FC-I-1", ["V1 2026/1", "V1 2026/2"])]
