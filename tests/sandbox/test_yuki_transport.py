"""Yuki SOAP transport: the WSDLs, SOAPAction routing, envelopes, parameter names and fault shapes."""

from __future__ import annotations

import httpx
from lxml import etree

from tests.sandbox.test_yuki_support import (  # noqa: F401
    SOAP_ENV,
    TNS,
    Soap,
    envelope,
    fault,
    soap_fixture,
    yuki_fixture,
    yuki_module_fixture,
)

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"


def wsdl(yuki, service: str) -> etree._Element:
    response = httpx.get(f"{yuki.base_url}/ws/{service}.asmx?WSDL")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/xml")
    return etree.fromstring(response.content)


def parameters(document: etree._Element, operation: str) -> list[str]:
    wrapper = document.find(f"{{{WSDL}}}types/{{{XS}}}schema/{{{XS}}}element[@name='{operation}']")
    return [node.get("name") for node in wrapper.iter(f"{{{XS}}}element")][1:]


def test_wsdl_names_the_operations_with_their_parameter_casing(yuki):
    document = wsdl(yuki, "AccountingInfo")
    operations = {op.get("name") for op in document.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    assert operations >= {"Authenticate", "AuthenticateClient", "Administrations", "AdministrationID", "Domains",
                          "GetCurrentDomain", "GetGLAccountScheme"}
    assert parameters(document, "GetGLAccountScheme") == ["sessionID", "administrationID"]
    assert parameters(document, "AuthenticateClient") == ["clientID", "clientSecret", "accessKey"]
    result = document.find(f".//{{{XS}}}element[@name='GetGLAccountSchemeResult']")
    assert result.get("type") == "tns:ArrayOfGlAccount"


def test_contact_operations_take_a_domain_id(yuki):
    document = wsdl(yuki, "Contact")
    assert parameters(document, "UpdateContact") == ["sessionID", "domainID", "xmlDoc"]
    assert parameters(document, "SearchContacts") == ["sessionID", "domainID", "searchOption", "searchValue",
                                                      "sortOrder", "modifiedAfter", "active", "pageNumber"]
    modified = document.find(f".//{{{XS}}}element[@name='modifiedAfter']")
    assert (modified.get("type"), modified.get("nillable")) == ("s:dateTime", "true")
    option = document.find(f".//{{{XS}}}simpleType[@name='SearchOption']")
    assert "VATNumber" in [node.get("value") for node in option.iter(f"{{{XS}}}enumeration")]


def test_wsdl_is_document_literal_soap_11_in_the_yuki_namespace(yuki):
    document = wsdl(yuki, "Sales")
    assert document.get("targetNamespace") == TNS
    binding = document.find(f"{{{WSDL}}}binding")
    assert binding.find(f"{{{WSDL_SOAP}}}binding").get("transport") == "http://schemas.xmlsoap.org/soap/http"
    action = binding.find(f"{{{WSDL}}}operation[@name='Authenticate']/{{{WSDL_SOAP}}}operation")
    assert (action.get("soapAction"), action.get("style")) == (f"{TNS}Authenticate", "document")
    address = document.find(f"{{{WSDL}}}service/{{{WSDL}}}port/{{{WSDL_SOAP}}}address").get("location")
    assert address == f"{yuki.base_url}/ws/Sales.asmx"
    assert [entry["endpoint"] for entry in yuki.requests()] == ["Sales.WSDL"]


def test_missing_soapaction_is_a_client_fault(soap):
    response = soap.http.post("/ws/Accounting.asmx", content=envelope("Administrations", []),
                              headers={"Content-Type": "text/xml; charset=utf-8"})
    assert response.status_code == 500
    assert fault(response) == ("soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: .")


def test_an_operation_of_another_service_is_an_unknown_action(soap):
    response = soap.post("Sales", "GetGLAccountScheme", [("sessionID", soap.session)])
    assert response.status_code == 500
    assert fault(response) == ("soap:Client", "Server did not recognize the value of HTTP Header SOAPAction: "
                                              f"{TNS}GetGLAccountScheme.")
    assert soap.sandbox.requests()[-1]["endpoint"] == "Sales.unknown"


def test_an_unquoted_soapaction_is_accepted_as_aspnet_does(soap):
    response = soap.post("Accounting", "Administrations", [("sessionID", soap.session)],
                         action=f"{TNS}Administrations")
    assert response.status_code == 200


def test_a_body_that_is_not_the_action_s_operation_is_a_client_fault(soap):
    response = soap.post("Accounting", "Domains", [("sessionID", soap.session)], action=f'"{TNS}Administrations"')
    code, message = fault(response)
    assert (response.status_code, code) == (500, "soap:Client")
    assert message.startswith("Server was unable to read request.") and "<Domains xmlns=" in message


def test_unreadable_xml_is_a_client_fault(soap):
    response = soap.http.post("/ws/Accounting.asmx", content=b"<soap:Envelope>",
                              headers={"Content-Type": "text/xml", "SOAPAction": f'"{TNS}Administrations"'})
    assert response.status_code == 500
    assert fault(response)[0] == "soap:Client"


def test_soap_12_is_not_emulated(soap):
    response = soap.post("Accounting", "Administrations", [("sessionID", soap.session)],
                         content_type="application/soap+xml; charset=utf-8")
    assert response.status_code == 415 and fault(response)[0] == "soap:Client"


def test_an_unknown_service_is_a_404(soap):
    assert soap.http.post("/ws/Nope.asmx", content=b"").status_code == 404
    assert soap.http.get("/ws/Nope.asmx?WSDL").status_code == 404


def test_a_parameter_in_the_wrong_casing_is_not_read(soap):
    response = soap.post("Accounting", "Administrations", [("sessionId", soap.session)])
    assert response.status_code == 500
    code, message = fault(response)
    assert code == "soap:Server" and message.startswith("Invalid session")


def test_a_parameter_outside_the_service_namespace_is_not_read(soap):
    body = (f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body><Administrations xmlns="{TNS}">'
            f'<sessionID xmlns="">{soap.session}</sessionID></Administrations></soap:Body></soap:Envelope>')
    response = soap.http.post("/ws/Accounting.asmx", content=body.encode(),
                              headers={"Content-Type": "text/xml", "SOAPAction": f'"{TNS}Administrations"'})
    assert fault(response)[1].startswith("Invalid session")


def test_the_request_log_names_each_call_by_service_and_operation_without_secrets(yuki, soap):
    soap.result("Accounting", "Administrations", [("sessionID", soap.session)])
    entries = yuki.requests()
    assert [e["endpoint"] for e in entries] == ["Accounting.Authenticate", "Accounting.Administrations"]
    assert entries[0]["body"] == {"params": {"accessKey": "***"}}
    assert entries[1]["body"] == {"params": {"sessionID": "***"}}
    assert soap.key not in str(entries) and soap.session not in str(entries)
    assert entries[1]["client_id"] == soap.keys["domainID"]


def test_an_injected_error_fault_is_a_soap_fault_with_its_status(yuki, soap):
    yuki.add_fault(endpoint="*.Administrations", kind="error", status=503, title="Service Unavailable", count=1)
    response = soap.post("Accounting", "Administrations", [("sessionID", soap.session)])
    assert response.status_code == 503
    assert fault(response) == ("soap:Server", "Service Unavailable")
    assert soap.post("Accounting", "Administrations", [("sessionID", soap.session)]).status_code == 200


def test_the_soap_client_works_from_a_second_caller(yuki):
    other = Soap(yuki, domain="Yuki Nederland")
    names = [node.findtext("Name") for node in other.result(
        "Accounting", "Administrations", [("sessionID", other.session)]).iter("Administration")]
    assert names == ["Yuki Demo Nederland B.V."]
    other.close()
