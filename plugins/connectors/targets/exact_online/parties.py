"""Exact Online accounts for Focus customers and suppliers.

All accounts of the division are read once per task in one paged listing and
indexed by id, by the connector's key and by VAT number, so finding a party
costs no call and absence is proven by a complete read. Every account the
connector creates carries its key in ``SearchCode`` — ``FC`` and eight
characters derived from the Focus id — so it is found again after a lost
answer or a lost state database even without a VAT number. Accounts that
were matched by VAT number (made by someone else) keep their own search code.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from connectors.domain import Party, PartyRole
from connectors.fitting import report_party_cuts
from connectors.targets.base import AmbiguousWrite, LookupFailed, TargetError, TargetParty
from connectors.targets.exact_online.api import ExactApi, guid, quote
from connectors.vat_numbers import compact

log = logging.getLogger(__name__)

#: Exact's search code holds 10 characters: "FC" + 8 of base32 (40 bits of the Focus id's hash).
KEY_LENGTH = 10
#: What the connector cuts to fit an account, by field of ``Party`` (Exact's REST reference states no
#: lengths; 100 is the account name Exact keeps). Any other field is sent whole: a value Exact finds too
#: long is refused with its message, never shortened without a word.
FIELD_LIMITS = {"name": 100}


def fitted(party: Party, field: str) -> str:
    """The party's ``field`` as Exact Online keeps it."""
    return getattr(party, field)[:FIELD_LIMITS[field]]


def report_cuts(party: Party) -> list[str]:
    """One WARNING per field that does not fit (``connectors.fitting``)."""
    return report_party_cuts(party, FIELD_LIMITS, "Exact Online")


def party_key(party: Party) -> str:
    digest = hashlib.sha256(f"{party.ref.type}:{party.ref.id}".encode()).digest()
    return "FC" + base64.b32encode(digest).decode()[: KEY_LENGTH - 2]


def account_body(party: Party) -> dict[str, Any]:
    body: dict[str, Any] = {"Name": fitted(party, "name")}
    if party.vat_number:
        body["VATNumber"] = party.vat_number
    if party.address:
        body.update(AddressLine1=party.address.line_1, Postcode=party.address.postal_code,
                    City=party.address.city, Country=party.address.country)
    if party.email:
        body["Email"] = party.email
    if PartyRole.CUSTOMER in party.roles or not party.roles:
        body["Status"] = "C"
    if PartyRole.SUPPLIER in party.roles:
        body["IsSupplier"] = True
    return body


def _party(row: dict[str, Any]) -> TargetParty:
    return TargetParty(row["ID"], str(row.get("Code") or "").strip() or None)


@dataclass(frozen=True)
class Account:
    """What the index keeps of an account: enough to tell a key collision from the party's own account."""

    party: TargetParty
    name: str
    vat: str | None

    def is_for(self, party: Party) -> bool:
        if party.vat_number and self.vat:
            return compact(party.vat_number) == compact(self.vat)
        return self.name.strip().casefold() == fitted(party, "name").strip().casefold()


def _account(row: dict[str, Any]) -> Account:
    return Account(_party(row), row.get("Name") or "", row.get("VATNumber") or None)


class ExactParties:
    def __init__(self, api: ExactApi):
        self.api = api
        self._index: dict[str, dict] | None = None

    def _accounts(self) -> dict[str, dict]:
        """By id, by the connector's key (a list: 40 bits of hash may collide) and by VAT number."""
        if self._index is None:
            index: dict[str, dict] = {"id": {}, "key": {}, "vat": {}}
            for row in self.api.list("crm/Accounts", {"$select": "ID,Code,Name,VATNumber,SearchCode"}):
                self._remember(index, _account(row), (row.get("SearchCode") or "").strip())
            self._index = index
        return self._index

    @staticmethod
    def _remember(index, account: Account, key: str | None) -> None:
        index["id"][account.party.id] = account.party
        if key:
            index["key"].setdefault(key, []).append(account)
        if account.vat:
            index["vat"].setdefault(compact(account.vat), account.party)

    def find(self, party: Party, known: TargetParty | None, *, fresh: bool = False) -> TargetParty | None:
        """The stored account, else ours by key (checked to be this party's), else one with the same VAT number;
        None = not there. ``fresh`` reads the accounts again first (someone may have created it since)."""
        if fresh:
            self._index = None
        index = self._accounts()
        if known is not None and known.id in index["id"]:
            return index["id"][known.id]
        found = next((a.party for a in index["key"].get(party_key(party), []) if a.is_for(party)), None)
        if found is None and party.vat_number:
            found = index["vat"].get(compact(party.vat_number))
        return found

    def create(self, party: Party) -> TargetParty:
        report_cuts(party)
        return self._create(party)

    def _create(self, party: Party) -> TargetParty:
        key = party_key(party)
        try:
            row = self.api.post("crm/Accounts", {**account_body(party), "SearchCode": key})
        except AmbiguousWrite as exc:
            found = self._lookup(party, key)
            if found is None:
                raise AmbiguousWrite(f"{party.name}: Exact Online did not confirm the new account ({exc}) and it "
                                     "is not there yet; it is looked up again before any second create") from None
            return found
        created = Account(_party(row), fitted(party, "name"), party.vat_number)
        self._remember(self._accounts(), created, key)
        return created.party

    def _lookup(self, party: Party, key: str) -> TargetParty | None:
        """One filtered read by the connector's key, after a create whose answer was lost."""
        try:
            rows = list(self.api.list("crm/Accounts", {"$select": "ID,Code,Name,VATNumber",
                                                       "$filter": f"SearchCode eq {quote(key)}"}))
        except TargetError as exc:
            raise LookupFailed(f"{party.name}: could not check whether Exact Online created the account ({exc})") \
                from None
        account = next((a for a in map(_account, rows) if a.is_for(party)), None)
        if account is None:
            return None
        self._remember(self._accounts(), account, key)
        return account.party

    def update(self, target: TargetParty, party: Party) -> TargetParty:
        report_cuts(party)
        if not self.api.put(f"crm/Accounts({guid(target.id)})", account_body(party)):
            return self._create(party)  # deleted in Exact meanwhile: make it again
        return target
