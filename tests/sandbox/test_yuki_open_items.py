"""Yuki open items: ``OutstandingDebtorItems`` / ``CreditorItems``, ``CheckOutstandingItemAdmin``, and the
admin calls that move them (payments, matches, reversals, deleted bookings)."""

from __future__ import annotations

from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    Soap,
    fault,
    fresh_soap_fixture,
    line,
    sales_document,
    sales_invoice,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)

ITEM_FIELDS = ["Date", "Description", "Contact", "OpenAmount", "OriginalAmount", "Type", "Reference", "DueDate",
               "ContactCode", "CoCNumber", "VATNumber", "AddressLine_1", "AddressLine_2", "Postcode", "City",
               "MailAddressLine_1", "MailAddressLine_2", "MailPostcode", "MailCity", "Country", "ContactID"]


def outstanding(soap: Soap, operation: str = "OutstandingDebtorItems", order: str = "DateAsc") -> etree._Element:
    return soap.result("Accounting", operation, [
        ("sessionID", soap.session), ("administrationID", soap.administration()),
        ("includeBankTransactions", "false"), ("sortOrder", order)])[0]


def check(soap: Soap, reference: str) -> list[etree._Element]:
    result = soap.result("Accounting", "CheckOutstandingItemAdmin", [
        ("sessionID", soap.session), ("administrationID", soap.administration()), ("Reference", reference)])
    assert result[0].tag == "OutstandingItems"
    return list(result[0])


def open_amounts(items: etree._Element) -> dict[str, str]:
    return {item.findtext("Reference"): item.findtext("OpenAmount") for item in items}


def pay(soap: Soap, reference: str, amount: str | None = None, date: str = "2026-03-20"):
    body = {"administration": "Yuki Demo BV", "reference": reference, "date": date}
    return soap.sandbox.admin("POST", "payments", body | ({"amount": amount} if amount else {}))


def test_debtor_items_list_the_open_sales_documents_in_the_documented_shape(soap):
    items = outstanding(soap)
    assert items.tag == "OutstandingDebtorItems"
    # demo: 2026-00001 is paid, 2026-00002 half paid, 00005 a credit note
    assert list(open_amounts(items)) == ["2026-00002", "2026-00003", "2026-00004", "2026-00005"]
    first = items[0]
    assert [node.tag for node in first] == ITEM_FIELDS
    assert (first.findtext("ContactCode"), first.find("Type").get("ID")) == ("1002", "1")
    assert 0 < float(first.findtext("OpenAmount")) < float(first.findtext("OriginalAmount"))  # half paid
    credit = items[3]
    assert (credit.find("Type").get("ID"), credit.findtext("OpenAmount")[0]) == ("2", "-")


def test_open_items_after_booking_a_partial_payment_and_a_full_payment(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("OI-1", "<ContactCode>1001</ContactCode>",
                                                         line("1", "1000.00"))))
    assert open_amounts(outstanding(fresh_soap))["OI-1"] == "1210.00"
    assert [item.findtext("OpenAmount") for item in check(fresh_soap, "OI-1")] == ["1210.00"]
    assert pay(fresh_soap, "OI-1", "210.00").json()["data"]["open"] == 1000
    assert open_amounts(outstanding(fresh_soap))["OI-1"] == "1000.00"
    assert [item.findtext("OriginalAmount") for item in check(fresh_soap, "OI-1")] == ["1210.00"]
    pay(fresh_soap, "OI-1")  # the rest
    assert "OI-1" not in open_amounts(outstanding(fresh_soap))
    assert check(fresh_soap, "OI-1") == []  # paid: empty, like a reference never booked
    assert check(fresh_soap, "NEVER-BOOKED") == []


def test_a_reference_booked_twice_shows_twice_in_the_check(fresh_soap):
    for _ in range(2):
        fresh_soap.import_sales(sales_document(sales_invoice("OI-2")))
    items = check(fresh_soap, "OI-2")
    assert len(items) == 2 and items[0].get("ID") != items[1].get("ID")
    refused = pay(fresh_soap, "OI-2")
    assert refused.status_code == 400 and "give the document's ID" in refused.json()["error"]


def test_check_outstanding_item_searches_every_administration_of_the_session(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("OI-3")), fresh_soap.administration("Yuki Tweede BV"))
    result = fresh_soap.result("Accounting", "CheckOutstandingItem", [("sessionID", fresh_soap.session),
                                                                     ("Reference", "OI-3")])
    assert [item.findtext("Reference") for item in result[0]] == ["OI-3"]
    assert check(fresh_soap, "OI-3") == []  # not in Yuki Demo BV


def test_creditor_items_list_the_open_purchases(soap):
    items = outstanding(soap, "OutstandingCreditorItems")
    assert items.tag == "OutstandingCreditorItems"
    assert [(i.findtext("ContactCode"), i.find("Type").get("ID")) for i in items] == [("2002", "3")]


def test_sort_orders(soap):
    by_amount = [float(i.findtext("OpenAmount")) for i in outstanding(soap, order="AmountDesc")]
    assert by_amount == sorted(by_amount, reverse=True)
    by_date = [i.findtext("Date") for i in outstanding(soap, order="DateDesc")]
    assert by_date == sorted(by_date, reverse=True)


def test_a_credit_note_matched_against_an_invoice_moves_both(fresh_soap):
    fresh_soap.import_sales(sales_document(
        sales_invoice("OI-4", "<ContactCode>1004</ContactCode>", line("1", "100.00")),
        sales_invoice("OI-5", "<ContactCode>1004</ContactCode>", line("-1", "40.00"))))
    matched = fresh_soap.sandbox.admin("POST", "matches", {
        "administration": "Yuki Demo BV", "credit": {"reference": "OI-5"}, "invoice": {"reference": "OI-4"}})
    assert matched.status_code == 201
    assert (matched.json()["data"]["credit_open"], matched.json()["data"]["invoice_open"]) == (0, 72.6)
    amounts = open_amounts(outstanding(fresh_soap))
    assert "OI-5" not in amounts and amounts["OI-4"] == "72.60"


def test_reversing_a_payment_reopens_the_document(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("OI-6", "<ContactCode>1001</ContactCode>",
                                                         line("1", "10.00"))))
    pay(fresh_soap, "OI-6")
    assert check(fresh_soap, "OI-6") == []
    reversed_ = fresh_soap.sandbox.admin("POST", "payments/reverse", {"administration": "Yuki Demo BV",
                                                                      "reference": "OI-6"})
    assert reversed_.json()["data"] == {"kind": "payment", "amount": 12.1, "date": "2026-03-20", "open": 12.1}
    assert len(check(fresh_soap, "OI-6")) == 1


def test_a_deleted_booking_is_gone_from_the_open_items(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("OI-7")))
    deleted = fresh_soap.sandbox.admin("POST", "documents/delete", {"administration": "Yuki Demo BV",
                                                                    "reference": "OI-7"})
    assert deleted.status_code == 200
    assert check(fresh_soap, "OI-7") == [] and "OI-7" not in open_amounts(outstanding(fresh_soap))


def test_admin_refusals(soap):
    too_much = pay(soap, "2026-00004", "999999.00")
    assert too_much.status_code == 400 and "more than the open" in too_much.json()["error"]
    assert pay(soap, "NOPE").status_code == 404
    assert pay(soap, "2026-00004", "1.005").status_code == 400


def test_a_bad_boolean_parameter_is_a_client_fault(soap):
    response = soap.post("Accounting", "OutstandingDebtorItems", [
        ("sessionID", soap.session), ("administrationID", soap.administration()),
        ("includeBankTransactions", "yes"), ("sortOrder", "DateAsc")])
    assert fault(response) == ("soap:Client", "Server was unable to read request. ---> There is an error in XML "
                                              "document. ---> The string 'yes' is not a valid Boolean value.")
