"""Shared helpers for the Yuki sandbox tests (no tests here): hand-built SOAP 1.1 envelopes over httpx.

Test modules import the fixtures (``yuki_module_fixture``, ``yuki_fixture``,
``soap_fixture``): one sandbox per module, its runtime reset for each test.
No SOAP library on purpose: the tests pin the wire (envelope, SOAPAction,
parameter names and casing, fault shapes) exactly as a client would send it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

import httpx
import pytest
from lxml import etree

from sandbox.runner import RunningSandbox, start_sandbox

TNS = "http://www.theyukicompany.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SALES_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoices"
SALES_RESPONSE_NS = "urn:xmlns:http://www.theyukicompany.com:salesinvoicesresponse"
CONTACT_NS = "urn:xmlns:http://www.theyukicompany.com:contact"


@dataclass(frozen=True)
class Raw:
    """A parameter value written into the envelope as XML, not escaped."""

    xml: str


def envelope(operation: str, params: list[tuple[str, str | Raw | None]]) -> str:
    parts = []
    for name, value in params:
        if value is None:
            continue
        content = value.xml if isinstance(value, Raw) else escape(value)
        parts.append(f"<{name}>{content}</{name}>")
    return (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
            f'<{operation} xmlns="{TNS}">{"".join(parts)}</{operation}></soap:Body></soap:Envelope>')


def fault(response: httpx.Response) -> tuple[str, str]:
    """(faultcode, faultstring) of a SOAP fault answer."""
    root = etree.fromstring(response.content)
    node = root.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert node is not None, response.text
    return node.findtext("faultcode"), node.findtext("faultstring")


class Soap:
    """Calls on one sandbox; ``session`` is authenticated with a freshly minted key of ``domain``."""

    def __init__(self, sandbox: RunningSandbox, **mint: str) -> None:
        self.sandbox = sandbox
        self.http = httpx.Client(base_url=sandbox.base_url, timeout=30)
        self.keys = sandbox.mint_tokens(**mint)
        self.key = self.keys["accessKey"]
        self.session = self.reauthenticate()

    def reauthenticate(self) -> str:
        self.session = self.text("Accounting", "Authenticate", [("accessKey", self.key)])
        return self.session

    def post(self, service: str, operation: str, params: list[tuple[str, str | Raw | None]], *,
             action: str | None = None, content_type: str = "text/xml; charset=utf-8",
             timeout: float | None = None) -> httpx.Response:
        headers = {"Content-Type": content_type,
                   "SOAPAction": f'"{TNS}{operation}"' if action is None else action}
        return self.http.post(f"/ws/{service}.asmx", content=envelope(operation, params).encode(),
                              headers=headers, timeout=timeout if timeout is not None else 30)

    def result(self, service: str, operation: str, params: list[tuple[str, str | Raw | None]]) -> etree._Element:
        """The ``<OperationResult>`` element of a 200 answer."""
        response = self.post(service, operation, params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/xml")
        root = etree.fromstring(response.content)
        node = root.find(f"{{{SOAP_ENV}}}Body/{{{TNS}}}{operation}Response/{{{TNS}}}{operation}Result")
        assert node is not None, response.text
        return node

    def text(self, service: str, operation: str, params: list[tuple[str, str | Raw | None]]) -> str:
        return self.result(service, operation, params).text or ""

    def administration(self, name: str = "Yuki Demo BV") -> str:
        return self.text("Accounting", "AdministrationID", [("sessionID", self.session),
                                                             ("administrationName", name)])

    def import_sales(self, document: str | Raw, administration: str | None = None) -> etree._Element:
        """``ProcessSalesInvoices`` of ``document`` (XML children unless given as text) -> its Result."""
        value = Raw(document) if isinstance(document, str) else document
        return self.result("Sales", "ProcessSalesInvoices", [
            ("sessionId", self.session), ("administrationId", administration or self.administration()),
            ("xmlDoc", value)])

    def close(self) -> None:
        self.http.close()


def line(quantity: str = "2", price: str = "100.00", *, vat_type: str | None = "1", percentage: str | None = "21",
         gl: str | None = "700000", description: str = "Consultancy", included: str | None = None) -> str:
    product = "".join(f"<{name}>{value}</{name}>" for name, value in (
        ("Description", description), ("SalesPrice", price), ("VATPercentage", percentage),
        ("VATIncluded", included), ("VATType", vat_type), ("GLAccountCode", gl)) if value is not None)
    return (f"<InvoiceLine><Description>{description}</Description><ProductQuantity>{quantity}</ProductQuantity>"
            f"<Product>{product}</Product></InvoiceLine>")


def sales_invoice(reference: str | None, contact: str = "<ContactCode>1001</ContactCode>", *lines: str,
                  process: str = "true", date: str = "2026-03-02", head: str = "") -> str:
    """One ``SalesInvoice`` (elements in the documented order); ``contact`` is the inside of ``<Contact>``."""
    ref = "" if reference is None else f"<Reference>{reference}</Reference>"
    return (f"<SalesInvoice>{ref}<Subject>Invoice {reference}</Subject><PaymentMethod>ElectronicTransfer"
            f"</PaymentMethod><Process>{process}</Process>{head}<Date>{date}</Date><Contact>{contact}</Contact>"
            f"<InvoiceLines>{''.join(lines or (line(),))}</InvoiceLines></SalesInvoice>")


def sales_document(*invoices: str) -> str:
    return f'<SalesInvoices xmlns="{SALES_NS}">{"".join(invoices)}</SalesInvoices>'


def import_result(result: etree._Element) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(header fields, one dict per Invoice) of an import response inside ``<...Result>``."""
    response = result[0]
    namespace = etree.QName(response).namespace
    header = {etree.QName(node).localname: node.text or "" for node in response
              if etree.QName(node).localname != "Invoice"}
    invoices = [{etree.QName(field).localname: field.text or "" for field in node}
                for node in response.iterfind(f"{{{namespace}}}Invoice")]
    return header, invoices


@pytest.fixture(scope="module", name="yuki_module")
def yuki_module_fixture() -> Iterator[RunningSandbox]:
    """One Yuki sandbox per test module (seed: the module's ``YUKI_SEED``, default 7)."""
    with start_sandbox("yuki", seed=7) as sandbox:
        yield sandbox


@pytest.fixture(name="yuki")
def yuki_fixture(yuki_module: RunningSandbox) -> RunningSandbox:
    yuki_module.reset_runtime()
    return yuki_module


@pytest.fixture(name="soap")
def soap_fixture(yuki: RunningSandbox) -> Iterator[Soap]:
    caller = Soap(yuki)
    yield caller
    caller.close()


@pytest.fixture(name="fresh_soap")
def fresh_soap_fixture(yuki_module: RunningSandbox) -> Iterator[Soap]:
    """A caller on a sandbox reset for this test (demo data reseeded: for tests that write)."""
    yuki_module.reset()
    caller = Soap(yuki_module)
    yield caller
    caller.close()


def documents(sandbox: RunningSandbox, **query: str) -> list[dict]:
    response = sandbox.admin("GET", "documents?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert response.status_code == 200, response.text
    return response.json()["data"]
