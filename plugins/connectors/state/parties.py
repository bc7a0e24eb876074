"""Focus parties ↔ their counterparts in the tool, per integration.

Stores the latest extracted version of each party with a content hash, and
the hash last pushed to the tool, so an unchanged re-run makes no write call
(and not even a lookup) for a party the tool already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from sqlalchemy import Engine, select, update

from connectors.domain import Party, PartyRef
from connectors.serialization import content_hash, party_from_payload, to_payload
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

    @property
    def up_to_date(self) -> bool:
        return self.target is not None and self.synced_hash == self.content_hash


class PartyLedger:
    def __init__(self, engine: Engine, integration_id: int):
        self._engine = engine
        self._integration_id = integration_id

    def record(self, parties: Iterable[Party]) -> int:
        """Store extracted parties (roles accumulate across runs). Returns how many were new or changed."""
        changed = 0
        parties = list(parties)
        with self._engine.begin() as connection:
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
                    connection.execute(_parties.insert().values(
                        integration_id=self._integration_id, focus_type=party.ref.type, focus_id=party.ref.id,
                        **values))
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
            out.append(PartyEntry(row.id, party_from_payload(row.payload), row.content_hash, target, row.synced_hash))
        return out

    def targets(self) -> dict[PartyRef, TargetParty]:
        return {entry.party.ref: entry.target for entry in self.entries() if entry.target is not None}

    def mark_synced(self, entry: PartyEntry, target: TargetParty) -> None:
        with self._engine.begin() as connection:
            connection.execute(update(_parties).where(_parties.c.id == entry.id).values(
                target_id=target.id, target_code=target.code, synced_hash=entry.content_hash))
