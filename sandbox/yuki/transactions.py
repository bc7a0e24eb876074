"""``AccountingInfo.GetTransactionDetails``: the general-ledger lines of the booked documents, typed.

Parameters as the live WSDL has them (github maartendeblock/yuki-api-client,
``AccountingInfo/Type/GetTransactionDetails.php``): ``sessionID``,
``administrationID``, ``GLAccountCode`` (empty or missing: every account,
"leeglaten voor alle rekeningen"), ``StartDate`` / ``EndDate``
(``s:dateTime``; missing reads as .NET's ``0001-01-01T00:00:00``) and
``financialMode`` (``s:int``, 1 fiscal, 0 commercial: the same here). The
result is ``ArrayOfTransactionInfo``: one ``TransactionInfo`` per line of the
booking entry of every booked sales or purchase document of the
administration (never drafts; deleted documents are gone) whose date lies in
``StartDate``..``EndDate`` (date parts, inclusive; start after end: none),
only the lines on ``GLAccountCode`` when one is given (exact code). Order:
document date, booking order, entry line order. No paging (the live WSDL has
none); payments and matches are not transactions here (the bank documents
are not emulated).

Per line (SILENT, the sandbox's): ``transactionAmount`` the entry amount,
debit positive, two decimals (also ``transactionAmountForeignCurrency``;
``currencyRate`` 1, ``currency`` EUR); ``description`` the document's Subject
(else Reference) on the receivable/payable line, the entry's own description
elsewhere; ``taxCodeDescription`` the VAT type's description on VAT lines;
``documentType`` the open items' Type text; contact fields as the contact is
now (``contactHID`` its HID); ``hID`` the line's running number in the
administration (given at booking; empty for a document stored before the
sandbox numbered lines); ``id`` a GUID derived from the document and line;
``periodId`` ``YYYY-MM``; ``company`` the administration's name;
``mutationUser`` ``sandbox``; project and archive folder fields empty.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from lxml import etree

from sandbox.yuki.amounts import ZERO, cents
from sandbox.yuki.chart import Ledger
from sandbox.yuki.contactbook import ContactBook
from sandbox.yuki.context import Call
from sandbox.yuki.openitems import TYPES
from sandbox.yuki.store import DOCUMENT, Doc, Record
from sandbox.yuki.xmlout import child, typed

#: TransactionInfo fields in WSDL order with their XSD types (the live WSDL's, via the PHP types).
TRANSACTION_INFO_FIELDS = (
    ("id", "string"), ("hID", "string"), ("transactionDate", "dateTime"), ("description", "string"),
    ("transactionAmount", "double"), ("transactionAmountForeignCurrency", "double"), ("currencyRate", "double"),
    ("currency", "string"), ("taxCodeDescription", "string"), ("fullName", "string"), ("CoCNumber", "string"),
    ("VATNumber", "string"), ("contactHID", "int"), ("contactCode", "string"), ("contactCountry", "string"),
    ("contactZipcode", "string"), ("project", "string"), ("projectCode", "string"), ("glAccountCode", "string"),
    ("documentID", "string"), ("documentReference", "string"), ("documentType", "string"),
    ("documentFolder", "string"), ("documentFolderTab", "string"), ("contactID", "string"), ("periodId", "string"),
    ("company", "string"), ("mutationUser", "string"))
MUTATION_USER = "sandbox"


def _amount(value: Any) -> str:
    amount = cents(Decimal(str(value)))
    return f"{ZERO if amount == 0 else amount:.2f}"  # never "-0.00"


def _line_id(document_id: str, index: int) -> str:
    """A stable GUID per entry line: the same on every read."""
    return str(uuid.uuid5(uuid.UUID(document_id), f"entry-line-{index}"))


def _info(administration: Doc, ledger: Ledger, record: Record, index: int, contact: Record | None) -> etree._Element:
    doc, line = record.doc, record.doc["Entry"][index]
    person = contact.doc if contact is not None else {}
    vat = ledger.vat_type(line["VATType"]) if line.get("VATType") is not None else None
    amount = _amount(line["Amount"])
    values: dict[str, Any] = {
        "id": _line_id(doc["ID"], index), "hID": line.get("HID", ""), "transactionDate": f"{doc['Date']}T00:00:00",
        "description": (doc["Subject"] or doc["Reference"]) if index == 0 else (line["Description"] or ""),
        "transactionAmount": amount, "transactionAmountForeignCurrency": amount, "currencyRate": 1,
        "currency": doc.get("Currency") or "EUR", "taxCodeDescription": vat.description if vat else "",
        "fullName": person.get("FullName", doc["ContactName"]), "CoCNumber": person.get("CoCNumber", ""),
        "VATNumber": person.get("VATNumber", ""), "contactHID": contact.hid if contact is not None else 0,
        "contactCode": person.get("Code", doc["ContactCode"]), "contactCountry": person.get("Country", ""),
        "contactZipcode": person.get("PostCode", ""), "project": "", "projectCode": "",
        "glAccountCode": line["GLAccountCode"], "documentID": doc["ID"], "documentReference": doc["Reference"],
        "documentType": TYPES[doc["Kind"], Decimal(str(doc["Amount"])) < 0][1], "documentFolder": "",
        "documentFolderTab": "", "contactID": doc["ContactID"], "periodId": doc["Date"][:7],
        "company": administration["Name"], "mutationUser": MUTATION_USER}
    node = typed("TransactionInfo")
    for name, _ in TRANSACTION_INFO_FIELDS:
        child(node, name, values[name])
    return node


def _within(doc: Doc, start: dt.date, end: dt.date) -> bool:
    return start <= dt.date.fromisoformat(doc["Date"]) <= end


def get_transaction_details(call: Call) -> list[etree._Element]:
    administration = call.administration(call.param("administrationID"))
    start, end = call.param("StartDate").date(), call.param("EndDate").date()
    code = call.param("GLAccountCode") or ""
    records = [record for record in call.store.rows(DOCUMENT, administration["ID"])
               if record.doc["Status"] == "booked" and _within(record.doc, start, end)]
    records.sort(key=lambda record: record.doc["Date"])  # stable: booking order within a date
    contacts = {row.doc["ID"]: row for row in ContactBook(call.store, administration["DomainID"]).rows()}
    ledger = Ledger(administration["Country"])
    return [_info(administration, ledger, record, index, contacts.get(record.doc["ContactID"]))
            for record in records for index, line in enumerate(record.doc["Entry"])
            if not code or line["GLAccountCode"] == code]
