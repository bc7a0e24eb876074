"""Progress lines for long steps: what is being done, with counts, as it goes.

``Progress(log, "booking documents", total=120)`` logs at INFO each time another
tenth of the total is done (totals of 20 and more), and at least every 30 seconds while work goes on;
without a total (pages of a list whose length Focus does not say), the first
step and then every 30 seconds. ``finish()`` logs the final line. A line reads::

    booking documents: 36/120 (30%) — booked 30, refused 4, unconfirmed 2 — 12s

Counts are named outcomes (``count("booked")``) shown in the order first seen.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

#: A line at least this often (seconds) while a step goes on.
EVERY_SECONDS = 30.0
#: ... and one each time another tenth of a known total is done,
TENTHS = 10
#: ... when the total is at least this (a handful of items gets its final line only).
SMALL = 20


class Progress:
    def __init__(self, log: logging.Logger, what: str, total: int | None = None, *, unit: str = "",
                 every: float = EVERY_SECONDS, clock: Callable[[], float] = time.monotonic):
        self.log = log
        self.what = what
        self.total = total
        self.unit = unit
        self.done = 0
        self.counts: Counter[str] = Counter()
        self._every = every
        self._clock = clock
        self._started = self._last = clock()
        self._tenth = 0
        self._logged_first = False

    def step(self, n: int = 1, outcome: str | None = None) -> None:
        """``n`` more items done (counted under ``outcome`` when given); logs when a line is due."""
        self.done += n
        if outcome:
            self.counts[outcome] += n
        self._maybe_log()

    def count(self, outcome: str, n: int = 1) -> None:
        """A named count that does not advance the total (refusals found while validating, calls made
        between pages); logs when the last line is 30 seconds old."""
        self.counts[outcome] += n
        if self._clock() - self._last >= self._every:
            self._emit()

    def finish(self, **extra: int) -> None:
        """The final line, always logged; ``extra`` counts are added to it."""
        for name, value in extra.items():
            self.counts[name] = value
        self._emit(final=True)

    def _maybe_log(self) -> None:
        now = self._clock()
        if self.total:
            # Each tenth of a total worth splitting (the last tenth is the final line's).
            tenth = min(TENTHS - 1, self.done * TENTHS // self.total) if self.total >= SMALL else 0
            if tenth > self._tenth:
                self._tenth = tenth
                self._emit()
                return
        elif not self._logged_first:
            self._logged_first = True
            self._emit()
            return
        if now - self._last >= self._every:
            self._emit()

    def line(self, *, final: bool = False) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.total is not None:
            percent = f" ({self.done * 100 // self.total}%)" if self.total else ""
            head = f"{self.done}/{self.total}{unit}{percent}"
        else:
            head = f"{self.done}{unit}" + ("" if final else " so far")
        counts = ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in self.counts.items())
        elapsed = f"{self._clock() - self._started:.0f}s"
        return " — ".join(part for part in (f"{self.what}: {head}" + (", done" if final else ""), counts, elapsed)
                          if part)

    def _emit(self, *, final: bool = False) -> None:
        self._last = self._clock()
        self.log.info("%s", self.line(final=final))
