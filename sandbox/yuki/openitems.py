"""Open items: ``OutstandingDebtorItems``, ``OutstandingCreditorItems``, ``CheckOutstandingItem(Admin)``.

Debtor items are the booked sales documents with something open, creditor
items the purchase ones; one ``Item`` per document, ``ID`` the document's
GUID, fields in the order of apis.md §4.4 (Yuki's official schema):
``Date, Description, Contact, OpenAmount, OriginalAmount, Type ID, Reference,
DueDate, ContactCode, CoCNumber, VATNumber, AddressLine_1, AddressLine_2,
Postcode, City, MailAddressLine_1, MailAddressLine_2, MailPostcode, MailCity,
Country, ContactID`` (contact fields as the contact is now). Amounts are
signed like the document (invoices positive, credit notes negative) with two
decimals; dates ``yyyy-mm-dd``. ``Type`` (SILENT): ``ID`` 1 sales invoice, 2
sales credit note, 3 purchase invoice, 4 purchase credit note, with a Dutch
description as text. ``sortOrder`` sorts by contact name, open amount or date
(ties in booking order); ``includeBankTransactions`` changes nothing (the
sandbox has no unallocated bank transactions).

``CheckOutstandingItemAdmin(sessionID, administrationID, Reference)`` answers
``<OutstandingItems>`` with the open documents (sales and purchase) whose
``Reference`` is exactly that one: empty when paid or not booked, two items
when it was booked twice. ``CheckOutstandingItem(sessionID, Reference)`` does
the same across the session's administrations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lxml import etree

from sandbox.yuki.booking import PURCHASE, SALES
from sandbox.yuki.contactbook import ContactBook
from sandbox.yuki.context import Call
from sandbox.yuki.standings import Standing, standings
from sandbox.yuki.store import Doc
from sandbox.yuki.xmlout import child, element

TYPES = {(SALES, False): (1, "Verkoopfactuur"), (SALES, True): (2, "Creditnota verkoop"),
         (PURCHASE, False): (3, "Inkoopfactuur"), (PURCHASE, True): (4, "Creditnota inkoop")}
_CONTACT_FIELDS = (("CoCNumber", "CoCNumber"), ("VATNumber", "VATNumber"), ("AddressLine_1", "AddressLine_1"),
                   ("AddressLine_2", "AddressLine_2"), ("Postcode", "PostCode"), ("City", "City"),
                   ("MailAddressLine_1", "MailAddressLine_1"), ("MailAddressLine_2", "MailAddressLine_2"),
                   ("MailPostcode", "MailPostCode"), ("MailCity", "MailCity"), ("Country", "Country"))
_SORTS: dict[str, Callable[[Standing], Any]] = {
    "ContactAsc": lambda s: s.doc["ContactName"].lower(), "ContactDesc": lambda s: s.doc["ContactName"].lower(),
    "AmountAsc": lambda s: s.open, "AmountDesc": lambda s: s.open,
    "DateAsc": lambda s: s.doc["Date"], "DateDesc": lambda s: s.doc["Date"]}


def _item(parent: etree._Element, standing: Standing, contacts: dict[str, Doc]) -> None:
    doc = standing.doc
    contact = contacts.get(doc["ContactID"], {})
    node = child(parent, "Item", attributes={"ID": doc["ID"]})
    child(node, "Date", doc["Date"])
    child(node, "Description", doc["Subject"])
    child(node, "Contact", contact.get("FullName", doc["ContactName"]))
    child(node, "OpenAmount", standing.open)
    child(node, "OriginalAmount", standing.amount)
    type_id, description = TYPES[doc["Kind"], standing.amount < 0]
    child(node, "Type", description, {"ID": str(type_id)})
    child(node, "Reference", doc["Reference"])
    child(node, "DueDate", doc["DueDate"])
    child(node, "ContactCode", contact.get("Code", doc["ContactCode"]))
    for name, field in _CONTACT_FIELDS:
        child(node, name, contact.get(field, ""))
    child(node, "ContactID", doc["ContactID"])


def _open(call: Call, administration: Doc, kind: str | None) -> list[Standing]:
    return [s for s in standings(call.store, administration["ID"], kind) if s.booked and s.open != 0]


def _contacts(call: Call, administration: Doc) -> dict[str, Doc]:
    return {doc["ID"]: doc for doc in ContactBook(call.store, administration["DomainID"]).docs()}


def _outstanding(call: Call, kind: str, root: str) -> etree._Element:
    administration = call.administration(call.param("administrationID"))
    order = call.param("sortOrder")
    items = sorted(_open(call, administration, kind), key=_SORTS[order], reverse=order.endswith("Desc"))
    result = element(root)
    contacts = _contacts(call, administration)
    for standing in items:
        _item(result, standing, contacts)
    return result


def outstanding_debtor_items(call: Call) -> etree._Element:
    return _outstanding(call, SALES, "OutstandingDebtorItems")


def outstanding_creditor_items(call: Call) -> etree._Element:
    return _outstanding(call, PURCHASE, "OutstandingCreditorItems")


def _check(call: Call, administrations: list[Doc]) -> etree._Element:
    reference = call.param("Reference") or ""
    result = element("OutstandingItems")
    for administration in administrations:
        contacts = _contacts(call, administration)
        for standing in _open(call, administration, None):
            if standing.doc["Reference"] == reference:
                _item(result, standing, contacts)
    return result


def check_outstanding_item_admin(call: Call) -> etree._Element:
    return _check(call, [call.administration(call.param("administrationID"))])


def check_outstanding_item(call: Call) -> etree._Element:
    return _check(call, call.administrations())
