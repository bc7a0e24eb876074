"""Every booked Focus invoice and credit note books exactly what Focus states.

The money path under test is production's own: ``connectors.focus.mapping.sales_document``
(Focus ``invoices.info`` / ``creditNotes.info`` JSON -> Document) and
``connectors.booking.build_booking`` (Document -> Booking), with the tax rates and
category ledgers read by production's extraction helpers, as the pipeline does.

Focus sends money as JSON numbers; each generated document is written as the JSON text
Focus sends and parsed the way the production client parses it (``parse_float=Decimal``).

Proven for at least 10,000 distinct generated documents per property and run. One
Hypothesis search books every document and checks every property on it (see
``harness.py``); each test below owns one property, re-raises only the failures shrunk
inside it, and asserts the number of distinct documents it was checked on:

- the booking balances: the lines plus their VAT add up to the booking total;
- the party line is what Focus states: the total is |total.tax_inclusive|, never
  negative, and a negative invoice is booked as a sales credit note;
- net per ledger account: item lines on their category's account (or the per-rate
  fallback), and per rate the document-level discount (Focus's taxable for the rate
  minus the lines at it) on the sales discount account;
- VAT base and VAT per rate equal Focus's ``total.taxes`` (what the VAT return needs);
- every amount is a Decimal with at most two decimals, never a float.

The documents cover several lines, mixed rates (21/12/6/0 %), several tax rate ids at
one numeric rate (0 %, 0 % Medecontractant, 0 % intra-community), line discounts, one
or two document discounts, fractional quantities and sub-cent unit prices (per-line
rounding), lines without a category or with one that is unlinked in this department,
negative and mixed-sign invoices, credit notes, and amounts from a cent to ~10^12.

Why the oracle is independent: the generated documents and every expected figure come
from ``tests/property/focus_sales.py``, which computes Focus's figures with Focus's
documented amount rules and derives the expected booking from its own chart (category
-> account, rate -> fallback account, tax rate id -> VAT code). It imports nothing from
``connectors``; no production helper (``allocate_vat``, ``ledger_for``, ``_split``, ...)
computes an expectation. Production only appears as the system under test, fed with
settings this module spells out literally.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from connectors.booking import build_booking
from connectors.focus import mapping
from connectors.mappings import MappingSettings
from connectors.targets.base import Booking, TargetParty
from tests.property.focus_sales import (
    DEPARTMENT_ID,
    FALLBACK_ACCOUNTS,
    PRODUCT_CATEGORIES,
    RATE_OF_VAT_CODE,
    SALES_DISCOUNT_ACCOUNT,
    TAX_RATES,
    ZERO,
    FocusSale,
    as_delivered,
    focus_sales,
    nonzero,
)
from tests.property.harness import PropertySearch, assert_reach, is_cents, show

MIN_DOCUMENTS = 10_000
MAX_EXAMPLES = 10_700  # one document per example; about 2 % come out twice

JOURNALS = {"sales_invoice": "VF", "sales_credit_note": "VC",
            "purchase_invoice": "AF", "purchase_credit_note": "AC"}
SETTINGS = MappingSettings(
    journals=JOURNALS,
    vat_links={("sales", t.id): t.vat_code for t in TAX_RATES},
    ledger_by_rate={("sales", spelled): account for spelled, _, account in FALLBACK_ACCOUNTS},
    fill_ledger_by_vat_rate=True,
    sales_discount_account=SALES_DISCOUNT_ACCOUNT,
)

# Reference data read the way extraction reads it (part of the system under test).
FOCUS_TAX_RATES = {rate.id: rate for rate in (mapping.tax_rate(as_delivered(t.json)) for t in TAX_RATES)}
CATEGORY_LEDGERS: dict[str, str] = {}
for _category in map(as_delivered, PRODUCT_CATEGORIES):
    for _account in mapping.ledger_accounts(_category, DEPARTMENT_ID):
        CATEGORY_LEDGERS.setdefault(_account.category_id, _account.number)


def every_focus_document_books(sale: FocusSale) -> Booking:
    """Production, end to end: Focus JSON -> Document -> Booking (raising is a failure too)."""
    document = mapping.sales_document(sale.item, sale.source_type, FOCUS_TAX_RATES, CATEGORY_LEDGERS)
    return build_booking(document, SETTINGS, TargetParty("party-1"))


# -- the properties: (generated sale, production's booking) -> assertions --------------------------


def the_booking_balances(sale: FocusSale, booking: Booking) -> None:
    lines_with_vat = sum((line.amount + line.vat_amount for line in booking.lines), ZERO)
    assert lines_with_vat == booking.total_incl, f"lines + VAT = {lines_with_vat}\n{show(sale, booking)}"


def the_party_line_is_the_focus_total(sale: FocusSale, booking: Booking) -> None:
    assert booking.total_incl == abs(sale.tax_inclusive), show(sale, booking)
    assert booking.total_incl >= 0, show(sale, booking)
    assert booking.kind == sale.expected_kind, show(sale, booking)  # a negative invoice is a credit note
    assert booking.journal == JOURNALS[sale.expected_kind], show(sale, booking)


def the_net_per_ledger_account_is_the_oracles(sale: FocusSale, booking: Booking) -> None:
    booked: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in booking.lines:
        booked[line.ledger_account] += line.amount
    assert nonzero(booked) == sale.expected_net_by_account(), show(sale, booking)


def the_vat_base_per_rate_is_the_focus_taxable(sale: FocusSale, booking: Booking) -> None:
    assert booked_by_rate(booking, lambda line: line.amount) == sale.expected_net_by_rate(), show(sale, booking)


def the_vat_per_rate_is_the_focus_tax(sale: FocusSale, booking: Booking) -> None:
    assert booked_by_rate(booking, lambda line: line.vat_amount) == sale.expected_vat_by_rate(), show(sale, booking)


def every_amount_is_a_decimal_in_cents(sale: FocusSale, booking: Booking) -> None:
    amounts = [booking.total_incl, booking.total_excl, booking.total_vat]
    amounts += [a for line in booking.lines for a in (line.amount, line.vat_amount)]
    assert all(is_cents(a) for a in amounts), [a for a in amounts if not is_cents(a)]


PROPERTIES = (
    the_booking_balances,
    the_party_line_is_the_focus_total,
    the_net_per_ledger_account_is_the_oracles,
    the_vat_base_per_rate_is_the_focus_taxable,
    the_vat_per_rate_is_the_focus_tax,
    every_amount_is_a_decimal_in_cents,
)


@pytest.fixture(scope="module")
def sales() -> PropertySearch:
    """One search over >= 10,000 generated Focus sales documents, every property checked on each."""
    return PropertySearch(
        documents=focus_sales(),
        book=every_focus_document_books,
        properties=PROPERTIES,
        max_examples=MAX_EXAMPLES,
        min_documents=MIN_DOCUMENTS,
    ).run()


def test_every_focus_document_books(sales: PropertySearch) -> None:
    sales.verdict(every_focus_document_books)


def test_the_booking_balances(sales: PropertySearch) -> None:
    sales.verdict(the_booking_balances)


def test_the_party_line_is_the_focus_total_and_negative_invoices_are_credit_notes(sales: PropertySearch) -> None:
    sales.verdict(the_party_line_is_the_focus_total)


def test_the_net_per_ledger_account_is_the_oracles(sales: PropertySearch) -> None:
    sales.verdict(the_net_per_ledger_account_is_the_oracles)


def test_the_vat_base_per_rate_is_the_focus_taxable(sales: PropertySearch) -> None:
    sales.verdict(the_vat_base_per_rate_is_the_focus_taxable)


def test_the_vat_per_rate_is_the_focus_tax(sales: PropertySearch) -> None:
    sales.verdict(the_vat_per_rate_is_the_focus_tax)


def test_every_amount_is_a_decimal_in_cents(sales: PropertySearch) -> None:
    sales.verdict(every_amount_is_a_decimal_in_cents)


# -- reading the booking back -------------------------------------------------------------


def booked_by_rate(booking: Booking, amount: Callable[[Any], Decimal]) -> dict[Any, Decimal]:
    """Booking amounts added up per numeric rate, read back through the VAT codes the lines carry."""
    sums: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for line in booking.lines:
        sums[RATE_OF_VAT_CODE.get(line.vat_code, f"unlinked VAT code {line.vat_code!r}")] += amount(line)
    return nonzero(sums)


def test_the_generated_documents_reach_every_case_of_the_money_path(sales: PropertySearch) -> None:
    """Guards the generator: each case of the money path (``cases()``) is in at least 1 % of the documents."""
    assert_reach(sales)
