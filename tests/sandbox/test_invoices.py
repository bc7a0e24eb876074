"""invoices.* and creditNotes.*: validation, paging, filters, the includes extension, amount rules."""

from __future__ import annotations

import re
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest

CENT = Decimal("0.01")
STRUCTURED = re.compile(r"^\+\+\+(\d{3})/(\d{4})/(\d{5})\+\+\+$")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def amount(money) -> Decimal:
    return Decimal(str(money["amount"]))


def number_key(number: str) -> tuple[int, int]:
    year, seq = (int(part) for part in number.split("/"))
    return year, seq


# -- validation and errors ----------------------------------------------------------------


@pytest.mark.parametrize("body, title_part", [
    ({"page": {"size": 101}}, "page.size"),
    ({"page": {"size": 0}}, "page.size"),
    ({"filter": {"status": "outstanding"}}, "filter.status"),
    ({"filter": {"status": ["paid"]}}, "filter.status"),
    ({"filter": {"department_id": 5}}, "filter.department_id"),
    ({"filter": {"updated_since": "yesterday"}}, "filter.updated_since"),
    ({"sort": [{"field": "total"}]}, "sort"),
    ({"includes": "everything"}, "includes"),
])
def test_invalid_list_requests_are_400_with_a_title(api, body, title_part):
    response = api.post("invoices.list", body)
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["status"] == 400 and title_part in error["title"]


def test_unknown_ids_and_endpoints_are_404(api):
    for endpoint in ("invoices.info", "creditNotes.info", "companies.info", "incomingInvoices.info"):
        response = api.post(endpoint, {"id": "00000000-0000-4000-8000-000000000000"})
        assert response.status_code == 404 and response.json()["errors"][0]["status"] == 404
    assert api.post("invoices.explode").status_code == 404


# -- paging and sorting -------------------------------------------------------------------


def test_paging_covers_every_invoice_exactly_once_in_numeric_order(api, focus):
    walked = api.all("invoices.list", size=7)
    everything = api.data("invoices.list", {"page": {"size": 100}})
    assert len(walked) == len({i["id"] for i in walked}) == len(everything) == 50  # 30 BE + 10 NL + 10 BE services
    per_department = defaultdict(list)
    for item in walked:
        if item["invoice_number"]:
            per_department[item["department"]["id"]].append(number_key(item["invoice_number"]))
    for numbers in per_department.values():
        assert numbers == sorted(numbers)
    assert walked[-1]["status"] == "draft" and walked[-1]["invoice_number"] is None  # drafts sort last
    assert len(focus.requests(endpoint="invoices.list")) == 50 // 7 + 1 + 1


def test_meta_only_with_includes_pagination(api):
    plain = api.post("invoices.list", {"page": {"size": 5}}).json()
    assert set(plain) == {"data"}
    paged = api.post("invoices.list", {"page": {"size": 5, "number": 2}, "includes": "pagination"}).json()
    assert paged["meta"] == {"page": {"size": 5, "number": 2}, "matches": 50}


def test_sort_by_invoice_date_descending(api):
    items = api.data("invoices.list", {"filter": {"status": ["outstanding", "matched"]},
                                       "sort": [{"field": "invoice_date", "order": "desc"}], "page": {"size": 100}})
    dates = [i["invoice_date"] for i in items]
    assert dates == sorted(dates, reverse=True)


# -- filters --------------------------------------------------------------------------------


def test_filters(api):
    everything = api.all("invoices.list")
    department = everything[0]["department"]["id"]
    booked = [i for i in everything if i["status"] != "draft"]
    sample = booked[3]

    def ids(filter_):
        return {i["id"] for i in api.all("invoices.list", {"filter": filter_})}

    assert ids({"department_id": department}) == {i["id"] for i in everything if i["department"]["id"] == department}
    assert ids({"status": ["draft"]}) == {i["id"] for i in everything if i["status"] == "draft"}
    assert ids({"ids": [sample["id"]]}) == {sample["id"]}
    same_number = {"invoice_number": sample["invoice_number"], "department_id": sample["department"]["id"]}
    assert ids(same_number) == {sample["id"]}
    assert ids({"customer": sample["invoicee"]["customer"]}) == {
        i["id"] for i in everything if i["invoicee"]["customer"] == sample["invoicee"]["customer"]}
    day = sample["invoice_date"]
    assert sample["id"] in ids({"invoice_date_after": day}) & ids({"invoice_date_before": day})  # both inclusive
    assert ids({"updated_since": sample["updated_at"]}) >= {sample["id"]}  # inclusive
    assert ids({"term": sample["invoicee"]["name"][:6].upper()}) >= {sample["id"]}


def test_credit_note_date_before_is_exclusive(api):
    notes = api.all("creditNotes.list")
    assert notes and all(n["status"] == "booked" and n["invoice"]["type"] == "invoice" for n in notes)
    day = notes[0]["credit_note_date"]
    before = {n["id"] for n in api.all("creditNotes.list", {"filter": {"credit_note_date_before": day}})}
    after = {n["id"] for n in api.all("creditNotes.list", {"filter": {"credit_note_date_after": day}})}
    assert notes[0]["id"] not in before and notes[0]["id"] in after
    linked = api.all("creditNotes.list", {"filter": {"invoice_id": notes[0]["invoice"]["id"]}})
    assert notes[0]["id"] in {n["id"] for n in linked}


# -- shapes ---------------------------------------------------------------------------------


def test_list_includes_add_info_fields_in_their_info_shape(api):
    includes = "grouped_lines,discounts,payments,payment_term,late_fees"
    for item in api.data("invoices.list", {"includes": includes, "page": {"size": 10}}):
        info = api.data("invoices.info", {"id": item["id"]})
        for field in ("grouped_lines", "discounts", "payments", "payment_term"):
            assert item[field] == info[field]
        assert "email" not in item["invoicee"] and "email" in info["invoicee"]
    plain = api.data("invoices.list", {"page": {"size": 1}})[0]
    assert "grouped_lines" not in plain and "payments" not in plain
    for note in api.data("creditNotes.list", {"includes": "grouped_lines,discounts"}):
        info = api.data("creditNotes.info", {"id": note["id"]})
        assert isinstance(info, dict)  # an object, not the spec's array
        assert note["grouped_lines"] == info["grouped_lines"] and note["discounts"] == info["discounts"]
        assert all(line["unit_price"]["currency"] == "EUR"
                   for group in info["grouped_lines"] for line in group["line_items"])


def test_invoice_numbers_drafts_and_payment_references(api, focus):
    be = focus.manifest()["departments"][0]["id"]
    for item in api.all("invoices.list"):
        if item["status"] == "draft":
            assert item["invoice_number"] is None and item["invoice_date"] is None
            continue
        assert re.match(r"^\d{4} / \d+$", item["invoice_number"])
        assert item["paid"] == (item["status"] == "matched")
        if item["department"]["id"] == be:
            digits = "".join(STRUCTURED.match(item["payment_reference"]).groups())
            assert int(digits[10:]) == (int(digits[:10]) % 97 or 97)


# -- amount rules ---------------------------------------------------------------------------


def check_document(doc, rates: dict[str, Decimal]) -> None:
    lines = [line for group in doc["grouped_lines"] for line in group["line_items"]]
    excl_by_rate_id: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        rate = rates[line["tax"]["id"]]
        before = cents(line["quantity"] * line["unit_price"]["amount"])
        discount = line["discount"]["value"] if line["discount"] else Decimal(0)
        excl = cents(before * (1 - discount / 100))
        total = {k: amount(v) for k, v in line["total"].items()}
        assert total == {
            "tax_exclusive_before_discount": before,
            "tax_exclusive": excl,
            "tax_inclusive": excl + cents(excl * rate),
            "tax_inclusive_before_discount": before + cents(before * rate),
        }, doc["id"]
        excl_by_rate_id[line["tax"]["id"]] += excl
    factor = Decimal(1)
    for discount in doc["discounts"]:
        factor *= 1 - discount["value"] / 100
    taxable_by_rate: dict[Decimal, Decimal] = defaultdict(Decimal)
    for rate_id, excl in excl_by_rate_id.items():
        taxable_by_rate[rates[rate_id]] += cents(excl * factor)
    expected_taxes = {rate: (taxable, cents(taxable * rate)) for rate, taxable in taxable_by_rate.items()}
    total = doc["total"]
    assert {t["rate"]: (amount(t["taxable"]), amount(t["tax"])) for t in total["taxes"]} == expected_taxes
    tax_exclusive = sum(taxable_by_rate.values(), Decimal(0))
    assert amount(total["tax_exclusive"]) == tax_exclusive
    assert amount(total["tax_inclusive"]) == tax_exclusive + sum(t for _, t in expected_taxes.values())
    assert amount(total["tax_exclusive_before_discount"]) == sum(
        (amount(line["total"]["tax_exclusive"]) for line in lines), Decimal(0))
    assert amount(total["tax_inclusive_before_discount"]) == sum(
        (amount(line["total"]["tax_inclusive"]) for line in lines), Decimal(0))
    assert amount(total["payable"]) == amount(total["tax_inclusive"])


def test_every_document_follows_the_amount_rules(api):
    rates = {r["id"]: r["rate"] for r in api.all("taxRates.list")}
    invoices = [api.data("invoices.info", {"id": i["id"]}) for i in api.all("invoices.list")]
    for invoice in invoices:
        check_document(invoice, rates)
        paid = sum((amount(p["payment"]) for p in invoice["payments"]), Decimal(0))
        assert amount(invoice["total"]["due"]) == amount(invoice["total"]["payable"]) - paid
    assert any(amount(i["total"]["payable"]) < 0 for i in invoices if i["status"] != "draft")
    assert any(i["discounts"] for i in invoices) or len(invoices) < 40
    for note in api.all("creditNotes.list"):
        info = api.data("creditNotes.info", {"id": note["id"]})
        check_document(info, rates)
        assert amount(info["total"]["payable"]) > 0
