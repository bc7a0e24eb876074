"""Octopus's 3-step authentication: user token, dossier list, dossier token; its 400/401/403/404s and expiry."""

from __future__ import annotations

import httpx

from tests.conftest import OCTOPUS_SOFTWARE_HOUSE_UUID as UUID
from tests.conftest import OctopusApi

DOSSIER_FIELDS = {"dossierKey", "dossierDescription", "vatNr", "streetAndNr", "country", "postalCode", "city", "url",
                  "email", "corporationTypeKey", "languageCode"}


def root(sandbox) -> str:
    return f"{sandbox.base_url}/octopus-rest-api/v1"


def login(sandbox, user: str = "sandbox", password: str = "sandbox", uuid: str | None = UUID) -> httpx.Response:
    headers = {} if uuid is None else {"softwareHouseUuid": uuid}
    return httpx.post(f"{root(sandbox)}/authentication", headers=headers, json={"user": user, "password": password})


def dossier_token(sandbox, token: str, dossier: int | str, locale: int | None = 1) -> httpx.Response:
    params = {"dossierId": dossier, **({} if locale is None else {"localeId": locale})}
    return httpx.post(f"{root(sandbox)}/dossiers", params=params, headers={"Token": token})


def error_of(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"errorCode", "errorMessage", "technicalInfo"}
    return body


def test_three_steps_from_credentials_to_a_dossier(octopus):
    answer = login(octopus)
    assert answer.status_code == 200 and set(answer.json()) == {"token"}
    token = answer.json()["token"]
    assert token.count(".") == 2  # JWT-looking
    me = httpx.get(f"{root(octopus)}/authentication", headers={"Token": token})
    assert me.json() == {"user": "sandbox", "softwareHouseUuid": UUID}
    dossiers = httpx.get(f"{root(octopus)}/dossiers", headers={"Token": token}).json()
    assert [d["dossierKey"]["id"] for d in dossiers] == [8001, 8002, 8003]
    assert all(set(d) == DOSSIER_FIELDS for d in dossiers)
    assert (dossiers[0]["dossierDescription"], dossiers[0]["vatNr"]) == ("Octopus Demo BV", "BE0477.472.701")
    granted = dossier_token(octopus, token, 8001)
    assert granted.status_code == 200 and set(granted.json()) == {"Dossiertoken"}  # capital D, lower-case t
    years = httpx.get(f"{root(octopus)}/dossiers/8001/bookyears",
                      headers={"dossierToken": granted.json()["Dossiertoken"]})
    assert years.status_code == 200 and len(years.json()) == 4
    log = octopus.requests()
    assert [r["endpoint"] for r in log] == ["authentication", "authentication.whoami", "dossiers.list",
                                            "dossiers.token", "bookyears"]
    assert log[0]["body"] == {"user": "sandbox", "password": "***"}  # never a password in the log
    assert log[3]["path"] == "/octopus-rest-api/v1/dossiers?dossierId=8001&localeId=1"


def test_login_refusals(octopus):
    for refused in (login(octopus, password="wrong"), login(octopus, user="someone"),
                    login(octopus, uuid="00000000-0000-4000-8000-000000000000"), login(octopus, uuid=None)):
        assert error_of(refused, 401)["errorCode"] == -81
    missing = httpx.post(f"{root(octopus)}/authentication", headers={"softwareHouseUuid": UUID},
                         json={"user": "sandbox"})
    assert error_of(missing, 400) == {"errorCode": -10, "errorMessage": "Field password is required",
                                      "technicalInfo": "password"}
    not_json = httpx.post(f"{root(octopus)}/authentication", headers={"softwareHouseUuid": UUID}, content=b"user=x")
    assert error_of(not_json, 400)["errorCode"] == -11
    assert login(octopus, uuid=UUID.upper()).status_code == 200  # a UUID compares ignoring case


def test_dossier_token_refusals(octopus):
    token = login(octopus).json()["token"]
    assert error_of(dossier_token(octopus, token, 9999), 404)["errorCode"] == -90
    assert error_of(dossier_token(octopus, token, 8003), 403) == {
        "errorCode": -82, "errorMessage": "Unauthorized or disabled dossier", "technicalInfo": "dossierId"}
    assert error_of(dossier_token(octopus, token, "abc"), 400)["technicalInfo"] == "dossierId"
    assert error_of(dossier_token(octopus, token, 8001, locale=7), 400)["technicalInfo"] == "localeId"
    no_dossier = httpx.post(f"{root(octopus)}/dossiers", headers={"Token": token})
    assert error_of(no_dossier, 400)["errorMessage"] == "Field dossierId is required"
    assert dossier_token(octopus, token, 8002, locale=None).status_code == 200  # localeId defaults to 0


def test_each_step_checks_its_own_header(octopus, octopus_api):
    empty = {"errorCode": -79, "errorMessage": "Empty access token", "technicalInfo": "dossierToken"}
    assert error_of(octopus_api.get("bookyears", headers={}), 401) == empty
    assert error_of(octopus_api.get("bookyears", headers={"Token": octopus_api.token}), 401) == empty
    assert error_of(octopus_api.get("bookyears", headers={"dossierToken": "nonsense"}), 401)["errorCode"] == -80
    other = octopus.mint_tokens(dossier=8002)["dossierToken"]
    refused = error_of(octopus_api.get("bookyears", headers={"dossierToken": other}), 401)
    assert refused["errorCode"] == -80 and "8001" in refused["errorMessage"]
    assert error_of(octopus_api.get("/dossiers", headers={}), 401)["errorCode"] == -79
    as_user = octopus_api.get("/dossiers", headers={"Token": octopus_api.dossier_token})
    assert error_of(as_user, 401)["errorCode"] == -80  # a dossier token is no user token
    assert octopus_api.get("/dossiers").status_code == 200


def test_tokens_expire_after_the_ttl_on_the_sandbox_clock(octopus, octopus_api):
    octopus.advance_clock(599)
    assert octopus_api.get("vatcodes").status_code == 200
    assert octopus_api.get("/authentication").status_code == 200
    octopus.advance_clock(2)
    assert error_of(octopus_api.get("vatcodes"), 401)["errorCode"] == -80
    assert error_of(octopus_api.get("/authentication"), 401)["errorCode"] == -80
    assert error_of(dossier_token(octopus, octopus_api.token, 8001), 401)["errorCode"] == -80
    octopus.configure(token_ttl=30)
    short = OctopusApi(octopus)
    octopus.advance_clock(31)
    assert short.get("bookyears").status_code == 401
    short.http.close()


def test_expire_tokens_fault_and_admin_call(octopus, octopus_api):
    octopus.add_fault(endpoint="bookyears", kind="expire_tokens", count=1)
    assert octopus_api.get("bookyears").status_code == 401
    assert octopus_api.get("/dossiers").status_code == 401  # user tokens went too
    fresh = OctopusApi(octopus)
    octopus.expire_tokens()
    assert fresh.get("bookyears").status_code == 401 and fresh.get("/authentication").status_code == 401
    fresh.http.close()


def test_admin_mints_tokens_without_calling_the_api(octopus):
    user_only = octopus.mint_tokens()
    assert user_only["dossierToken"] is None
    assert httpx.get(f"{root(octopus)}/dossiers", headers={"Token": user_only["token"]}).status_code == 200
    for refused in ({"dossier": 8003}, {"dossier": 1234}, {"client_id": "x"}, {"user": ""}):
        assert octopus.admin("POST", "tokens", refused).status_code == 400, refused
    assert [r["endpoint"] for r in octopus.requests()] == ["dossiers.list"]  # admin calls are not logged
