"""Yuki's daily call cap, counted by the connector itself before every call.

Yuki allows 1,000 web-service calls per domain per day by default (5,000 or
10,000 with its paid features) and says nothing until the cap is hit. The
connector counts each call in the state database before sending it, per
connection (one access key covers one domain) and Amsterdam calendar day, and
refuses to send once the day's count reaches the limit: a run that meets the
cap stops cleanly (``QuotaSpent``) instead of burning calls on refusals.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from connectors.targets.base import CallCounter, QuotaSpent

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
DEFAULT_DAILY_LIMIT = 1000
#: What one run's payment back-fill needs (open debtor items, open creditor items, one transactions read,
#: and a new session should the old one have lapsed): never spent on bookings.
PAYMENT_RESERVE = 4


class DailyCap:
    def __init__(self, counter: CallCounter, limit: int = DEFAULT_DAILY_LIMIT, *,
                 clock: Callable[[], float] = time.time):
        self.counter = counter
        self.limit = limit
        self._clock = clock

    def today(self) -> dt.date:
        return dt.datetime.fromtimestamp(self._clock(), AMSTERDAM).date()

    def used(self) -> int:
        return self.counter.used(self.today())

    def left(self) -> int:
        return max(0, self.limit - self.used())

    def spend(self, what: str) -> None:
        """Count one call about to be sent; ``QuotaSpent`` (nothing sent) when the day's calls are used up."""
        day = self.today()
        if self.counter.used(day) >= self.limit:
            raise QuotaSpent(self.spent_message(what))
        self.counter.add(day)

    def spent_message(self, what: str) -> str:
        return (f"Yuki's daily limit of {self.limit} web-service calls for this domain is used up for today "
                f"({self.today():%Y-%m-%d}, Amsterdam time); {what} was not sent, the next run continues")
