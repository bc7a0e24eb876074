"""The Yuki client alone against the Yuki sandbox over real HTTP: sessions, faults, the daily cap, lost answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from lxml import etree

from connectors.oauth import AuthError, MemoryTokenStore
from connectors.state.call_counts import MemoryCallCounter
from connectors.targets.base import AmbiguousWrite, QuotaSpent
from connectors.targets.yuki.cap import DailyCap
from connectors.targets.yuki.client import YukiClient, _result, child_text, children
from sandbox.runner import RunningSandbox, start_sandbox

SALES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"


@pytest.fixture(scope="module")
def module_yuki() -> Iterator[RunningSandbox]:
    with start_sandbox("yuki") as sandbox:
        yield sandbox


@pytest.fixture
def yuki(module_yuki) -> RunningSandbox:
    module_yuki.reset_runtime()
    return module_yuki


def client(sandbox: RunningSandbox, *, limit: int = 1000, key: str | None = None, timeout: float = 10.0,
           counter: MemoryCallCounter | None = None) -> YukiClient:
    keys = sandbox.mint_tokens(domain="Yuki Demo")
    return YukiClient(sandbox.base_url, key or keys["accessKey"], MemoryTokenStore(),
                      DailyCap(counter or MemoryCallCounter(), limit), timeout=timeout, sleep=lambda s: None)


def administration(sandbox: RunningSandbox) -> str:
    domain = next(d for d in sandbox.admin("GET", "manifest").json()["domains"] if d["name"] == "Yuki Demo")
    return next(a["id"] for a in domain["administrations"] if a["name"] == "Yuki Demo BV")


def calls(sandbox: RunningSandbox, operation: str) -> int:
    return sum(1 for r in sandbox.requests() if r["endpoint"].endswith(f".{operation}"))


def test_a_session_is_made_once_and_reused(yuki):
    yuki_client = client(yuki)
    yuki_client.call("Accounting", "Administrations")
    yuki_client.call("Accounting", "Administrations")
    assert calls(yuki, "Authenticate") == 1 and calls(yuki, "Administrations") == 2


def test_a_lapsed_session_is_renewed_once_and_the_call_repeated(yuki):
    yuki_client = client(yuki)
    yuki_client.call("Accounting", "Administrations")
    assert yuki.admin("POST", "tokens/expire").status_code < 300
    result = yuki_client.call("Accounting", "Administrations")
    assert children(result, "Administration")
    assert calls(yuki, "Authenticate") == 2


def test_a_wrong_access_key_is_an_auth_error_that_names_the_fix(yuki):
    with pytest.raises(AuthError, match="access key"):
        client(yuki, key="not-a-key").call("Accounting", "Administrations")


def test_the_connectors_own_count_refuses_a_call_before_it_is_sent(yuki):
    counter = MemoryCallCounter()
    yuki_client = client(yuki, limit=2, counter=counter)
    yuki_client.call("Accounting", "Administrations")  # Authenticate + Administrations: the day's two calls
    with pytest.raises(QuotaSpent, match="2 web-service calls"):
        yuki_client.call("Accounting", "Administrations")
    assert len([r for r in yuki.requests() if r["method"] == "POST"]) == 2  # SOAP calls (WSDL reads are GETs)
    assert counter.used(yuki_client.cap.today()) == 2


def test_yukis_own_over_the_limit_answer_is_quota_spent(yuki):
    yuki.configure(daily_limit=1)
    with pytest.raises(QuotaSpent, match="maximum number of web service calls"):
        client(yuki).call("Accounting", "Administrations")


def test_a_lost_answer_to_an_import_is_ambiguous_never_sent_again(yuki):
    yuki.add_fault(endpoint="Sales.ProcessSalesInvoices", kind="commit_then_delay", delay_seconds=3, count=1)
    yuki_client = client(yuki, timeout=1.0)
    invoice = (f'<SalesInvoices xmlns="{SALES_NS}"><SalesInvoice><Reference>FC-I-lost</Reference>'
               "<Contact><ContactCode>1001</ContactCode></Contact><InvoiceLines><InvoiceLine>"
               "<ProductQuantity>1</ProductQuantity><Product><SalesPrice>100.00</SalesPrice><VATType>1</VATType>"
               "<GLAccountCode>700000</GLAccountCode></Product></InvoiceLine></InvoiceLines></SalesInvoice>"
               "</SalesInvoices>")
    with pytest.raises(AmbiguousWrite):
        yuki_client.call("Sales", "ProcessSalesInvoices", write=True, session_param="sessionId",
                         administrationId=administration(yuki), xmlDoc={"_value_1": etree.fromstring(invoice)})
    assert calls(yuki, "ProcessSalesInvoices") <= 1  # sent once (logged once its held-back answer went out)


def test_a_lost_answer_to_a_read_is_asked_again(yuki):
    yuki.add_fault(endpoint="AccountingInfo.GetTransactionDetails", kind="slow", delay_seconds=2, count=1)
    yuki_client = client(yuki, timeout=1.0)
    result = yuki_client.call("AccountingInfo", "GetTransactionDetails", administrationID=administration(yuki),
                              GLAccountCode="", StartDate=dt.datetime(2026, 1, 1), EndDate=dt.datetime(2026, 12, 31),
                              financialMode=1)
    references = {child_text(node, "documentReference") for node in children(result, "TransactionInfo")}
    assert "2026-00001" in references


def test_a_result_sent_as_escaped_text_reads_like_one_sent_as_elements():
    escaped = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
               '<AdministrationsResponse xmlns="http://www.theyukicompany.com/"><AdministrationsResult>'
               '&lt;Administrations&gt;&lt;Administration ID="a-1"&gt;&lt;Name&gt;Acme BV&lt;/Name&gt;'
               '&lt;/Administration&gt;&lt;/Administrations&gt;</AdministrationsResult></AdministrationsResponse>'
               '</soap:Body></soap:Envelope>')
    [node] = children(_result(escaped.encode(), "Administrations"), "Administration")
    assert (node.get("ID"), child_text(node, "Name")) == ("a-1", "Acme BV")
