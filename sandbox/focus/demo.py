"""What every part of the demo-data generator shares: ids and the demo calendar.

Everything is drawn from one ``random.Random(seed)`` in a fixed order, so
the same seed gives byte-identical data, ids included. Dates never pass
``REFERENCE_DAY`` so ``updated_since`` filters behave against the real clock.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 11, 15)
REFERENCE_DAY = dt.date(2026, 11, 20)


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_day(rng: random.Random, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def stamp(rng: random.Random, day: dt.date) -> str:
    """An ISO date-time during office hours on ``day`` (UTC), capped at the reference day."""
    day = min(day, REFERENCE_DAY)
    moment = dt.datetime(day.year, day.month, day.day, 8, tzinfo=dt.UTC)
    moment += dt.timedelta(seconds=rng.randrange(9 * 3600))
    return moment.isoformat()


def later(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, but never after the reference day."""
    return min(day + dt.timedelta(days=days), REFERENCE_DAY)
