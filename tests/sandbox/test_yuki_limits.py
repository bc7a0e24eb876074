"""Yuki's daily call cap per domain, the request log per operation, and injected faults (commit_then_delay)."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.sandbox.test_yuki_support import (  # noqa: F401
    Raw,
    Soap,
    fault,
    fresh_soap_fixture,
    import_result,
    sales_document,
    sales_invoice,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)

CAP = "The maximum number of web service calls for today ({}) has been reached"


def domains(soap: Soap) -> int:
    return soap.post("Accounting", "Domains", [("sessionID", soap.session)]).status_code


def usage(yuki, name: str = "Yuki Demo") -> dict:
    return next(row for row in yuki.admin("GET", "quotas").json()["data"] if row["name"] == name)


def test_the_default_cap_is_1000_calls_per_domain_per_day(yuki):
    assert yuki.admin("GET", "health").json()["default_config"]["daily_limit"] == 1000


def test_over_the_cap_a_call_gets_the_documented_fault_and_is_not_counted(yuki, soap):
    yuki.configure(daily_limit=5)
    assert [domains(soap) for _ in range(4)] == [200] * 4  # 1 Authenticate + 4 calls
    response = soap.post("Accounting", "Domains", [("sessionID", soap.session)])
    assert response.status_code == 500
    assert fault(response) == ("soap:Server", CAP.format(5))
    refused = soap.post("Sales", "Authenticate", [("accessKey", soap.key)])  # Authenticate counts too
    assert fault(refused) == ("soap:Server", CAP.format(5))
    row = usage(yuki)
    assert (row["used"], row["remaining"], row["operations"]) == (
        5, 0, {"Accounting.Authenticate": 1, "Accounting.Domains": 4})


def test_the_cap_resets_on_the_next_amsterdam_day(yuki):
    yuki.admin("POST", "clock", {"set": "2030-01-15T22:59:30+00:00"})  # 23:59:30 in Amsterdam
    yuki.configure(daily_limit=3)
    late = Soap(yuki)
    assert [domains(late) for _ in range(3)] == [200, 200, 500]
    yuki.advance_clock(60)  # 00:00:30 in Amsterdam, still the 15th in UTC
    assert domains(late) == 200
    assert usage(yuki)["day"] == "2030-01-16"
    late.close()


def test_the_cap_is_per_domain(yuki, soap):
    yuki.configure(daily_limit=2)
    assert [domains(soap) for _ in range(2)] == [200, 500]
    dutch = Soap(yuki, domain="Yuki Nederland")
    assert domains(dutch) == 200
    dutch.close()


def test_calls_refused_at_authentication_are_not_counted(yuki, soap):
    soap.post("Accounting", "Authenticate", [("accessKey", "wrong")])
    soap.post("Accounting", "Domains", [("sessionID", "00000000-0000-0000-0000-000000000000")])
    soap.post("Accounting", "Domains", [("sessionID", soap.session)], action='"http://example.com/Nope"')
    assert usage(yuki)["used"] == 1  # the fixture's Authenticate


def test_an_injected_rate_limit_fault_answers_like_the_cap(yuki, soap):
    yuki.add_fault(endpoint="Accounting.Domains", kind="rate_limit", count=1)
    response = soap.post("Accounting", "Domains", [("sessionID", soap.session)])
    assert (response.status_code, fault(response)) == (500, ("soap:Server", CAP.format(1000)))


def test_the_request_log_counts_calls_per_operation_and_batch_sizes(yuki, soap):
    for _ in range(3):
        domains(soap)
    soap.import_sales(sales_document(*(sales_invoice(f"L-{n}", "<ContactCode>9999</ContactCode>")
                                       for n in range(4))))
    entries = yuki.requests()
    per_operation = Counter(entry["endpoint"] for entry in entries)
    assert per_operation == {"Accounting.Authenticate": 1, "Accounting.Domains": 3,
                                  "Accounting.AdministrationID": 1, "Sales.ProcessSalesInvoices": 1}
    assert [e["body"]["batch"] for e in yuki.requests(endpoint="Sales.ProcessSalesInvoices")] == [4]


def test_commit_then_delay_books_the_batch_although_the_client_timed_out(fresh_soap):
    administration = fresh_soap.administration()
    fresh_soap.sandbox.add_fault(endpoint="Sales.ProcessSalesInvoices", kind="commit_then_delay",
                                 delay_seconds=1.0, count=1)
    with pytest.raises(httpx.ReadTimeout):
        fresh_soap.post("Sales", "ProcessSalesInvoices", [
            ("sessionId", fresh_soap.session), ("administrationId", administration),
            ("xmlDoc", Raw(sales_document(sales_invoice("CD-1"))))], timeout=0.3)
    found = fresh_soap.result("Accounting", "CheckOutstandingItemAdmin", [
        ("sessionID", fresh_soap.session), ("administrationID", administration), ("Reference", "CD-1")])
    assert [item.findtext("Reference") for item in found[0]] == ["CD-1"]  # booked: do not send it again
    header, _ = import_result(fresh_soap.import_sales(sales_document(sales_invoice("CD-2")), administration))
    assert header["TotalSucceeded"] == "1"  # the fault fired once
