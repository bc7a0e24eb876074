"""Octopus's per-endpoint daily quotas: the 429 body, what counts, per dossier and operation, the Brussels day."""

from __future__ import annotations

import httpx

from tests.conftest import OCTOPUS_SOFTWARE_HOUSE_UUID as UUID
from tests.conftest import OctopusApi


def used(sandbox, operation: str, dossier: int = 8001) -> int:
    rows = sandbox.admin("GET", f"quotas?dossier={dossier}").json()["data"]
    return next(row["used"] for row in rows if row["operation"] == operation)


def test_over_quota_answers_429_with_the_limit_and_the_operation(octopus, octopus_api):
    assert [octopus_api.get("accounts", {"bookyearId": 3}).status_code for _ in range(2)] == [200, 200]
    refused = octopus_api.get("accounts", {"bookyearId": 3})
    assert refused.status_code == 429
    assert refused.json() == {"errorCode": -99, "errorMessage": "Maximum allowed calls per day exceeded (2)",
                              "technicalInfo": "accounts"}
    assert not any(name.lower().startswith(("x-ratelimit", "retry-after")) for name in refused.headers)
    assert used(octopus, "accounts") == 2  # the refused call is not counted
    assert [r["status"] for r in octopus.requests(endpoint="accounts")] == [200, 200, 429]
    quotas = {row["operation"]: row["limit"] for row in octopus.admin("GET", "quotas?dossier=8001").json()["data"]}
    assert quotas == {"bookyears": 24, "journals": 24, "accounts": 2, "vatcodes": 2, "relations.list": 2,
                      "relations.search": 400, "relations.put": 400, "relations.modified": 48,
                      "buysellbookings.post": 400, "buysellbookings.get": 10, "buysellbookings.put": 10,
                      "buysellbookings.modified": 48, "reports.clients.open": 24, "reports.suppliers.open": 24,
                      "balancings.modified": 48}


def test_failed_calls_count_but_unauthenticated_ones_do_not(octopus, octopus_api):
    assert octopus_api.get("accounts").status_code == 400  # no bookyearId
    assert octopus_api.get("accounts", {"bookyearId": 99}).status_code == 404
    assert octopus_api.get("accounts", {"bookyearId": 3}).status_code == 429
    assert octopus_api.get("vatcodes", headers={"dossierToken": "nonsense"}).status_code == 401
    assert used(octopus, "vatcodes") == 0


def test_quotas_are_per_dossier_and_operation(octopus, octopus_api):
    second = OctopusApi(octopus, dossier=8002)
    assert [octopus_api.get("vatcodes").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("vatcodes").status_code == 200
    assert octopus_api.get("accounts", {"bookyearId": 3}).status_code == 200
    assert [octopus_api.get("relations").status_code for _ in range(3)] == [200, 200, 429]
    search = octopus_api.get("relations", {"name": "a"})  # with a search parameter: another operation
    assert search.status_code == 200 and octopus.requests()[-1]["endpoint"] == "relations.search"
    assert (used(octopus, "relations.list"), used(octopus, "relations.search")) == (2, 1)
    assert used(octopus, "vatcodes", dossier=8002) == 1
    second.http.close()


def test_login_and_dossier_calls_count_per_user(octopus):
    url = f"{octopus.base_url}/octopus-rest-api/v1/authentication"
    with httpx.Client(headers={"softwareHouseUuid": UUID}) as http:
        statuses = [http.post(url, json={"user": "sandbox", "password": "sandbox"}).status_code for _ in range(151)]
        assert statuses == [200] * 150 + [429]
        refused = http.post(url, json={"user": "sandbox", "password": "sandbox"}).json()
        assert (refused["errorCode"], refused["technicalInfo"]) == (-99, "authentication")
        assert http.post(url, json={"user": "intruder", "password": "x"}).status_code == 401  # its own counter
    rows = octopus.admin("GET", "quotas").json()["data"]
    assert {"operation": "authentication", "dossier": None, "used": 150, "limit": 150, "user": "sandbox"} in rows
    assert {"operation": "authentication", "dossier": None, "used": 1, "limit": 150, "user": "intruder"} in rows


def test_ratelimit_reset_and_the_brussels_calendar_day(octopus, octopus_api):
    assert [octopus_api.get("vatcodes").status_code for _ in range(3)] == [200, 200, 429]
    octopus.admin("DELETE", "ratelimit")  # what reset_runtime() does between tests
    assert octopus_api.get("vatcodes").status_code == 200
    octopus.admin("POST", "clock", {"set": "2030-01-15T22:59:30+00:00"})  # 23:59:30 in Brussels
    octopus.admin("DELETE", "ratelimit")
    late = OctopusApi(octopus)
    assert [late.get("vatcodes").status_code for _ in range(3)] == [200, 200, 429]
    octopus.advance_clock(60)  # 00:00:30 in Brussels, still the 15th in UTC
    assert late.get("vatcodes").status_code == 200
    late.http.close()


def test_enforce_quotas_off_counts_without_refusing(octopus, octopus_api):
    assert octopus.configure(enforce_quotas=False)["enforce_quotas"] is False
    assert [octopus_api.get("vatcodes").status_code for _ in range(3)] == [200] * 3
    assert used(octopus, "vatcodes") == 3
    assert octopus.admin("POST", "config", {"enforce_quotas": 0}).status_code == 400
    octopus.reset_runtime()
    assert octopus.admin("GET", "config").json() == {"token_ttl": 600, "enforce_quotas": True}


def test_injected_faults_answer_error_results(octopus, octopus_api):
    octopus.add_fault(endpoint="buysellbookings.*", kind="rate_limit", count=1)
    limited = octopus_api.get("buysellbookings/modified", {"bookyearId": -1,
                                                           "modifiedTimeStamp": "1980-01-01 00:00:00.000"})
    assert limited.status_code == 429 and limited.json()["errorCode"] == -99
    assert used(octopus, "buysellbookings.modified") == 0  # a throttling gateway does not count
    octopus.add_fault(endpoint="bookyears", kind="error", status=503, count=1)
    failed = octopus_api.get("bookyears")
    assert failed.status_code == 503
    assert failed.json() == {"errorCode": -1, "errorMessage": "Service Unavailable", "technicalInfo": ""}
    assert used(octopus, "bookyears") == 1  # a failing backend still costs a call
    assert [r["injected"] for r in octopus.requests()] == ["rate_limit", "error"]
