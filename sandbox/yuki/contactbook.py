"""A domain's contacts: lookups by id, code and name, new codes, and writes.

Contacts belong to the domain (``Contact.asmx`` takes a ``domainID``), so
every administration of a domain books on the same contacts. Codes and
names compare ignoring case and surrounding spaces. A contact created
without a code gets the next free numeric code (highest numeric code + 1,
1001 in an empty domain).
"""

from __future__ import annotations

import uuid
from typing import Any

from sandbox.yuki.layouts import CONTACT_FLAGS, CONTACT_TEXT_FIELDS
from sandbox.yuki.store import CONTACT, Doc, Record, YukiStore


def _key(value: Any) -> str:
    return str(value or "").strip().lower()


def empty_contact() -> Doc:
    return ({"ID": "", "Type": "Company"} | {name: "" for name in CONTACT_TEXT_FIELDS}
            | {name: False for name in CONTACT_FLAGS} | {"Active": True})


class ContactBook:
    def __init__(self, store: YukiStore, domain: str) -> None:
        self.store = store
        self.domain = domain

    def rows(self) -> list[Record]:
        return self.store.rows(CONTACT, self.domain)

    def docs(self) -> list[Doc]:
        return [row.doc for row in self.rows()]

    def by_id(self, contact_id: str) -> Doc | None:
        return next((doc for doc in self.docs() if _key(doc["ID"]) == _key(contact_id)), None)

    def by_code(self, code: str) -> Doc | None:
        return next((doc for doc in self.docs() if _key(code) and _key(doc["Code"]) == _key(code)), None)

    def by_name(self, full_name: str, contact_type: str | None = None) -> Doc | None:
        return next((doc for doc in self.docs() if _key(full_name) and _key(doc["FullName"]) == _key(full_name)
                     and (contact_type is None or doc["Type"] == contact_type)), None)

    def next_code(self) -> str:
        numbers = [int(doc["Code"]) for doc in self.docs() if str(doc["Code"]).strip().isdigit()]
        return str(max(numbers, default=1000) + 1)

    def create(self, fields: Doc, now: float) -> Doc:
        doc = empty_contact() | fields | {"ID": str(uuid.uuid4())}
        if not str(doc["Code"]).strip():
            doc["Code"] = self.next_code()
        self.store.put(CONTACT, self.domain, doc["ID"], doc, now)
        return doc

    def save(self, doc: Doc, now: float) -> None:
        self.store.put(CONTACT, self.domain, doc["ID"], doc, now)
