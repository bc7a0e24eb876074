"""Focus test hooks: patching a stored document as is, and editing a line of a booked invoice the way
``invoices.updateBooked`` would; both bump ``updated_at`` so an ``updated_since`` read sees the change."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.sandbox.test_invoices import check_document

LINE_AMOUNT = "grouped_lines.0.line_items.0.total.tax_exclusive.amount"


def amount(money) -> Decimal:
    return Decimal(str(money["amount"]))


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def invoice(own_api):
    """A booked invoice with a positive total."""
    items = own_api.all("invoices.list", {"filter": {"status": ["outstanding", "matched"]}})
    return next(i for i in items if amount(i["total"]["payable"]) > 0)


# -- documents/patch ------------------------------------------------------------------------


def test_patch_overwrites_a_nested_field_as_is(own_api, own_focus, invoice):
    before = own_api.data("invoices.info", {"id": invoice["id"]})
    patched = own_focus.patch_document("invoice", invoice["id"], {LINE_AMOUNT: "100,00"})
    after = own_api.data("invoices.info", {"id": invoice["id"]})
    assert after["grouped_lines"][0]["line_items"][0]["total"]["tax_exclusive"]["amount"] == "100,00"
    assert after == {**before, "grouped_lines": after["grouped_lines"], "updated_at": after["updated_at"]}
    assert own_api.post("invoices.info", {"id": invoice["id"]}).json()["data"] == patched


def test_patch_bumps_updated_at_so_updated_since_finds_the_document(own_api, own_focus, invoice):
    own_focus.advance_clock(1800)
    patched = own_focus.patch_document("invoice", invoice["id"], {"invoice_date": "2025-02-30"})
    stamp = dt.datetime.fromisoformat(patched["updated_at"])
    assert stamp > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=25)  # the moved sandbox clock
    since = own_api.all("invoices.list", {"filter": {"updated_since": patched["updated_at"]}})
    assert [(i["id"], i["invoice_date"]) for i in since] == [(invoice["id"], "2025-02-30")]


def test_patch_keeps_the_indexed_columns_in_step(own_api, own_focus, invoice):
    own_focus.patch_document("invoice", invoice["id"], {"purchase_order_number": "PO-PATCHED",
                                                        "invoice_number": "2099 / 1"})
    found = own_api.all("invoices.list", {"filter": {"purchase_order_number": "PO-PATCHED"}})
    assert [i["id"] for i in found] == [invoice["id"]]
    numbered = [i["id"] for i in own_api.all("invoices.list") if i["invoice_number"]]
    assert numbered[-1] == invoice["id"]  # sorted by its new number
    own_focus.patch_document("invoice", invoice["id"], {"invoice_number": "not a number"})
    assert invoice["id"] in {i["id"] for i in own_api.all("invoices.list")}  # the sort column kept its value


def test_patch_a_credit_note(own_api, own_focus):
    note = own_api.all("creditNotes.list")[0]
    patched = own_focus.patch_document("creditNote", note["id"], {"credit_note_date": "2026-02-30",
                                                                  "total.payable.amount": "12,50"})
    info = own_api.data("creditNotes.info", {"id": note["id"]})
    assert (info["credit_note_date"], info["total"]["payable"]["amount"]) == ("2026-02-30", "12,50")
    assert note["id"] in {n["id"] for n in own_api.all("creditNotes.list", {"filter": {
        "updated_since": patched["updated_at"]}})}


def test_patch_an_expense(own_api, own_focus):
    expense = next(e for e in own_api.all("expenses.list") if e["source"]["type"] == "incomingInvoice")
    own_focus.patch_document("expense", expense["source"]["id"], {"document_date": "2025-02-30"})
    info = own_api.data("incomingInvoices.info", {"id": expense["source"]["id"]})
    assert info["invoice_date"] == "2025-02-30"
    own_focus.patch_document("expense", expense["source"]["id"], {"document_date": "2030-01-01"})
    same_day = own_api.all("expenses.list", {"filter": {"document_date": {"operator": "equals",
                                                                          "value": "2030-01-01"}}})
    assert [e["source"]["id"] for e in same_day] == [expense["source"]["id"]]


def test_patch_refusals(own_focus, invoice):
    cases = [
        ({"type": "order", "id": invoice["id"], "set": {"note": "x"}}, 400),
        ({"type": "invoice", "id": invoice["id"], "set": {}}, 400),
        ({"type": "invoice", "id": invoice["id"], "set": {"nonsense.deeper": 1}}, 400),
        ({"type": "invoice", "id": invoice["id"], "set": {"grouped_lines.99.section": None}}, 400),
        ({"type": "invoice", "id": invoice["id"], "set": {"status.x": 1}}, 400),
        ({"type": "invoice", "id": "00000000-0000-4000-8000-000000000000", "set": {"note": "x"}}, 404),
    ]
    before = own_focus.admin("POST", "documents/patch", {"type": "invoice", "id": invoice["id"],
                                                         "set": {"note": None}}).json()["data"]
    for body, status in cases:
        assert own_focus.admin("POST", "documents/patch", body).status_code == status, body
    after = own_focus.admin("POST", "documents/patch", {"type": "invoice", "id": invoice["id"],
                                                        "set": {"note": None}}).json()["data"]
    assert {**after, "updated_at": None} == {**before, "updated_at": None}  # refused patches stored nothing


def test_hooks_are_not_logged(own_focus, invoice):
    own_focus.clear_requests()
    own_focus.patch_document("invoice", invoice["id"], {"note": "patched"})
    own_focus.edit_invoice(invoice["id"], 1, quantity="2")
    assert own_focus.requests() == []


# -- invoices/edit --------------------------------------------------------------------------


def rates(own_api) -> dict[str, Decimal]:
    return {r["id"]: r["rate"] for r in own_api.all("taxRates.list")}


def test_edit_changes_a_line_and_recomputes_every_total(own_api, own_focus, invoice):
    edited = own_focus.edit_invoice(invoice["id"], 1, unit_price="200.00")
    info = own_api.data("invoices.info", {"id": invoice["id"]})
    line = info["grouped_lines"][0]["line_items"][0]
    assert line["unit_price"]["amount"] == 200
    assert amount(line["total"]["tax_exclusive_before_discount"]) == cents(line["quantity"] * 200)
    check_document(info, rates(own_api))  # the sandbox's own amount rules, discounts and tax groups included
    paid = sum((amount(p["payment"]) for p in info["payments"]), Decimal(0))
    assert amount(info["total"]["due"]) == amount(info["total"]["payable"]) - paid
    assert amount(edited["total"]["payable"]) == amount(info["total"]["payable"])  # the answer is the new invoice


def test_edit_quantity_and_price_of_a_later_line(own_api, own_focus):
    invoices = own_api.all("invoices.list", {"filter": {"status": ["outstanding", "matched"]}})
    several = next(i for i in invoices
                   if sum(len(g["line_items"]) for g in own_api.data("invoices.info", {"id": i["id"]})[
                       "grouped_lines"]) >= 2)
    own_focus.edit_invoice(several["id"], 2, quantity="3", unit_price=12.5)
    info = own_api.data("invoices.info", {"id": several["id"]})
    second = [item for group in info["grouped_lines"] for item in group["line_items"]][1]
    assert (second["quantity"], second["unit_price"]["amount"]) == (3, Decimal("12.5"))
    check_document(info, rates(own_api))


def test_edit_bumps_updated_at_so_updated_since_finds_the_invoice(own_api, own_focus, invoice):
    own_focus.advance_clock(1800)
    edited = own_focus.edit_invoice(invoice["id"], 1, unit_price="75.00")
    since = own_api.all("invoices.list", {"filter": {"updated_since": edited["updated_at"]}})
    assert [i["id"] for i in since] == [invoice["id"]]


def test_edit_settles_the_invoice_again(own_api, own_focus):
    matched = own_api.all("invoices.list", {"filter": {"status": ["matched"]}})[0]
    raised = own_focus.edit_invoice(matched["id"], 1, quantity="1000")  # now more is due than was paid
    assert (raised["status"], raised["paid"], raised["paid_at"]) == ("outstanding", False, None)
    paid = sum((amount(p["payment"]) for p in raised["payments"]), Decimal(0))
    assert amount(raised["total"]["due"]) == amount(raised["total"]["payable"]) - paid > 0
    lowered = own_focus.edit_invoice(matched["id"], 1, quantity="0.01")
    assert len(lowered["payments"]) == len(raised["payments"]) and lowered["status"] == "matched"


def test_edit_refusals(own_api, own_focus, invoice):
    draft = own_api.all("invoices.list", {"filter": {"status": ["draft"]}})[0]
    cases = [
        ({"id": draft["id"], "line": 1, "unit_price": "1"}, 400),
        ({"id": invoice["id"], "line": 0, "unit_price": "1"}, 400),
        ({"id": invoice["id"], "line": 99, "unit_price": "1"}, 400),
        ({"id": invoice["id"], "line": 1}, 400),
        ({"id": invoice["id"], "line": 1, "unit_price": "cheap"}, 400),
        ({"id": invoice["id"], "line": 1, "discount": 5}, 400),
        ({"id": "00000000-0000-4000-8000-000000000000", "line": 1, "unit_price": "1"}, 404),
    ]
    for body, status in cases:
        assert own_focus.admin("POST", "invoices/edit", body).status_code == status, body
