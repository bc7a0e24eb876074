"""Relations (clients and suppliers): search or list, the upserting PUT, and what changed since a moment.

- ``GET relations`` without search parameters lists the *active* relations
  (quota 2/day); with ``relationId``, ``extRelationId``, ``name``
  (case-insensitive substring) or ``vatNr`` (ignoring case, spaces, dots
  and dashes) it searches all of them, inactive ones too (400/day): a
  relation is found when it meets one or more of the given conditions (OR,
  as Octopus's OpenAPI describes it). Nothing found is a 404.
- ``PUT relations`` takes a bare RelationServiceData. It matches
  ``relationIdentificationServiceData.relationKey.id`` (given but unknown:
  404), else ``externalRelationId``; found: the non-null fields given are
  merged in, 204; not found: created (``name`` required) with the next
  ``relationKey.id``, 201 with the whole relation. An ``externalRelationId``
  that belongs to another relation is a 400. Unknown fields are ignored; a
  known field of the wrong JSON type is a 400 naming it.
- ``GET relations/modified?modifiedTimeStamp=`` (Brussels local time):
  ``{"modified": [...], "deleted": []}`` of relations written at or after
  it, 404 when none. Relations are never deleted here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from starlette.responses import Response

from sandbox.octopus.context import Call, no_content, ok
from sandbox.octopus.errors import EXTERNAL_ID_TAKEN, OctopusError, invalid, missing, not_found
from sandbox.octopus.store import RELATION, Doc
from sandbox.octopus.wire import INT32, is_integer, parse_date, vat_key

SEARCH_PARAMS = ("relationId", "extRelationId", "name", "vatNr")
IDENTIFICATION = "relationIdentificationServiceData"

#: RelationServiceData fields (apis.md §3.4) with their JSON type; the wire order.
FIELDS: dict[str, str] = {
    "name": "str", "firstName": "str", "client": "bool", "defaultBookingAccountClient": "int",
    "supplier": "bool", "defaultBookingAccountSupplier": "int", "streetAndNr": "str", "postalCode": "str",
    "city": "str", "country": "str", "deliveryStreetAndNr": "str", "deliveryPostalCode": "str",
    "deliveryCity": "str", "deliveryCountry": "str", "telephone": "str", "email": "str", "fax": "str",
    "mobile": "str", "url": "str", "bankAccountNr": "str", "ibanAccountNr": "str", "bicCode": "str",
    "financialDiscount": "bool", "profession": "str", "contactPerson": "str", "corporationType": "int",
    "currencyCode": "str", "remarks": "str", "vatNr": "str", "vatType": "int", "expirationType": "int",
    "expirationDays": "int", "searchField1": "str", "searchField2": "str", "externCustomerNr": "str",
    "sddReference": "str", "sddSeqtype": "int", "sddMandateType": "int", "sddSignatureDate": "date",
    "sddActive": "bool", "factLanguage": "int", "active": "bool", "supplierPaymentMethod": "int",
    "invoiceDeliveryMethod": "int", "participantId": "str",
}
#: Values of a new relation for the fields a PUT leaves out (null otherwise).
DEFAULTS = {"client": False, "supplier": False, "financialDiscount": False, "sddActive": False, "active": True,
            "vatType": 0}


def relation_json(relation_id: int, external_id: int | None, values: Mapping[str, Any]) -> Doc:
    """A complete RelationServiceData in wire order."""
    return {IDENTIFICATION: {"relationKey": {"id": relation_id}, "externalRelationId": external_id},
            **{name: values.get(name, DEFAULTS.get(name)) for name in FIELDS}}


def relation_id(relation: Doc) -> int:
    return int(relation[IDENTIFICATION]["relationKey"]["id"])


def external_id(relation: Doc) -> int | None:
    return relation[IDENTIFICATION]["externalRelationId"]


def is_search(query: Mapping[str, str]) -> bool:
    return any(query.get(name) for name in SEARCH_PARAMS)


def _searcher(call: Call) -> Callable[[Doc], bool]:
    """A relation matches when *any* given search parameter matches it ("all relations that meet
    one or more of these conditions"); empty parameters count as absent. Parsed once: a
    non-integer id is a 400 even with nothing to search."""
    wanted_id, wanted_external = call.int_param("relationId"), call.int_param("extRelationId")
    name, vat = call.param("name"), call.param("vatNr")

    def matches(relation: Doc) -> bool:
        return ((wanted_id is not None and relation_id(relation) == wanted_id)
                or (wanted_external is not None and external_id(relation) == wanted_external)
                or (name is not None and name.lower() in (relation["name"] or "").lower())
                or (vat is not None and vat_key(vat) == vat_key(relation["vatNr"] or "")))

    return matches


def search(call: Call) -> Response:
    relations = call.books.relations()
    matches = _searcher(call) if is_search(call.query) else (lambda relation: bool(relation["active"]))
    found = [relation for relation in relations if matches(relation)]
    if not found:
        raise not_found("No relations found")
    return ok(found)


def _typed(body: Mapping[str, Any]) -> dict[str, Any]:
    """The known fields of a PUT body; a wrong JSON type is a 400 naming the field."""
    checks = {"str": lambda v: isinstance(v, str), "bool": lambda v: isinstance(v, bool), "int": is_integer}
    nouns = {"str": "a string", "bool": "a boolean", "int": "an integer"}
    values = {}
    for name, kind in FIELDS.items():
        value = body.get(name)
        if value is None:
            continue
        if kind == "date":
            try:
                parse_date(value)
            except ValueError:
                raise invalid(name, f"Field {name} must be a yyyy-MM-dd date") from None
        elif not checks[kind](value):
            raise invalid(name, f"Field {name} must be {nouns[kind]}")
        values[name] = value
    return values


def _identification(body: Mapping[str, Any]) -> tuple[int | None, int | None]:
    """(relationKey.id, externalRelationId) as given, each possibly None."""
    identification = body[IDENTIFICATION]
    if not isinstance(identification, dict):
        raise invalid(IDENTIFICATION, f"Field {IDENTIFICATION} must be an object")
    key, given_id = identification.get("relationKey"), None
    if key is not None:
        if not isinstance(key, dict) or not (key.get("id") is None or is_integer(key["id"])):
            raise invalid(f"{IDENTIFICATION}.relationKey", "Field relationKey must be an object with an integer id")
        given_id = key.get("id")
    given_external = identification.get("externalRelationId")
    if given_external is not None and not (is_integer(given_external) and given_external in INT32):
        raise invalid(f"{IDENTIFICATION}.externalRelationId", "Field externalRelationId must be a 32-bit integer")
    return given_id, given_external


def upsert(call: Call) -> Response:
    body = call.json_object()
    for field in ("currencyCode", IDENTIFICATION):
        if body.get(field) is None:
            raise missing(field)
    given_id, given_external = _identification(body)
    values = _typed(body)
    books = call.books
    if given_id is not None:
        relation = books.relation(given_id)
        if relation is None:
            raise not_found(f"Relation {given_id} not found", f"{IDENTIFICATION}.relationKey.id")
    else:
        relation = None if given_external is None else books.relation_by_external(given_external)
    if given_external is not None:
        holder = books.relation_by_external(given_external)
        if holder is not None and (relation is None or relation_id(holder) != relation_id(relation)):
            raise OctopusError(400, EXTERNAL_ID_TAKEN, f"externalRelationId {given_external} is already used by "
                               f"relation {relation_id(holder)}", f"{IDENTIFICATION}.externalRelationId")
    now = call.clock.now()
    if relation is not None:
        relation.update(values)
        if given_external is not None:
            relation[IDENTIFICATION]["externalRelationId"] = given_external
        books.put(RELATION, str(relation_id(relation)), relation, now)
        return no_content()
    if not values.get("name"):
        raise missing("name")
    new_id = max((relation_id(r) for r in books.relations()), default=0) + 1
    created = relation_json(new_id, given_external, values)
    books.put(RELATION, str(new_id), created, now)
    return ok(created, 201)


def modified(call: Call) -> Response:
    moment = call.stamp_param()
    changed = [row.doc for row in call.books.rows(RELATION) if row.modified >= moment]
    if not changed:
        raise not_found("No modified relations found")
    return ok({"modified": changed, "deleted": []})
