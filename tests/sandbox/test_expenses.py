"""expenses.list, incoming documents and their Peppol UBL files."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import httpx
import pytest
from lxml import etree

NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
ROOTS = {
    "incomingInvoice": "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "incomingCreditNote": "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
}
PEPPOL_BIS3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def dec(element, path: str) -> Decimal:
    return Decimal(element.findtext(path, namespaces=NS))


def download(api, file_id: str) -> httpx.Response:
    location = api.data("files.download", {"id": file_id})["location"]
    assert location.startswith(api.sandbox.base_url + "/_files/")
    return httpx.get(location)  # no Authorization: the link is its own credential


@pytest.fixture
def expenses(api):
    return api.all("expenses.list")


def test_expenses_mix_sources_and_statuses(api, expenses):
    sources = {e["source"]["type"] for e in expenses}
    assert sources == {"incomingInvoice", "incomingCreditNote", "receipt"}
    assert {e["review_status"] for e in expenses} == {"approved", "pending", "refused"}
    for receipt in (e for e in expenses if e["source"]["type"] == "receipt"):
        assert receipt["origin"]["type"] == "user" and receipt["file"] is None
    statuses = {e["payment_status"] for e in expenses}
    assert {"paid", "not_paid"} <= statuses
    for expense in expenses:
        paid = expense["paid_amount"]
        assert (paid is None) == (expense["paid_at"] is None)
        assert paid is None or set(paid) == {"amount", "currency"}


def test_expense_filters_and_meta(api, expenses):
    approved = api.all("expenses.list", {"filter": {"review_statuses": ["approved"],
                                                    "source_types": ["incomingCreditNote"]}})
    assert approved and all(e["review_status"] == "approved" and e["source"]["type"] == "incomingCreditNote"
                            for e in approved)
    department = expenses[0]["company_entity"]["id"]
    mine = api.all("expenses.list", {"filter": {"department_ids": [department]}})
    assert {e["company_entity"]["id"] for e in mine} == {department}
    day = expenses[1]["document_date"]
    between = api.all("expenses.list", {"filter": {"document_date": {"operator": "between", "start": day, "end": day}}})
    assert expenses[1] in between and all(e["document_date"] == day for e in between)
    paged = api.post("expenses.list", {"includes": "pagination", "page": {"size": 2}}).json()
    assert paged["meta"]["matches"] == len(expenses)
    assert api.post("expenses.list", {"filter": {"source_types": "receipt"}}).status_code == 400


def test_ubl_files_parse_and_agree_with_the_expense_totals(api, expenses):
    suppliers = {c["id"]: c for c in api.all("companies.list")}
    peppol = [e for e in expenses if e["origin"]["type"] == "peppolIncomingDocument"]
    assert peppol
    for expense in peppol:
        response = download(api, expense["file"]["id"])
        assert response.status_code == 200 and response.headers["content-type"] == "application/xml"
        root = etree.fromstring(response.content)
        assert root.tag == ROOTS[expense["source"]["type"]]
        assert root.findtext("cbc:CustomizationID", namespaces=NS) == PEPPOL_BIS3
        assert root.findtext("cbc:ID", namespaces=NS) == expense["document_number"]
        assert root.findtext("cbc:IssueDate", namespaces=NS) == expense["document_date"]
        vat = root.findtext("cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", namespaces=NS)
        assert vat == suppliers[expense["supplier"]["id"]]["vat_number"]

        totals = root.find("cac:LegalMonetaryTotal", NS)
        assert dec(totals, "cbc:TaxExclusiveAmount") == Decimal(str(expense["total"]["tax_exclusive"]["amount"]))
        assert dec(totals, "cbc:TaxInclusiveAmount") == Decimal(str(expense["total"]["tax_inclusive"]["amount"]))
        assert dec(totals, "cbc:PayableAmount") == dec(totals, "cbc:TaxInclusiveAmount")

        lines = root.findall("cac:InvoiceLine", NS) + root.findall("cac:CreditNoteLine", NS)
        for line in lines:
            quantity = dec(line, "cbc:InvoicedQuantity") if line.tag.endswith("InvoiceLine") else dec(
                line, "cbc:CreditedQuantity")
            assert dec(line, "cbc:LineExtensionAmount") == cents(quantity * dec(line, "cac:Price/cbc:PriceAmount"))
        line_sum = sum((dec(line, "cbc:LineExtensionAmount") for line in lines), Decimal(0))
        allowances = sum((dec(a, "cbc:Amount") for a in root.findall("cac:AllowanceCharge", NS)), Decimal(0))
        assert dec(totals, "cbc:LineExtensionAmount") == line_sum
        assert dec(totals, "cbc:TaxExclusiveAmount") == line_sum - allowances
        if allowances:
            assert dec(totals, "cbc:AllowanceTotalAmount") == allowances

        tax_total = root.find("cac:TaxTotal", NS)
        subtotals = tax_total.findall("cac:TaxSubtotal", NS)
        for subtotal in subtotals:
            percent = dec(subtotal, "cac:TaxCategory/cbc:Percent")
            assert dec(subtotal, "cbc:TaxAmount") == cents(dec(subtotal, "cbc:TaxableAmount") * percent / 100)
            if subtotal.findtext("cac:TaxCategory/cbc:ID", namespaces=NS) in ("E", "AE"):
                assert subtotal.findtext("cac:TaxCategory/cbc:TaxExemptionReason", namespaces=NS)
        assert sum((dec(s, "cbc:TaxableAmount") for s in subtotals), Decimal(0)) == dec(totals, "cbc:TaxExclusiveAmount")
        assert dec(tax_total, "cbc:TaxAmount") == sum((dec(s, "cbc:TaxAmount") for s in subtotals), Decimal(0))
        assert dec(totals, "cbc:TaxInclusiveAmount") == dec(totals, "cbc:TaxExclusiveAmount") + dec(
            tax_total, "cbc:TaxAmount")


def test_file_links_expire_after_ten_minutes_of_sandbox_time(api, focus, expenses):
    file_id = next(e["file"]["id"] for e in expenses if e["file"])
    data = api.data("files.download", {"id": file_id})
    focus.advance_clock(601)
    expired = httpx.get(data["location"])
    assert expired.status_code == 403
    assert httpx.get(api.sandbox.base_url + "/_files/not-a-token").status_code == 404
    assert [r["status"] for r in focus.requests(endpoint="_files")] == [403, 404]


def test_incoming_document_info(api, expenses):
    for expense in expenses:
        kind = expense["source"]["type"]
        if kind == "receipt":
            continue
        resource = "incomingInvoices" if kind == "incomingInvoice" else "incomingCreditNotes"
        info = api.data(f"{resource}.info", {"id": expense["source"]["id"]})
        assert info["id"] == expense["source"]["id"] and info["invoice_date"] == expense["document_date"]
        assert info["total"] == expense["total"] and info["file"] == expense["file"]
        assert "grouped_lines" not in info
    invoice_id = next(e["source"]["id"] for e in expenses if e["source"]["type"] == "incomingInvoice")
    assert api.post("incomingCreditNotes.info", {"id": invoice_id}).status_code == 404
