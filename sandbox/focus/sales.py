"""Demo sales invoices and credit notes for one department.

Per department: invoice dates spread over the demo calendar and numbered
``YYYY / seq`` per year in date order; ~5 % drafts (no number, must not be
extracted), ~5 % negative invoices (booked, totals < 0), the rest booked as
outstanding (some partly paid) or matched (fully paid). About one in ten
booked invoices gets a credit note (full copy or a subset of its lines) with
its own ``YYYY/seq`` numbering. All amounts follow ``sandbox.focus.amounts``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sandbox.focus.amounts import (
    LineTotals,
    TaxedLine,
    cents,
    document_total_json,
    document_totals,
    line_total_json,
    line_totals,
    money,
    number,
)
from sandbox.focus.catalog import Catalog, Department, PaymentTerm, ProductCategory, TaxRate
from sandbox.focus.demo import LAST_DAY, REFERENCE_DAY, later, new_id, random_day, stamp
from sandbox.focus.identifiers import structured_reference
from sandbox.focus.parties import FIRST_NAMES, SURNAMES, Party
from sandbox.focus.payments import settle_invoice
from sandbox.focus.records import Record

LINE_DISCOUNTS = (Decimal("5"), Decimal("10"), Decimal("15"), Decimal("2.5"), Decimal("20"))
DOCUMENT_DISCOUNTS = (Decimal("2"), Decimal("5"), Decimal("10"), Decimal("3.5"))
FRACTIONAL_QUANTITIES = (Decimal("0.5"), Decimal("1.5"), Decimal("2.5"), Decimal("7.25"), Decimal("0.75"))
UNCATEGORISED = ("Other services", "Miscellaneous supplies", "Rush fee")
EXCHANGE_RATE = {"from": "EUR", "to": "EUR", "rate": 1.0}


@dataclass(frozen=True)
class CreditPlan:
    day: dt.date
    number: str
    full: bool


@dataclass(frozen=True)
class InvoicePlan:
    day: dt.date
    kind: str  # "draft" | "negative" | "normal"
    number: tuple[int, int] | None
    credit: CreditPlan | None


@dataclass(frozen=True)
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal | None
    tax_rate: TaxRate
    category: ProductCategory | None
    description: str
    extended_description: str | None
    totals: LineTotals

    @property
    def taxed(self) -> TaxedLine:
        return TaxedLine(self.tax_rate.id, self.tax_rate.rate, self.totals)


def make_line(quantity: Decimal, unit_price: Decimal, discount: Decimal | None, tax_rate: TaxRate,
              category: ProductCategory | None, description: str, extended: str | None) -> Line:
    totals = line_totals(quantity, unit_price, discount, tax_rate.rate)
    return Line(quantity, unit_price, discount, tax_rate, category, description, extended, totals)


def _plan(rng: random.Random, count: int) -> list[InvoicePlan]:
    days = sorted(random_day(rng) for _ in range(count))
    specials = max(1, round(count * 0.05)) if count >= 10 else 0
    picked = rng.sample(range(count), 2 * specials)
    drafts, negatives = set(picked[:specials]), set(picked[specials:])
    per_year: Counter[int] = Counter()
    numbers: dict[int, tuple[int, int]] = {}
    for index, day in enumerate(days):
        if index not in drafts:
            per_year[day.year] += 1
            numbers[index] = (day.year, per_year[day.year])
    creditable = [i for i in range(count) if i not in drafts and i not in negatives]
    credited = rng.sample(creditable, min(len(creditable), max(1, count // 10)))
    credit_days = sorted((min(days[i] + dt.timedelta(days=rng.randint(1, 45)), LAST_DAY), i) for i in credited)
    credit_year: Counter[int] = Counter()
    credits: dict[int, CreditPlan] = {}
    for day, index in credit_days:
        credit_year[day.year] += 1
        credits[index] = CreditPlan(day, f"{day.year}/{credit_year[day.year]}", rng.random() < 0.6)
    return [
        InvoicePlan(day, "draft" if i in drafts else "negative" if i in negatives else "normal",
                    numbers.get(i), credits.get(i))
        for i, day in enumerate(days)
    ]


def _lines(rng: random.Random, catalog: Catalog, department: Department, reverse: bool, negative: bool) -> list[Line]:
    rates = [r for r in department.tax_rates if r.weight]
    primary = department.reverse_charge_rate if reverse else rng.choices(rates, [r.weight for r in rates])[0]
    categories: list[ProductCategory | None] = [*catalog.categories, None]
    weights = [c.weight for c in catalog.categories] + [10]
    lines = []
    for _ in range(rng.choices((1, 2, 3, 4, 5), (25, 30, 25, 12, 8))[0]):
        category = rng.choices(categories, weights)[0]
        mixed = not reverse and rng.random() >= 0.8
        rate = rng.choices(rates, [r.weight for r in rates])[0] if mixed else primary
        if rng.random() < 0.2:
            quantity = rng.choice(FRACTIONAL_QUANTITIES)
        else:
            quantity = Decimal(rng.choice((1, 1, 1, 2, 3, 5, 8, 10, 12, 24, 40)))
        unit_price = Decimal(rng.randrange(500, 150000)) / 100
        if negative:
            quantity, unit_price = (-quantity, unit_price) if rng.random() < 0.5 else (quantity, -unit_price)
        discount = rng.choice(LINE_DISCOUNTS) if rng.random() < 0.2 else None
        description = rng.choice(category.descriptions if category else UNCATEGORISED)
        extended = "Details as agreed in the offer." if rng.random() < 0.15 else None
        lines.append(make_line(quantity, unit_price, discount, rate, category, description, extended))
    return lines


def _discounts(rng: random.Random) -> list[Decimal]:
    roll = rng.random()
    if roll < 0.02:
        return [rng.choice(DOCUMENT_DISCOUNTS), rng.choice(DOCUMENT_DISCOUNTS)]
    return [rng.choice(DOCUMENT_DISCOUNTS)] if roll < 0.12 else []


def _due_on(day: dt.date, term: PaymentTerm) -> dt.date:
    due = day + dt.timedelta(days=term.days)
    if term.type == "end_of_month":
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    return due


def _line_json(line: Line, *, with_currency: bool) -> dict[str, Any]:
    unit_price: dict[str, Any] = {"amount": number(line.unit_price), "tax": "excluding"}
    if with_currency:
        unit_price = {"amount": number(line.unit_price), "currency": "EUR", "tax": "excluding"}
    unit_id = line.category.unit_id if line.category else None
    return {
        "product": None,
        "product_category": {"type": "productCategory", "id": line.category.id} if line.category else None,
        "quantity": number(line.quantity),
        "description": line.description,
        "extended_description": line.extended_description,
        "unit": {"type": "unitOfMeasure", "id": unit_id} if unit_id else None,
        "unit_price": unit_price,
        "tax": {"type": "taxRate", "id": line.tax_rate.id},
        "discount": {"type": "percentage", "value": number(line.discount)} if line.discount else None,
        "total": line_total_json(line.totals),
        "withheld_tax": None,
    }


def _grouped_lines(rng: random.Random, lines: Sequence[Line], *, with_currency: bool) -> list[dict[str, Any]]:
    items = [_line_json(line, with_currency=with_currency) for line in lines]
    if len(items) >= 3 and rng.random() < 0.25:
        split = rng.randrange(1, len(items))
        return [{"section": {"title": "Services"}, "line_items": items[:split]},
                {"section": {"title": "Materials"}, "line_items": items[split:]}]
    return [{"section": {"title": ""}, "line_items": items}]


def _discounts_json(discounts: Sequence[Decimal]) -> list[dict[str, Any]]:
    names = ("Commercial discount", "Loyalty discount")
    return [{"type": "percentage", "value": number(v), "description": names[i]} for i, v in enumerate(discounts)]


def _invoicee(rng: random.Random, customer: Party) -> dict[str, Any]:
    attention = None
    if customer.type == "company" and rng.random() < 0.3:
        country = customer.country
        attention = {"name": f"{rng.choice(FIRST_NAMES[country])} {rng.choice(SURNAMES[country])}", "contact": None}
    return {
        "name": customer.name,
        "vat_number": customer.vat_number,
        "customer": customer.ref,
        "for_attention_of": attention,
        "email": customer.email,
        "national_identification_number": None,
    }


def _payments(rng: random.Random, plan: InvoicePlan, payable: Decimal) -> list[dict[str, Any]]:
    """Full payment (sometimes in two parts) for most older invoices, part payment for some others."""
    if plan.kind != "normal":
        return []
    old = (REFERENCE_DAY - plan.day).days > 60
    first_day = later(plan.day, rng.randint(3, 50))
    if rng.random() < (0.85 if old else 0.35):
        if rng.random() < 0.15:
            part = cents(payable * Decimal("0.3"))
            second_day = later(first_day, rng.randint(1, 20))
            parts = [(first_day, part), (second_day, payable - part)]
        else:
            parts = [(first_day, payable)]
    elif rng.random() < 0.2:
        parts = [(first_day, cents(payable * Decimal(rng.randint(20, 80)) / 100))]
    else:
        parts = []
    return [{"paid_at": stamp(rng, day), "payment": money(amount)} for day, amount in parts]


def _invoice(rng: random.Random, catalog: Catalog, department: Department, customers: Sequence[Party],
             plan: InvoicePlan) -> tuple[dict[str, Any], list[Line], list[Decimal]]:
    invoice_id = new_id(rng)
    customer = rng.choice(customers)
    reverse = customer.reverse_charged_by(department.country)
    lines = _lines(rng, catalog, department, reverse, plan.kind == "negative")
    discounts = _discounts(rng)
    totals = document_totals([line.taxed for line in lines], discounts)
    term = rng.choice(catalog.payment_terms)
    booked = plan.kind != "draft"
    payments = _payments(rng, plan, totals.payable)
    created_at = stamp(rng, plan.day)
    number_text = f"{plan.number[0]} / {plan.number[1]}" if plan.number else None
    if not booked:
        reference = None
    elif department.country == "BE":
        reference = structured_reference(rng)
    else:
        reference = f"Factuur {plan.number[0]}-{plan.number[1]}" if plan.number and rng.random() < 0.5 else None
    doc = {
        "id": invoice_id,
        "department": {"type": "department", "id": department.id},
        "invoice_number": number_text,
        "invoice_date": plan.day.isoformat() if booked else None,
        "status": "draft",
        "due_on": _due_on(plan.day, term).isoformat() if booked else None,
        "paid": False,
        "paid_at": None,
        "sent": booked,
        "purchase_order_number": f"PO-{rng.randrange(10000, 99999)}" if rng.random() < 0.3 else None,
        "payment_reference": reference,
        "invoicee": _invoicee(rng, customer),
        "discounts": _discounts_json(discounts),
        "grouped_lines": _grouped_lines(rng, lines, with_currency=False),
        "total": {**document_total_json(totals), "due": money(totals.payable)},
        "payment_term": {"type": term.type, "days": term.days},
        "payments": payments,
        "note": None,
        "currency": "EUR",
        "currency_exchange_rate": EXCHANGE_RATE,
        "expected_payment_method": {"method": "bank_transfer"} if rng.random() < 0.5 else None,
        "file": None,
        "deal": None,
        "project": None,
        "on_hold_since": None,
        "custom_fields": [],
        "created_at": created_at,
        "updated_at": max([created_at, *(p["paid_at"] for p in payments)]),
        "document_template": {"type": "documentTemplate", "id": department.document_template_id},
        "delivery_date": plan.day.isoformat() if booked and rng.random() < 0.3 else None,
        "peppol_status": "sent" if booked and customer.type == "company" and rng.random() < 0.2 else None,
        "web_url": f"https://focus.teamleader.eu/invoice_detail.php?id={invoice_id}",
    }
    if booked:
        settle_invoice(doc)
    return doc, lines, discounts


def _credited_lines(rng: random.Random, lines: list[Line], full: bool) -> list[Line]:
    if full:
        return lines
    if len(lines) > 1:
        return rng.sample(lines, rng.randrange(1, len(lines)))
    line = lines[0]
    return [make_line(line.quantity / 2, line.unit_price, line.discount, line.tax_rate, line.category,
                      line.description, line.extended_description)]


def _credit_note(rng: random.Random, department: Department, invoice: dict[str, Any], lines: list[Line],
                 discounts: list[Decimal], plan: CreditPlan) -> dict[str, Any]:
    credit_id = new_id(rng)
    credited = _credited_lines(rng, lines, plan.full)
    totals = document_totals([line.taxed for line in credited], discounts)
    created_at = stamp(rng, plan.day)
    paid_at = stamp(rng, later(plan.day, rng.randint(1, 20))) if rng.random() < 0.5 else None
    return {
        "id": credit_id,
        "department": {"type": "department", "id": department.id},
        "credit_note_number": plan.number,
        "credit_note_date": plan.day.isoformat(),
        "status": "booked",
        "invoice": {"type": "invoice", "id": invoice["id"]},
        "paid": paid_at is not None,
        "paid_at": paid_at,
        "invoicee": invoice["invoicee"],
        "total": document_total_json(totals),
        "discounts": _discounts_json(discounts),
        "grouped_lines": _grouped_lines(rng, credited, with_currency=True),
        "currency": "EUR",
        "currency_exchange_rate": EXCHANGE_RATE,
        "document_template": {"type": "documentTemplate", "id": department.document_template_id},
        "peppol_status": None,
        "created_at": created_at,
        "updated_at": max(created_at, paid_at or created_at),
        "web_url": f"https://focus.teamleader.eu/creditnote_detail.php?id={credit_id}",
    }


def sales_documents(rng: random.Random, catalog: Catalog, department: Department, customers: Sequence[Party],
                    count: int) -> Iterator[Record]:
    for plan in _plan(rng, count):
        invoice, lines, discounts = _invoice(rng, catalog, department, customers, plan)
        yield Record("invoice", invoice)
        if plan.credit:
            yield Record("credit_note", _credit_note(rng, department, invoice, lines, discounts, plan.credit))
