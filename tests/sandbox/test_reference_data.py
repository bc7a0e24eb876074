"""Departments, tax rates, product categories, payment terms and the CRM lists."""

from __future__ import annotations

from decimal import Decimal

from stdnum.eu import vat


def test_departments(api):
    departments = api.data("departments.list")
    assert [d["name"] for d in departments] == ["Focus Demo BV", "Focus Demo Nederland B.V.",
                                                "Focus Demo Services BV"]
    assert set(departments[0]) == {"id", "name", "vat_number", "currency", "emails", "status"}
    be, nl, services = (api.data("departments.info", {"id": d["id"]}) for d in departments)
    assert vat.is_valid(be["vat_number"]) and be["address"]["country"] == "BE"
    assert vat.is_valid(services["vat_number"]) and services["address"]["country"] == "BE"
    assert vat.is_valid(nl["vat_number"]) and nl["vat_number"].endswith("B01") and nl["address"]["country"] == "NL"
    assert api.data("departments.list", {"filter": {"ids": [nl["id"]]}}) == [departments[1]]


def test_tax_rates_and_ledgers_per_department(api):
    be, nl, services = api.data("departments.list")
    rates = {r["description"]: r["rate"] for r in api.data("taxRates.list", {"filter": {"department_id": be["id"]}})}
    assert rates == {"21%": Decimal("0.21"), "12%": Decimal("0.12"), "6%": Decimal("0.06"), "0%": Decimal("0.0"),
                     "0% Medecontractant / reverse charge": Decimal("0.0")}
    nl_rates = api.data("taxRates.list", {"filter": {"department_id": nl["id"]}})
    assert {r["description"] for r in nl_rates} == {"21%", "9%", "0%", "0% BTW verlegd"}
    categories = api.data("productCategories.list", {"filter": {"department_id": be["id"]}})
    ledgers = {c["name"]: {ledger["department"]["id"]: ledger["ledger_account_number"] for ledger in c["ledgers"]}
               for c in categories}
    assert ledgers["Consultancy"] == {be["id"]: "700000", nl["id"]: "8000", services["id"]: "700000"}
    assert any(be["id"] not in by_department for by_department in ledgers.values())


def test_payment_terms_and_user(api):
    terms = api.post("paymentTerms.list").json()
    assert terms["meta"]["default"] in {t["id"] for t in terms["data"]}
    assert api.data("users.me")["email"] == "demo@focus-sandbox.test"


def test_companies_and_contacts(api):
    companies = api.all("companies.list")
    assert all("addresses" not in c and c["primary_address"]["country"] for c in companies)
    numbers = [c["vat_number"] for c in companies if c["vat_number"]]
    assert any(vat.is_valid(n) for n in numbers) and any(not vat.is_valid(n) for n in numbers)
    info = api.data("companies.info", {"id": companies[0]["id"]})
    assert info["addresses"][0]["address"] == companies[0]["primary_address"]
    assert [c["name"] for c in companies] == sorted(c["name"] for c in companies)
    assert api.data("companies.list", {"filter": {"vat_number": numbers[0]}})[0]["vat_number"] == numbers[0]
    contacts = api.all("contacts.list", {"sort": [{"field": "updated_at", "order": "desc"}]})
    assert contacts and all(c["vat_number"] is None and c["primary_address"] for c in contacts)
    assert [c["updated_at"] for c in contacts] == sorted((c["updated_at"] for c in contacts), reverse=True)
    assert api.data("contacts.info", {"id": contacts[0]["id"]})["last_name"] == contacts[0]["last_name"]
