"""Demo Peppol inbox for one department: incoming invoices and credit notes.

Each Peppol document comes with its UBL file; the ``expenses.list`` totals
are taken from that file's model so they always agree. Review statuses mix
approved (most), pending and refused; one or two ``receipt`` items (entered
by a user, no file) complete the list and must not be treated as invoices.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from sandbox.focus.amounts import cents, money, number
from sandbox.focus.catalog import Department
from sandbox.focus.demo import new_id, random_day, stamp
from sandbox.focus.identifiers import structured_reference
from sandbox.focus.parties import Party
from sandbox.focus.payments import settle_expense
from sandbox.focus.records import Expense, File, Record
from sandbox.focus.ubl import UblAllowance, UblDocument, UblLine, UblParty, render

#: (name, UBL unit code)
COST_ITEMS = (("Office supplies", "C62"), ("Cloud hosting", "C62"), ("Legal advice", "HUR"), ("Fuel", "LTR"),
              ("Catering", "C62"), ("Software subscription", "C62"), ("Maintenance", "HUR"),
              ("Printer paper", "C62"), ("Freight", "C62"))
#: (category, percent, weight) for a supplier in the department's own country.
DOMESTIC_VAT = {
    "BE": (("S", "21", 70), ("S", "6", 10), ("S", "12", 8), ("Z", "0", 5), ("E", "0", 7)),
    "NL": (("S", "21", 75), ("S", "9", 15), ("Z", "0", 4), ("E", "0", 6)),
}
#: Always present, so even a small data set has every case an extractor must handle.
FIXED_PLAN = (("incomingInvoice", "approved"), ("incomingInvoice", "approved"), ("incomingCreditNote", "approved"),
              ("incomingInvoice", "pending"), ("incomingInvoice", "refused"))
RECEIPTS = ("Parking ticket", "Lunch meeting", "Train ticket")


def expense_count(invoices: int) -> int:
    return min(24, max(6, invoices // 5))


def _plan(rng: random.Random, count: int) -> list[tuple[str, str]]:
    plan = list(FIXED_PLAN)
    while len(plan) < count:
        kind = "incomingCreditNote" if rng.random() < 0.2 else "incomingInvoice"
        plan.append((kind, rng.choices(("approved", "pending", "refused"), (75, 15, 10))[0]))
    return plan


def _ubl_lines(rng: random.Random, department: Department, supplier: Party) -> list[UblLine]:
    vat = DOMESTIC_VAT[department.country]
    lines = []
    for _ in range(rng.randint(1, 4)):
        name, unit = rng.choice(COST_ITEMS)
        if supplier.country == department.country:
            category, percent, _ = rng.choices(vat, [w for *_, w in vat])[0]
        else:
            category, percent = "AE", "0"
        quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10))) if rng.random() < 0.8 else Decimal("2.5")
        price = Decimal(rng.randrange(200, 80000)) / 100
        lines.append(UblLine(name, quantity, unit, price, category, Decimal(percent)))
    return lines


def _allowances(rng: random.Random, lines: Sequence[UblLine]) -> list[UblAllowance]:
    if rng.random() >= 0.25:
        return []
    first = lines[0]
    base = sum((line.amount for line in lines if (line.category, line.percent) == (first.category, first.percent)),
               Decimal(0))
    amount = cents(base * Decimal(rng.choice((2, 3, 5, 10))) / 100)
    return [UblAllowance("Discount", amount, first.category, first.percent)] if amount > 0 else []


def _payments(rng: random.Random, kind: str, review: str, total: Decimal, day: dt.date) -> list[dict[str, Any]]:
    """Approved documents are paid, partly paid (invoices only) or not paid yet."""
    roll = rng.random()
    if review != "approved" or roll >= 0.7 or (roll >= 0.5 and kind != "incomingInvoice"):
        return []
    amount = total if roll < 0.5 else cents(total * Decimal(rng.randint(30, 70)) / 100)
    paid_at = stamp(rng, day + dt.timedelta(days=rng.randint(5, 40)))
    return [{"id": new_id(rng), "payment": money(amount), "paid_at": paid_at, "payment_method": None, "remark": None}]


def _peppol_document(rng: random.Random, department: Department, supplier: Party, kind: str, review: str,
                     day: dt.date, sequence: int) -> Iterator[Record]:
    credit_note = kind == "incomingCreditNote"
    document_number = f"{'CN' if credit_note else 'INV'}-{day.year}-{sequence:04d}"
    payment_id = structured_reference(rng) if supplier.country == "BE" else document_number
    assert supplier.vat_number and supplier.iban and supplier.bic
    ubl = UblDocument(
        credit_note=credit_note,
        number=document_number,
        issue_date=day,
        due_date=day + dt.timedelta(days=30),
        currency="EUR",
        buyer_reference=department.name,
        supplier=UblParty(supplier.name, supplier.vat_number, supplier.address),
        customer=UblParty(department.name, department.vat_number, department.address),
        payment_id=payment_id,
        iban=supplier.iban,
        bic=supplier.bic,
        lines=(lines := _ubl_lines(rng, department, supplier)),
        allowances=_allowances(rng, lines),
        invoice_reference=f"INV-{day.year}-{max(1, sequence - 1):04d}" if credit_note else None,
    )
    file_id = new_id(rng)
    yield Record("file", File(file_id, "application/xml", render(ubl)))
    payments = _payments(rng, kind, review, ubl.tax_inclusive, day)
    doc = {
        "source": {"type": kind, "id": new_id(rng)},
        "origin": {"type": "peppolIncomingDocument", "id": new_id(rng)},
        "title": f"{supplier.name} {document_number}",
        "supplier": {"type": "company", "id": supplier.id},
        "document_number": document_number,
        "document_date": day.isoformat(),
        "due_date": ubl.due_date.isoformat(),
        "currency": {"code": "EUR"},
        "total": {"tax_exclusive": {"amount": number(ubl.tax_exclusive)},
                  "tax_inclusive": {"amount": number(ubl.tax_inclusive)}},
        "company_entity": {"type": "department", "id": department.id},
        "file": {"type": "file", "id": file_id},
        "payment_reference": payment_id,
        "review_status": review,
        "bookkeeping_status": "sent" if review == "approved" and rng.random() < 0.4 else "not_sent",
        "iban_number": supplier.iban,
        "payment_status": "unknown" if review != "approved" and rng.random() < 0.3 else "not_paid",
        "paid_amount": None,
        "paid_at": None,
    }
    settle_expense(doc, payments)
    yield Record("expense", Expense(doc, supplier.name, payments))


def _receipt(rng: random.Random, department: Department, user_id: str) -> Record:
    day = random_day(rng)
    total = Decimal(rng.randrange(500, 9000)) / 100
    payment = {"id": new_id(rng), "payment": money(total), "paid_at": stamp(rng, day), "payment_method": None,
               "remark": None}
    doc = {
        "source": {"type": "receipt", "id": new_id(rng)},
        "origin": {"type": "user", "id": user_id},
        "title": rng.choice(RECEIPTS),
        "supplier": None,
        "document_number": None,
        "document_date": day.isoformat(),
        "due_date": None,
        "currency": {"code": "EUR"},
        "total": {"tax_exclusive": None, "tax_inclusive": {"amount": number(total)}},
        "company_entity": {"type": "department", "id": department.id},
        "file": None,
        "payment_reference": None,
        "review_status": "approved",
        "bookkeeping_status": "not_sent",
        "iban_number": None,
        "payment_status": "not_paid",
        "paid_amount": None,
        "paid_at": None,
    }
    settle_expense(doc, [payment])
    return Record("expense", Expense(doc, None, [payment]))


def purchase_documents(rng: random.Random, department: Department, suppliers: Sequence[Party], invoices: int,
                       user_id: str) -> Iterator[Record]:
    plan = _plan(rng, expense_count(invoices))
    days = sorted(random_day(rng) for _ in plan)
    sequences = {supplier.id: rng.randrange(100, 900) for supplier in suppliers}
    for (kind, review), day in zip(plan, days, strict=True):
        supplier = rng.choice(suppliers)
        sequences[supplier.id] += 1
        yield from _peppol_document(rng, department, supplier, kind, review, day, sequences[supplier.id])
    for _ in range(rng.randint(1, 2)):
        yield _receipt(rng, department, user_id)
