"""Restart keeps the state, reset reseeds, seeding is deterministic and knows two countries."""

from __future__ import annotations

from tests.conftest import ExactApi


def test_restart_keeps_entries_tokens_clock_and_config(start_exact_sandbox):
    sandbox = start_exact_sandbox(seed=4)
    api = ExactApi(sandbox)
    customer = api.results("crm/Accounts", {"$select": "ID", "$filter": "IsSales eq true"})[0]["ID"]
    gl = api.master("financial/GLAccounts", "701000")["ID"]
    entry = api.post("salesentry/SalesEntries", {"Customer": customer, "Journal": "70", "EntryDate": "2026-11-06",
                                                 "SalesEntryLines": [{"GLAccount": gl, "AmountFC": 12}]}).json()["d"]
    sandbox.admin("POST", "payments", {"division": 100001, "entry_id": entry["EntryID"], "amount": 5})
    sandbox.admin("POST", "periods/close", {"division": 100001, "year": 2025})
    sandbox.configure(minutely_limit=42)
    sandbox.advance_clock(30)
    manifest, old_url = sandbox.manifest(), sandbox.base_url

    sandbox.restart()
    assert sandbox.base_url != old_url and sandbox.manifest() == manifest
    assert api.get(f"salesentry/SalesEntries(guid'{entry['EntryID']}')").json()["d"]["AmountFC"] == 14.52
    assert api.get("financial/Journals").headers["x-ratelimit-minutely-limit"] == "42"
    closed = sandbox.admin("GET", "periods?division=100001&year=2025").json()["data"]
    assert len(closed) == 12 and all(period["Closed"] for period in closed)
    refused = api.post("salesentry/SalesEntries", {"Customer": customer, "Journal": "70", "EntryDate": "2025-03-06",
                                                   "SalesEntryLines": [{"GLAccount": gl, "AmountFC": 12}]})
    assert refused.json()["error"]["message"]["value"] == "Period is closed: 2025/3."
    entries = sandbox.admin("GET", "entries?division=100001").json()["data"]
    assert next(e for e in entries if e["entry"]["EntryID"] == entry["EntryID"])["open"] == 9.52
    assert 29 < sandbox.admin("GET", "clock").json()["offset_seconds"] < 31
    api.http.close()


def test_reset_wipes_runtime_state_and_reseeds_the_same_data(start_exact_sandbox):
    sandbox = start_exact_sandbox(seed=4)
    api = ExactApi(sandbox)
    before = api.results("crm/Accounts", {"$select": "ID,Code,Name,VATNumber"})
    api.post("crm/Accounts", {"Name": "Extra"})
    sandbox.configure(daily_limit=7)
    sandbox.reset()
    assert sandbox.admin("GET", "config").json()["daily_limit"] == 5000
    assert api.get("current/Me").status_code == 401  # tokens were wiped
    api.token = sandbox.mint_tokens()["access_token"]
    assert api.results("crm/Accounts", {"$select": "ID,Code,Name,VATNumber"}) == before
    api.http.close()


def test_the_dutch_administration(start_exact_sandbox):
    sandbox = start_exact_sandbox(seed=4, extra_args=["--country", "nl"])
    api = ExactApi(sandbox, division=200001)
    me = api.get("current/Me", {"$select": "CurrentDivision,Legislation,LanguageCode"}).json()["d"]["results"][0]
    assert (me["CurrentDivision"], me["Legislation"], me["LanguageCode"]) == (200001, 1, "nl-NL")
    divisions = api.results("system/Divisions", {"$select": "Code,Country"})
    assert [(d["Code"], d["Country"]) for d in divisions] == [(200001, "NL"), (200002, "NL")]
    gl = {r["Code"] for r in api.results("financial/GLAccounts", {"$select": "Code"})}
    assert {"1300", "1600", "1500", "1510", "8000", "8010", "8020", "8100", "8900", "4000", "7000", "1100"} == gl
    vat = {r["Code"]: r["Percentage"] for r in api.results("vat/VATCodes")}
    assert (vat["1"], vat["2"], vat["0"], vat["VL"]) == (0.21, 0.09, 0, 0)
    assert sandbox.admin("POST", "seed", {"country": "be"}).json()["seeded"]["country"] == "be"
    assert [d["code"] for d in sandbox.manifest()["divisions"]] == [100001, 100002]
    api.http.close()


def test_same_seed_same_data(start_exact_sandbox):
    first, second = start_exact_sandbox(seed=8), start_exact_sandbox(seed=8)
    assert first.admin("GET", "entries").json() == second.admin("GET", "entries").json()
    assert first.manifest() == second.manifest()
    third = start_exact_sandbox(seed=9)
    assert first.admin("GET", "entries").json() != third.admin("GET", "entries").json()
