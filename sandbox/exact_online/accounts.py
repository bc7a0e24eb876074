"""``crm/Accounts`` writes: 18-character left-padded codes, automatic numbering, no duplicates.

Exact stores ``Code`` right-aligned in 18 characters (``"              1024"``) and
compares the padded value, so a client must pad (or ``trim()``) when it
filters. POST accepts the code padded or not; without one the next numeric
code (highest numeric code + 1) is assigned. ``SearchCode`` (what a client can
find a relation by again) is stored as sent, at most 10 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.exact_online.books import Books, Doc
from sandbox.exact_online.entities import ACCOUNTS
from sandbox.exact_online.odata import ODataError
from sandbox.exact_online.odata.values import wire_timestamp
from sandbox.exact_online.payload import read_body, required

CODE_WIDTH = 18
#: The longest ``SearchCode``: Exact's reference (and picqer's / Exact's .NET models of it) give
#: no length, so the sandbox takes the 10 characters the Exact UI is commonly reported to allow.
SEARCH_CODE_WIDTH = 10
#: What a client may set; everything else is computed or fixed.
WRITABLE = ("Name", "VATNumber", "ChamberOfCommerce", "IsSupplier", "IsSales", "Status", "Blocked",
            "AddressLine1", "Postcode", "City", "Country", "Email", "Language", "SearchCode")
STATUSES = ("", "A", "S", "P", "C")


def padded(code: str) -> str:
    return code.strip().rjust(CODE_WIDTH)


def _code(books: Books, given: str | None, own_id: str | None) -> str:
    accounts = [doc for doc in books.docs(ACCOUNTS.path) if doc["ID"] != own_id]
    if given is None or not given.strip():
        numbers = [int(doc["Code"]) for doc in accounts if doc["Code"].strip().isdigit()]
        return padded(str(max(numbers, default=0) + 1))
    if len(given.strip()) > CODE_WIDTH:
        raise ODataError(f"Code: at most {CODE_WIDTH} characters.")
    code = padded(given)
    if any(doc["Code"] == code for doc in accounts):
        raise ODataError(f"Code {given.strip()} already exists.")
    return code


def _apply(doc: Doc, values: dict[str, Any]) -> None:
    search_code = values.get("SearchCode")
    if search_code is not None and len(search_code) > SEARCH_CODE_WIDTH:
        raise ODataError(f"SearchCode: at most {SEARCH_CODE_WIDTH} characters.")
    for name in WRITABLE:
        if name in values:
            doc[name] = values[name]
    if doc["Status"] not in STATUSES:
        raise ODataError(f"Status must be one of {', '.join(repr(s) for s in STATUSES)}.")
    if doc["Country"]:
        doc["Country"] = doc["Country"].upper()
    if not doc["Name"]:
        raise ODataError("Name: Mandatory field.")


def create_account(books: Books, body: Any, new_id: Callable[[], str], now: float) -> Doc:
    values = read_body(body, ACCOUNTS)
    required(values, "Name")
    stamp = wire_timestamp(now)
    doc: Doc = {name: None for name in ACCOUNTS.properties}
    doc.update(ID=new_id(), Code=_code(books, values.get("Code"), None), IsSupplier=False, IsSales=False,
               Status="", Blocked=False, Type="A", Division=books.division, Created=stamp, Modified=stamp)
    _apply(doc, values)
    books.store.insert(ACCOUNTS.path, books.division, doc["ID"], doc)
    return doc


def update_account(books: Books, doc: Doc, body: Any, now: float) -> None:
    values = read_body(body, ACCOUNTS)
    if values.get("Code"):
        doc["Code"] = _code(books, values["Code"], doc["ID"])
    _apply(doc, values)
    doc["Modified"] = wire_timestamp(now)
    books.store.update(ACCOUNTS.path, books.division, doc["ID"], doc)
