"""Restart, reset and reseeding."""

from __future__ import annotations

import time

import httpx


def me(sandbox, token: str) -> int:
    return httpx.post(f"{sandbox.base_url}/users.me", json={}, headers={"Authorization": f"Bearer {token}"}).status_code


def test_restart_keeps_tokens_clock_faults_and_log(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=5)
    token = sandbox.mint_tokens()["access_token"]
    sandbox.advance_clock(120)
    sandbox.add_fault(endpoint="departments.list", kind="error", count=1)
    assert me(sandbox, token) == 200
    manifest, old_url = sandbox.manifest(), sandbox.base_url

    sandbox.restart()
    assert sandbox.base_url != old_url
    assert me(sandbox, token) == 200
    assert sandbox.manifest() == manifest
    assert 119 < sandbox.admin("GET", "clock").json()["offset_seconds"] < 121
    assert len(sandbox.admin("GET", "faults").json()["data"]) == 1
    assert [r["endpoint"] for r in sandbox.requests()] == ["users.me", "users.me"]


def test_reset_wipes_runtime_state_and_reseeds_the_same_data(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=5)
    token = sandbox.mint_tokens()["access_token"]
    manifest = sandbox.manifest()
    sandbox.advance_clock(50)
    sandbox.configure(rate_limit=3)
    sandbox.reset()
    assert sandbox.requests() == []
    assert me(sandbox, token) == 401
    assert sandbox.admin("GET", "clock").json()["offset_seconds"] == 0
    assert sandbox.admin("GET", "config").json()["rate_limit"] == 200
    assert sandbox.manifest() == manifest


def test_seeding_2000_invoices_is_fast_and_deterministic(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=1)
    assert sandbox.manifest()["departments"][0]["counts"]["sales_invoice"] == 1
    started = time.monotonic()
    seeded = sandbox.admin("POST", "seed", {"invoices": 2000, "seed": 7})
    assert seeded.status_code == 200 and time.monotonic() - started < 10
    first = sandbox.manifest()
    be, nl, _services = first["departments"]
    assert 1800 <= be["counts"]["sales_invoice"] <= 2000 and be["counts"]["sales_credit_note"] >= 200
    assert 550 < nl["counts"]["sales_invoice"] <= 666
    sandbox.admin("POST", "seed", {"invoices": 2000, "seed": 7})
    assert sandbox.manifest() == first
    assert sandbox.admin("POST", "seed", {"invoices": 0}).status_code == 400
