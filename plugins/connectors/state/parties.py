"""Focus parties ↔ their counterparts in the tool, per integration.

Stores the latest extracted version of each party with a content hash, and
the hash last pushed to the tool, so an unchanged re-run makes no write call
(and not even a lookup) for a party the tool already has. A worker claims a
party (compare-and-set, owner and lease, as documents are claimed) before it
looks it up and creates or updates it, so two workers never create one party
twice; a claim left by a dead worker runs out, and the next worker finds the
party in the tool before it creates anything.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.domain import Party, PartyRef
from connectors.serialization import content_hash, party_from_payload, to_payload
from connectors.state import clock
from connectors.state.db import write_transaction
from connectors.state.models import PartyRecord
from connectors.targets.base import TargetParty

_parties = PartyRecord.__table__


@dataclass(frozen=True)
class PartyEntry:
    id: int
    party: Party
    content_hash: str
    target: TargetParty | None
    synced_hash: str | None
    claim_expires_at: dt.datetime | None = None
    claim_id: str | None = None
    claim_owner: str | None = None

    @property
    def up_to_date(self) -> bool:
        return self.target is not None and self.synced_hash == self.content_hash


@dataclass(frozen=True)
class PartyClaim:
    claim_id: str
    took_over: bool


def _same(column, value):
    return column.is_(None) if value is None else column == value


class PartyLedger:
    def __init__(self, engine: Engine, integration_id: int):
        self._engine = engine
        self._integration_id = integration_id

    def record(self, parties: Iterable[Party]) -> int:
        """Store extracted parties (roles accumulate across runs). Returns how many were new or changed."""
        changed = 0
        parties = list(parties)
        with write_transaction(self._engine) as connection:
            existing = {
                (row.focus_type, row.focus_id): row
                for row in connection.execute(select(_parties).where(
                    _parties.c.integration_id == self._integration_id,
                    _parties.c.focus_id.in_([p.ref.id for p in parties])))
            }
            for party in parties:
                row = existing.get((party.ref.type, party.ref.id))
                if row is not None:
                    stored = party_from_payload(row.payload)
                    party = replace(party, roles=stored.roles | party.roles)
                payload = to_payload(party)
                digest = content_hash(payload)
                values = dict(roles=",".join(sorted(r.value for r in party.roles)), name=party.name[:255],
                              vat_number=party.vat_number, content_hash=digest, payload=payload)
                if row is None:
                    changed += 1
                    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
                    connection.execute(insert(_parties).values(
                        integration_id=self._integration_id, focus_type=party.ref.type, focus_id=party.ref.id,
                        **values).on_conflict_do_nothing(
                        index_elements=[_parties.c.integration_id, _parties.c.focus_type, _parties.c.focus_id]))
                elif row.content_hash != digest:
                    changed += 1
                    connection.execute(update(_parties).where(_parties.c.id == row.id).values(**values))
        return changed

    def entries(self, refs: Iterable[PartyRef] | None = None) -> list[PartyEntry]:
        query = select(_parties).where(_parties.c.integration_id == self._integration_id).order_by(_parties.c.id)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
        wanted = set(refs) if refs is not None else None
        out = []
        for row in rows:
            ref = PartyRef(row.focus_type, row.focus_id)
            if wanted is not None and ref not in wanted:
                continue
            target = TargetParty(row.target_id, row.target_code) if row.target_id else None
            out.append(PartyEntry(row.id, party_from_payload(row.payload), row.content_hash, target, row.synced_hash,
                                  clock.aware(row.claim_expires_at), row.claim_id, row.claim_owner))
        return out

    def targets(self) -> dict[PartyRef, TargetParty]:
        return {entry.party.ref: entry.target for entry in self.entries() if entry.target is not None}

    def in_flight(self) -> set[PartyRef]:
        """Parties another worker is creating right now (a live claim, no counterpart yet)."""
        now = clock.now()
        return {e.party.ref for e in self.entries()
                if e.target is None and e.claim_expires_at is not None and e.claim_expires_at > now}

    def claim(self, entry: PartyEntry, owner: str, lease: dt.timedelta) -> PartyClaim | None:
        """This worker's to look up and write — if the row is still exactly as read (nobody synced or claimed it
        since) and nobody holds a live claim on it. ``took_over`` says a claim left by a dead worker was expired:
        that worker may have created the party, so the tool must be searched afresh."""
        now = clock.now()
        claim_id = uuid.uuid4().hex
        same = [_parties.c.id == entry.id, _parties.c.content_hash == entry.content_hash,
                _same(_parties.c.synced_hash, entry.synced_hash), _same(_parties.c.claim_id, entry.claim_id),
                or_(_parties.c.claim_expires_at.is_(None), _parties.c.claim_expires_at <= now)]
        with write_transaction(self._engine) as connection:
            taken = connection.execute(update(_parties).where(*same).values(
                claim_id=claim_id, claim_owner=owner, claim_expires_at=now + lease)).rowcount == 1
        return PartyClaim(claim_id, took_over=entry.claim_owner is not None) if taken else None

    def release(self, entry: PartyEntry, claim: PartyClaim) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(update(_parties).where(_parties.c.id == entry.id, _parties.c.claim_id == claim.claim_id)
                               .values(claim_id=None, claim_owner=None, claim_expires_at=None))

    def mark_synced(self, entry: PartyEntry, target: TargetParty) -> None:
        with write_transaction(self._engine) as connection:
            connection.execute(update(_parties).where(_parties.c.id == entry.id).values(
                target_id=target.id, target_code=target.code, synced_hash=entry.content_hash, claim_id=None,
                claim_owner=None, claim_expires_at=None))
