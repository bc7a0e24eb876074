"""Yuki contacts for Focus customers and suppliers, keyed by a code of the connector's.

Contacts belong to the Yuki domain (every administration books on them) and
are never listed: a party is looked up with one ``SearchContacts`` on the
connector's code — ``FC`` and a number derived from the Focus id
(``TargetContext.external_ids``), so the same party has the same code after
the state database is lost — and, when none has it, on its VAT number (a
customer the accountant created keeps its own code). ``UpdateContact`` is
Yuki's create-or-update: it matches by ``ID``, else by ``Code``, so writing a
new contact under the connector's code again after a lost answer updates the
first one instead of making a second.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.builder import ElementMaker

from connectors.domain import Party, PartyRole
from connectors.targets.base import (
    AmbiguousWrite,
    DocumentRefused,
    ExternalIds,
    LookupFailed,
    QuotaSpent,
    TargetError,
    TargetParty,
)
from connectors.targets.yuki.client import YukiClient, child_text, children
from connectors.targets.yuki.faults import YukiFault
from connectors.vat_numbers import compact

log = logging.getLogger(__name__)
CONTACT_NS = "urn:xmlns:http://www.theyukicompany.com:contact"
_C = ElementMaker(namespace=CONTACT_NS, nsmap={None: CONTACT_NS})


def contact_document(party: Party, code: str | None, contact_id: str | None = None) -> etree._Element:
    """The ``UpdateContact`` xmlDoc, elements in Yuki's order; only what Focus knows is sent (a field sent
    empty would clear what the accountant entered)."""
    fields: list[tuple[str, str | None]] = [
        ("ID", contact_id), ("Type", "Person" if party.is_person else "Company"), ("Code", code),
        ("FullName", party.name),
        ("AddressLine_1", party.address.line_1 if party.address else None),
        ("PostCode", party.address.postal_code if party.address else None),
        ("City", party.address.city if party.address else None),
        ("Country", party.address.country if party.address else None),
        ("EmailAddress", party.email), ("PhoneHome", party.phone),
        ("CoCNumber", party.national_id), ("VATNumber", compact(party.vat_number) if party.vat_number else None),
        ("BankAccount", party.iban),
        # Only the roles the documents gave: a contact someone made a supplier stays one.
        ("IsCustomer", "true" if PartyRole.CUSTOMER in party.roles or not party.roles else None),
        ("IsSupplier", "true" if PartyRole.SUPPLIER in party.roles else None),
    ]
    return _C.Contact(*(getattr(_C, name)(value) for name, value in fields if value))


class YukiContacts:
    def __init__(self, client: YukiClient, domain_id, external_ids: ExternalIds):
        self.client = client
        self._domain_id = domain_id  # a callable: the domain is read once, when a contact call needs it
        self._external_ids = external_ids

    def code(self, party: Party) -> str:
        return f"FC{self._external_ids.number_for('contact', f'{party.ref.type}:{party.ref.id}')}"

    def _search(self, party: Party, option: str, value: str) -> list[etree._Element]:
        try:
            result = self.client.call("Contact", "SearchContacts", domainID=self._domain_id(), searchOption=option,
                                      searchValue=value, sortOrder="CreatedAsc", active="Both", pageNumber=1)
        except QuotaSpent:
            raise
        except TargetError as exc:
            raise LookupFailed(f"{party.name}: could not look the contact up in Yuki ({exc})") from None
        return children(result, "Contact")

    def find(self, party: Party, known: TargetParty | None) -> TargetParty | None:
        """The stored contact as is (no call); else one search by the connector's code, then by VAT number.
        A contact holding the code that is not this party's (two Focus ids hashed alike, and the state database
        that told them apart was lost) moves the party to the next number."""
        if known is not None:
            return known
        for _ in range(10):
            code = self.code(party)
            rows = [r for r in self._search(party, "Code", code) if (child_text(r, "Code") or "").lower() == code.lower()]
            if rows and not any(_is_this_party(r, party) for r in rows):
                self._external_ids.reassign("contact", f"{party.ref.type}:{party.ref.id}")
                continue
            if rows:
                return TargetParty(rows[0].get("ID") or "", child_text(rows[0], "Code") or code)
            break
        else:
            raise TargetError(f"{party.name}: no free contact code found in Yuki after 10 tries")
        if party.vat_number:
            rows = self._search(party, "VATNumber", compact(party.vat_number))
            active = [r for r in rows if (child_text(r, "Active") or "true").lower() != "false"] or rows
            if active:
                return TargetParty(active[0].get("ID") or "", child_text(active[0], "Code"))
        return None

    def create(self, party: Party) -> TargetParty:
        code = self.code(party)
        document = contact_document(party, code)
        try:
            node = self._write(party, document)
        except AmbiguousWrite:
            node = self._write(party, document)  # matched by our code: updates the first, never a second contact
        return TargetParty(node.get("ID") or "", child_text(node, "Code") or code)

    def update(self, target: TargetParty, party: Party) -> TargetParty:
        try:
            node = self._write(party, contact_document(party, None, target.id))
        except DocumentRefused as exc:
            if "contact not found" in str(exc).lower():  # deleted in Yuki meanwhile: make it again
                return self.create(party)
            raise
        return TargetParty(node.get("ID") or target.id, child_text(node, "Code") or target.code)

    def _write(self, party: Party, document: etree._Element) -> etree._Element:
        try:
            result = self.client.call("Contact", "UpdateContact", write=True, domainID=self._domain_id(),
                                      xmlDoc={"_value_1": document})
        except YukiFault as exc:
            raise DocumentRefused(f"{party.name}: Yuki refused the contact: {exc.message}; correct the company "
                                  "in Focus or the contact in Yuki", code="refused_by_yuki") from None
        nodes = [result[0]] if len(result) and etree.QName(result[0]).localname == "Contact" else \
            children(result, "Contact")
        if not nodes or not nodes[0].get("ID"):
            raise AmbiguousWrite(f"{party.name}: Yuki's answer to UpdateContact names no contact")
        return nodes[0]


def _is_this_party(row: etree._Element, party: Party) -> bool:
    vat = child_text(row, "VATNumber")
    if party.vat_number and vat:
        return compact(party.vat_number) == compact(vat)
    return (child_text(row, "FullName") or "").strip().casefold() == party.name.strip().casefold()
