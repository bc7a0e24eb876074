"""The connector's own count of the calls it made to a tool with a daily cap (Yuki: 1,000 per domain a day).

The tool says nothing until the cap is hit, and then refuses everything for
the rest of the day, so the connector counts every call it sends, per tool,
scope (the Yuki domain's connection) and day, in the state database: every
task, worker and run of the day adds to the same row, atomically. A call is
counted before it is sent, so a call whose answer is lost still counts, as it
does on the tool's side.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Engine, Integer, String, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from connectors.state.db import write_transaction
from connectors.state.models import Base, _now
from connectors.state.types import UtcDateTime


class ToolCallCount(Base):
    """Calls sent to one tool scope on one day (the tool's own calendar day)."""

    __tablename__ = "tool_call_counts"

    tool: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(128), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, nullable=False, default=_now)


_counts = ToolCallCount.__table__


class DbCallCounter:
    """Counts in the state database; shared by every process that uses the same scope."""

    def __init__(self, engine: Engine, tool: str, scope: str):
        self._engine = engine
        self._tool = tool
        self._scope = scope

    def used(self, day: dt.date) -> int:
        with self._engine.connect() as connection:
            value = connection.execute(select(_counts.c.calls).where(
                _counts.c.tool == self._tool, _counts.c.scope == self._scope, _counts.c.day == day)).scalar()
        return int(value or 0)

    def add(self, day: dt.date, calls: int = 1) -> int:
        """Count ``calls`` more on ``day``; the day's total after them."""
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(_counts).values(tool=self._tool, scope=self._scope, day=day, calls=calls,
                                                   updated_at=_now())
        statement = statement.on_conflict_do_update(
            index_elements=[_counts.c.tool, _counts.c.scope, _counts.c.day],
            set_={"calls": _counts.c.calls + calls, "updated_at": _now()},
        ).returning(_counts.c.calls)
        with write_transaction(self._engine) as connection:
            return int(connection.execute(statement).scalar_one())


class MemoryCallCounter:
    """For tests and one-off scripts: counts kept in memory."""

    def __init__(self) -> None:
        self._days: dict[dt.date, int] = {}

    def used(self, day: dt.date) -> int:
        return self._days.get(day, 0)

    def add(self, day: dt.date, calls: int = 1) -> int:
        self._days[day] = self._days.get(day, 0) + calls
        return self._days[day]
