"""Building the raw-XML results: elements, and how values are written (amounts, booleans, dates)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from lxml import etree

from sandbox.yuki.soap import TNS


def element(tag: str, attributes: dict[str, str] | None = None, *, namespace: str | None = None) -> etree._Element:
    """A root element; ``namespace`` becomes its default namespace (its children inherit it through ``child``)."""
    if namespace is None:
        return etree.Element(tag, attributes or {})
    return etree.Element(f"{{{namespace}}}{tag}", attributes or {}, nsmap={None: namespace})


def child(parent: etree._Element, tag: str, value: Any = None, attributes: dict[str, str] | None = None
          ) -> etree._Element:
    """A child in the parent's namespace, with ``value`` written as ``written`` does (None: empty)."""
    namespace = etree.QName(parent).namespace
    node = etree.SubElement(parent, f"{{{namespace}}}{tag}" if namespace else tag, attributes or {})
    if value is not None:
        node.text = written(value)
    return node


def written(value: Any) -> str:
    """``true``/``false``, amounts to the cent (``-50.00``), everything else as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def typed(tag: str) -> etree._Element:
    """A root element of a typed (WSDL-declared) result, in the service namespace."""
    return element(tag, namespace=TNS)
