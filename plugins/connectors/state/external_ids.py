"""Integer ids the connector hands out to a tool, kept forever in the state database.

Octopus matches relations by ``externalRelationId``, an int32 of the
caller's choosing; Focus ids are UUIDs. Numbers are allocated as max + 1
within (tool, administration, kind) under a unique constraint, so two
workers racing for one number cannot both win: the loser retries.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from connectors.state.models import ExternalId

_ids = ExternalId.__table__


class DbExternalIds:
    def __init__(self, engine: Engine, target: str, administration: str | None):
        self._engine = engine
        self._scope = {"target": target, "administration": administration or ""}

    def _lookup(self, connection, kind: str, source_id: str) -> int | None:
        return connection.execute(select(_ids.c.number).where(
            _ids.c.target == self._scope["target"], _ids.c.administration == self._scope["administration"],
            _ids.c.kind == kind, _ids.c.source_id == source_id)).scalar()

    def number_for(self, kind: str, source_id: str) -> int:
        for _ in range(5):
            with self._engine.connect() as connection:
                number = self._lookup(connection, kind, source_id)
                if number is not None:
                    return number
                highest = connection.execute(select(func.max(_ids.c.number)).where(
                    _ids.c.target == self._scope["target"], _ids.c.administration == self._scope["administration"],
                    _ids.c.kind == kind)).scalar() or 0
                try:
                    connection.execute(insert(_ids).values(**self._scope, kind=kind, source_id=source_id,
                                                           number=highest + 1, created_at=dt.datetime.now(dt.UTC)))
                    connection.commit()
                    return highest + 1
                except IntegrityError:
                    connection.rollback()  # another worker took this party or this number: look again
        raise RuntimeError(f"Could not allocate an external id for {kind} {source_id}")
