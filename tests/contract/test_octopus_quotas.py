"""Octopus's daily quotas, planned around in a whole sync run (asserted from the sandbox's request log).

Per new document at most one write; an unchanged re-run writes nothing,
reads no master data (the copy in the state database is fresh enough) and
every operation stays within its daily quota.
"""

from __future__ import annotations

from collections import Counter

import pytest

from connectors.state.models import DocumentState
from tests.contract.test_target_contract import sync
from tests.contract.tools import OctopusHarness

WRITES = ("buysellbookings.post", "buysellbookings.put", "relations.put")


@pytest.fixture
def tool():
    return OctopusHarness()


def operations(sandbox) -> Counter[str]:
    return Counter(r["endpoint"] for r in sandbox.requests())


def assert_within_quotas(sandbox) -> None:
    assert [r for r in sandbox.requests() if r["status"] == 429] == []
    quotas = sandbox.admin("GET", f"quotas?dossier={OctopusHarness.administration}").json()["data"]
    over = [q for q in quotas if q["used"] > q["limit"]]
    assert over == []


def test_each_new_document_costs_at_most_one_write(entity_env, tool_sandbox):
    tool_sandbox.clear_requests()
    _, counts, _ = sync(entity_env)
    calls = operations(tool_sandbox)
    new_documents = len(list(entity_env.ledger.entries(DocumentState.BOOKED)))
    assert new_documents >= 20
    assert calls["buysellbookings.post"] == new_documents
    assert calls["buysellbookings.put"] == 0
    assert calls["relations.put"] == counts.get("parties_created", 0) + counts.get("parties_updated", 0)
    assert calls["relations.list"] == 0  # relations are searched, never listed
    assert_within_quotas(tool_sandbox)


def test_an_unchanged_rerun_writes_nothing_reads_no_master_data_and_stays_within_quotas(entity_env, tool_sandbox):
    sync(entity_env)
    tool_sandbox.clear_requests()
    _, counts, _ = sync(entity_env)
    sync(entity_env)
    calls = operations(tool_sandbox)
    assert sum(calls[w] for w in WRITES) == 0
    assert calls["accounts"] == calls["vatcodes"] == 0 and counts["master_read_from_tool"] == 0
    # What two unchanged runs cost at most: the dossier token is shared through the state database, and
    # nothing is looked up, numbered or searched when nothing is new.
    assert calls["authentication"] <= 1 and calls["dossiers.token"] <= 1
    assert calls["bookyears"] == calls["journals"] == calls["buysellbookings.modified"] == 0
    assert calls["relations.search"] == calls["relations.list"] == 0
    assert_within_quotas(tool_sandbox)
