"""Exact Online request conventions: headers, errors, the current user, divisions and masters."""

from __future__ import annotations

import datetime as dt
import re

WIRE_DATE = re.compile(r"^/Date\((\d+)\)/$")


def error_value(response) -> str:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == "" and body["error"]["message"]["lang"] == ""
    return body["error"]["message"]["value"]


def test_accept_application_json_is_required(exact_api):
    refused = exact_api.get("current/Me", accept="application/atom+xml")
    assert refused.status_code == 406
    assert error_value(refused) == "Accept header must be application/json."
    assert exact_api.get("current/Me", accept="application/json").status_code == 200


def test_bad_token_answers_401_in_the_exact_error_format(exact_api):
    response = exact_api.get("current/Me", token="not-a-token")
    assert response.status_code == 401 and error_value(response)


def test_current_me_honours_select(exact_api):
    me = exact_api.get("current/Me", {"$select": "CurrentDivision,FullName,Legislation,ServerTime"})
    (row,) = me.json()["d"]["results"]
    assert row["CurrentDivision"] == 100001 and row["FullName"] == "Demo Boekhouder" and row["Legislation"] == 2
    assert set(row) == {"__metadata", "CurrentDivision", "FullName", "Legislation", "ServerTime"}
    server_ms = int(WIRE_DATE.match(row["ServerTime"]).group(1))
    assert abs(server_ms / 1000 - dt.datetime.now(dt.UTC).timestamp()) < 60
    full = exact_api.get("current/Me").json()["d"]["results"][0]
    assert full["DivisionCustomerName"] == "Focus Demo BV" and full["LanguageCode"] == "nl-BE"


def test_divisions_under_hrm_and_system(exact_api):
    for path in ("hrm/Divisions", "system/Divisions"):
        rows = exact_api.results(path, {"$select": "Code,Description,Country,Currency,VATNumber"})
        assert [(r["Code"], r["Country"], r["Currency"]) for r in rows] == [(100001, "BE", "EUR"),
                                                                          (100002, "BE", "EUR")]
        assert rows[1]["Description"] == "Focus Demo BV — tweede administratie"
        assert rows[0]["VATNumber"].startswith("BE0")


def test_wrong_division_is_forbidden(exact_api):
    for division in (999999, "abc"):
        response = exact_api.get(f"{exact_api.sandbox.base_url}/api/v1/{division}/crm/Accounts?$top=1")
        assert response.status_code == 403 and error_value(response) == "Forbidden - WrongDivision"


def test_unknown_endpoints_and_keys_are_404(exact_api):
    assert exact_api.get("crm/Nonsense").status_code == 404
    missing = exact_api.get("crm/Accounts(guid'00000000-0000-4000-8000-000000000000')")
    assert missing.status_code == 404 and error_value(missing)


def test_select_is_required_on_accounts_and_gl_accounts(exact_api):
    for path in ("crm/Accounts", "financial/GLAccounts"):
        refused = exact_api.get(path)
        assert refused.status_code == 400
        assert error_value(refused) == "Please add a $select or a $top=1 statement to the query string."
        assert exact_api.get(path, {"$top": "1"}).status_code == 200
    assert exact_api.get("financial/Journals").status_code == 200  # not every endpoint


def test_unknown_select_field_and_query_option_are_400(exact_api):
    unknown = exact_api.get("crm/Accounts", {"$select": "ID,Nonsense"})
    assert unknown.status_code == 400 and "Nonsense" in error_value(unknown)
    assert exact_api.get("financial/Journals", {"$format": "json"}).status_code == 400


def test_single_entity_by_key_and_dates_as_epoch_milliseconds(exact_api):
    (first, *_) = exact_api.results("crm/Accounts", {"$select": "ID,Name"})
    response = exact_api.get(f"crm/Accounts(guid'{first['ID'].upper()}')", {"$select": "ID,Name,Created"})
    entity = response.json()["d"]
    assert entity["ID"] == first["ID"] and entity["Name"] == first["Name"]
    assert entity["__metadata"]["type"] == "Exact.Web.Api.Models.Account"
    assert WIRE_DATE.match(entity["Created"])


def test_masters_of_a_belgian_division(exact_api):
    gl = {r["Code"]: r for r in exact_api.results("financial/GLAccounts", {"$select": "Code,Type,BalanceSide"})}
    assert gl["400000"]["Type"] == 20 and gl["440000"]["Type"] == 22 and gl["700000"]["BalanceSide"] == "C"
    assert {"451000", "411000", "700100", "701000", "704000", "708000", "600000", "612000", "550000"} <= set(gl)
    vat = {r["Code"]: r for r in exact_api.results("vat/VATCodes")}
    assert (vat["1"]["Percentage"], vat["1"]["VATTransactionType"]) == (0.21, "S")
    assert (vat["81"]["Percentage"], vat["81"]["VATTransactionType"]) == (0.21, "P")
    assert vat["VV"]["Percentage"] == 0 and vat["IC"]["Percentage"] == 0
    journals = {r["Code"]: r["Type"] for r in exact_api.results("financial/Journals")}
    assert journals == {"70": 20, "71": 21, "60": 22, "61": 23, "55": 12}
    periods = exact_api.results("financial/FinancialPeriods", {"$select": "FinYear,FinPeriod,StartDate,EndDate"})
    assert sorted({p["FinYear"] for p in periods}) == [2024, 2025, 2026, 2027] and len(periods) == 48


def test_periods_of_2024_are_closed_which_the_admin_api_tells(exact_api):
    closed = exact_api.sandbox.admin("GET", "periods?division=100001").json()["data"]
    assert {(p["FinYear"], p["Closed"]) for p in closed} == {(2024, True), (2025, False), (2026, False),
                                                             (2027, False)}
    assert len(closed) == 48 and set(closed[0]) == {"division", "ID", "FinYear", "FinPeriod", "StartDate", "EndDate",
                                                    "Closed"}


def test_financial_periods_have_no_closed_property(exact_api):
    """The real entity has none: naming it is the 400 of any unknown property."""
    for params in ({"$select": "FinYear,FinPeriod,Closed"}, {"$filter": "Closed eq true"},
                   {"$orderby": "Closed"}):
        refused = exact_api.get("financial/FinancialPeriods", params)
        assert refused.status_code == 400
        assert error_value(refused).startswith("No property 'Closed' exists in type "
                                               "'Exact.Web.Api.Models.FinancialPeriod'")
    row = exact_api.get("financial/FinancialPeriods", {"$top": "1"}).json()["d"]["results"][0]
    assert "Closed" not in row


def test_the_second_division_has_its_own_masters(exact, exact_api):
    exact_api.division = 100002
    second = exact_api.master("financial/GLAccounts", "700000")
    exact_api.division = 100001
    assert exact_api.master("financial/GLAccounts", "700000")["ID"] != second["ID"]
