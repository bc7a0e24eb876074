"""The manifest agrees with the API, and the same seed gives the same data."""

from __future__ import annotations

from collections import Counter


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
