"""A validated document → a ``Booking`` the target only has to translate.

VAT comes from the document (the per-rate figures Focus or the UBL states),
spread over the lines of each rate in proportion to their amounts, largest
remainder first (``connectors.money``), so the booking's VAT equals the
document's to the cent and lines + VAT = total. ``build_booking`` checks
that it balances and refuses to build one that does not (validation refuses
such documents first, with their fix). The reference is the connector's own
key for finding the booking again in the tool (exactly-once).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from connectors.domain import Document
from connectors.fitting import fit
from connectors.mappings import MappingSettings
from connectors.money import allocate
from connectors.targets.base import Booking, BookingLine, TargetParty

ZERO = Decimal("0.00")


LETTERS = {"invoice": "I", "creditNote": "C", "incomingInvoice": "P", "incomingCreditNote": "Q"}


class UnbalancedBooking(ValueError):
    """A booking whose lines and VAT do not add up to the document: never sent."""


def reference(document: Document) -> str:
    """Short, stable and unique per department: ``FC-<source kind letter>-<Focus id>``."""
    return reference_of(document.source_type, document.source_id)


def reference_of(source_type: str, focus_id: str) -> str:
    return f"FC-{LETTERS.get(source_type, 'X')}-{focus_id}"


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


#: What a booking line keeps of a Focus line description (every tool keeps at least this much).
LINE_DESCRIPTION_LIMIT = 100


def build_booking(document: Document, settings: MappingSettings, party: TargetParty) -> Booking:
    """Assumes the document passed validation: every line resolves to a ledger account and VAT code."""
    vat = allocate_vat(document)
    lines = tuple(
        BookingLine(
            description=fit(line.description, LINE_DESCRIPTION_LIMIT,
                            where=f"{document.label}, line {index + 1}: the description", keeper="a booking line"),
            ledger_account=settings.ledger_for(document, line) or "",
            vat_code=settings.vat_code_for(document, line) or "",
            amount=line.amount,
            vat_amount=vat[index],
            quantity=line.quantity,
        )
        for index, line in enumerate(document.lines)
    )
    booking = Booking(
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
    check_balance(document, booking)
    return booking


def check_balance(document: Document, booking: Booking) -> None:
    """Lines + VAT = the document total, and VAT per rate = the document's, to the cent."""
    if booking.total_excl + booking.total_vat != document.total_incl:
        raise UnbalancedBooking(f"{document.label}: lines {booking.total_excl} + VAT {booking.total_vat} do not "
                                f"make the total {document.total_incl}")
    stated: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for vat in document.vat:
        stated[vat.rate] += vat.tax
    booked: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    for line, booking_line in zip(document.lines, booking.lines, strict=True):
        booked[line.tax_rate] += booking_line.vat_amount
    for rate in set(stated) | set(booked):
        if stated[rate] != booked[rate]:
            raise UnbalancedBooking(f"{document.label}: VAT at {rate * 100:f}% would be booked as {booked[rate]} "
                                    f"but the document states {stated[rate]}")
