"""Operation parameters as ASP.NET's XmlSerializer reads them from ``<Operation>``.

Only children in the service namespace count, matched by exact name: a
parameter sent as ``sessionId`` to an operation that declares ``sessionID``
(or without the namespace) is simply not there, as on the real service, and
a missing string is null. A missing value type (``s:boolean``, ``s:int``,
``s:dateTime``, an enumeration) takes .NET's default (false, 0,
``0001-01-01T00:00:00``, the first member); a value of
the wrong form is the ``soap:Client`` fault "Server was unable to read
request". ``xmlDoc`` (``s:any``, mixed) may hold the document as child
elements or as escaped text: both are read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lxml import etree

from sandbox.yuki.soap import TNS, XSI, SoapFault, parse_xml, unreadable

STRING, BOOLEAN, INT, DATETIME, XML = "string", "boolean", "int", "dateTime", "xml"
VALUE_TYPES = (BOOLEAN, INT, DATETIME)
#: ``default(DateTime)`` in .NET: what a missing non-nillable ``s:dateTime`` reads as.
DOTNET_MIN_DATETIME = dt.datetime(1, 1, 1, tzinfo=dt.UTC)

#: Enumerations (WSDL ``s:simpleType`` restrictions of ``s:string``), members in WSDL order.
ENUMS: dict[str, tuple[str, ...]] = {
    "OutstandingItemsSortOrder": ("ContactAsc", "ContactDesc", "AmountAsc", "AmountDesc", "DateAsc", "DateDesc"),
    "SearchOption": ("All", "Name", "City", "Postcode", "Tag", "Email", "Website", "Phone", "Code", "CoCNumber",
                     "VATNumber", "BankAccount", "ID", "ContactType", "HID"),
    "SearchSortOrder": ("Name", "LastName", "CreatedAsc", "CreatedDesc", "ModifiedAsc", "ModifiedDesc", "HID"),
    "ActiveFilter": ("Both", "Active", "Inactive"),
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str = STRING
    #: ``nillable="true"`` (``DateTime?`` in .NET): absent or ``xsi:nil`` reads as None.
    nillable: bool = False

    @property
    def required(self) -> bool:
        """``minOccurs="1"`` in the WSDL: value types and enumerations."""
        return self.type in VALUE_TYPES or self.type in ENUMS


def _boolean(text: str) -> bool:
    value = text.strip()
    if value in ("true", "1"):
        return True
    if value in ("false", "0"):
        return False
    raise unreadable(f"The string '{text}' is not a valid Boolean value.")


def _int(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise unreadable("Input string was not in a correct format.") from None
    if not -(2**31) <= value < 2**31:
        raise unreadable("Value was either too large or too small for an Int32.")
    return value


def _datetime(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise unreadable(f"The string '{text}' is not a valid AllXsd value.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _xml(element: etree._Element) -> etree._Element | None:
    children = [child for child in element if isinstance(child.tag, str)]
    if children:
        return children[0]
    content = (element.text or "").strip()
    if not content:
        return None
    try:
        return parse_xml(content)
    except etree.XMLSyntaxError as error:
        raise SoapFault(f"xmlDoc is not well-formed XML: {error}") from None


def _value(param: Param, element: etree._Element | None) -> Any:
    if element is None or element.get(f"{{{XSI}}}nil") == "true":
        if param.nillable or not param.required:
            return None
        return {BOOLEAN: False, INT: 0, DATETIME: DOTNET_MIN_DATETIME}.get(param.type,
                                                                           ENUMS.get(param.type, ("",))[0])
    if param.type == XML:
        return _xml(element)
    content = element.text or ""
    if param.type == BOOLEAN:
        return _boolean(content)
    if param.type == INT:
        return _int(content)
    if param.type == DATETIME:
        return _datetime(content)
    if param.type in ENUMS:
        if content.strip() not in ENUMS[param.type]:
            raise unreadable(f"Instance validation error: '{content}' is not a valid value for {param.type}.")
        return content.strip()
    return content


def read_params(params: tuple[Param, ...], element: etree._Element) -> dict[str, Any]:
    """Each declared parameter by name: its typed value, None, or the .NET default."""
    found: dict[str, etree._Element] = {}
    for child in element:
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{TNS}}}"):
            found.setdefault(etree.QName(child).localname, child)
    return {param.name: _value(param, found.get(param.name)) for param in params}


def loggable(params: dict[str, Any], secrets: frozenset[str]) -> dict[str, Any]:
    """Parameters as the request log keeps them: secrets masked, XML as text, times as ISO."""
    shown: dict[str, Any] = {}
    for name, value in params.items():
        if name in secrets and value is not None:
            shown[name] = "***"
        elif isinstance(value, etree._Element):
            shown[name] = etree.tostring(value, encoding="unicode")
        elif isinstance(value, dt.datetime):
            shown[name] = value.isoformat()
        else:
            shown[name] = value
    return shown
