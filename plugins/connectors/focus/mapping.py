"""Focus documents → domain records. Every Focus quirk of invoices, credit notes and Peppol documents ends here
(reference data and parties: ``focus.reference``; single values: ``focus.values``).

- Money arrives as JSON numbers (``{"amount": 123.3}``), parsed as Decimal by
  the client and rounded to the cent here; a value that is no number names its
  document and field.
- A booked invoice with a negative total is a credit note in accounting terms:
  it becomes a ``sales_credit_note`` with its signs flipped.
- Lines carry no ledger account; it hangs off the line's product category,
  per department.
- Commercial (document-level) discounts are not in the line totals; Focus's
  per-rate ``total.taxes`` are. The difference becomes explicit DISCOUNT lines,
  so that the lines of every document add up to its taxable amounts exactly.
- Purchase documents are totals only in Focus; lines and VAT come from the
  Peppol UBL file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from connectors.domain import (
    Document,
    DocumentKind,
    Line,
    LineKind,
    PartyRef,
    Payment,
    TaxRate,
    VatAmount,
)
from connectors.focus.reference import clean, department, ledger_accounts, party, tax_rate
from connectors.focus.ubl import UblDocument
from connectors.focus.values import ZERO, MappingError, amount, date, moment, number, optional_amount
from connectors.money import allocate

__all__ = ["MappingError", "department", "ledger_accounts", "party", "purchase_document", "sales_document",
           "tax_rate"]


# -- sales documents ---------------------------------------------------------------------


def sales_document(
    item: Mapping[str, Any],
    source_type: str,
    tax_rates: Mapping[str, TaxRate],
    ledgers: Mapping[str, str],
) -> Document:
    """An invoice or credit note in ``.info`` shape (``grouped_lines``, ``discounts``, ``payments``).

    ``tax_rates`` maps Focus taxRate ids to rates; ``ledgers`` maps product
    category ids to this department's ledger account number.
    """
    is_invoice = source_type == "invoice"
    number = item.get("invoice_number" if is_invoice else "credit_note_number")
    label = f"{'Invoice' if is_invoice else 'Credit note'} {number or item.get('id')}"
    if not number:
        raise MappingError(f"{label}: it has no number, so it is not booked in Focus yet; book it first")
    date_field = "invoice_date" if is_invoice else "credit_note_date"
    doc_date = date(item.get(date_field), label, date_field)
    if doc_date is None:
        raise MappingError(f"{label}: it has no document date; set the date in Focus")
    customer = (item.get("invoicee") or {}).get("customer") or {}
    if not customer.get("id"):
        raise MappingError(f"{label}: it has no customer; link a company or contact as invoicee in Focus")
    total = item.get("total") or {}

    lines = _sales_lines(item, label, tax_rates, ledgers)
    vat = _sales_vat(total, lines, label)
    lines += _discount_lines(item, label, lines, vat)

    total_excl = amount(total.get("tax_exclusive"), label, "total.tax_exclusive", default=None)
    total_incl = amount(total.get("tax_inclusive"), label, "total.tax_inclusive", default=None)
    payable = amount(total.get("payable"), label, "total.payable", default=total_incl)
    payments = tuple(
        Payment(amount=amount(p.get("payment"), label, "payments.payment"),
                paid_at=moment(p.get("paid_at"), label, "payments.paid_at") or doc_date)
        for p in item.get("payments") or []
    )
    if "due" in total:
        paid_amount = payable - amount(total.get("due"), label, "total.due")
    else:
        paid_amount = sum((p.amount for p in payments), ZERO)

    negative = is_invoice and total_incl < 0
    if is_invoice:
        kind = DocumentKind.SALES_CREDIT_NOTE if negative else DocumentKind.SALES_INVOICE
    else:
        kind = DocumentKind.SALES_CREDIT_NOTE
    sign = Decimal(-1) if negative else Decimal(1)
    return Document(
        source_id=item["id"],
        source_type=source_type,
        kind=kind,
        department_id=(item.get("department") or {}).get("id", ""),
        number=number,
        date=doc_date,
        party=PartyRef(customer.get("type", "company"), customer["id"]),
        currency=_currency(item),
        lines=tuple(_flip_line(line, sign) for line in lines),
        vat=tuple(_flip_vat(v, sign) for v in vat),
        total_excl=total_excl * sign,
        total_vat=(total_incl - total_excl) * sign,
        total_incl=total_incl * sign,
        due_date=date(item.get("due_on"), label, "due_on"),
        payable=payable * sign,
        payment_reference=clean(item.get("payment_reference")),
        credits_source_id=None if is_invoice else (item.get("invoice") or {}).get("id"),
        from_negative_invoice=negative,
        paid=bool(item.get("paid")),
        paid_amount=paid_amount * sign,
        payments=tuple(Payment(p.amount * sign, p.paid_at, p.method) for p in payments),
        updated_at=moment(item.get("updated_at"), label, "updated_at"),
    )


def _sales_lines(
    item: Mapping[str, Any], label: str, tax_rates: Mapping[str, TaxRate], ledgers: Mapping[str, str]
) -> list[Line]:
    lines: list[Line] = []
    for group in item.get("grouped_lines") or []:
        for raw in group.get("line_items") or []:
            position = len(lines) + 1
            at = f"{label}, line {position}"
            tax_id = (raw.get("tax") or {}).get("id")
            rate = tax_rates.get(tax_id) if tax_id else None
            if rate is None:
                raise MappingError(
                    f"{at}: its tax rate ({tax_id or 'none'}) is not a tax rate of this "
                    "department; pick one of the department's tax rates on the line in Focus", "tax_rate"
                )
            category_id = (raw.get("product_category") or {}).get("id")
            totals = raw.get("total") or {}
            discount = raw.get("discount") or {}
            lines.append(
                Line(
                    number=position,
                    description=(raw.get("description") or "").strip() or f"Line {position}",
                    amount=amount(totals.get("tax_exclusive"), at, "total.tax_exclusive", default=None),
                    tax_rate=rate.rate,
                    quantity=number(raw["quantity"], at, "quantity") if raw.get("quantity") is not None else None,
                    unit_price=number((raw.get("unit_price") or {}).get("amount", 0), at, "unit_price"),
                    discount_percent=number(discount["value"], at, "discount") if discount.get("value") else None,
                    tax_rate_id=tax_id,
                    ledger_account=ledgers.get(category_id) if category_id else None,
                    product_category_id=category_id,
                )
            )
    if not lines:
        raise MappingError(f"{label}: it has no lines; Focus returned an empty document")
    return lines


def _sales_vat(total: Mapping[str, Any], lines: list[Line], label: str) -> list[VatAmount]:
    ids_by_rate: dict[Decimal, set[str]] = defaultdict(set)
    for line in lines:
        ids_by_rate[line.tax_rate].add(line.tax_rate_id or "")
    vat = []
    for tax in total.get("taxes") or []:
        rate = number(tax.get("rate"), label, "total.taxes.rate")
        ids = ids_by_rate.get(rate, set())
        vat.append(
            VatAmount(
                rate=rate,
                taxable=amount(tax.get("taxable"), label, "total.taxes.taxable"),
                tax=amount(tax.get("tax"), label, "total.taxes.tax"),
                tax_rate_id=next(iter(ids)) if len(ids) == 1 else None,
            )
        )
    return vat


def _discount_lines(item: Mapping[str, Any], label: str, lines: list[Line], vat: list[VatAmount]) -> list[Line]:
    """Explicit lines for document-level discounts, one per tax rate id they reduce.

    Focus states the discounted taxable amount per rate; the discount per rate is
    that minus the lines at the rate, split over the rate's tax rate ids in
    proportion to their lines (largest remainder, so cents add up exactly).
    """
    discounts = item.get("discounts") or []
    by_rate: dict[Decimal, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for line in lines:
        by_rate[line.tax_rate][line.tax_rate_id or ""] += line.amount
    taxable = {v.rate: v.taxable for v in vat}
    description = "Commercial discount" + (
        ": " + ", ".join(f"{_percent(number(d.get('value', 0), label, 'discounts.value') / 100)} "
                         f"{d.get('description') or ''}".strip()
                         for d in discounts)
        if discounts else ""
    )
    extra: list[Line] = []
    for rate, groups in sorted(by_rate.items()):
        gross = sum(groups.values(), ZERO)
        if rate not in taxable:
            if gross and not discounts:
                raise MappingError(f"{label}: Focus gives no VAT total for the {_percent(rate)} lines")
            continue
        difference = taxable[rate] - gross
        if not difference:
            continue
        if not discounts:
            raise MappingError(
                f"{label}: the {_percent(rate)} lines add up to {gross} but Focus states {taxable[rate]} taxable; "
                "check the document in Focus"
            )
        for tax_rate_id, share in _split(difference, groups).items():
            if share:
                extra.append(
                    Line(
                        number=len(lines) + len(extra) + 1,
                        description=description,
                        amount=share,
                        tax_rate=rate,
                        kind=LineKind.DISCOUNT,
                        tax_rate_id=tax_rate_id or None,
                    )
                )
    return extra


def _split(total: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    keys = sorted(weights)
    return dict(zip(keys, allocate(total, [weights[k] for k in keys]), strict=True))


# -- purchase documents --------------------------------------------------------------------


def purchase_document(item: Mapping[str, Any], ubl: UblDocument) -> Document:
    """An approved incoming invoice or credit note: ``expenses.list`` item + its Peppol UBL."""
    source = item.get("source") or {}
    source_type = source.get("type", "incomingInvoice")
    number = item.get("document_number") or ubl.number
    label = f"{'Incoming credit note' if source_type == 'incomingCreditNote' else 'Incoming invoice'} {number}"
    supplier = item.get("supplier") or {}
    if not supplier.get("id"):
        raise MappingError(f"{label}: no supplier is linked in Focus; link the supplier company to the document")
    focus_incl = optional_amount((item.get("total") or {}).get("tax_inclusive"), label, "total.tax_inclusive")
    if focus_incl is not None and abs(focus_incl) != abs(ubl.total_incl):
        raise MappingError(
            f"{label}: Focus states a total of {focus_incl} but the Peppol document says {ubl.total_incl}; "
            "correct the total in Focus or ask the supplier for a corrected document"
        )
    is_credit = source_type == "incomingCreditNote" or ubl.document_type == "credit_note"
    negative = not is_credit and ubl.total_incl < 0
    kind = DocumentKind.PURCHASE_CREDIT_NOTE if (is_credit or negative) else DocumentKind.PURCHASE_INVOICE
    sign = Decimal(-1) if negative else Decimal(1)
    paid_amount = amount(item.get("paid_amount"), label, "paid_amount")
    return Document(
        source_id=source.get("id") or item["id"],
        source_type=source_type,
        kind=kind,
        department_id=(item.get("company_entity") or {}).get("id", ""),
        number=number,
        date=date(item.get("document_date"), label, "document_date") or ubl.issue_date,
        party=PartyRef(supplier.get("type", "company"), supplier["id"]),
        currency=((item.get("currency") or {}).get("code")) or ubl.currency,
        lines=tuple(_flip_line(line, sign) for line in ubl.lines),
        vat=tuple(_flip_vat(v, sign) for v in ubl.vat),
        total_excl=ubl.total_excl * sign,
        total_vat=ubl.total_vat * sign,
        total_incl=ubl.total_incl * sign,
        due_date=date(item.get("due_date"), label, "due_date") or ubl.due_date,
        payable=ubl.payable * sign,
        payment_reference=clean(item.get("payment_reference")) or ubl.payment_reference,
        credits_source_id=None,
        from_negative_invoice=negative,
        paid=item.get("payment_status") == "paid",
        paid_amount=abs(paid_amount),
        supplier_reference=ubl.number,
    )


# -- helpers ---------------------------------------------------------------------------


def _flip_line(line: Line, sign: Decimal) -> Line:
    if sign > 0:
        return line
    return replace(line, amount=-line.amount, quantity=-line.quantity if line.quantity is not None else None)


def _flip_vat(vat: VatAmount, sign: Decimal) -> VatAmount:
    if sign > 0:
        return vat
    return replace(vat, taxable=-vat.taxable, tax=-vat.tax)


def _percent(rate: Decimal) -> str:
    """0.21 → "21%", 0.055 → "5.5%"."""
    return f"{(rate * 100).normalize():f}%"


def _currency(item: Mapping[str, Any]) -> str:
    currency = item.get("currency")
    if isinstance(currency, Mapping):
        currency = currency.get("code")
    if not currency:
        currency = ((item.get("total") or {}).get("tax_inclusive") or {}).get("currency")
    return currency or "EUR"
