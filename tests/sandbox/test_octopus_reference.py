"""Octopus reference data: book years with their periods, journals, accounts, VAT codes; /error, unknown paths."""

from __future__ import annotations

import httpx

from tests.conftest import OctopusApi

ACCOUNTS = {400000, 411000, 440000, 451000, 550000, 600000, 604000, 610000, 611000, 612000, 613000, 700000, 700100,
            701000, 704000, 708000, 740000}


def test_book_years_and_their_monthly_periods(octopus_api):
    years = octopus_api.data("bookyears")
    assert [(y["bookyearKey"]["id"], y["bookyearDescription"], y["closed"]) for y in years] == [
        (1, "2024", True), (2, "2025", False), (3, "2026", False), (4, "2027", False)]
    year = years[0]
    assert (year["startDate"], year["endDate"]) == ("2024-01-01", "2024-12-31")
    assert [p["bookyearPeriod"] for p in year["periods"]] == [202400 + month for month in range(1, 13)]
    assert year["periods"][1] == {"bookyearPeriod": 202402, "startDate": "2024-02-01", "endDate": "2024-02-29"}


def test_the_second_dossier_has_its_own_book_year_ids(octopus):
    other = OctopusApi(octopus, dossier=8002)
    assert [y["bookyearKey"]["id"] for y in other.data("bookyears")] == [5, 6, 7, 8]
    assert other.get("bookyears/3/journals").status_code == 404  # 8001's 2026
    other.http.close()


def test_journals_of_a_book_year(octopus_api):
    journals = octopus_api.data("bookyears/3/journals")
    assert [(j["journalKey"], j["name"]) for j in journals] == [
        ("V1", "Verkopen"), ("V2", "Verkopen creditnota's"), ("A1", "Aankopen"), ("A2", "Aankopen creditnota's"),
        ("F1", "Bank"), ("D1", "Diverse")]
    v1 = journals[0]
    assert v1 == {"bookyearKey": {"id": 3}, "journalKey": "V1", "name": "Verkopen", "closed": False,
                  "currencyCode": "EUR", "lastBookedDocumentNr": 3, "protectedPeriod": 0, "closedPeriod": 0,
                  "insertionType": 1, "customFieldList": [], "customFieldLineList": []}
    last = {j["journalKey"]: j["lastBookedDocumentNr"] for j in octopus_api.data("bookyears/2/journals")}
    assert last == {"V1": 2, "V2": 0, "A1": 1, "A2": 0, "F1": 0, "D1": 0}
    assert octopus_api.get("bookyears/99/journals").json()["errorCode"] == -20
    assert octopus_api.get("bookyears/x/journals").status_code == 400


def test_accounts_need_a_known_book_year(octopus, octopus_api):
    accounts = octopus_api.data("accounts", {"bookyearId": 3})
    assert {a["accountKey"]["id"] for a in accounts} == ACCOUNTS
    sales = next(a for a in accounts if a["accountKey"]["id"] == 700000)
    assert sales["accountKey"] == {"bookyearKey": {"id": 3}, "id": 700000, "accountNumberKey": {"id": 700000}}
    assert sales["description"] == {"description_NL": "Verkopen", "description_FR": "Ventes",
                                    "description_EN": "Sales", "description_DE": "Umsatzerlöse"}
    assert sales["salesVatCode"] == "V21" and "vatRecupPercentage" in sales
    missing = octopus_api.get("accounts")
    assert (missing.status_code, missing.json()["technicalInfo"]) == (400, "bookyearId")
    octopus.admin("DELETE", "ratelimit")  # accounts: two calls a day
    assert octopus_api.get("accounts", {"bookyearId": 42}).status_code == 404
    assert octopus_api.get("accounts", {"bookyearId": "2026"}).status_code == 404  # an id, not a year


def test_vat_codes(octopus_api):
    codes = {c["code"]: c for c in octopus_api.data("vatcodes")}
    assert set(codes) == {"V00", "V06", "V12", "V21", "VIC", "VEX", "A00", "A06", "A12", "A21", "AIC", "AMC"}
    assert codes["V21"] == {"code": "V21", "description": "Verkopen 21%", "type": 2, "basePercentage": 21.0,
                            "defaultSellBookingAccountNr": 700000}
    assert (codes["AIC"]["type"], codes["AIC"]["basePercentage"]) == (1, 0.0)
    assert codes["VIC"]["description"] == "Intracommunautaire dienst - verlegd"


def test_error_samples_and_unknown_paths(octopus):
    root = f"{octopus.base_url}/octopus-rest-api/v1"
    sample = httpx.get(f"{root}/error", params={"errorCode": -79, "localeId": 3})
    assert sample.status_code == 200 and sample.json()["errorMessage"] == "Empty access token"
    assert httpx.get(f"{root}/error").status_code == 400
    unknown = httpx.get(f"{root}/dossiers/8001/invoices")
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == -90
    wrong_method = httpx.delete(f"{root}/dossiers/8001/relations")
    assert wrong_method.status_code == 405 and wrong_method.json()["errorCode"] == -91
    assert [r["endpoint"] for r in octopus.requests()] == ["error", "error", "unknown", "unknown"]
