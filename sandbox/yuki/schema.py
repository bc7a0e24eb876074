"""A small XSD-sequence validator that words its refusals the way .NET's XmlSchema validation does.

Yuki validates each import document against its XSD (``SalesInvoices.xsd``
and friends) before it reads it; those files are not reachable from here,
so ``layouts.py`` encodes what the sources say about them and this module
checks a document against that: element names, the namespace, the ORDER
(``xs:sequence``), how often each may occur, and the simple types (decimal
with total/fraction digits, date ``yyyy-mm-dd``, boolean, int, strings with
a maximum length, enumerations). The first violation raises ``SchemaError``
with .NET's wording, for instance::

    The element 'SalesInvoice' in namespace 'urn:...' has invalid child element 'Date' in namespace
    'urn:...'. List of possible elements expected: 'Subject, PaymentMethod, ...' in namespace 'urn:...'.

Attributes (``xsi:...``) and comments are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_INT = re.compile(r"[+-]?\d+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class SchemaError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Simple:
    """A simple type: ``kind`` is string, decimal, date, boolean, int or enum; ``any`` accepts any content
    unchecked (an element whose content is checked on its own)."""

    kind: str
    max_length: int | None = None
    total_digits: int | None = None
    fraction_digits: int | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class El:
    name: str
    #: A simple type, or the child elements of a complex one (an ``xs:sequence``).
    type: Simple | tuple[El, ...]
    min: int = 0
    max: int | None = 1


STRING, DATE, BOOLEAN, INT = Simple("string"), Simple("date"), Simple("boolean"), Simple("int")
ANY = Simple("any")


def text(max_length: int) -> Simple:
    return Simple("string", max_length=max_length)


def decimal(total: int | None = None, fraction: int | None = None) -> Simple:
    return Simple("decimal", total_digits=total, fraction_digits=fraction)


def enum(*values: str) -> Simple:
    return Simple("enum", values=values)


def _where(namespace: str | None) -> str:
    return f" in namespace '{namespace}'" if namespace else ""


def _expected(sequence: tuple[El, ...], index: int, count: int) -> list[str]:
    """The elements that may come next: the current one again, then each following up to the first required."""
    names = []
    for position in range(index, len(sequence)):
        node = sequence[position]
        used = count if position == index else 0
        if node.max is None or used < node.max:
            names.append(node.name)
        if used < node.min:
            break
    return names


def _list(names: list[str], namespace: str) -> str:
    return f" List of possible elements expected: '{', '.join(names)}'{_where(namespace)}." if names else ""


def _value_error(element: etree._Element, simple: Simple, value: str, reason: str) -> SchemaError:
    name = etree.QName(element)
    datatype = f"{XS}:{'string' if simple.kind == 'enum' else simple.kind}"
    return SchemaError(f"The '{name.namespace}:{name.localname}' element is invalid - The value '{value}' is "
                       f"invalid according to its datatype '{datatype}' - {reason}")


def _check_value(element: etree._Element, simple: Simple) -> None:
    raw = element.text or ""
    value = raw if simple.kind == "string" else raw.strip()
    if simple.kind == "string":
        if simple.max_length is not None and len(value) > simple.max_length:
            raise _value_error(element, simple, value, "The actual length is greater than the MaxLength value.")
    elif simple.kind == "enum":
        if value not in simple.values:
            raise _value_error(element, simple, value, "The Enumeration constraint failed.")
    elif simple.kind == "boolean":
        if value not in ("true", "false", "1", "0"):
            raise _value_error(element, simple, value, f"The string '{value}' is not a valid Boolean value.")
    elif simple.kind == "int":
        if not _INT.fullmatch(value) or not -(2**31) <= int(value) < 2**31:
            raise _value_error(element, simple, value, f"The string '{value}' is not a valid Int32 value.")
    elif simple.kind == "date":
        try:
            valid = bool(_DATE.fullmatch(value)) and dt.date.fromisoformat(value) is not None
        except ValueError:
            valid = False
        if not valid:
            raise _value_error(element, simple, value, f"The string '{value}' is not a valid Date value.")
    elif simple.kind == "decimal":
        _check_decimal(element, simple, value)


def _check_decimal(element: etree._Element, simple: Simple, value: str) -> None:
    if not _DECIMAL.fullmatch(value):
        raise _value_error(element, simple, value, f"The string '{value}' is not a valid Decimal value.")
    digits = Decimal(value).normalize().as_tuple()
    fraction = max(0, -int(digits.exponent))
    total = max(len(digits.digits), fraction)
    if simple.fraction_digits is not None and fraction > simple.fraction_digits:
        raise _value_error(element, simple, value, "The FractionDigits constraint failed.")
    if simple.total_digits is not None and total > simple.total_digits:
        raise _value_error(element, simple, value, "The TotalDigits constraint failed.")


def _children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def validate(element: etree._Element, spec: El, namespace: str) -> None:
    """Check ``element`` (already known to be ``spec.name``) and everything below it."""
    name = etree.QName(element).localname
    if spec.type == ANY:
        return
    if isinstance(spec.type, Simple):
        inner = _children(element)
        if inner:
            child = etree.QName(inner[0])
            raise SchemaError(f"The element '{name}'{_where(namespace)} cannot contain child element "
                              f"'{child.localname}'{_where(child.namespace)} because the parent element's "
                              "content model is text only.")
        _check_value(element, spec.type)
        return
    sequence = spec.type
    if (element.text or "").strip() or any((child.tail or "").strip() for child in element):
        raise SchemaError(f"The element '{name}'{_where(namespace)} cannot contain text."
                          + _list(_expected(sequence, 0, 0), namespace))
    index, count = 0, 0
    for child in _children(element):
        qname = etree.QName(child)
        position, used = index, count
        while position < len(sequence):
            node = sequence[position]
            if qname.namespace == namespace and qname.localname == node.name and (node.max is None or used < node.max):
                break
            if used < node.min:
                position = len(sequence)
                break
            position, used = position + 1, 0
        if position == len(sequence):
            raise SchemaError(f"The element '{name}'{_where(namespace)} has invalid child element "
                              f"'{qname.localname}'{_where(qname.namespace)}." + _list(_expected(sequence, index, count),
                                                                                      namespace))
        index, count = position, used + 1
        validate(child, sequence[position], namespace)
    missing = any((count if position == index else 0) < node.min
                  for position, node in enumerate(sequence) if position >= index)
    if missing:
        raise SchemaError(f"The element '{name}'{_where(namespace)} has incomplete content."
                          + _list(_expected(sequence, index, count), namespace))
