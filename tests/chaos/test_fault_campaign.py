"""The fault campaign: randomized syncs under faults on every tool and both databases find 0 duplicates and
0 losses.

``make test`` runs ``CHAOS_ROUNDS`` (default 8) rounds per tool and database — 32 or more syncs in all;
``make chaos RUNS=N`` runs N per tool and database. The seed is ``CHAOS_SEED`` (default below), printed with
every round's plan when the verdict fails, so a failure can be replayed.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest

from connectors.state.models import DocumentState
from tests.chaos.campaign import Leases, draw, duplicated, run_round
from tests.contract.conftest import ENTITY
from tests.contract.oracle import ref
from tests.contract.test_target_contract import booked, errors_by_document, oracle, sync

ROUNDS = int(os.environ.get("CHAOS_ROUNDS", "8"))
SEED = int(os.environ.get("CHAOS_SEED", "20261130"))


@pytest.fixture
def focus(start_focus_sandbox):
    return start_focus_sandbox(invoices=30)


def test_randomized_syncs_under_faults_book_every_valid_document_once_and_no_party_twice(
        entity_env, tool, tool_sandbox, focus, monkeypatch, request):
    if tool.name == "octopus":
        tool_sandbox.configure(enforce_quotas=False)  # quotas have their own tests; here retries may spend them
    rng = random.Random(f"{SEED}:{request.node.callspec.id}")
    expected = oracle(entity_env, focus)  # read Focus first: the campaign's syncs then spend its rate limit
    parties_before = Counter(name for _, name in tool.parties(tool_sandbox))
    leases = Leases(entity_env.engine)
    plans = []
    for number in range(1, ROUNDS + 1):
        plan = draw(rng, number, tool)
        run_round(plan, entity_env.engine, ENTITY, tool, tool_sandbox, focus, sync, monkeypatch, leases)
        plans.append(plan)
    story = f"seed {SEED}\n" + "\n".join(p.describe() for p in plans)

    leases.run_out()  # whatever a dead worker or a lost answer left claimed may now be checked
    sync(entity_env)
    run_id, _, _ = sync(entity_env)

    held = Counter(b.reference for b in tool.books(tool_sandbox))
    assert not duplicated(held), story  # nothing booked twice
    refused = errors_by_document(entity_env, run_id)
    valid = {ref for ref, document in expected.items() if document.focus_id not in refused}
    assert valid and valid <= set(held), (sorted(valid - set(held)), story)  # nothing lost
    states = {ref(e.source_type, e.focus_id): (e.state.value, e.last_error)
              for e in entity_env.ledger.entries(*DocumentState)}
    assert set(held) == set(booked(entity_env)), ({r: states.get(r) for r in set(held) ^ set(booked(entity_env))},
                                                  story)  # the ledger agrees with the tool
    assert list(entity_env.ledger.entries(DocumentState.POSTING)) == [], story
    created = Counter(name for _, name in tool.parties(tool_sandbox)) - parties_before
    assert not duplicated(created), story  # no party twice
