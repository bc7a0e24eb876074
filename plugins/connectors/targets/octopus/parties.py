"""Octopus relations for Focus customers and suppliers, keyed by a number of the connector's.

Relations are never listed (2 listings a day). Each party gets an
``externalRelationId`` derived from its Focus id (``TargetContext.external_ids``),
so the same party has the same number even after the state database is lost.
A new party is looked up in one search — its VAT number *or* that number
(Octopus ORs search parameters) — and written with one upserting ``PUT``
keyed by the number: repeating that PUT after a lost answer merges into the
first, never a second relation.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx
from stdnum.eu import vat as eu_vat

from connectors.domain import Party, PartyRole
from connectors.fitting import report_party_cuts
from connectors.targets.base import (
    AmbiguousWrite,
    DocumentRefused,
    ExternalIds,
    LookupFailed,
    TargetError,
    TargetParty,
)
from connectors.targets.octopus.api import OctopusApi
from connectors.vat_numbers import belgian_dotted, compact

log = logging.getLogger(__name__)

#: What the connector cuts to fit a relation, by field of ``Party`` (the Octopus API reference states no
#: lengths; 100 is the relation name Octopus keeps). Any other field is sent whole: a value Octopus finds
#: too long is refused with its message, never shortened without a word.
FIELD_LIMITS = {"name": 100}

#: Octopus ``vatType`` of a relation.
VAT_TYPE_BE, VAT_TYPE_EU, VAT_TYPE_NON_EU = 1, 4, 6
VAT_TYPE_PRIVATE_BE, VAT_TYPE_PRIVATE_EU, VAT_TYPE_PRIVATE_NON_EU = 7, 8, 9
EU = frozenset(code.upper() for code in eu_vat.MEMBER_STATES) - {"XI"}
LANGUAGES = {"nl": 0, "fr": 1, "en": 2, "de": 3}


def octopus_vat_number(value: str) -> str:
    """Octopus wants ``BE0xxx.xxx.xxx`` for Belgian numbers; others compact."""
    return belgian_dotted(value)


def _vat_type(party: Party) -> int:
    country = (party.address.country if party.address else None) or (party.vat_number or "")[:2] or "BE"
    country = country.upper()
    if party.vat_number and eu_vat.is_valid(party.vat_number):
        return VAT_TYPE_BE if country == "BE" else VAT_TYPE_EU if country in EU else VAT_TYPE_NON_EU
    if party.vat_number and country not in EU:
        return VAT_TYPE_NON_EU
    return VAT_TYPE_PRIVATE_BE if country == "BE" else VAT_TYPE_PRIVATE_EU if country in EU \
        else VAT_TYPE_PRIVATE_NON_EU


def fitted(party: Party, field: str) -> str:
    """The party's ``field`` as Octopus keeps it."""
    return getattr(party, field)[:FIELD_LIMITS[field]]


def report_cuts(party: Party) -> list[str]:
    """One WARNING per field that does not fit (``connectors.fitting``)."""
    return report_party_cuts(party, FIELD_LIMITS, "Octopus")


def relation_body(party: Party, external_id: int, relation_id: str | None = None) -> dict[str, Any]:
    identification: dict[str, Any] = {"externalRelationId": external_id}
    if relation_id is not None:
        identification["relationKey"] = {"id": int(relation_id)}
    body: dict[str, Any] = {
        "relationIdentificationServiceData": identification,
        "name": fitted(party, "name"),
        "currencyCode": "EUR",
        "vatType": _vat_type(party),
        "active": True,
    }
    # Only the roles the documents gave the party: Octopus merges what is sent, so a relation someone else
    # made a supplier stays one when the connector books a sale to it.
    if PartyRole.CUSTOMER in party.roles or not party.roles:
        body["client"] = True
    if PartyRole.SUPPLIER in party.roles:
        body["supplier"] = True
    if party.vat_number:
        body["vatNr"] = octopus_vat_number(party.vat_number)
    if party.address:
        body.update(streetAndNr=party.address.line_1, postalCode=party.address.postal_code,
                    city=party.address.city, country=party.address.country)
    if party.email:
        body["email"] = party.email
    if party.phone:
        body["telephone"] = party.phone
    if party.iban:
        body["ibanAccountNr"] = party.iban
    if party.bic:
        body["bicCode"] = party.bic
    if party.language and party.language[:2].lower() in LANGUAGES:
        body["factLanguage"] = LANGUAGES[party.language[:2].lower()]
    return body


def _identification(row: dict[str, Any]) -> dict[str, Any]:
    return row.get("relationIdentificationServiceData") or {}


def is_this_party(row: dict[str, Any], party: Party) -> bool:
    """The relation is the party's own: same VAT number when both have one, else the same name."""
    if party.vat_number and row.get("vatNr"):
        return compact(party.vat_number) == compact(str(row["vatNr"]))
    return (row.get("name") or "").strip().casefold() == fitted(party, "name").strip().casefold()


def _preferred(rows: list[dict[str, Any]], ours: int, party: Party) -> TargetParty | None:
    """Our own relation first, then an active one with the party's VAT number."""
    candidates = [r for r in rows if is_this_party(r, party)
                  or _identification(r).get("externalRelationId") != ours]
    if not candidates:
        return None

    def preference(row: dict[str, Any]) -> tuple[bool, bool]:
        return _identification(row).get("externalRelationId") != ours, row.get("active") is False

    ident = _identification(min(candidates, key=preference))
    external = ident.get("externalRelationId")
    return TargetParty(str(ident["relationKey"]["id"]), str(external) if external else None)


class OctopusParties:
    def __init__(self, api: OctopusApi, external_ids: ExternalIds):
        self.api = api
        self._external_ids = external_ids

    def external_id(self, party: Party) -> int:
        return self._external_ids.number_for("relation", f"{party.ref.type}:{party.ref.id}")

    def _search(self, party: Party, params: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            return self.api.get("relations", params, absent_ok=True) or []
        except TargetError as exc:
            raise LookupFailed(f"{party.name}: could not look the relation up in Octopus ({exc})") from None

    def find(self, party: Party, known: TargetParty | None) -> TargetParty | None:
        """The stored relation as is (no call); otherwise one search by our number or the VAT number.
        A relation holding our number that is not this party's (a hash collision whose tie-break a lost state
        database forgot) moves the party to the next number, and the search is repeated."""
        if known is not None:
            return known
        number = self.external_id(party)
        for _ in range(10):
            params: dict[str, Any] = {"extRelationId": number}
            if party.vat_number:
                params["vatNr"] = octopus_vat_number(party.vat_number)
            rows = self._search(party, params)
            holders = [r for r in rows if _identification(r).get("externalRelationId") == number]
            if holders and not any(is_this_party(r, party) for r in holders):
                number = self._external_ids.reassign("relation", f"{party.ref.type}:{party.ref.id}")
                continue
            return _preferred(rows, number, party)
        raise TargetError(f"{party.name}: no free relation number found in Octopus after 10 tries")

    def create(self, party: Party) -> TargetParty:
        report_cuts(party)
        return self._create(party)

    def _create(self, party: Party) -> TargetParty:
        external_id = self.external_id(party)
        response = self._put(party, relation_body(party, external_id))
        if response.status_code == 201:
            ident = self.api.http.json(response)["relationIdentificationServiceData"]
            return TargetParty(str(ident["relationKey"]["id"]), str(external_id))
        # 204: a relation with our number existed already — an earlier attempt that committed, or this
        # party's relation from before a state database was rebuilt (numbers derive from the Focus id).
        rows = self._search(party, {"extRelationId": external_id})
        mine = [r for r in rows if _identification(r).get("externalRelationId") == external_id]
        if not mine:
            raise AmbiguousWrite(f"{party.name}: Octopus accepted relation {external_id} but does not list it yet; "
                                 "it is looked up again before anything is created")
        return TargetParty(str(_identification(mine[0])["relationKey"]["id"]), str(external_id))

    def update(self, target: TargetParty, party: Party) -> TargetParty:
        report_cuts(party)
        external_id = int(target.code) if target.code and target.code.isdigit() else self.external_id(party)
        response = self._put(party, relation_body(party, external_id, target.id))
        if response.status_code == 404:  # deleted in Octopus meanwhile: make it again
            return self._create(party)
        return TargetParty(target.id, str(external_id))

    def _put(self, party: Party, body: dict[str, Any]) -> httpx.Response:
        try:
            response = self.api.write("PUT", "relations", body)
        except AmbiguousWrite:
            # An upsert keyed by our number is safe to repeat: the second PUT merges into the first.
            response = self.api.write("PUT", "relations", body)
        if response.status_code in (201, 204, 404):
            return response
        text = self.api.error_text(response)
        if response.status_code == 400:
            raise DocumentRefused(f"{party.name}: Octopus refused the relation: {text}; correct the company in "
                                  "Focus or the relation in Octopus", code="refused_by_octopus")
        raise TargetError(f"Octopus PUT relations: HTTP {response.status_code} {text}")
