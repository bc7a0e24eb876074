"""Yuki ``ProcessPurchaseInvoices``: the API client it needs, batches, the amount check and auto-correct."""

from __future__ import annotations

from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    Raw,
    Soap,
    documents,
    fault,
    fresh_soap_fixture,
    import_result,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)

PURCHASE_NS = "urn:xmlns:http://www.theyukicompany.com:purchaseinvoices"
PURCHASE_RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:purchaseinvoicesresponse"


def purchase(reference: str, amount: str, code: str = "2001", lines: tuple[tuple[str, str, str], ...] = (
        ("100.00", "1", "604000"),), vat: str | None = None) -> str:
    rows = "".join(f"<InvoiceLine><Description>Goederen</Description><LineAmount>{net}</LineAmount>"
                   + (f"<LineVATAmount>{vat}</LineVATAmount>" if vat else "")
                   + f"<VATType>{vat_type}</VATType><GLAccountCode>{gl}</GLAccountCode></InvoiceLine>"
                   for net, vat_type, gl in lines)
    return (f"<PurchaseInvoice><Subject>Aankoop {reference}</Subject><Reference>{reference}</Reference>"
            f"<Process>true</Process><Date>2026-03-03</Date><InvoiceAmount>{amount}</InvoiceAmount>"
            f"<Contact><ContactCode>{code}</ContactCode></Contact><InvoiceLines>{rows}</InvoiceLines>"
            "</PurchaseInvoice>")


def client_session(soap: Soap) -> str:
    return soap.text("Purchase", "AuthenticateClient", [
        ("clientID", soap.keys["clientID"]), ("clientSecret", soap.keys["clientSecret"]), ("accessKey", soap.key)])


def process(soap: Soap, session: str, *invoices: str, disable: str | None = None):
    document = f'<PurchaseInvoices xmlns="{PURCHASE_NS}">{"".join(invoices)}</PurchaseInvoices>'
    return soap.post("Purchase", "ProcessPurchaseInvoices", [
        ("sessionId", session), ("administrationId", soap.administration()), ("disableAutoCorrect", disable),
        ("xmlDoc", Raw(document))])


def outcome(response) -> tuple[dict[str, str], list[dict[str, str]]]:
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    result = root.find(".//{http://www.theyukicompany.com/}ProcessPurchaseInvoicesResult")
    assert result[0].tag == f"{{{PURCHASE_RESPONSE_NS}}}PurchaseInvoicesImportResponse"
    return import_result(result)


def test_a_plain_session_may_not_import_purchases(soap):
    response = process(soap, soap.session, purchase("P-1", "121.00"))
    assert response.status_code == 500
    code, message = fault(response)
    assert code == "soap:Server" and message.startswith("ProcessPurchaseInvoices requires an API client")


def test_a_client_session_books_a_batch_and_fails_the_unknown_supplier(fresh_soap):
    header, invoices = outcome(process(fresh_soap, client_session(fresh_soap), purchase("P-2", "121.00"),
                                       purchase("P-3", "121.00", code="9999")))
    assert (header["TotalSucceeded"], header["TotalFailed"]) == ("1", "1")
    assert [(i["Reference"], i["Succeeded"], i["Message"]) for i in invoices] == [
        ("P-2", "true", ""), ("P-3", "false", "Contact not found")]
    doc = next(d for d in documents(fresh_soap.sandbox, administration="Yuki Demo BV") if d["Reference"] == "P-2")
    assert [(row["GLAccountCode"], str(row["Amount"])) for row in doc["Entry"]] == [
        ("440000", "-121.0"), ("604000", "100.0"), ("411000", "21.0")]


def test_a_small_difference_is_auto_corrected_unless_disabled(fresh_soap):
    session = client_session(fresh_soap)
    _, invoices = outcome(process(fresh_soap, session, purchase("P-4", "121.02")))
    assert (invoices[0]["Succeeded"], invoices[0]["Message"]) == (
        "true", "Rounding difference 0.02 corrected in the VAT amount")
    _, invoices = outcome(process(fresh_soap, session, purchase("P-5", "121.02"), disable="true"))
    assert (invoices[0]["Succeeded"], invoices[0]["Message"]) == (
        "false", "InvoiceAmount 121.02 does not match the invoice lines (121.00)")
    _, invoices = outcome(process(fresh_soap, session, purchase("P-6", "125.00")))
    assert invoices[0]["Succeeded"] == "false"


def test_a_given_line_vat_amount_is_taken_as_sent(fresh_soap):
    _, invoices = outcome(process(fresh_soap, client_session(fresh_soap), purchase("P-7", "120.99", vat="20.99")))
    assert invoices[0]["Succeeded"] == "true" and invoices[0]["Message"] == ""


def test_a_purchase_line_needs_a_cost_account(soap):
    _, invoices = outcome(process(soap, client_session(soap), purchase("P-8", "121.00",
                                                                       lines=(("100.00", "1", "700000"),))))
    assert invoices[0]["Message"] == "GL account 700000 is not a cost account"


def test_the_purchase_layout_requires_the_invoice_amount(soap):
    without_amount = purchase("P-9", "121.00").replace("<InvoiceAmount>121.00</InvoiceAmount>", "")
    _, invoices = outcome(process(soap, client_session(soap), without_amount))
    assert invoices[0]["Message"].startswith(f"The element 'PurchaseInvoice' in namespace '{PURCHASE_NS}' has "
                                             "invalid child element 'Contact'")
    assert "'DueDate, Currency, InvoiceAmount'" in invoices[0]["Message"]


def test_the_purchase_wsdl_names_disable_auto_correct(soap):
    xs = "http://www.w3.org/2001/XMLSchema"
    document = etree.fromstring(soap.http.get("/ws/Purchase.asmx?WSDL").content)
    wrapper = document.find(f".//{{{xs}}}element[@name='ProcessPurchaseInvoices']")
    assert [node.get("name") for node in wrapper.iter(f"{{{xs}}}element")][1:] == [
        "sessionId", "administrationId", "disableAutoCorrect", "xmlDoc"]
