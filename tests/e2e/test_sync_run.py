"""A whole entity sync run, step by step, against the Focus and Exact Online sandboxes."""

from __future__ import annotations

import pytest

from connectors.state.ledger import DocumentLedger
from connectors.state.models import DocumentState
from connectors.sync import run


def sync(env, *, dry_run=False):
    run_id = run.start(env, "manual__test", dry_run)
    run.refresh_master_data(env, run_id)
    run.extract(env, run_id)
    run.validate(env, run_id)
    run.load_parties(env, run_id, dry_run=dry_run)
    run.load_documents(env, run_id, dry_run=dry_run)
    run.backfill_payments(env, run_id)
    try:
        return run_id, run.report(env, run_id), None
    except run.SyncFailed as failure:
        return run_id, env.runs.add_counts(run_id, {}), failure


def posts(sandbox) -> list[dict]:
    return [r for r in sandbox.requests() if r["method"] in ("POST", "PUT")]


def booked(env) -> list:
    return list(env.ledger.entries(DocumentState.BOOKED))


def test_a_run_books_the_valid_documents_and_names_the_refused_ones(entity_env, focus):
    run_id, counts, failure = sync(entity_env)
    department = next(d for d in focus.manifest()["departments"] if d["id"] == entity_env.entity.department_id)
    seeded = sum(department["counts"][k] for k in ("sales_invoice", "sales_credit_note", "purchase_invoice",
                                                   "purchase_credit_note"))
    assert counts.get("documents_booked", 0) > 0
    errors = entity_env.runs.errors(run_id)
    refused = {e.focus_id for e in errors if e.focus_id}
    assert len(booked(entity_env)) + len(refused) == seeded
    if refused:
        assert failure is not None and "need attention" in str(failure)
        assert all(e.message.startswith(("Invoice", "Credit note", "Incoming")) for e in errors if e.focus_id)


def test_a_second_run_books_nothing_twice_and_writes_nothing(entity_env, exact_fresh):
    sync(entity_env)
    first = len(booked(entity_env))
    exact_fresh.clear_requests()
    sync(entity_env)
    assert len(booked(entity_env)) == first
    assert posts(exact_fresh) == []


def test_a_dry_run_writes_nothing_to_the_tool(entity_env, exact_fresh):
    exact_fresh.clear_requests()
    _, counts, _ = sync(entity_env, dry_run=True)
    assert posts(exact_fresh) == []
    assert booked(entity_env) == []


def test_a_crash_between_the_post_and_the_state_write_leaves_no_duplicate(entity_env, exact_fresh, monkeypatch):
    original = DocumentLedger.mark_booked
    calls = {"n": 0}

    def dies_once(self, entry, target_id, number):
        calls["n"] += 1
        if calls["n"] == 3:
            raise SystemExit("worker killed after the tool committed")
        return original(self, entry, target_id, number)

    monkeypatch.setattr(DocumentLedger, "mark_booked", dies_once)
    with pytest.raises(SystemExit):
        sync(entity_env)
    monkeypatch.setattr(DocumentLedger, "mark_booked", original)
    assert len(list(entity_env.ledger.entries(DocumentState.POSTING))) == 1

    sync(entity_env)  # the retry
    assert list(entity_env.ledger.entries(DocumentState.POSTING)) == []
    entries = exact_fresh.admin("GET", "entries?division=100001").json()["data"]
    references = [e["entry"].get("YourRef") for e in entries if (e["entry"].get("YourRef") or "").startswith("FC-")]
    assert len(references) == len(set(references)) == len(booked(entity_env))


def test_a_timeout_after_the_tool_committed_leaves_no_duplicate(entity_env, exact_fresh):
    exact_fresh.add_fault(endpoint="salesentry/SalesEntries", kind="commit_then_delay", delay_seconds=4, count=1)
    sync(entity_env)
    entries = exact_fresh.admin("GET", "entries?division=100001").json()["data"]
    references = [e["entry"].get("YourRef") for e in entries if (e["entry"].get("YourRef") or "").startswith("FC-")]
    assert len(references) == len(set(references))
