"""``Contact.UpdateContact`` and ``Contact.SearchContacts``.

UpdateContact (create-or-update, apis.md §4.6): the xmlDoc is one
``<Contact>`` (``layouts.CONTACT``; a wrong root or a schema violation is a
``soap:Server`` fault with the validation message). It matches by ``ID``
(given but unknown: fault), else by ``Code``, else by ``Type`` + ``FullName``;
found, every element sent overwrites that field (an empty one clears it),
the others stay; not found, a contact is created (``FullName`` defaults to
first/middle/last name and is required; ``Type`` defaults to Company; a
missing ``Code`` is assigned). A code another contact already has is a fault.
The result (SILENT) is the contact as the search shows it, with
``Action="Created"`` or ``"Updated"``.

SearchContacts: ``searchOption`` names the field ``searchValue`` is looked
for in (a case-insensitive substring; ``Code``, ``ID``, ``ContactType`` and
``HID`` compare whole values, ``VATNumber`` / ``CoCNumber`` / ``BankAccount``
ignoring spaces and dots; ``All`` searches every text field; an empty value
finds everything; ``Tag`` finds nothing: the sandbox has no tags).
``modifiedAfter`` (null: no filter) keeps contacts written after it,
``active`` filters on ``Active``, ``sortOrder`` sorts (ties by HID), and
``pageNumber`` (1-based; below 1 reads as 1) picks a page of ``PAGE_SIZE``
(100, SILENT). Result: ``<Contacts PageNumber="1" PageSize="100"
TotalCount="n"><Contact ID="guid"><Type/><Code/>…<Created/><Modified/>``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from lxml import etree

from sandbox.yuki.contactbook import ContactBook
from sandbox.yuki.context import Call
from sandbox.yuki.layouts import CONTACT, CONTACT_FLAGS, CONTACT_NS, CONTACT_TEXT_FIELDS
from sandbox.yuki.quotas import AMSTERDAM
from sandbox.yuki.schema import SchemaError, validate
from sandbox.yuki.soap import SoapFault
from sandbox.yuki.store import Doc, Record
from sandbox.yuki.xmlout import child, element

PAGE_SIZE = 100
TYPES = {"0": "Person", "2": "Company", "Person": "Person", "Company": "Company"}
_EXACT = {"Code": "Code", "ID": "ID", "ContactType": "Type"}
_COMPACT = {"VATNumber": "VATNumber", "CoCNumber": "CoCNumber", "BankAccount": "BankAccount"}
_SUBSTRING = {"Name": ("FullName",), "City": ("City", "MailCity"), "Postcode": ("PostCode", "MailPostCode"),
              "Email": ("EmailAddress",), "Website": ("Website",), "Phone": ("PhoneHome", "MobileHome")}
_SORTS = {"Name": lambda r: r.doc["FullName"].lower(), "LastName": lambda r: r.doc["LastName"].lower(),
          "CreatedAsc": lambda r: r.created, "CreatedDesc": lambda r: -r.created,
          "ModifiedAsc": lambda r: r.modified, "ModifiedDesc": lambda r: -r.modified, "HID": lambda r: r.hid}


def _stamp(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, AMSTERDAM).isoformat(timespec="seconds")


def contact_xml(record: Record, action: str | None = None) -> etree._Element:
    doc = record.doc
    node = element("Contact", {"ID": doc["ID"], **({"Action": action} if action else {})})
    child(node, "Type", doc["Type"])
    for name in (*CONTACT_TEXT_FIELDS, *CONTACT_FLAGS):
        child(node, name, doc[name])
    child(node, "HID", record.hid)
    child(node, "Created", _stamp(record.created))
    child(node, "Modified", _stamp(record.modified))
    return node


def _fields(document: etree._Element) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for node in document:
        if not isinstance(node.tag, str):
            continue
        name, value = etree.QName(node).localname, (node.text or "").strip()
        fields[name] = value in ("true", "1") if name in CONTACT_FLAGS else TYPES.get(value, value)
    return fields


def update_contact(call: Call) -> etree._Element:
    domain = call.domain(call.param("domainID"))
    document = call.param("xmlDoc")
    if document is None or document.tag != f"{{{CONTACT_NS}}}Contact":
        found = "nothing" if document is None else f"'{etree.QName(document).localname}'"
        raise SoapFault(f"xmlDoc must be a Contact element in namespace '{CONTACT_NS}', not {found}")
    try:
        validate(document, CONTACT, CONTACT_NS)
    except SchemaError as error:
        raise SoapFault(error.message) from None
    fields = _fields(document)
    book, now = ContactBook(call.store, domain["ID"]), call.clock.now()
    if fields.get("ID"):
        found = book.by_id(fields["ID"])
        if found is None:
            raise SoapFault(f"Contact not found: {fields['ID']}")
    elif fields.get("Code"):
        found = book.by_code(fields["Code"])
        if found is not None:
            fields["Code"] = found["Code"]  # the key it was found by keeps its spelling
    else:
        found = book.by_name(fields.get("FullName", ""), fields.get("Type", "Company"))
    clash = book.by_code(fields["Code"]) if fields.get("Code") else None
    if found is not None and clash is not None and clash["ID"] != found["ID"]:
        raise SoapFault(f"Code {fields['Code']} is already used by another contact")
    fields.pop("ID", None)
    if found is None:
        if not fields.get("FullName"):
            names = (fields.get(part, "") for part in ("FirstName", "MiddleName", "LastName"))
            fields["FullName"] = " ".join(part for part in names if part)
        if not fields["FullName"]:
            raise SoapFault("FullName is required for a new contact")
        created = book.create(fields, now)
        return contact_xml(_record(book, created["ID"]), "Created")
    book.save(found | fields, now)
    return contact_xml(_record(book, found["ID"]), "Updated")


def _record(book: ContactBook, contact_id: str) -> Record:
    return next(row for row in book.rows() if row.doc["ID"] == contact_id)


def _compact(value: Any) -> str:
    return re.sub(r"[\s.]", "", str(value)).lower()


def _matches(record: Record, option: str, value: str) -> bool:
    doc, wanted = record.doc, value.strip().lower()
    if not wanted:
        return True
    if option in _EXACT:
        return str(doc[_EXACT[option]]).strip().lower() == wanted
    if option in _COMPACT:
        return _compact(doc[_COMPACT[option]]) == _compact(wanted)
    if option == "HID":
        return str(record.hid) == wanted
    if option == "Tag":
        return False
    fields = _SUBSTRING.get(option, CONTACT_TEXT_FIELDS)
    return any(wanted in str(doc[name]).lower() for name in fields)


def search_contacts(call: Call) -> etree._Element:
    domain = call.domain(call.param("domainID"))
    option, value = call.param("searchOption"), call.param("searchValue") or ""
    after: dt.datetime | None = call.param("modifiedAfter")
    active = call.param("active")
    rows = [row for row in ContactBook(call.store, domain["ID"]).rows()
            if _matches(row, option, value)
            and (after is None or row.modified > after.timestamp())
            and (active == "Both" or row.doc["Active"] == (active == "Active"))]
    rows.sort(key=lambda row: (_SORTS[call.param("sortOrder")](row), row.hid))
    page = max(1, call.param("pageNumber"))
    root = element("Contacts", {"PageNumber": str(page), "PageSize": str(PAGE_SIZE), "TotalCount": str(len(rows))})
    for row in rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]:
        root.append(contact_xml(row))
    return root


def contact_doc(record: Record) -> Doc:
    """Admin listing: the stored contact plus its stamps."""
    return record.doc | {"HID": record.hid, "Created": _stamp(record.created), "Modified": _stamp(record.modified)}
