"""Focus JSON → domain: the rules every later stage relies on."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from connectors.domain import DocumentKind, LineKind, PartyRef, PartyRole, TaxRate
from connectors.focus import mapping
from connectors.focus.ubl import parse_ubl

DEPT = "dept-be"
RATES = {
    "tr-21": TaxRate("tr-21", DEPT, Decimal("0.21"), "21%"),
    "tr-6": TaxRate("tr-6", DEPT, Decimal("0.06"), "6%"),
    "tr-0": TaxRate("tr-0", DEPT, Decimal("0"), "0%"),
    "tr-rc": TaxRate("tr-rc", DEPT, Decimal("0"), "0% reverse charge"),
}
LEDGERS = {"cat-services": "700000", "cat-goods": "701000"}
FIXTURES = Path(__file__).parents[1] / "fixtures" / "peppol"


def as_parsed(item: dict) -> dict:
    """The item as the Focus client hands it over: JSON numbers parsed as Decimal, never float."""
    return json.loads(json.dumps(item), parse_float=Decimal)


def money(amount: float) -> dict:
    return {"amount": amount, "currency": "EUR"}


def line(excl: float, tax: str = "tr-21", category: str | None = "cat-services", qty: float = 1,
         price: float | None = None, discount: float | None = None, description: str = "Consultancy") -> dict:
    return {
        "description": description,
        "quantity": qty,
        "unit_price": {"amount": price if price is not None else excl, "tax": "excluding"},
        "tax": {"type": "taxRate", "id": tax},
        "product_category": {"type": "productCategory", "id": category} if category else None,
        "discount": {"type": "percentage", "value": discount} if discount else None,
        "total": {"tax_exclusive": money(excl)},
    }


def invoice(lines: list[dict], taxes: list[tuple[float, float, float]], *, discounts=None, number="2026 / 17",
            payments=None, due=None, **extra) -> dict:
    excl = round(sum(t[1] for t in taxes), 2)
    incl = round(excl + sum(t[2] for t in taxes), 2)
    return as_parsed({
        "id": "inv-1",
        "department": {"type": "department", "id": DEPT},
        "invoice_number": number,
        "invoice_date": "2026-03-04",
        "due_on": "2026-04-03",
        "status": "outstanding",
        "paid": False,
        "payment_reference": "+++084/2613/66074+++",
        "invoicee": {"name": "Acme", "customer": {"type": "company", "id": "co-1"}},
        "discounts": discounts or [],
        "grouped_lines": [{"section": {"title": ""}, "line_items": lines}],
        "total": {
            "tax_exclusive": money(excl),
            "tax_inclusive": money(incl),
            "payable": money(incl),
            "taxes": [{"rate": r, "taxable": money(tx), "tax": money(t)} for r, tx, t in taxes],
            **({"due": money(due)} if due is not None else {}),
        },
        "payments": payments or [],
        "currency": "EUR",
        "updated_at": "2026-03-04T10:00:00+00:00",
        **extra,
    })


def test_money_from_json_numbers_is_exact_to_the_cent():
    doc = mapping.sales_document(invoice([line(0.1), line(0.2)], [(0.21, 0.3, 0.06)]), "invoice", RATES, LEDGERS)
    assert doc.lines_total == Decimal("0.30")
    assert doc.total_incl == Decimal("0.36")


def test_line_takes_its_ledger_account_from_its_product_category():
    doc = mapping.sales_document(invoice([line(100, category="cat-goods")], [(0.21, 100, 21)]), "invoice",
                                 RATES, LEDGERS)
    assert doc.lines[0].ledger_account == "701000"


def test_line_without_product_category_has_no_ledger_account():
    doc = mapping.sales_document(invoice([line(100, category=None)], [(0.21, 100, 21)]), "invoice", RATES, LEDGERS)
    assert doc.lines[0].ledger_account is None


def test_line_whose_category_has_no_ledger_for_the_department_has_no_ledger_account():
    doc = mapping.sales_document(invoice([line(100, category="cat-unlinked")], [(0.21, 100, 21)]), "invoice",
                                 RATES, LEDGERS)
    assert doc.lines[0].ledger_account is None
    assert doc.lines[0].product_category_id == "cat-unlinked"


def test_booked_invoice_keeps_number_date_customer_and_vat_breakdown():
    doc = mapping.sales_document(
        invoice([line(100), line(50, tax="tr-6")], [(0.21, 100, 21), (0.06, 50, 3)]), "invoice", RATES, LEDGERS
    )
    assert doc.kind is DocumentKind.SALES_INVOICE
    assert (doc.number, doc.date, doc.due_date) == ("2026 / 17", dt.date(2026, 3, 4), dt.date(2026, 4, 3))
    assert doc.party == PartyRef("company", "co-1")
    assert doc.party_role is PartyRole.CUSTOMER
    assert [(v.rate, v.taxable, v.tax, v.tax_rate_id) for v in doc.vat] == [
        (Decimal("0.21"), Decimal("100.00"), Decimal("21.00"), "tr-21"),
        (Decimal("0.06"), Decimal("50.00"), Decimal("3.00"), "tr-6"),
    ]
    assert doc.total_vat == Decimal("24.00")
    assert doc.payment_reference == "+++084/2613/66074+++"


def test_commercial_discount_becomes_a_discount_line_per_tax_rate():
    # 10% commercial discount: 200.00 at 21% → 180.00 taxable; 33.33 at 6% → 30.00
    doc = mapping.sales_document(
        invoice([line(120), line(80), line(33.33, tax="tr-6")], [(0.21, 180, 37.8), (0.06, 30.0, 1.8)],
                discounts=[{"type": "percentage", "value": 10, "description": "loyal customer"}]),
        "invoice", RATES, LEDGERS,
    )
    discount_lines = [ln for ln in doc.lines if ln.kind is LineKind.DISCOUNT]
    assert [(ln.tax_rate_id, ln.amount) for ln in discount_lines] == [("tr-6", Decimal("-3.33")),
                                                                       ("tr-21", Decimal("-20.00"))]
    assert "10% loyal customer" in discount_lines[0].description
    assert doc.lines_total == doc.total_excl == Decimal("210.00")


def test_discount_on_two_tax_rates_with_the_same_percentage_adds_up_to_the_cent():
    # 0% and reverse charge are both rate 0: Focus totals them together.
    doc = mapping.sales_document(
        invoice([line(10.01, tax="tr-0"), line(10.01, tax="tr-rc")], [(0.0, 19.01, 0)],
                discounts=[{"type": "percentage", "value": 5, "description": ""}]),
        "invoice", RATES, LEDGERS,
    )
    shares = {ln.tax_rate_id: ln.amount for ln in doc.lines if ln.kind is LineKind.DISCOUNT}
    assert sum(shares.values()) == Decimal("-1.01")
    assert set(shares) == {"tr-0", "tr-rc"}
    assert doc.lines_total == Decimal("19.01")


def test_lines_that_do_not_add_up_without_a_discount_are_refused():
    with pytest.raises(mapping.MappingError, match=r"Invoice 2026 / 17: the 21% lines add up to 100.00"):
        mapping.sales_document(invoice([line(100)], [(0.21, 99, 20.79)]), "invoice", RATES, LEDGERS)


def test_negative_invoice_becomes_a_sales_credit_note_with_positive_amounts():
    doc = mapping.sales_document(invoice([line(-100, qty=-1, price=100)], [(0.21, -100, -21)]), "invoice",
                                 RATES, LEDGERS)
    assert doc.kind is DocumentKind.SALES_CREDIT_NOTE
    assert doc.from_negative_invoice
    assert doc.total_incl == Decimal("121.00")
    assert doc.lines[0].amount == Decimal("100.00")
    assert doc.lines[0].quantity == Decimal("1")
    assert doc.vat[0].tax == Decimal("21.00")


def test_credit_note_points_at_the_invoice_it_credits():
    item = invoice([line(50)], [(0.21, 50, 10.5)])
    item.pop("invoice_number")
    item.update(credit_note_number="2026 / 3", credit_note_date="2026-05-01", invoice={"type": "invoice", "id": "inv-9"})
    doc = mapping.sales_document(item, "creditNote", RATES, LEDGERS)
    assert doc.kind is DocumentKind.SALES_CREDIT_NOTE
    assert doc.credits_source_id == "inv-9"
    assert doc.total_incl == Decimal("60.50")
    assert not doc.from_negative_invoice


def test_unknown_tax_rate_is_refused_naming_document_line_and_fix():
    with pytest.raises(mapping.MappingError) as err:
        mapping.sales_document(invoice([line(10), line(10, tax="tr-99")], [(0.21, 20, 4.2)]), "invoice",
                               RATES, LEDGERS)
    assert str(err.value).startswith("Invoice 2026 / 17, line 2: its tax rate (tr-99)")
    assert "pick one of the department's tax rates" in str(err.value)


def test_invoice_without_number_is_refused_as_not_booked():
    with pytest.raises(mapping.MappingError, match="not booked"):
        mapping.sales_document(invoice([line(10)], [(0.21, 10, 2.1)], number=None), "invoice", RATES, LEDGERS)


def test_partial_payment_gives_paid_amount_and_payments():
    doc = mapping.sales_document(
        invoice([line(100)], [(0.21, 100, 21)], due=71,
                payments=[{"paid_at": "2026-03-10T09:00:00+00:00", "payment": money(50)}]),
        "invoice", RATES, LEDGERS,
    )
    assert doc.paid_amount == Decimal("50.00")
    assert doc.payments[0].amount == Decimal("50.00")
    assert not doc.paid


def test_company_party_keeps_vat_number_and_prefers_the_invoicing_address():
    party = mapping.party(
        {
            "id": "co-1", "name": "Acme NV", "vat_number": " BE0477472701 ",
            "emails": [{"type": "primary", "email": "info@acme.be"}, {"type": "invoicing", "email": "ap@acme.be"}],
            "addresses": [
                {"type": "primary", "address": {"line_1": "Main 1", "postal_code": "9000", "city": "Gent", "country": "BE"}},
                {"type": "invoicing", "address": {"line_1": "Box 7", "postal_code": "1000", "city": "Brussel", "country": "BE"}},
            ],
            "updated_at": "2026-01-02T03:04:05+00:00",
        },
        "company",
        frozenset({PartyRole.CUSTOMER}),
    )
    assert party.vat_number == "BE0477472701"
    assert party.email == "ap@acme.be"
    assert party.address.city == "Brussel"
    assert party.roles == {PartyRole.CUSTOMER}
    assert not party.is_person


def test_contact_party_is_a_person_named_first_then_last():
    party = mapping.party({"id": "ct-1", "first_name": "Ann", "last_name": "Peeters",
                           "primary_address": {"line_1": "Kerkstraat 2", "postal_code": "2000",
                                               "city": "Antwerpen", "country": "BE"}}, "contact")
    assert (party.name, party.is_person, party.address.postal_code) == ("Ann Peeters", True, "2000")


def test_ledger_accounts_only_for_the_department_asked():
    category = {"id": "cat-1", "name": "Services", "ledgers": [
        {"department": {"type": "department", "id": DEPT}, "ledger_account_number": "700000"},
        {"department": {"type": "department", "id": "dept-nl"}, "ledger_account_number": "8000"},
    ]}
    assert [a.number for a in mapping.ledger_accounts(category, DEPT)] == ["700000"]


def expense(ubl_total: str, *, source_type="incomingInvoice", supplier=True) -> dict:
    return as_parsed({
        "source": {"type": source_type, "id": "exp-1"},
        "origin": {"type": "peppolIncomingDocument", "id": "peppol-1"},
        "supplier": {"type": "company", "id": "sup-1"} if supplier else None,
        "document_number": "Snippet1",
        "document_date": "2017-11-13",
        "due_date": "2017-12-01",
        "currency": {"code": "EUR"},
        "total": {"tax_inclusive": {"amount": float(ubl_total)}},
        "company_entity": {"type": "department", "id": DEPT},
        "payment_status": "paid",
        "paid_amount": money(float(ubl_total)),
    })


def test_purchase_invoice_takes_lines_and_vat_from_its_ubl_document():
    ubl = parse_ubl((FIXTURES / "base-example.xml").read_bytes())
    doc = mapping.purchase_document(expense(str(ubl.total_incl)), ubl)
    assert doc.kind is DocumentKind.PURCHASE_INVOICE
    assert doc.party == PartyRef("company", "sup-1")
    assert doc.party_role is PartyRole.SUPPLIER
    assert doc.lines == ubl.lines
    assert doc.vat == ubl.vat
    assert doc.paid and doc.paid_amount == ubl.total_incl
    assert doc.supplier_reference == ubl.number


def test_purchase_document_whose_focus_total_differs_from_its_ubl_is_refused():
    ubl = parse_ubl((FIXTURES / "base-example.xml").read_bytes())
    with pytest.raises(mapping.MappingError, match="Incoming invoice Snippet1: Focus states a total of 1.00"):
        mapping.purchase_document(expense("1.00"), ubl)


def test_purchase_document_without_supplier_is_refused():
    ubl = parse_ubl((FIXTURES / "base-example.xml").read_bytes())
    with pytest.raises(mapping.MappingError, match="no supplier is linked"):
        mapping.purchase_document(expense(str(ubl.total_incl), supplier=False), ubl)


def test_negative_purchase_invoice_becomes_a_purchase_credit_note():
    ubl = parse_ubl((FIXTURES / "base-negative-inv-correction.xml").read_bytes())
    assert ubl.total_incl < 0
    doc = mapping.purchase_document(expense(str(ubl.total_incl)), ubl)
    assert doc.kind is DocumentKind.PURCHASE_CREDIT_NOTE
    assert doc.total_incl == -ubl.total_incl
    assert doc.lines_total == doc.total_excl
