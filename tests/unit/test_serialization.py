"""Records survive the trip through the state database exactly."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from connectors.domain import Address, Party, PartyRef, PartyRole, Payment
from connectors.focus import mapping
from connectors.focus.ubl import parse_ubl
from connectors.serialization import content_hash, document_from_payload, party_from_payload, to_payload

from .test_focus_mapping import LEDGERS, RATES, expense, invoice, line

FIXTURES = Path(__file__).parents[1] / "fixtures" / "peppol"


def roundtrip(payload):
    return json.loads(json.dumps(payload))


def test_sales_document_round_trips_through_json():
    doc = mapping.sales_document(
        invoice([line(100), line(33.33, tax="tr-6")], [(0.21, 90, 18.9), (0.06, 30, 1.8)],
                discounts=[{"type": "percentage", "value": 10, "description": ""}],
                payments=[{"paid_at": "2026-03-10T09:00:00+00:00", "payment": {"amount": 5, "currency": "EUR"}}]),
        "invoice", RATES, LEDGERS)
    assert document_from_payload(roundtrip(to_payload(doc))) == doc


def test_purchase_document_round_trips_through_json():
    ubl = parse_ubl((FIXTURES / "Allowance-example.xml").read_bytes())
    doc = mapping.purchase_document(expense(str(ubl.total_incl)), ubl)
    assert document_from_payload(roundtrip(to_payload(doc))) == doc


def test_party_round_trips_through_json():
    party = Party(PartyRef("company", "c1"), "Acme", vat_number="BE0477472701",
                  address=Address("Main 1", "9000", "Gent", "BE"), roles=frozenset({PartyRole.CUSTOMER}))
    assert party_from_payload(roundtrip(to_payload(party))) == party


def test_payments_do_not_change_the_content_hash_but_amounts_do():
    doc = mapping.sales_document(invoice([line(100)], [(0.21, 100, 21)]), "invoice", RATES, LEDGERS)
    paid = replace(doc, paid=True, paid_amount=Decimal("121.00"), payments=(Payment(Decimal("121.00"), doc.date),))
    edited = replace(doc, total_incl=Decimal("122.00"))
    assert content_hash(to_payload(paid)) == content_hash(to_payload(doc))
    assert content_hash(to_payload(edited)) != content_hash(to_payload(doc))
