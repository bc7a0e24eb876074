"""Domains, administrations and the GL scheme: what a client reads before it writes anything.

Raw-XML shapes (``s:any``): ``Administrations`` as apis.md §4.2 gives it
(``<Administrations><Administration ID="guid"><Name/>…<DomainID/>``); the
elements between ``Name`` and ``DomainID`` and the ``Domains`` /
``GetCurrentDomain`` shapes are SILENT and the sandbox's (README).
``GetGLAccountScheme`` is typed (``ArrayOfGlAccount``), field names as the WSDL
has them, ``descripton`` [sic] included.
"""

from __future__ import annotations

from lxml import etree

from sandbox.yuki.chart import REVENUE, SCHEMES, GlAccount
from sandbox.yuki.context import Call
from sandbox.yuki.soap import SoapFault
from sandbox.yuki.store import Doc
from sandbox.yuki.xmlout import child, element, typed

ADMINISTRATION_FIELDS = ("Name", "Code", "AddressLine", "Postcode", "City", "Country", "CoCNumber", "VATNumber",
                         "StartDate", "DomainID")


def _administration(parent: etree._Element, doc: Doc) -> None:
    node = child(parent, "Administration", attributes={"ID": doc["ID"]})
    for field in ADMINISTRATION_FIELDS:
        child(node, field, doc.get(field) or "")


def administrations(call: Call) -> etree._Element:
    root = element("Administrations")
    for doc in call.administrations():
        _administration(root, doc)
    return root


def administration_id(call: Call) -> str:
    """The GUID of the administration named ``administrationName`` (ignoring case)."""
    name = (call.param("administrationName") or "").strip().lower()
    found = next((doc for doc in call.administrations() if doc["Name"].lower() == name), None)
    if found is None:
        raise SoapFault(f"Administration not found: {call.param('administrationName') or ''}")
    return str(found["ID"])


def _domain(doc: Doc, tag: str = "Domain") -> etree._Element:
    node = element(tag, {"ID": doc["ID"]})
    child(node, "Name", doc["Name"])
    child(node, "URL", doc["URL"])
    return node


def domains(call: Call) -> etree._Element:
    root = element("Domains")
    root.append(_domain(call.domain()))
    return root


def current_domain(call: Call) -> etree._Element:
    return _domain(call.domain())


def _gl_account(account: GlAccount) -> etree._Element:
    node = typed("GlAccount")
    cost = account.type == 2 and account.subtype != REVENUE
    for name, value in (("code", account.code), ("type", account.type), ("subtype", account.subtype),
                        ("isEnabled", account.enabled), ("descripton", account.nl), ("descriptionNL", account.nl),
                        ("descriptionFR", account.fr), ("descriptionEN", account.en),
                        ("isVATApplicable", account.type == 2), ("deductableVATPercentage", 100 if cost else 0),
                        ("professionalPercentage", 100 if cost else 0)):
        child(node, name, value)
    return node


def gl_account_scheme(call: Call) -> list[etree._Element]:
    administration = call.administration(call.param("administrationID"))
    return [_gl_account(account) for account in SCHEMES[administration["Country"]]]
