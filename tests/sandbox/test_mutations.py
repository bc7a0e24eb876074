"""Actions that change data, on a sandbox of this module's own."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.sandbox.support import Api


def money(value) -> Decimal:
    return Decimal(str(value["amount"]))


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def outstanding(own_focus):
    api = Api(own_focus)
    items = api.all("invoices.list", {"filter": {"status": ["outstanding"]}})
    return next(i for i in items if money(i["total"]["payable"]) > 0 and not api.data(
        "invoices.info", {"id": i["id"]})["payments"])


def test_register_payment_in_full_matches_the_invoice(own_api, own_focus, outstanding):
    own_focus.advance_clock(1800)
    payable = outstanding["total"]["payable"]
    half = {"amount": float(money(payable) / 2), "currency": "EUR"}  # may have a third decimal
    body = {"id": outstanding["id"], "payment": half, "paid_at": "2026-11-20T10:00:00+00:00"}
    assert own_api.post("invoices.registerPayment", body).status_code == 204
    info = own_api.data("invoices.info", {"id": outstanding["id"]})
    assert info["status"] == "outstanding" and info["paid"] is False
    assert money(info["total"]["due"]) == money(payable) - cents(money(half))

    rest = {"amount": float(money(info["total"]["due"])), "currency": "EUR"}
    body = {"id": outstanding["id"], "payment": rest, "paid_at": "2026-11-21T09:00:00Z"}
    assert own_api.post("invoices.registerPayment", body).status_code == 204
    info = own_api.data("invoices.info", {"id": outstanding["id"]})
    assert info["status"] == "matched" and info["paid"] is True and money(info["total"]["due"]) == 0
    assert info["paid_at"] == "2026-11-21T09:00:00+00:00"
    updated = dt.datetime.fromisoformat(info["updated_at"])
    assert updated > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=25)  # stamped by the moved clock

    since = {"filter": {"updated_since": info["updated_at"]}}
    assert [i["id"] for i in own_api.all("invoices.list", since)] == [outstanding["id"]]

    assert own_api.post("invoices.removePayments", {"id": outstanding["id"]}).status_code == 204
    info = own_api.data("invoices.info", {"id": outstanding["id"]})
    assert info["status"] == "outstanding" and info["paid"] is False and info["payments"] == []
    assert money(info["total"]["due"]) == money(payable)


def test_register_payment_validates(own_api, outstanding):
    bad_currency = {"id": outstanding["id"], "payment": {"amount": 1, "currency": "USD"}, "paid_at": "2026-11-20"}
    assert own_api.post("invoices.registerPayment", bad_currency).status_code == 400
    no_date = {"id": outstanding["id"], "payment": {"amount": 1, "currency": "EUR"}}
    assert own_api.post("invoices.registerPayment", no_date).status_code == 400
    draft = own_api.all("invoices.list", {"filter": {"status": ["draft"]}})
    if draft:
        body = {"id": draft[0]["id"], "payment": {"amount": 1, "currency": "EUR"}, "paid_at": "2026-11-20T10:00:00Z"}
        assert own_api.post("invoices.registerPayment", body).status_code == 400


def test_incoming_invoice_approve_and_payments(own_api):
    pending = own_api.all("expenses.list", {"filter": {"review_statuses": ["pending"],
                                                        "source_types": ["incomingInvoice"]}})[0]
    doc_id = pending["source"]["id"]
    assert own_api.post("incomingInvoices.approve", {"id": doc_id}).status_code == 204
    quarter = cents(money(pending["total"]["tax_inclusive"]) / 4)
    body = {"id": doc_id, "payment": {"amount": float(quarter), "currency": "EUR"},
            "paid_at": "2026-11-20T10:00:00+00:00", "remark": "first quarter"}
    created = own_api.post("incomingInvoices.registerPayment", body)
    assert created.status_code == 201 and created.json()["data"]["type"] == "payment"
    payments = own_api.post("incomingInvoices.listPayments", {"id": doc_id}).json()
    assert [p["id"] for p in payments["data"]] == [created.json()["data"]["id"]]
    assert payments["data"][0]["remark"] == "first quarter"
    assert Decimal(str(payments["meta"]["total"]["amount"])) == quarter
    item = next(e for e in own_api.all("expenses.list") if e["source"]["id"] == doc_id)
    assert item["review_status"] == "approved" and item["payment_status"] == "partially_paid"
    assert item["paid_amount"] == {"amount": quarter, "currency": "EUR"}


def test_webhooks_are_stored(own_api):
    url = "https://example.test/hook"
    assert own_api.post("webhooks.register", {"url": url, "types": ["invoice.booked", "invoice.updated"]}).status_code == 204
    assert own_api.data("webhooks.list") == [{"url": url, "types": ["invoice.booked", "invoice.updated"]}]
    assert own_api.post("webhooks.unregister", {"url": url, "types": ["invoice.booked"]}).status_code == 204
    assert own_api.data("webhooks.list") == [{"url": url, "types": ["invoice.updated"]}]
