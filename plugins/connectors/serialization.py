"""Domain records ↔ JSON payloads for the state database, and their content hashes.

Bulk data moves between tasks through the state database (never XCom), so
records round-trip exactly: Decimals as strings, dates as ISO text. The
content hash leaves out what changes without changing the booking (payment
status, timestamps), so paying an invoice never makes it look edited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from connectors.domain import (
    Address,
    Document,
    DocumentKind,
    Line,
    LineKind,
    Party,
    PartyRef,
    PartyRole,
    Payment,
    VatAmount,
)
from connectors.targets.base import (
    AccountInfo,
    Booking,
    BookingLine,
    BookYear,
    JournalInfo,
    MasterData,
    Period,
    TargetParty,
    VatCodeInfo,
)

#: Fields that do not change what is booked.
_VOLATILE = {"updated_at", "paid", "paid_amount", "payments"}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, frozenset | set):
        return sorted(_plain(v) for v in value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def to_payload(record: Document | Party | Booking) -> dict[str, Any]:
    return _plain(dataclasses.asdict(record))


def content_hash(payload: dict[str, Any]) -> str:
    stable = {k: v for k, v in payload.items() if k not in _VOLATILE}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def _when(value: str) -> dt.date | dt.datetime:
    return dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)


def document_from_payload(p: dict[str, Any]) -> Document:
    return Document(
        source_id=p["source_id"],
        source_type=p["source_type"],
        kind=DocumentKind(p["kind"]),
        department_id=p["department_id"],
        number=p["number"],
        date=dt.date.fromisoformat(p["date"]),
        party=PartyRef(**p["party"]),
        currency=p["currency"],
        lines=tuple(
            Line(
                number=ln["number"], description=ln["description"], amount=Decimal(ln["amount"]),
                tax_rate=Decimal(ln["tax_rate"]), kind=LineKind(ln["kind"]), quantity=_dec(ln["quantity"]),
                unit_price=_dec(ln["unit_price"]), discount_percent=_dec(ln["discount_percent"]),
                tax_rate_id=ln["tax_rate_id"], vat_category=ln["vat_category"],
                ledger_account=ln["ledger_account"], product_category_id=ln["product_category_id"],
            )
            for ln in p["lines"]
        ),
        vat=tuple(
            VatAmount(Decimal(v["rate"]), Decimal(v["taxable"]), Decimal(v["tax"]), v["tax_rate_id"], v["vat_category"])
            for v in p["vat"]
        ),
        total_excl=Decimal(p["total_excl"]),
        total_vat=Decimal(p["total_vat"]),
        total_incl=Decimal(p["total_incl"]),
        due_date=_date(p["due_date"]),
        payable=_dec(p["payable"]),
        payment_reference=p["payment_reference"],
        credits_source_id=p["credits_source_id"],
        from_negative_invoice=p["from_negative_invoice"],
        paid=p["paid"],
        paid_amount=Decimal(p["paid_amount"]),
        payments=tuple(Payment(Decimal(x["amount"]), _when(x["paid_at"]), x["method"]) for x in p["payments"]),
        updated_at=dt.datetime.fromisoformat(p["updated_at"]) if p["updated_at"] else None,
        supplier_reference=p["supplier_reference"],
    )


def party_from_payload(p: dict[str, Any]) -> Party:
    return Party(
        ref=PartyRef(**p["ref"]),
        name=p["name"],
        vat_number=p["vat_number"],
        national_id=p["national_id"],
        email=p["email"],
        phone=p["phone"],
        address=Address(**p["address"]) if p["address"] else None,
        iban=p["iban"],
        bic=p["bic"],
        language=p["language"],
        is_person=p["is_person"],
        updated_at=dt.datetime.fromisoformat(p["updated_at"]) if p["updated_at"] else None,
        roles=frozenset(PartyRole(r) for r in p["roles"]),
    )


def booking_from_payload(p: dict[str, Any]) -> Booking:
    """The booking frozen at claim time: what was (maybe) sent, so recovery checks exactly that."""
    return Booking(
        reference=p["reference"], kind=DocumentKind(p["kind"]), number=p["number"],
        date=dt.date.fromisoformat(p["date"]), due_date=_date(p["due_date"]), journal=p["journal"],
        party=TargetParty(**p["party"]), currency=p["currency"],
        lines=tuple(BookingLine(ln["description"], ln["ledger_account"], ln["vat_code"], Decimal(ln["amount"]),
                                Decimal(ln["vat_amount"]), _dec(ln["quantity"])) for ln in p["lines"]),
        total_incl=Decimal(p["total_incl"]), payment_reference=p["payment_reference"], description=p["description"],
    )


def master_data_to_payload(master: MasterData) -> dict[str, Any]:
    return _plain({
        "ledger_accounts": [dataclasses.asdict(a) for a in master.ledger_accounts.values()],
        "vat_codes": [dataclasses.asdict(v) for v in master.vat_codes.values()],
        "journals": [dataclasses.asdict(j) for j in master.journals.values()],
        "closed_periods": [[start, end] for start, end in master.closed_periods],
        "book_years": [dataclasses.asdict(y) for y in master.book_years],
        "currency": master.currency,
    })


def master_data_from_payload(p: dict[str, Any]) -> MasterData:
    return MasterData(
        ledger_accounts={a["code"]: AccountInfo(**a) for a in p["ledger_accounts"]},
        vat_codes={v["code"]: VatCodeInfo(**{**v, "rate": Decimal(v["rate"])}) for v in p["vat_codes"]},
        journals={j["code"]: JournalInfo(**{**j, "kinds": frozenset(DocumentKind(k) for k in j["kinds"])})
                  for j in p["journals"]},
        closed_periods=tuple((dt.date.fromisoformat(s), dt.date.fromisoformat(e)) for s, e in p["closed_periods"]),
        book_years=tuple(_book_year(y) for y in p.get("book_years", ())),
        currency=p.get("currency"),
    )


def _book_year(y: dict[str, Any]) -> BookYear:
    return BookYear(
        id=y["id"], description=y["description"], start=dt.date.fromisoformat(y["start"]),
        end=dt.date.fromisoformat(y["end"]), closed=y["closed"],
        periods=tuple(Period(p["number"], dt.date.fromisoformat(p["start"]), dt.date.fromisoformat(p["end"]))
                      for p in y["periods"]),
    )
