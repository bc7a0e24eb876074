"""Every approved Peppol purchase document books exactly what its UBL file states.

The money path under test is production's own: ``connectors.focus.ubl.parse_ubl`` (the
supplier's UBL bytes -> UblDocument), ``connectors.focus.mapping.purchase_document`` (Focus
``expenses.list`` item + UblDocument -> Document) and ``connectors.booking.build_booking``.

Proven for at least 2,500 distinct generated Peppol BIS Billing 3.0 documents per property
and run, in addition to the 10,000 Focus sales documents, searched and measured the same
way (``harness.py``):

- the booking balances: the lines plus their VAT add up to the booking total;
- the supplier line is what the document states: the total is |TaxInclusiveAmount| (the
  invoice amount; PrepaidAmount and PayableRoundingAmount only change what is left to
  pay), never negative, and a negative invoice is booked as a purchase credit note;
- net per ledger account: lines and document charges on the expense account of their
  rate, document allowances on the purchase discount account;
- VAT base and VAT per category and percent (S 21/12/6, Z, E, AE, K) equal the UBL's
  TaxSubtotal TaxableAmount and TaxAmount;
- every amount is a Decimal with at most two decimals.

The documents cover Invoice and CreditNote roots, several lines in mixed categories,
line-level allowances, document-level allowances and charges, BaseQuantity, prices with
four decimals, negative and mixed-sign invoices, prepaid amounts and cash rounding, a
second TaxTotal in the tax currency, numbers written "1225.00", "1225.0" or "1225", and
amounts from a cent to ~10^12.

Why the oracle is independent: ``tests/property/peppol_purchases.py`` writes the UBL text
from generated facts, computes every total with the EN 16931 rules and derives the expected
booking with its own chart (category and percent -> VAT code, percent -> expense account).
It imports nothing from ``connectors``; production is only the system under test.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from connectors.booking import build_booking
from connectors.focus import mapping
from connectors.focus.ubl import parse_ubl
from connectors.mappings import MappingSettings
from connectors.targets.base import Booking, TargetParty
from tests.property.harness import PropertySearch, assert_reach, is_cents, show
from tests.property.peppol_purchases import (
    CATEGORY_OF_VAT_CODE,
    EXPENSE_ACCOUNTS,
    PURCHASE_DISCOUNT_ACCOUNT,
    VAT_CODE,
    ZERO,
    PeppolPurchase,
    nonzero,
    peppol_purchases,
)

MIN_DOCUMENTS = 2_500
MAX_EXAMPLES = 2_750  # one document per example; about 2 % come out twice

JOURNALS = {"sales_invoice": "VF", "sales_credit_note": "VC",
            "purchase_invoice": "AF", "purchase_credit_note": "AC"}
SETTINGS = MappingSettings(
    journals=JOURNALS,
    vat_links={("purchase", f"{category}:{percent}"): code for (category, percent), code in VAT_CODE.items()},
    ledger_by_rate={("purchase", spelled): account for spelled, _, account in EXPENSE_ACCOUNTS},
    fill_ledger_by_vat_rate=True,
    purchase_discount_account=PURCHASE_DISCOUNT_ACCOUNT,
)


def every_peppol_document_books(purchase: PeppolPurchase) -> Booking:
    """Production, end to end: UBL bytes + Focus expense -> Document -> Booking (raising is a failure too)."""
    document = mapping.purchase_document(purchase.expense, parse_ubl(purchase.xml))
    return build_booking(document, SETTINGS, TargetParty("party-1"))


# -- the properties: (generated purchase, production's booking) -> assertions ------------------


def the_booking_balances(purchase: PeppolPurchase, booking: Booking) -> None:
    lines_with_vat = sum((line.amount + line.vat_amount for line in booking.lines), ZERO)
    assert lines_with_vat == booking.total_incl, f"lines + VAT = {lines_with_vat}\n{show(purchase, booking)}"


def the_supplier_line_is_the_ubl_total(purchase: PeppolPurchase, booking: Booking) -> None:
    assert booking.total_incl == abs(purchase.tax_inclusive), show(purchase, booking)
    assert booking.total_incl >= 0, show(purchase, booking)
    assert booking.kind == purchase.expected_kind, show(purchase, booking)  # a negative invoice is a credit note
    assert booking.journal == JOURNALS[purchase.expected_kind], show(purchase, booking)


def the_net_per_ledger_account_is_the_oracles(purchase: PeppolPurchase, booking: Booking) -> None:
    booked: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for line in booking.lines:
        booked[line.ledger_account] += line.amount
    assert nonzero(booked) == purchase.expected_net_by_account(), show(purchase, booking)


def the_vat_base_per_category_is_the_ubl_taxable(purchase: PeppolPurchase, booking: Booking) -> None:
    assert booked_by_category(booking, lambda line: line.amount) == purchase.expected_net_by_category(), \
        show(purchase, booking)


def the_vat_per_category_is_the_ubl_tax(purchase: PeppolPurchase, booking: Booking) -> None:
    assert booked_by_category(booking, lambda line: line.vat_amount) == purchase.expected_vat_by_category(), \
        show(purchase, booking)


def every_amount_is_a_decimal_in_cents(purchase: PeppolPurchase, booking: Booking) -> None:
    amounts = [booking.total_incl, booking.total_excl, booking.total_vat]
    amounts += [a for line in booking.lines for a in (line.amount, line.vat_amount)]
    assert all(is_cents(a) for a in amounts), [a for a in amounts if not is_cents(a)]


PROPERTIES = (
    the_booking_balances,
    the_supplier_line_is_the_ubl_total,
    the_net_per_ledger_account_is_the_oracles,
    the_vat_base_per_category_is_the_ubl_taxable,
    the_vat_per_category_is_the_ubl_tax,
    every_amount_is_a_decimal_in_cents,
)


@pytest.fixture(scope="module")
def purchases() -> PropertySearch:
    """One search over >= 2,500 generated Peppol purchase documents, every property checked on each."""
    return PropertySearch(
        documents=peppol_purchases(),
        book=every_peppol_document_books,
        properties=PROPERTIES,
        max_examples=MAX_EXAMPLES,
        min_documents=MIN_DOCUMENTS,
    ).run()


def test_every_peppol_document_books(purchases: PropertySearch) -> None:
    purchases.verdict(every_peppol_document_books)


def test_the_booking_balances(purchases: PropertySearch) -> None:
    purchases.verdict(the_booking_balances)


def test_the_supplier_line_is_the_ubl_total_and_negative_invoices_are_credit_notes(
    purchases: PropertySearch,
) -> None:
    purchases.verdict(the_supplier_line_is_the_ubl_total)


def test_the_net_per_ledger_account_is_the_oracles(purchases: PropertySearch) -> None:
    purchases.verdict(the_net_per_ledger_account_is_the_oracles)


def test_the_vat_base_per_category_is_the_ubl_taxable(purchases: PropertySearch) -> None:
    purchases.verdict(the_vat_base_per_category_is_the_ubl_taxable)


def test_the_vat_per_category_is_the_ubl_tax(purchases: PropertySearch) -> None:
    purchases.verdict(the_vat_per_category_is_the_ubl_tax)


def test_every_amount_is_a_decimal_in_cents(purchases: PropertySearch) -> None:
    purchases.verdict(every_amount_is_a_decimal_in_cents)


# -- reading the booking back -------------------------------------------------------------


def booked_by_category(booking: Booking, amount: Callable[[Any], Decimal]) -> dict[Any, Decimal]:
    """Booking amounts added up per (VAT category, percent), read back through the lines' VAT codes."""
    sums: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for line in booking.lines:
        sums[CATEGORY_OF_VAT_CODE.get(line.vat_code, f"unlinked VAT code {line.vat_code!r}")] += amount(line)
    return nonzero(sums)


def test_the_generated_documents_reach_every_case_of_the_money_path(purchases: PropertySearch) -> None:
    """Guards the generator: each case of the money path (``cases()``) is in at least 1 % of the documents."""
    assert_reach(purchases)
