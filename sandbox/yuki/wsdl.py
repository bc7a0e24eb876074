"""``GET /ws/<Service>.asmx?WSDL``: a WSDL 1.1 document built from the operation table.

Shaped like ASP.NET's own (compare the live Archive.asmx WSDL): document /
literal, one wrapper element per operation and per response in
``http://www.theyukicompany.com/`` (``elementFormDefault="qualified"``),
strings ``minOccurs="0"``, value types and enumerations ``minOccurs="1"``,
raw-XML parameters and results as ``mixed`` complex types holding ``s:any``.
Only the SOAP 1.1 binding is described (the live WSDLs also carry SOAP 1.2,
HttpGet and HttpPost bindings, which the sandbox does not emulate), and only
the operations the sandbox implements. The address is the sandbox's own URL.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from sandbox.yuki.catalog import ANY, GL_SCHEME, SERVICES, STRING, TRANSACTIONS, Operation
from sandbox.yuki.params import ENUMS, XML, Param
from sandbox.yuki.soap import TNS, XSD
from sandbox.yuki.transactions import TRANSACTION_INFO_FIELDS

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
_MIXED_ANY = '<s:complexType mixed="true"><s:sequence><s:any/></s:sequence></s:complexType>'
#: GlAccount fields in WSDL order with their XSD types.
GL_ACCOUNT_FIELDS = (("code", "string"), ("type", "int"), ("subtype", "int"), ("isEnabled", "boolean"),
                     ("descripton", "string"), ("descriptionNL", "string"), ("descriptionFR", "string"),
                     ("descriptionEN", "string"), ("isVATApplicable", "boolean"),
                     ("deductableVATPercentage", "double"), ("professionalPercentage", "double"))
#: Typed results: the array type -> its item element and the item's fields (strings ``minOccurs="0"``).
ARRAYS = {GL_SCHEME: ("GlAccount", GL_ACCOUNT_FIELDS), TRANSACTIONS: ("TransactionInfo", TRANSACTION_INFO_FIELDS)}


def _param(param: Param) -> str:
    name = quoteattr(param.name)
    if param.type == XML:
        return f'<s:element minOccurs="0" maxOccurs="1" name={name}>{_MIXED_ANY}</s:element>'
    if param.type in ENUMS:
        return f'<s:element minOccurs="1" maxOccurs="1" name={name} type="tns:{param.type}"/>'
    if not param.required:
        return f'<s:element minOccurs="0" maxOccurs="1" name={name} type="s:{param.type}"/>'
    nillable = ' nillable="true"' if param.nillable else ""
    return f'<s:element minOccurs="1" maxOccurs="1" name={name}{nillable} type="s:{param.type}"/>'


def _result(op: Operation) -> str:
    name = quoteattr(f"{op.name}Result")
    if op.result == STRING:
        return f'<s:element minOccurs="0" maxOccurs="1" name={name} type="s:string"/>'
    if op.result == ANY:
        return f'<s:element minOccurs="0" maxOccurs="1" name={name}>{_MIXED_ANY}</s:element>'
    return f'<s:element minOccurs="0" maxOccurs="1" name={name} type="tns:{op.result}"/>'


def _wrappers(op: Operation) -> str:
    params = "".join(_param(p) for p in op.params)
    return (f'<s:element name="{op.name}"><s:complexType><s:sequence>{params}</s:sequence></s:complexType>'
            f'</s:element><s:element name="{op.name}Response"><s:complexType><s:sequence>{_result(op)}'
            "</s:sequence></s:complexType></s:element>")


def _types(ops: tuple[Operation, ...]) -> str:
    parts = [_wrappers(op) for op in ops]
    enums = sorted({p.type for op in ops for p in op.params if p.type in ENUMS})
    for enum in enums:
        members = "".join(f'<s:enumeration value="{value}"/>' for value in ENUMS[enum])
        parts.append(f'<s:simpleType name="{enum}"><s:restriction base="s:string">{members}</s:restriction>'
                     "</s:simpleType>")
    for array, (item, item_fields) in ARRAYS.items():
        if not any(op.result == array for op in ops):
            continue
        fields = "".join(
            f'<s:element minOccurs="{0 if kind == "string" else 1}" maxOccurs="1" name="{field}" type="s:{kind}"/>'
            for field, kind in item_fields)
        parts.append(f'<s:complexType name="{array}"><s:sequence><s:element minOccurs="0" '
                     f'maxOccurs="unbounded" name="{item}" nillable="true" type="tns:{item}"/></s:sequence>'
                     f'</s:complexType><s:complexType name="{item}"><s:sequence>{fields}</s:sequence>'
                     "</s:complexType>")
    return f'<s:schema elementFormDefault="qualified" targetNamespace="{TNS}">{"".join(parts)}</s:schema>'


def wsdl(service: str, address: str) -> str:
    """The WSDL of ``service``, its SOAP port at ``address``."""
    ops = SERVICES[service]
    messages = "".join(
        f'<wsdl:message name="{op.name}SoapIn"><wsdl:part name="parameters" element="tns:{op.name}"/></wsdl:message>'
        f'<wsdl:message name="{op.name}SoapOut"><wsdl:part name="parameters" element="tns:{op.name}Response"/>'
        "</wsdl:message>" for op in ops)
    port_ops = "".join(
        f'<wsdl:operation name="{op.name}"><wsdl:documentation>{op.doc}</wsdl:documentation>'
        f'<wsdl:input message="tns:{op.name}SoapIn"/><wsdl:output message="tns:{op.name}SoapOut"/></wsdl:operation>'
        for op in ops)
    binding_ops = "".join(
        f'<wsdl:operation name="{op.name}"><soap:operation soapAction="{TNS}{op.name}" style="document"/>'
        '<wsdl:input><soap:body use="literal"/></wsdl:input><wsdl:output><soap:body use="literal"/></wsdl:output>'
        "</wsdl:operation>" for op in ops)
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<wsdl:definitions xmlns:s="{XSD}" xmlns:soap="{WSDL_SOAP_NS}" xmlns:tns="{TNS}" '
            f'xmlns:wsdl="{WSDL_NS}" targetNamespace="{TNS}">'
            f"<wsdl:types>{_types(ops)}</wsdl:types>{messages}"
            f'<wsdl:portType name="{service}Soap">{port_ops}</wsdl:portType>'
            f'<wsdl:binding name="{service}Soap" type="tns:{service}Soap">'
            f'<soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>{binding_ops}</wsdl:binding>'
            f'<wsdl:service name="{service}"><wsdl:port name="{service}Soap" binding="tns:{service}Soap">'
            f"<soap:address location={quoteattr(address)}/></wsdl:port></wsdl:service></wsdl:definitions>")
