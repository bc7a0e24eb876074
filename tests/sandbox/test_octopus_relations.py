"""Octopus relations: searching (OR of the parameters, VAT numbers in any format), the upserting PUT
(201/204/404/400), /modified."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sandbox.runner import RunningSandbox

#: Seed of this module's own sandbox (``own_octopus`` in tests/sandbox/conftest.py).
OCTOPUS_SEED = 7

IDENT = "relationIdentificationServiceData"


def brussels_now(sandbox: RunningSandbox) -> str:
    now = dt.datetime.fromisoformat(sandbox.admin("GET", "clock").json()["now"])
    return now.astimezone(ZoneInfo("Europe/Brussels")).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def new_relation(**fields) -> dict:
    return {IDENT: {"externalRelationId": 4242}, "name": "Nieuwe Klant BV", "client": True, "currencyCode": "EUR",
            "vatNr": "BE0403.170.701", "vatType": 1, "country": "BE", "city": "Leuven", **fields}


def ids(relations: list[dict]) -> list[int]:
    return [r[IDENT]["relationKey"]["id"] for r in relations]


def test_search_by_vat_number_in_any_format(own_octopus_api):
    first = own_octopus_api.data("relations", {"relationId": 1})[0]
    vat = first["vatNr"]
    assert vat.startswith("BE0") and vat.count(".") == 2
    digits = vat[2:].replace(".", "")
    for variant in (vat, f"be {digits[:4]} {digits[4:7]}-{digits[7:]}", f"BE{digits}"):
        assert ids(own_octopus_api.data("relations", {"vatNr": variant})) == [1]


def test_search_by_name_is_a_case_insensitive_substring(own_octopus_api):
    name = own_octopus_api.data("relations", {"relationId": 3})[0]["name"]
    assert 3 in ids(own_octopus_api.data("relations", {"name": name[3:8].upper()}))


def test_search_by_external_relation_id(own_octopus_api):
    assert own_octopus_api.data("relations", {"extRelationId": 90003})[0][IDENT] == {"relationKey": {"id": 3},
                                                                                    "externalRelationId": 90003}


def test_search_parameters_combine_with_or(own_octopus_api):
    """Octopus's OpenAPI: "all relations that meet one or more of these conditions"."""
    assert ids(own_octopus_api.data("relations", {"relationId": 1, "extRelationId": 90003})) == [1, 3]
    supplier_vat = own_octopus_api.data("relations", {"relationId": 5})[0]["vatNr"]
    found = own_octopus_api.data("relations", {"relationId": 2, "vatNr": supplier_vat, "name": "no such name"})
    assert ids(found) == [2, 5]


def test_a_relation_meeting_several_conditions_is_listed_once(own_octopus_api):
    first = own_octopus_api.data("relations", {"relationId": 1})[0]
    found = own_octopus_api.data("relations", {"relationId": 1, "extRelationId": 90001, "vatNr": first["vatNr"]})
    assert ids(found) == [1]


def test_empty_search_parameters_count_as_absent(own_octopus_api):
    assert ids(own_octopus_api.data("relations", {"relationId": 1, "name": "", "vatNr": ""})) == [1]
    assert ids(own_octopus_api.data("relations", {"name": "", "extRelationId": ""})) == [1, 2, 3, 4, 5]  # a listing


def test_a_search_that_finds_nothing_is_404(own_octopus_api):
    for params in ({"vatNr": "BE0999999999"}, {"relationId": 99, "extRelationId": 12345, "name": "no such name"}):
        nothing = own_octopus_api.get("relations", params)
        assert nothing.status_code == 404 and nothing.json()["errorCode"] == -90, params
        assert nothing.json()["errorMessage"] == "No relations found"


def test_a_relation_id_that_is_no_integer_is_400(own_octopus_api):
    for params in ({"relationId": "one"}, {"extRelationId": "x", "name": "Bakkerij"}):
        assert own_octopus_api.get("relations", params).status_code == 400, params


def test_seeded_relations(own_octopus_api):
    relations = own_octopus_api.data("relations")
    assert [r[IDENT]["relationKey"]["id"] for r in relations] == [1, 2, 3, 4, 5]
    assert [(r["client"], r["supplier"], r["country"]) for r in relations] == [
        (True, False, "BE"), (True, False, "BE"), (True, False, "NL"), (False, True, "BE"), (False, True, "DE")]
    assert [r[IDENT]["externalRelationId"] for r in relations] == [90001, None, 90003, None, 90005]
    assert all(r["vatNr"] and r["currencyCode"] == "EUR" and r["active"] for r in relations)


def test_put_creates_with_201_then_merges_with_204(own_octopus_api):
    created = own_octopus_api.put("relations", new_relation())
    assert created.status_code == 201, created.text
    body = created.json()
    assert body[IDENT] == {"relationKey": {"id": 6}, "externalRelationId": 4242}
    assert (body["name"], body["client"], body["supplier"], body["active"], body["email"]) == (
        "Nieuwe Klant BV", True, False, True, None)
    assert {"participantId", "invoiceDeliveryMethod", "sddActive", "deliveryCity"} <= set(body)
    merged = own_octopus_api.put("relations", {IDENT: {"externalRelationId": 4242}, "currencyCode": "EUR",
                                   "email": "boekhouding@nieuw.be", "name": None})
    assert merged.status_code == 204 and merged.content == b""
    again = own_octopus_api.put("relations", {IDENT: {"relationKey": {"id": 6}}, "currencyCode": "EUR", "city": "Gent"})
    assert again.status_code == 204
    stored = own_octopus_api.data("relations", {"relationId": 6})[0]
    assert (stored["name"], stored["email"], stored["city"]) == ("Nieuwe Klant BV", "boekhouding@nieuw.be", "Gent")
    unknown = own_octopus_api.put("relations", {IDENT: {"relationKey": {"id": 99}}, "currencyCode": "EUR", "name": "X"})
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == -90


def test_put_refusals(own_octopus_api):
    cases = [
        ({**new_relation(), "currencyCode": None}, -10, "currencyCode"),
        ({k: v for k, v in new_relation().items() if k != IDENT}, -10, IDENT),
        ({**new_relation(), "name": None}, -10, "name"),
        (new_relation(**{IDENT: {"relationKey": {"id": 1}, "externalRelationId": 90003}}), -40,
         f"{IDENT}.externalRelationId"),
        (new_relation(**{IDENT: {"externalRelationId": "4242"}}), -11, f"{IDENT}.externalRelationId"),
        (new_relation(**{IDENT: {"externalRelationId": 2**31}}), -11, f"{IDENT}.externalRelationId"),
        (new_relation(client="yes"), -11, "client"),
        ({"relationServiceData": new_relation()}, -10, "currencyCode"),  # no wrapper on PUT
    ]
    for body, code, field in cases:
        refused = own_octopus_api.put("relations", body)
        assert (refused.status_code, refused.json()["errorCode"], refused.json()["technicalInfo"]) == (
            400, code, field), body
    assert own_octopus_api.data("relations", {"relationId": 1})[0][IDENT]["externalRelationId"] == 90001


def test_listing_shows_active_relations_searching_all(own_octopus_api):
    own_octopus_api.put("relations", new_relation(active=False))
    assert len(own_octopus_api.data("relations")) == 5
    assert own_octopus_api.data("relations", {"extRelationId": 4242})[0]["active"] is False
    either = own_octopus_api.data("relations", {"relationId": 1, "name": "nieuwe klant"})
    assert [(r[IDENT]["relationKey"]["id"], r["active"]) for r in either] == [(1, True), (6, False)]


def test_modified_relations(own_octopus_api, own_octopus):
    since = brussels_now(own_octopus)
    nothing = own_octopus_api.get("relations/modified", {"modifiedTimeStamp": since})
    assert nothing.status_code == 404 and nothing.json()["errorMessage"] == "No modified relations found"
    assert own_octopus_api.get("relations/modified", {"modifiedTimeStamp": "2026-11-21T10:00:00"}).status_code == 400
    assert own_octopus_api.get("relations/modified").status_code == 400
    own_octopus_api.put("relations", {IDENT: {"relationKey": {"id": 2}}, "currencyCode": "EUR", "remarks": "VIP"})
    changed = own_octopus_api.data("relations/modified", {"modifiedTimeStamp": since})
    assert changed["deleted"] == [] and [r[IDENT]["relationKey"]["id"] for r in changed["modified"]] == [2]
    everything = own_octopus_api.data("relations/modified", {"modifiedTimeStamp": "1980-01-01 00:00:00.000"})
    assert len(everything["modified"]) == 5
    logged = own_octopus.requests(endpoint="relations.put")[0]
    assert logged["body"][IDENT] == {"relationKey": {"id": 2}}
