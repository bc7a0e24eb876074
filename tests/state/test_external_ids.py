"""Numbers handed out to tools (Octopus externalRelationId): stable, high, unique per administration."""

from __future__ import annotations

from connectors.state import external_ids
from connectors.state.external_ids import RANGE_START, DbExternalIds


def test_a_party_keeps_its_number(engine):
    ids = DbExternalIds(engine, "octopus", "8001")
    assert ids.number_for("relation", "company:a") == ids.number_for("relation", "company:a")


def test_numbers_lie_far_above_hand_made_ones_and_fit_an_int32(engine):
    number = DbExternalIds(engine, "octopus", "8001").number_for("relation", "company:a")
    assert RANGE_START <= number < 2**31 - 1


def test_a_rebuilt_state_database_gives_the_party_the_same_number(engine, tmp_path):
    from connectors.state.db import make_engine, migrate

    fresh = make_engine(f"sqlite:///{tmp_path / 'rebuilt.db'}")
    migrate(fresh)
    assert (DbExternalIds(fresh, "octopus", "8001").number_for("relation", "company:a")
            == DbExternalIds(engine, "octopus", "8001").number_for("relation", "company:a"))


def test_two_parties_that_hash_alike_get_different_numbers(engine, monkeypatch):
    monkeypatch.setattr(external_ids, "preferred_number", lambda kind, source_id: RANGE_START + 7)
    ids = DbExternalIds(engine, "octopus", "8001")
    first, second = ids.number_for("relation", "company:a"), ids.number_for("relation", "company:b")
    assert first == RANGE_START + 7 and second == RANGE_START + 8


def test_administrations_are_numbered_apart(engine):
    a = DbExternalIds(engine, "octopus", "8001").number_for("relation", "company:a")
    b = DbExternalIds(engine, "octopus", "8002").number_for("relation", "company:a")
    assert a == b  # same party, same number — but stored per dossier, so neither blocks the other
