"""Yuki ``AccountingInfo.GetTransactionDetails``: the WSDL, the lines of booked documents, filters, access, the cap.

Expected amounts are worked out by hand from the invoices each test books
(dates in 2027, after the demo data's).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import httpx
import pytest
from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    TNS,
    Soap,
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

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
AMOUNT = re.compile(r"-?\d+\.\d{2}")
#: TransactionInfo as the live WSDL has it (github maartendeblock/yuki-api-client TransactionInfo.php).
FIELDS = [("id", "s:string"), ("hID", "s:string"), ("transactionDate", "s:dateTime"), ("description", "s:string"),
          ("transactionAmount", "s:double"), ("transactionAmountForeignCurrency", "s:double"),
          ("currencyRate", "s:double"), ("currency", "s:string"), ("taxCodeDescription", "s:string"),
          ("fullName", "s:string"), ("CoCNumber", "s:string"), ("VATNumber", "s:string"), ("contactHID", "s:int"),
          ("contactCode", "s:string"), ("contactCountry", "s:string"), ("contactZipcode", "s:string"),
          ("project", "s:string"), ("projectCode", "s:string"), ("glAccountCode", "s:string"),
          ("documentID", "s:string"), ("documentReference", "s:string"), ("documentType", "s:string"),
          ("documentFolder", "s:string"), ("documentFolderTab", "s:string"), ("contactID", "s:string"),
          ("periodId", "s:string"), ("company", "s:string"), ("mutationUser", "s:string")]
NEW_CONTACT = ("<FullName>Transacties BV</FullName><CountryCode>BE</CountryCode><City>Gent</City>"
               "<Zipcode>9000</Zipcode><CoCNumber>0403170701</CoCNumber><VATNumber>BE0403170701</VATNumber>"
               "<ContactType>Company</ContactType>")
CAP = "The maximum number of web service calls for today ({}) has been reached"


def call(soap: Soap, start: str | None = "2027-01-01T00:00:00", end: str | None = "2027-12-31T00:00:00",
         code: str | None = None, *, administration: str | None = None, names: tuple[str, str, str] = (
             "GLAccountCode", "StartDate", "EndDate")) -> httpx.Response:
    return soap.post("AccountingInfo", "GetTransactionDetails", [
        ("sessionID", soap.session), ("administrationID", administration or soap.administration()),
        (names[0], code), (names[1], start), (names[2], end), ("financialMode", "1")])


def transactions(soap: Soap, start: str | None = "2027-01-01T00:00:00", end: str | None = "2027-12-31T00:00:00",
                 code: str | None = None, **kwargs) -> list[dict[str, str]]:
    """The result's TransactionInfo elements as {field: text}, after checking their element order."""
    response = call(soap, start, end, code, **kwargs)
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    result = root.find(f".//{{{TNS}}}GetTransactionDetailsResponse/{{{TNS}}}GetTransactionDetailsResult")
    assert result is not None, response.text
    rows = []
    for node in result:
        assert node.tag == f"{{{TNS}}}TransactionInfo"
        assert [etree.QName(field).localname for field in node] == [name for name, _ in FIELDS]
        assert all(etree.QName(field).namespace == TNS for field in node)
        rows.append({etree.QName(field).localname: field.text or "" for field in node})
    return rows


def book(soap: Soap, *invoices: str) -> None:
    header, outcomes = import_result(soap.import_sales(sales_document(*invoices)))
    assert header["TotalFailed"] == "0", outcomes


def references(rows: list[dict[str, str]]) -> list[str]:
    return [row["documentReference"] for row in rows]


def test_the_wsdl_declares_the_operation_with_the_live_parameter_names_and_the_typed_result(yuki):
    document = etree.fromstring(httpx.get(f"{yuki.base_url}/ws/AccountingInfo.asmx?WSDL").content)
    schema = document.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    wrapper = schema.find(f"{{{XS}}}element[@name='GetTransactionDetails']")
    assert [(node.get("name"), node.get("type"), node.get("minOccurs")) for node in
            wrapper.iter(f"{{{XS}}}element")][1:] == [
        ("sessionID", "s:string", "0"), ("administrationID", "s:string", "0"), ("GLAccountCode", "s:string", "0"),
        ("StartDate", "s:dateTime", "1"), ("EndDate", "s:dateTime", "1"), ("financialMode", "s:int", "1")]
    result = schema.find(f".//{{{XS}}}element[@name='GetTransactionDetailsResult']")
    assert (result.get("type"), result.get("minOccurs")) == ("tns:ArrayOfTransactionInfo", "0")
    array = schema.find(f"{{{XS}}}complexType[@name='ArrayOfTransactionInfo']/{{{XS}}}sequence/{{{XS}}}element")
    assert (array.get("name"), array.get("type"), array.get("maxOccurs")) == (
        "TransactionInfo", "tns:TransactionInfo", "unbounded")
    info = schema.find(f"{{{XS}}}complexType[@name='TransactionInfo']/{{{XS}}}sequence")
    assert [(node.get("name"), node.get("type")) for node in info] == FIELDS
    assert {node.get("name"): node.get("minOccurs") for node in info}["transactionAmount"] == "1"
    action = document.find(f"{{{WSDL}}}binding/{{{WSDL}}}operation[@name='GetTransactionDetails']/"
                           f"{{{WSDL_SOAP}}}operation")
    assert action.get("soapAction") == f"{TNS}GetTransactionDetails"


def test_a_booked_invoice_and_credit_note_show_their_entry_lines_signed_to_the_cent(fresh_soap):
    book(fresh_soap,
         sales_invoice("TX-1", NEW_CONTACT, line("2", "100.00"),
                       line("1", "50.00", vat_type="2", percentage="6", gl="704000", description="Training"),
                       line("1", "0.00", gl="700100", description="Free licence"), date="2027-05-10"),
         sales_invoice("TX-2", "<FullName>Transacties BV</FullName>", line("-1", "100.00"), date="2027-05-10"))
    rows = transactions(fresh_soap, "2027-05-10T00:00:00", "2027-05-10T00:00:00")
    assert [(r["documentReference"], r["glAccountCode"], r["transactionAmount"], r["description"],
             r["taxCodeDescription"], r["documentType"]) for r in rows] == [
        ("TX-1", "400000", "295.00", "Invoice TX-1", "", "Verkoopfactuur"),
        ("TX-1", "700000", "-200.00", "Consultancy", "", "Verkoopfactuur"),
        ("TX-1", "704000", "-50.00", "Training", "", "Verkoopfactuur"),
        ("TX-1", "700100", "0.00", "Free licence", "", "Verkoopfactuur"),
        ("TX-1", "451000", "-42.00", "VAT type 1", "Hoog 21 %", "Verkoopfactuur"),
        ("TX-1", "451000", "-3.00", "VAT type 2", "Laag 6 %", "Verkoopfactuur"),
        ("TX-2", "400000", "-121.00", "Invoice TX-2", "", "Creditnota verkoop"),
        ("TX-2", "700000", "100.00", "Consultancy", "", "Creditnota verkoop"),
        ("TX-2", "451000", "21.00", "VAT type 1", "Hoog 21 %", "Creditnota verkoop")]
    for reference in ("TX-1", "TX-2"):
        lines = [r for r in rows if r["documentReference"] == reference]
        assert sum(Decimal(r["transactionAmount"]) for r in lines) == 0
        assert len({r["documentID"] for r in lines}) == 1
    assert all(AMOUNT.fullmatch(r["transactionAmount"]) for r in rows)
    first = rows[0]
    assert {name: first[name] for name in (
        "transactionDate", "transactionAmountForeignCurrency", "currencyRate", "currency", "fullName", "CoCNumber",
        "VATNumber", "contactCode", "contactCountry", "contactZipcode", "project", "projectCode", "documentFolder",
        "documentFolderTab", "periodId", "company", "mutationUser")} == {
        "transactionDate": "2027-05-10T00:00:00", "transactionAmountForeignCurrency": "295.00", "currencyRate": "1",
        "currency": "EUR", "fullName": "Transacties BV", "CoCNumber": "0403170701", "VATNumber": "BE0403170701",
        "contactCode": "2003", "contactCountry": "BE", "contactZipcode": "9000", "project": "", "projectCode": "",
        "documentFolder": "", "documentFolderTab": "", "periodId": "2027-05", "company": "Yuki Demo BV",
        "mutationUser": "sandbox"}
    assert all(GUID.fullmatch(r["id"]) for r in rows) and len({r["id"] for r in rows}) == 9
    hids = [int(r["hID"]) for r in rows]
    assert hids == list(range(hids[0], hids[0] + 9))  # booked one after the other: a running number
    contact = fresh_soap.result("Contact", "SearchContacts", [
        ("sessionID", fresh_soap.session), ("domainID", fresh_soap.keys["domainID"]), ("searchOption", "Code"),
        ("searchValue", "2003"), ("sortOrder", "Name"), ("active", "Both"), ("pageNumber", "1")])[0][0]
    assert {(r["contactHID"], r["contactID"]) for r in rows} == {(contact.findtext("HID"), contact.get("ID"))}
    assert transactions(fresh_soap, "2027-05-10T00:00:00", "2027-05-10T00:00:00") == rows  # stable


def test_the_receivable_line_of_an_invoice_without_subject_carries_its_reference(fresh_soap):
    book(fresh_soap, f"<SalesInvoice><Reference>TX-NS</Reference><Date>2027-05-12</Date><Contact><ContactCode>1001"
                     f"</ContactCode></Contact><InvoiceLines>{line('1', '10.00')}</InvoiceLines></SalesInvoice>")
    rows = transactions(fresh_soap, "2027-05-12T00:00:00", "2027-05-12T00:00:00")
    assert [(r["glAccountCode"], r["transactionAmount"], r["description"]) for r in rows] == [
        ("400000", "12.10", "TX-NS"), ("700000", "-10.00", "Consultancy"), ("451000", "-2.10", "VAT type 1")]


def test_filtering_on_a_gl_account_code(fresh_soap):
    book(fresh_soap, sales_invoice("TX-3", "<ContactCode>1001</ContactCode>", line("2", "100.00"),
                                   line("1", "50.00", vat_type="2", percentage="6", gl="704000",
                                        description="Training"), date="2027-05-11"))
    day = ("2027-05-11T00:00:00", "2027-05-11T00:00:00")
    assert [(r["glAccountCode"], r["transactionAmount"]) for r in transactions(fresh_soap, *day, "704000")] == [
        ("704000", "-50.00")]
    assert [(r["glAccountCode"], r["transactionAmount"]) for r in transactions(fresh_soap, *day, "451000")] == [
        ("451000", "-42.00"), ("451000", "-3.00")]
    assert transactions(fresh_soap, *day, "45") == []  # the exact code, not a prefix
    assert transactions(fresh_soap, *day, "999999") == []
    every = ["400000", "700000", "704000", "451000", "451000"]
    assert [r["glAccountCode"] for r in transactions(fresh_soap, *day, "")] == every  # empty: every account
    assert [r["glAccountCode"] for r in transactions(fresh_soap, *day)] == every  # missing: every account
    wrong_casing = transactions(fresh_soap, *day, "704000", names=("glAccountCode", "StartDate", "EndDate"))
    assert [r["glAccountCode"] for r in wrong_casing] == every  # not the declared name: not read


def test_the_date_window_is_inclusive_on_date_parts_and_orders_by_document_date(fresh_soap):
    book(fresh_soap, *(sales_invoice(reference, "<ContactCode>1002</ContactCode>", date=day) for reference, day in (
        ("TX-W1", "2027-06-01"), ("TX-W2", "2027-04-30"), ("TX-W3", "2027-05-31"), ("TX-W4", "2027-05-01"))))
    may = ["TX-W4"] * 3 + ["TX-W3"] * 3  # receivable, revenue, VAT each; by date, not booking order
    assert references(transactions(fresh_soap, "2027-05-01T00:00:00", "2027-05-31T00:00:00")) == may
    assert references(transactions(fresh_soap, "2027-05-01T23:59:59", "2027-05-31T23:59:59.9999999")) == may
    assert references(transactions(fresh_soap, "2027-05-01T00:00:00+02:00", "2027-05-31")) == may
    assert transactions(fresh_soap, "2027-06-02T00:00:00", "2027-04-29T00:00:00") == []  # start after end
    assert transactions(fresh_soap, "2027-05-31T00:00:00", "2027-05-01T00:00:00") == []
    from_the_beginning = references(transactions(fresh_soap, None, "2027-04-30T00:00:00"))  # 0001-01-01
    assert "TX-W2" in from_the_beginning and "2026-00001" in from_the_beginning
    assert not {"TX-W1", "TX-W3", "TX-W4"} & set(from_the_beginning)
    assert transactions(fresh_soap, "2027-01-01T00:00:00", None) == []  # EndDate 0001-01-01
    assert transactions(fresh_soap, "2027-05-01T00:00:00", "2027-05-31T00:00:00",
                        names=("GLAccountCode", "startDate", "endDate")) == []  # lower case: both missing


def test_drafts_and_deleted_documents_are_absent_and_line_numbers_stay(fresh_soap):
    book(fresh_soap, sales_invoice("TX-D", process="false", date="2027-07-01"),
         sales_invoice("TX-X", date="2027-07-01"), sales_invoice("TX-K", date="2027-07-01"))
    window = ("2027-07-01T00:00:00", "2027-07-01T00:00:00")
    before = transactions(fresh_soap, *window)
    assert references(before) == ["TX-X"] * 3 + ["TX-K"] * 3
    deleted = fresh_soap.sandbox.admin("POST", "documents/delete", {"administration": "Yuki Demo BV",
                                                                    "reference": "TX-X"})
    assert deleted.status_code == 200
    after = transactions(fresh_soap, *window)
    assert after == before[3:]  # TX-K's lines unchanged: same id and hID


def test_document_ids_references_and_types_match_the_open_items_and_payments_add_no_lines(fresh_soap):
    book(fresh_soap, sales_invoice("TX-O", "<ContactCode>1004</ContactCode>", line("1", "200.00"),
                                   date="2027-08-03"))
    administration = fresh_soap.administration()

    def items(operation: str) -> list[etree._Element]:
        return list(fresh_soap.result("Accounting", operation, [
            ("sessionID", fresh_soap.session), ("administrationID", administration),
            ("includeBankTransactions", "false"), ("sortOrder", "DateAsc")])[0])

    item = next(i for i in items("OutstandingDebtorItems") if i.findtext("Reference") == "TX-O")
    rows = transactions(fresh_soap, "2027-08-03T00:00:00", "2027-08-03T00:00:00")
    assert {(r["documentID"], r["documentReference"], r["documentType"], r["contactID"]) for r in rows} == {
        (item.get("ID"), "TX-O", item.findtext("Type"), item.findtext("ContactID"))}
    assert (rows[0]["transactionAmount"], item.findtext("OriginalAmount")) == ("242.00", "242.00")
    paid = fresh_soap.sandbox.admin("POST", "payments", {"administration": "Yuki Demo BV", "reference": "TX-O",
                                                         "date": "2027-08-03"})
    assert paid.status_code == 201
    assert transactions(fresh_soap, "2027-08-03T00:00:00", "2027-08-03T00:00:00") == rows  # no bank lines
    purchase = items("OutstandingCreditorItems")[0]  # demo: the open purchase from supplier 2002
    lines = [r for r in transactions(fresh_soap, "2026-01-01T00:00:00", "2026-12-31T00:00:00")
             if r["documentID"] == purchase.get("ID")]
    assert (lines[0]["glAccountCode"], lines[0]["transactionAmount"]) == (
        "440000", "-" + purchase.findtext("OriginalAmount"))  # the payable: credit
    assert {(r["documentReference"], r["documentType"], r["contactCode"]) for r in lines} == {
        (purchase.findtext("Reference"), "Inkoopfactuur", "2002")}
    assert sum(Decimal(r["transactionAmount"]) for r in lines) == 0


def test_an_unknown_or_lapsed_session_and_a_foreign_administration_are_faults(yuki, soap):
    administration = soap.administration()
    unknown = soap.post("AccountingInfo", "GetTransactionDetails", [
        ("sessionID", "00000000-0000-0000-0000-000000000000"), ("administrationID", administration),
        ("StartDate", "2026-01-01T00:00:00"), ("EndDate", "2026-12-31T00:00:00"), ("financialMode", "0")])
    code, message = fault(unknown)
    assert (unknown.status_code, code) == (500, "soap:Server") and message.startswith("Invalid session")
    assert call(soap, administration=administration).status_code == 200
    yuki.advance_clock(1201)
    code, message = fault(call(soap, administration=administration))
    assert code == "soap:Server" and message.startswith("Invalid session")
    limited = Soap(yuki, administration="Yuki Tweede BV")
    assert fault(call(limited, administration=administration)) == (
        "soap:Server", f"Administration not found or not accessible: {administration}")
    limited.close()


def test_the_call_counts_against_the_daily_cap_and_is_logged_by_operation(yuki, soap):
    administration = soap.administration()  # call 2, after the fixture's Authenticate
    yuki.configure(daily_limit=3)
    assert call(soap, administration=administration).status_code == 200
    over = call(soap, administration=administration)
    assert (over.status_code, fault(over)) == (500, ("soap:Server", CAP.format(3)))
    row = next(r for r in yuki.admin("GET", "quotas").json()["data"] if r["name"] == "Yuki Demo")
    assert (row["used"], row["operations"]) == (3, {"Accounting.Authenticate": 1, "Accounting.AdministrationID": 1,
                                                     "AccountingInfo.GetTransactionDetails": 1})
    logged = yuki.requests(endpoint="AccountingInfo.GetTransactionDetails")[0]["body"]["params"]
    assert (logged["sessionID"], logged["administrationID"], logged["GLAccountCode"], logged["financialMode"]) == (
        "***", administration, None, 1)
    assert logged["StartDate"].startswith("2027-01-01T00:00:00")


def test_fault_rules_match_the_operation(yuki, soap):
    administration = soap.administration()
    yuki.add_fault(endpoint="*.GetTransactionDetails", kind="error", status=503, title="Service Unavailable",
                   count=1)
    response = call(soap, administration=administration)
    assert (response.status_code, fault(response)) == (503, ("soap:Server", "Service Unavailable"))
    assert call(soap, administration=administration).status_code == 200


def test_zeep_calls_the_operation_from_the_wsdl_and_parses_the_typed_result(fresh_soap):
    zeep = pytest.importorskip("zeep")
    book(fresh_soap, sales_invoice("TX-Z", "<ContactCode>1001</ContactCode>", line("1", "100.00"),
                                   date="2027-09-01"))
    client = zeep.Client(f"{fresh_soap.sandbox.base_url}/ws/AccountingInfo.asmx?WSDL")
    try:
        info = client.get_type(f"{{{TNS}}}TransactionInfo")
        assert [name for name, _ in info.elements] == [name for name, _ in FIELDS]
        session = client.service.Authenticate(accessKey=fresh_soap.key)
        rows = client.service.GetTransactionDetails(
            sessionID=session, administrationID=fresh_soap.administration(), GLAccountCode="",
            StartDate=dt.datetime(2027, 9, 1), EndDate=dt.datetime(2027, 9, 1, 23, 59), financialMode=1)
        assert [(r.documentReference, r.glAccountCode, r.transactionAmount, r.taxCodeDescription)
                for r in rows] == [("TX-Z", "400000", 121.0, None), ("TX-Z", "700000", -100.0, None),
                                   ("TX-Z", "451000", -21.0, "Hoog 21 %")]
        first = rows[0]
        assert (first.transactionDate, first.currencyRate, first.currency, first.contactCode, first.periodId) == (
            dt.datetime(2027, 9, 1), 1.0, "EUR", "1001", "2027-09")
        assert isinstance(first.contactHID, int) and first.contactHID > 0
        assert client.service.GetTransactionDetails(session, fresh_soap.administration(), None,
                                                    dt.datetime(2027, 9, 2), dt.datetime(2027, 9, 1), 0) is None
    finally:
        client.transport.session.close()
