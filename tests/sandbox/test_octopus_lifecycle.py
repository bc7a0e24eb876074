"""Octopus sandbox lifecycle: restart keeps state, reset reseeds, the same seed gives the same data, CLI options."""

from __future__ import annotations

import httpx

from tests.conftest import OctopusApi

SINCE_EVER = "1980-01-01 00:00:00.000"


def test_restart_keeps_data_tokens_quotas_clock_and_config(start_octopus_sandbox):
    sandbox = start_octopus_sandbox(seed=4)
    api = OctopusApi(sandbox)
    api.put("relations", {"relationIdentificationServiceData": {"externalRelationId": 1}, "name": "Blijft BV",
                          "currencyCode": "EUR"})
    sandbox.admin("POST", "journals/close", {"dossier": 8001, "year": 2026, "journal": "A1", "period": 202603})
    api.get("vatcodes")
    sandbox.configure(token_ttl=900)
    sandbox.advance_clock(30)
    manifest, old_url = sandbox.manifest(), sandbox.base_url

    sandbox.restart()
    api.http.close()
    api.http = httpx.Client(base_url=f"{sandbox.base_url}/octopus-rest-api/v1", timeout=30)
    assert sandbox.base_url != old_url and sandbox.manifest() == manifest
    assert api.data("relations", {"extRelationId": 1})[0]["name"] == "Blijft BV"  # the old tokens still work
    assert next(j for j in api.data("bookyears/3/journals") if j["journalKey"] == "A1")["closedPeriod"] == 202603
    assert [api.get("vatcodes").status_code for _ in range(2)] == [200, 429]  # the quota was not handed out again
    assert sandbox.admin("GET", "config").json()["token_ttl"] == 900
    assert 29 < sandbox.admin("GET", "clock").json()["offset_seconds"] < 31
    api.http.close()


def test_reset_wipes_runtime_state_and_reseeds_the_same_data(start_octopus_sandbox):
    sandbox = start_octopus_sandbox(seed=4)
    api = OctopusApi(sandbox)
    before = api.data("relations/modified", {"modifiedTimeStamp": SINCE_EVER})
    api.put("relations", {"relationIdentificationServiceData": {"externalRelationId": 1}, "name": "Weg BV",
                          "currencyCode": "EUR"})
    sandbox.configure(enforce_quotas=False)
    sandbox.reset()
    assert sandbox.admin("GET", "config").json()["enforce_quotas"] is True
    assert api.get("bookyears").status_code == 401  # tokens were wiped
    api = OctopusApi(sandbox)
    assert api.data("relations/modified", {"modifiedTimeStamp": SINCE_EVER}) == before
    assert sandbox.admin("GET", "quotas?dossier=8001").json()["data"][0]["used"] == 0
    api.http.close()


def test_same_seed_same_data(start_octopus_sandbox):
    first, second, third = (start_octopus_sandbox(seed=seed) for seed in (8, 8, 9))
    for path in ("bookings", "relations", "manifest"):
        assert first.admin("GET", path).json() == second.admin("GET", path).json()
    assert first.admin("GET", "bookings").json() != third.admin("GET", "bookings").json()
    assert first.admin("POST", "seed", {"seed": 9}).json()["seeded"] == {"seed": 9}
    assert first.admin("GET", "bookings").json() == third.admin("GET", "bookings").json()
    assert first.admin("POST", "seed", {"seed": "x"}).status_code == 400


def test_command_line_options(start_octopus_sandbox):
    uuid = "11111111-2222-4333-8444-555555555555"
    sandbox = start_octopus_sandbox(extra_args=["--software-house-uuid", uuid, "--client-id", "boekhouder",
                                                "--client-secret", "geheim", "--token-ttl", "120", "--no-quotas"])
    health = sandbox.admin("GET", "health").json()
    assert (health["service"], health["authorize_path"]) == ("octopus", None)
    assert health["default_config"] == {"token_ttl": 600, "enforce_quotas": True}  # production values
    assert sandbox.admin("GET", "config").json() == {"token_ttl": 120, "enforce_quotas": False}
    login = httpx.post(f"{sandbox.base_url}/octopus-rest-api/v1/authentication", headers={"softwareHouseUuid": uuid},
                       json={"user": "boekhouder", "password": "geheim"})
    assert login.status_code == 200
    api = OctopusApi(sandbox)
    assert [api.get("vatcodes").status_code for _ in range(3)] == [200] * 3
    api.http.close()
