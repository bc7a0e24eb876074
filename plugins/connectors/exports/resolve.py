"""Focus documents and customers → what a package writer gets, with the department's export settings applied.

Each line gets its ledger account (the product category's, else — when "fill lines by VAT rate" is on — the
account set for its rate; discounts go to the sales discount account) and its UNCL5305 VAT category; a
Belgian structured communication is recognised and checked (mod 97, python-stdnum). What cannot be resolved
stays ``None`` here and is reported by validation (``exports.checks``), never guessed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from stdnum.be import ogm_vcs

from connectors.domain import Document, LineKind, Party, PartyRef
from connectors.exports.records import ExportCustomer, ExportDocument, ExportLine, ExportVat
from connectors.exports.settings import ZERO_RATE_CATEGORIES, ExportSettings
from connectors.money import allocate

#: "+++123/4567/89002+++" or "***123/4567/89002***" (peers.md §B.7), spaces tolerated.
STRUCTURED = re.compile(r"^\s*(\+{3}|\*{3})\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*(\+{3}|\*{3})\s*$")


def structured_communication(reference: str | None) -> tuple[str | None, bool]:
    """(the communication as ``+++ddd/dddd/ddddd+++``, valid?) — (None, True) when it is not one at all."""
    if not reference:
        return None, True
    match = STRUCTURED.match(reference)
    if not match:
        return None, True
    digits = "".join(match.group(2, 3, 4))
    formatted = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    return formatted, bool(ogm_vcs.is_valid(digits))


def ledger_account(kind: LineKind, line_account: str | None, rate: Decimal, settings: ExportSettings) -> str | None:
    if kind == LineKind.DISCOUNT:
        return settings.sales_discount_account
    if line_account:
        return line_account
    return settings.ledger_for(rate) if settings.fill_lines_by_rate else None


def exemption(category: str) -> tuple[str | None, str | None]:
    return ZERO_RATE_CATEGORIES.get(category, (None, None))


def customer(party: Party | None, ref: PartyRef, number: str | None) -> ExportCustomer:
    if party is None:
        return ExportCustomer(ref=ref, name="", number=number)
    return ExportCustomer(ref=party.ref, name=party.name, number=number, vat_number=party.vat_number,
                          national_id=party.national_id, email=party.email, phone=party.phone,
                          address=party.address, iban=party.iban, bic=party.bic, language=party.language,
                          is_person=party.is_person)


def export_document(doc: Document, settings: ExportSettings, buyer: ExportCustomer,
                    credited: Mapping[str, tuple[str | None, object]] | None = None,
                    tax_rates: Mapping[str, str] | None = None) -> ExportDocument:
    """The document as a writer sees it. ``tax_rates`` maps Focus tax rate ids to their descriptions (what tells
    a reverse-charge 0 % from a zero-rated one). A line whose ledger account cannot be resolved gets ``""``
    (validation refuses such an export before anything is written)."""
    descriptions = tax_rates or {}
    lines = []
    for line in doc.lines:
        category = settings.category_for(line.tax_rate, descriptions.get(line.tax_rate_id or ""))
        code, reason = exemption(category)
        lines.append(ExportLine(
            number=line.number, description=line.description, amount=line.amount, tax_rate=line.tax_rate,
            vat_category=category,
            ledger_account=ledger_account(line.kind, line.ledger_account, line.tax_rate, settings) or "",
            kind=line.kind, quantity=line.quantity, unit_price=line.unit_price,
            discount_percent=line.discount_percent, exemption_code=code, exemption_reason=reason))
    communication, _ = structured_communication(doc.payment_reference)
    credited_number, credited_date = (credited or {}).get(doc.credits_source_id or "", (None, None))
    return ExportDocument(
        source_id=doc.source_id, source_type=doc.source_type, is_credit_note=doc.kind.is_credit_note,
        number=doc.number, date=doc.date, currency=doc.currency, customer=buyer,
        journal=settings.credit_note_journal if doc.kind.is_credit_note else settings.invoice_journal,
        lines=tuple(lines), vat=vat_by_category(doc, lines), total_excl=doc.total_excl, total_vat=doc.total_vat,
        total_incl=doc.total_incl, due_date=doc.due_date, payable=doc.payable,
        structured_communication=communication,
        payment_reference=None if communication else doc.payment_reference,
        credited_number=credited_number, credited_date=credited_date,  # type: ignore[arg-type]
        from_negative_invoice=doc.from_negative_invoice)


def vat_by_category(doc: Document, lines: list[ExportLine]) -> tuple[ExportVat, ...]:
    """Focus's VAT per rate, split by category where one rate holds two (a zero-rated and a reverse-charge
    0 % line on one invoice): the taxable amount per category is its lines, the rate's VAT is shared in
    proportion (zero at 0 %), so the figures still add up to Focus's to the cent."""
    by_rate: dict[Decimal, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in lines:
        by_rate[line.tax_rate][line.vat_category] += line.amount
    stated: dict[Decimal, list[Decimal]] = {}  # Focus may state one rate in several entries (one per tax rate)
    for v in doc.vat:
        total = stated.setdefault(v.rate, [Decimal("0.00"), Decimal("0.00")])
        total[0] += v.taxable
        total[1] += v.tax
    out = []
    for rate, (stated_taxable, stated_tax) in stated.items():
        parts = by_rate.get(rate) or {"S" if rate > 0 else "Z": stated_taxable}
        categories = sorted(parts)
        if len(categories) == 1:
            taxables, taxes = [stated_taxable], [stated_tax]
        else:
            taxables = [parts[c] for c in categories]
            taxes = allocate(stated_tax, taxables)
        for category, taxable, tax in zip(categories, taxables, taxes, strict=True):
            code, reason = exemption(category)
            out.append(ExportVat(rate=rate, vat_category=category, taxable=taxable, tax=tax,
                                 exemption_code=code, exemption_reason=reason))
    return tuple(out)
