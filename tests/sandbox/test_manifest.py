"""The manifest agrees with the API, the same seed gives the same data, and extra departments leave the first
three as they were."""

from __future__ import annotations

from collections import Counter

from stdnum.be import vat as be_vat

from tests.sandbox.support import Api


def test_manifest_counts_agree_with_the_list_endpoints(focus, api):
    manifest = focus.manifest()
    assert [d["country"] for d in manifest["departments"]] == ["BE", "NL", "BE"]
    invoices = api.all("invoices.list")
    credit_notes = api.all("creditNotes.list")
    expenses = api.all("expenses.list")
    for department in manifest["departments"]:
        dep = department["id"]
        booked = [i for i in invoices if i["department"]["id"] == dep and i["status"] in ("outstanding", "matched")]
        positive = [i["id"] for i in booked if i["total"]["payable"]["amount"] >= 0]
        negative = [i["id"] for i in booked if i["total"]["payable"]["amount"] < 0]
        notes = [n["id"] for n in credit_notes if n["department"]["id"] == dep]
        approved = [e for e in expenses if e["company_entity"]["id"] == dep and e["review_status"] == "approved"
                    and e["origin"]["type"] == "peppolIncomingDocument"]
        docs = department["documents"]
        assert docs["sales_invoice"] == positive
        assert sorted(docs["sales_credit_note"]) == sorted(notes + negative)
        kinds = Counter(e["source"]["type"] for e in approved)
        assert len(docs["purchase_invoice"]) == kinds["incomingInvoice"] > 0
        assert len(docs["purchase_credit_note"]) == kinds["incomingCreditNote"] > 0
        assert department["counts"] == {
            "sales_invoice": len(positive),
            "sales_credit_note": len(notes) + len(negative),
            "purchase_invoice": kinds["incomingInvoice"],
            "purchase_credit_note": kinds["incomingCreditNote"],
            "customers": len({tuple(d["invoicee"]["customer"].values())
                              for d in booked + [n for n in credit_notes if n["department"]["id"] == dep]}),
            "suppliers": len({e["supplier"]["id"] for e in approved}),
        }
    be = manifest["departments"][0]["counts"]
    assert be["sales_invoice"] + sum(1 for i in invoices if i["status"] == "draft"
                                     and i["department"]["id"] == manifest["departments"][0]["id"]) <= 30


def test_same_seed_same_data_in_another_process(focus, start_focus_sandbox):
    twin = start_focus_sandbox(invoices=30)
    assert twin.manifest() == focus.manifest()
    other = start_focus_sandbox(invoices=30, seed=43)
    assert other.manifest()["departments"][0]["id"] != focus.manifest()["departments"][0]["id"]


def test_more_departments_leave_the_first_three_unchanged(focus, start_focus_sandbox):
    bigger = start_focus_sandbox(invoices=30, departments=4)
    departments = bigger.manifest()["departments"]
    assert departments[:3] == focus.manifest()["departments"]  # ids and documents included
    extra = departments[3]
    assert (extra["name"], extra["country"]) == ("Focus Demo Extra 4 BV", "BE")
    assert extra["counts"]["sales_invoice"] > 0 and extra["counts"]["purchase_invoice"] > 0
    assert bigger.admin("POST", "seed", {"departments": 3}).json()["seeded"]["departments"] == 3
    assert bigger.manifest() == focus.manifest()


def test_extra_departments_are_belgian_companies_with_their_own_tax_rates(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=6, departments=6)
    api = Api(sandbox)
    departments = api.data("departments.list")
    assert [d["name"] for d in departments[3:]] == [f"Focus Demo Extra {n} BV" for n in (4, 5, 6)]
    for department in departments[3:]:
        assert be_vat.is_valid(department["vat_number"]), department["vat_number"]
        info = api.data("departments.info", {"id": department["id"]})
        assert info["address"]["country"] == "BE"
        rates = api.data("taxRates.list", {"filter": {"department_id": department["id"]}})
        assert sorted(r["description"] for r in rates)[:2] == ["0%", "0% Medecontractant / reverse charge"]
    invoices = api.all("invoices.list", {"filter": {"department_id": departments[5]["id"]}})
    assert len(invoices) == 3  # like the second BE department: max(3, invoices // 3)
    api.http.close()


def test_departments_must_be_between_three_and_six(start_focus_sandbox):
    sandbox = start_focus_sandbox(invoices=3)
    for value in (2, 7, "4", True):
        refused = sandbox.admin("POST", "seed", {"departments": value})
        assert refused.status_code == 400 and "departments" in refused.json()["error"], value
    assert len(sandbox.manifest()["departments"]) == 3
