"""A validated document → a ``Booking`` the target only has to translate.

VAT comes from the document (the per-rate figures Focus or the UBL states),
spread over the lines of each rate in proportion to their amounts, largest
remainder first, so the booking's VAT equals the document's to the cent and
lines + VAT = total. The reference is the connector's own key for finding the
booking again in the tool (exactly-once).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from connectors.domain import Document
from connectors.mappings import MappingSettings
from connectors.money import allocate
from connectors.targets.base import Booking, BookingLine, TargetParty

ZERO = Decimal("0.00")


def reference(document: Document) -> str:
    """Short, stable and unique per department: ``FC-<source kind letter>-<Focus id>``."""
    letter = {"invoice": "I", "creditNote": "C", "incomingInvoice": "P", "incomingCreditNote": "Q"}
    return f"FC-{letter.get(document.source_type, 'X')}-{document.source_id}"


def allocate_vat(document: Document) -> list[Decimal]:
    """The VAT of each line, such that the lines of each rate add up to the document's VAT at that rate."""
    by_rate: dict[Decimal, list[int]] = defaultdict(list)
    for index, line in enumerate(document.lines):
        by_rate[line.tax_rate].append(index)
    stated: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for vat in document.vat:
        stated[vat.rate] += vat.tax
    shares = [ZERO] * len(document.lines)
    for rate, indexes in by_rate.items():
        for index, share in zip(indexes, allocate(stated[rate], [document.lines[i].amount for i in indexes]),
                                strict=True):
            shares[index] = share
    return shares


def build_booking(document: Document, settings: MappingSettings, party: TargetParty) -> Booking:
    """Assumes the document passed validation: every line resolves to a ledger account and VAT code."""
    vat = allocate_vat(document)
    lines = tuple(
        BookingLine(
            description=line.description[:100],
            ledger_account=settings.ledger_for(document, line) or "",
            vat_code=settings.vat_code_for(document, line) or "",
            amount=line.amount,
            vat_amount=vat[index],
            quantity=line.quantity,
        )
        for index, line in enumerate(document.lines)
    )
    return Booking(
        reference=reference(document),
        kind=document.kind,
        number=document.number,
        date=document.date,
        due_date=document.due_date,
        journal=settings.journal_for(document.kind) or "",
        party=party,
        currency=document.currency,
        lines=lines,
        total_incl=document.total_incl,
        payment_reference=document.payment_reference,
        description=document.label,
    )
