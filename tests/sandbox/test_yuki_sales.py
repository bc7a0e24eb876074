"""Yuki ``ProcessSalesInvoices``: batches, the import response, schema validation, booking, no idempotency."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    SALES_NS,
    SALES_RESPONSE_NS,
    TNS,
    Raw,
    documents,
    fault,
    fresh_soap_fixture,
    import_result,
    line,
    sales_document,
    sales_invoice,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)


def booked(sandbox, reference: str) -> list[dict]:
    return [doc for doc in documents(sandbox, administration="Yuki Demo BV") if doc["Reference"] == reference]


def test_a_batch_of_three_with_an_unknown_contact_books_two_and_fails_one(fresh_soap):
    result = fresh_soap.import_sales(sales_document(
        sales_invoice("T-1"), sales_invoice("T-2", "<ContactCode>9999</ContactCode>"), sales_invoice("T-3")))
    header, invoices = import_result(result)
    assert (header["TotalSucceeded"], header["TotalFailed"], header["TotalSkipped"]) == ("2", "1", "0")
    assert [(i["Reference"], i["Succeeded"], i["Processed"], i["Message"]) for i in invoices] == [
        ("T-1", "true", "true", ""), ("T-2", "false", "false", "Contact not found"), ("T-3", "true", "true", "")]
    assert [len(booked(fresh_soap.sandbox, ref)) for ref in ("T-1", "T-2", "T-3")] == [1, 0, 1]


def test_the_answer_is_the_documented_import_response(fresh_soap):
    result = fresh_soap.import_sales(sales_document(sales_invoice("T-9")))
    response = result[0]
    assert response.tag == f"{{{SALES_RESPONSE_NS}}}SalesInvoicesImportResponse"
    assert [etree.QName(node).localname for node in response] == [
        "TimeStamp", "AdministrationId", "TotalSucceeded", "TotalFailed", "TotalSkipped", "Invoice"]
    assert response.findtext(f"{{{SALES_RESPONSE_NS}}}AdministrationId") == fresh_soap.administration()
    invoice = response.find(f"{{{SALES_RESPONSE_NS}}}Invoice")
    assert [etree.QName(node).localname for node in invoice] == [
        "Succeeded", "Processed", "EmailSent", "Reference", "Subject", "Message"]
    assert invoice.findtext(f"{{{SALES_RESPONSE_NS}}}Subject") == "Invoice T-9"


def test_an_element_out_of_order_refuses_the_whole_document_and_books_nothing(fresh_soap):
    late_reference = sales_invoice("T-5").replace("<Reference>T-5</Reference><Subject>Invoice T-5</Subject>",
                                                  "<Subject>Invoice T-5</Subject><Reference>T-5</Reference>")
    result = fresh_soap.import_sales(sales_document(sales_invoice("T-4"), late_reference))
    header, invoices = import_result(result)
    assert (header["TotalSucceeded"], header["TotalFailed"]) == ("0", "2")
    assert invoices[0]["Message"] == "The process has been cancelled: SalesInvoice 2 did not pass validation."
    assert invoices[1]["Message"] == (
        f"The element 'SalesInvoice' in namespace '{SALES_NS}' has invalid child element 'Reference' in namespace "
        f"'{SALES_NS}'. List of possible elements expected: 'PaymentMethod, PaymentID, Process, EmailToCustomer, "
        "SentToPeppol, Layout, Notes, Date, DueDate, PriceList, Currency, ProjectID, ProjectCode, Remarks, Contact' "
        f"in namespace '{SALES_NS}'.")
    assert booked(fresh_soap.sandbox, "T-4") == []


def test_a_missing_required_element_is_incomplete_content(soap):
    without_lines = sales_invoice("T-6").split("<InvoiceLines>")[0] + "</SalesInvoice>"
    _, invoices = import_result(soap.import_sales(sales_document(without_lines)))
    assert invoices[0]["Message"] == (
        f"The element 'SalesInvoice' in namespace '{SALES_NS}' has incomplete content. List of possible elements "
        f"expected: 'ContactPerson, InvoiceLines' in namespace '{SALES_NS}'.")


def test_numbers_dates_and_booleans_are_checked_against_their_types(soap):
    cases = {
        line(quantity="1.23456"): "The FractionDigits constraint failed.",
        line(price="12,50"): "The string '12,50' is not a valid Decimal value.",
        line(percentage="21.005"): "The FractionDigits constraint failed.",
        line(quantity="123456789012345"): "The TotalDigits constraint failed.",
        line(included="yes"): "The string 'yes' is not a valid Boolean value.",
    }
    for bad_line, reason in cases.items():
        _, invoices = import_result(soap.import_sales(sales_document(sales_invoice("T-7", "<ContactCode>1001"
                                                                                   "</ContactCode>", bad_line))))
        assert invoices[0]["Succeeded"] == "false" and invoices[0]["Message"].endswith(reason), invoices[0]
    _, invoices = import_result(soap.import_sales(sales_document(sales_invoice("T-7", date="2026-02-30"))))
    assert invoices[0]["Message"] == (f"The '{SALES_NS}:Date' element is invalid - The value '2026-02-30' is invalid "
                                      "according to its datatype 'http://www.w3.org/2001/XMLSchema:date' - The string "
                                      "'2026-02-30' is not a valid Date value.")


def test_a_wrong_root_or_namespace_is_a_fault(soap):
    wrong = sales_document(sales_invoice("T-8")).replace(SALES_NS, "urn:wrong")
    response = soap.post("Sales", "ProcessSalesInvoices", [("sessionId", soap.session),
                                                           ("administrationId", soap.administration()),
                                                           ("xmlDoc", Raw(wrong))])
    assert response.status_code == 500
    assert fault(response) == ("soap:Server", "The 'urn:wrong:SalesInvoices' element is not declared.")


def test_an_xmldoc_sent_as_escaped_text_is_accepted(fresh_soap):
    text = '<?xml version="1.0" encoding="utf-8"?>' + sales_document(sales_invoice("T-10"))
    header, invoices = import_result(fresh_soap.import_sales(Raw(escape(text))))
    assert header["TotalSucceeded"] == "1" and invoices[0]["Reference"] == "T-10"
    assert len(booked(fresh_soap.sandbox, "T-10")) == 1


def test_the_same_reference_twice_books_twice(fresh_soap):
    for _ in range(2):
        header, _ = import_result(fresh_soap.import_sales(sales_document(sales_invoice("T-11"))))
        assert header["TotalSucceeded"] == "1"
    twice = booked(fresh_soap.sandbox, "T-11")
    assert len(twice) == 2 and twice[0]["ID"] != twice[1]["ID"]


def test_a_booked_invoice_is_a_balanced_entry_per_gl_account_and_vat_type(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice(
        "T-12", "<ContactCode>1002</ContactCode>", line("3", "33.33"), line("1", "100", gl="700100"),
        line("2", "10.00", vat_type="2", percentage="6", gl="704000"))))
    doc = booked(fresh_soap.sandbox, "T-12")[0]
    entry = [(row["GLAccountCode"], Decimal(str(row["Amount"]))) for row in doc["Entry"]]
    # 99.99 + 100.00 at 21 % = 42.00 VAT; 20.00 at 6 % = 1.20 VAT
    assert entry == [("400000", Decimal("263.19")), ("700000", Decimal("-99.99")), ("700100", Decimal("-100.00")),
                     ("704000", Decimal("-20.00")), ("451000", Decimal("-42.00")), ("451000", Decimal("-1.20"))]
    assert (doc["Status"], doc["ContactCode"], Decimal(str(doc["Amount"]))) == ("booked", "1002", Decimal("263.19"))


def test_a_credit_note_is_booked_with_negative_amounts(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("T-13", "<ContactCode>1001</ContactCode>", line("-1", "50"))))
    doc = booked(fresh_soap.sandbox, "T-13")[0]
    assert [(row["GLAccountCode"], str(row["Amount"])) for row in doc["Entry"]] == [
        ("400000", "-60.5"), ("700000", "50.0"), ("451000", "10.5")]
    assert str(doc["Open"]) == "-60.5"


def test_process_false_keeps_a_draft_that_is_not_open(fresh_soap):
    _, invoices = import_result(fresh_soap.import_sales(sales_document(sales_invoice("T-14", process="false"))))
    assert (invoices[0]["Succeeded"], invoices[0]["Processed"]) == ("true", "false")
    doc = booked(fresh_soap.sandbox, "T-14")[0]
    assert (doc["Status"], doc["Entry"], doc["Open"]) == ("draft", [], 0)


def test_an_unknown_or_disabled_gl_account_fails_that_invoice(soap):
    _, invoices = import_result(soap.import_sales(sales_document(
        sales_invoice("T-15", "<ContactCode>1001</ContactCode>", line(gl="709999")),
        sales_invoice("T-16", "<ContactCode>1001</ContactCode>", line(gl="709000")),
        sales_invoice("T-17", "<ContactCode>1001</ContactCode>", line(gl="400000")))))
    assert [i["Message"] for i in invoices] == ["GL account 709999 not found", "GL account 709000 is disabled",
                                                "GL account 400000 is not a revenue account"]


def test_the_vat_type_must_agree_with_the_percentage(soap):
    _, invoices = import_result(soap.import_sales(sales_document(
        sales_invoice("T-18", "<ContactCode>1001</ContactCode>", line(vat_type="2", percentage="21")),
        sales_invoice("T-19", "<ContactCode>1001</ContactCode>", line(vat_type="99", percentage=None)),
        sales_invoice("T-20", "<ContactCode>1001</ContactCode>", line(vat_type=None, percentage="7")))))
    assert [i["Message"] for i in invoices] == ["VATPercentage 21 does not match VAT type 2 (6 %)",
                                                "VAT type 99 does not exist in BE", "No VAT type for 7 %"]


def test_an_invoice_without_reference_is_numbered_and_a_new_contact_created(fresh_soap):
    contact = "<FullName>Nieuwe Klant BV</FullName><CountryCode>BE</CountryCode><ContactType>Company</ContactType>"
    _, invoices = import_result(fresh_soap.import_sales(sales_document(sales_invoice(None, contact))))
    assert invoices[0]["Succeeded"] == "true" and invoices[0]["Reference"] == "2026-00006"  # after 5 demo invoices
    created = [c for c in fresh_soap.sandbox.admin("GET", "contacts?domain=Yuki Demo").json()["data"]
               if c["FullName"] == "Nieuwe Klant BV"]
    assert len(created) == 1 and (created[0]["Code"], created[0]["IsCustomer"]) == ("2003", True)


def test_prices_including_vat_are_split_per_line(fresh_soap):
    fresh_soap.import_sales(sales_document(sales_invoice("T-21", "<ContactCode>1001</ContactCode>",
                                                         line("1", "121.00", included="true"))))
    doc = booked(fresh_soap.sandbox, "T-21")[0]
    assert (str(doc["Amount"]), str(doc["NetAmount"]), str(doc["VATAmount"])) == ("121.0", "100.0", "21.0")


def test_the_request_log_shows_the_operation_and_the_batch_size(yuki, soap):
    soap.import_sales(sales_document(sales_invoice("T-22", "<ContactCode>9999</ContactCode>"),
                                     sales_invoice("T-23", "<ContactCode>9999</ContactCode>")))
    entries = yuki.requests(endpoint="Sales.ProcessSalesInvoices")
    assert len(entries) == 1 and entries[0]["body"]["batch"] == 2
    assert set(entries[0]["body"]["params"]) == {"sessionId", "administrationId", "xmlDoc"}


def test_the_sales_wsdl_declares_the_lower_case_d_parameters(yuki, soap):
    document = etree.fromstring(soap.http.get("/ws/Sales.asmx?WSDL").content)
    xs = "http://www.w3.org/2001/XMLSchema"
    wrapper = document.find(f".//{{{xs}}}element[@name='ProcessSalesInvoices']")
    assert [node.get("name") for node in wrapper.iter(f"{{{xs}}}element")][1:] == [
        "sessionId", "administrationId", "xmlDoc"]
    assert wrapper.find(f".//{{{xs}}}element[@name='xmlDoc']/{{{xs}}}complexType").get("mixed") == "true"
    assert document.get("targetNamespace") == TNS
