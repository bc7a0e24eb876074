"""SOAP 1.1 the way ASP.NET ``.asmx`` services speak it: the envelope, the SOAPAction, faults.

Requests: ``POST /ws/<Service>.asmx``, ``Content-Type: text/xml``, ``SOAPAction:
"http://www.theyukicompany.com/<Operation>"`` (ASP.NET strips the quotes, so an
unquoted action is accepted too), and a body whose first child is
``<Operation xmlns="http://www.theyukicompany.com/">``. Answers are
``<OperationResponse><OperationResult>`` in that namespace, written by hand
because a raw-XML (``s:any``) result without a namespace needs ``xmlns=""``,
which lxml cannot write under a default namespace.

Faults are HTTP 500 (ASP.NET sends every SOAP fault so): ``soap:Client`` for
what the framework refuses before the web method runs (unknown SOAPAction,
unreadable XML, a parameter of the wrong type), with ASP.NET's own wording;
``soap:Server`` with the bare message for what the web method refuses
(invalid access key, lapsed session, the daily cap, ...). Parsing never
resolves entities or reads a DTD or the network.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree
from starlette.responses import Response

from sandbox.common.gate import ApiError, ApiPolicy

TNS = "http://www.theyukicompany.com/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
CONTENT_TYPE = "text/xml; charset=utf-8"
CLIENT, SERVER = "soap:Client", "soap:Server"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class SoapFault(ApiError):
    """A SOAP fault; handlers raise it, the gate renders it (and skips ``commit_then_delay``)."""

    def __init__(self, message: str, *, code: str = SERVER, status: int = 500) -> None:
        super().__init__(status, message)
        self.code = code

    def render(self, policy: ApiPolicy) -> Response:
        return fault_response(self.code, self.title, self.status)


def client_fault(message: str) -> SoapFault:
    return SoapFault(message, code=CLIENT)


def unreadable(detail: str) -> SoapFault:
    """What ASP.NET answers a request its XmlSerializer cannot read."""
    return client_fault(f"Server was unable to read request. ---> There is an error in XML document. ---> {detail}")


def unknown_action(action: str) -> SoapFault:
    return client_fault(f"Server did not recognize the value of HTTP Header SOAPAction: {action}.")


def envelope(inner: str) -> bytes:
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:xsi="{XSI}" xmlns:xsd="{XSD}">'
            f"<soap:Body>{inner}</soap:Body></soap:Envelope>").encode()


def fault_response(code: str, message: str, status: int = 500) -> Response:
    inner = (f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{escape(message)}</faultstring>"
             "<detail /></soap:Fault>")
    return Response(envelope(inner), status_code=status, media_type=CONTENT_TYPE)


def fragment(element: etree._Element) -> str:
    """An element as text to embed in a response; one without a namespace says so (``xmlns=""``),
    since the response element around it declares the service namespace as the default."""
    text = etree.tostring(element, encoding="unicode")
    if isinstance(element.tag, str) and not element.tag.startswith("{"):
        text = text.replace(f"<{element.tag}", f'<{element.tag} xmlns=""', 1)
    return text


def result_response(operation: str, content: str | None) -> Response:
    """``<OperationResponse><OperationResult>content</...>`` (content: escaped text or fragments;
    None: no result element, as XmlSerializer writes a null string)."""
    result = "" if content is None else f"<{operation}Result>{content}</{operation}Result>"
    inner = f'<{operation}Response xmlns="{TNS}">{result}</{operation}Response>'
    return Response(envelope(inner), media_type=CONTENT_TYPE)


def text(value: str) -> str:
    return escape(value)


def parse_xml(raw: bytes | str) -> etree._Element:
    """Parse XML (no entities, DTD or network); raises ``etree.XMLSyntaxError``."""
    data = raw.encode() if isinstance(raw, str) else raw
    return etree.fromstring(data, _PARSER)


def action_name(header: str | None) -> str | None:
    """The operation a SOAPAction header names (quotes stripped), or None when it names none of ours."""
    if header is None:
        return None
    action = header.strip()
    if len(action) >= 2 and action[0] == action[-1] == '"':
        action = action[1:-1]
    if not action.startswith(TNS):
        return None
    return action[len(TNS):] or None


def operation_element(raw: bytes, operation: str) -> etree._Element:
    """The ``<Operation>`` element of a SOAP 1.1 request; raises the ``soap:Client`` fault ASP.NET
    answers for a body it cannot read."""
    try:
        root = parse_xml(raw)
    except etree.XMLSyntaxError as error:
        raise unreadable(str(error)) from None
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise unreadable(f"<{etree.QName(root).localname} xmlns='{etree.QName(root).namespace or ''}'> was not "
                         "expected: the root must be a SOAP 1.1 Envelope")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    children = [] if body is None else [child for child in body if isinstance(child.tag, str)]
    if not children:
        raise unreadable("the SOAP Body is empty")
    element = children[0]
    if element.tag != f"{{{TNS}}}{operation}":
        name = etree.QName(element)
        raise unreadable(f"<{name.localname} xmlns='{name.namespace or ''}'> was not expected.")
    return element
