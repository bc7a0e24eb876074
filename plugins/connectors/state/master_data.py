"""The tool's master data as last read, shared by a run's tasks and reused while fresh.

Exact Online is read every run; Octopus allows two reads a day of accounts
and VAT codes, so its target asks for ``master_data_max_age`` of 12 hours and
runs in between use this copy. The setup CLI stores what it read here too.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.serialization import master_data_from_payload, master_data_to_payload
from connectors.state.db import write_transaction
from connectors.state.models import MasterDataCache
from connectors.targets.base import MasterData, Target, TargetError

_cache = MasterDataCache.__table__
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cached:
    master: MasterData
    fetched_at: dt.datetime
    fresh_read: bool


class MasterDataStore:
    def __init__(self, engine: Engine, integration_id: int):
        self._engine = engine
        self._integration_id = integration_id

    def load(self) -> tuple[MasterData, dt.datetime] | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(_cache.c.payload, _cache.c.fetched_at)
                                     .where(_cache.c.integration_id == self._integration_id)).first()
        if row is None:
            return None
        fetched_at = row.fetched_at if row.fetched_at.tzinfo else row.fetched_at.replace(tzinfo=dt.UTC)
        return master_data_from_payload(row.payload), fetched_at

    def master_data(self) -> MasterData | None:
        loaded = self.load()
        return loaded[0] if loaded else None

    def save(self, master: MasterData, fetched_at: dt.datetime | None = None) -> dt.datetime:
        fetched_at = fetched_at or dt.datetime.now(dt.UTC)
        with write_transaction(self._engine) as connection:
            insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
            statement = insert(_cache).values(integration_id=self._integration_id, fetched_at=fetched_at,
                                              payload=master_data_to_payload(master))
            # Two runs may read master data at once: the later copy wins, neither fails.
            connection.execute(statement.on_conflict_do_update(
                index_elements=[_cache.c.integration_id],
                set_={"fetched_at": statement.excluded.fetched_at, "payload": statement.excluded.payload}))
        return fetched_at

    def refresh(self, target: Target, *, now: dt.datetime | None = None) -> Cached:
        """The cached copy while younger than the target allows, else a fresh read (then cached)."""
        now = now or dt.datetime.now(dt.UTC)
        loaded = self.load()
        if loaded is not None and now - loaded[1] < target.master_data_max_age:
            return Cached(loaded[0], loaded[1], fresh_read=False)
        try:
            master = target.master_data()
        except TargetError as exc:
            if loaded is None:
                raise
            # A quota used up or an outage: an older copy beats no run (unknown codes fail validation anyway).
            log.warning("Could not read master data from %s (%s); using the copy of %s", target.name, exc,
                        loaded[1].isoformat())
            return Cached(loaded[0], loaded[1], fresh_read=False)
        return Cached(master, self.save(master, now), fresh_read=True)
