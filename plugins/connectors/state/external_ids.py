"""Integer ids the connector hands out to a tool, kept forever in the state database.

Octopus matches relations by ``externalRelationId``, an int32 of the
caller's choosing; Focus ids are UUIDs. A number is derived from the Focus
id (a hash into 1,000,000,000–1,999,999,999, far above the small numbers
accountants and other tools use), so:

- it never lands on a relation someone else numbered by hand;
- a party keeps its number even if the state database is lost and rebuilt;
- two Focus ids that hash alike are told apart by the unique constraint:
  the second one probes to the next free number. Which one comes second
  depends on the order they arrive in, so after a lost state database the
  tool, not this table, decides: the Octopus target checks that the relation
  holding a number is the party's own before it writes, and ``reassign``s
  the party to the next number when it is another's.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from connectors.state.db import write_transaction
from connectors.state.models import ExternalId

_ids = ExternalId.__table__
RANGE_START = 1_000_000_000
RANGE_SIZE = 1_000_000_000  # stays below 2**31 - 1


def preferred_number(kind: str, source_id: str) -> int:
    digest = hashlib.sha256(f"{kind}:{source_id}".encode()).digest()
    return RANGE_START + int.from_bytes(digest[:8], "big") % RANGE_SIZE


class DbExternalIds:
    def __init__(self, engine: Engine, target: str, administration: str | None):
        self._engine = engine
        self._scope = {"target": target, "administration": administration or ""}

    def _where(self, kind: str):
        return (_ids.c.target == self._scope["target"], _ids.c.administration == self._scope["administration"],
                _ids.c.kind == kind)

    def number_for(self, kind: str, source_id: str) -> int:
        number = preferred_number(kind, source_id)
        for _ in range(100):
            with self._engine.connect() as connection:
                known = connection.execute(select(_ids.c.number).where(
                    *self._where(kind), _ids.c.source_id == source_id)).scalar()
            if known is not None:
                return known
            try:
                with write_transaction(self._engine) as connection:
                    connection.execute(insert(_ids).values(**self._scope, kind=kind, source_id=source_id,
                                                           number=number, created_at=dt.datetime.now(dt.UTC)))
                return number
            except IntegrityError:
                # Either another worker stored this party meanwhile (found on the next pass), or
                # another party holds this number: probe the next one.
                with self._engine.connect() as connection:
                    taken_by = connection.execute(select(_ids.c.source_id).where(
                        *self._where(kind), _ids.c.number == number)).scalar()
                if taken_by is not None and taken_by != source_id:
                    number = RANGE_START + (number - RANGE_START + 1) % RANGE_SIZE
        raise RuntimeError(f"Could not allocate an external id for {kind} {source_id}")

    def reassign(self, kind: str, source_id: str) -> int:
        """Move ``source_id`` to the next number no other source of ours holds (its current one belongs to
        another party in the tool)."""
        current = self.number_for(kind, source_id)
        with self._engine.connect() as connection:
            taken = set(connection.execute(select(_ids.c.number).where(*self._where(kind))).scalars())
        number = current
        while number in taken:
            number = RANGE_START + (number - RANGE_START + 1) % RANGE_SIZE
        with write_transaction(self._engine) as connection:
            connection.execute(update(_ids).where(*self._where(kind), _ids.c.source_id == source_id)
                               .values(number=number))
        return number
