"""€0.10 per invoice, charged once: the quote before anything is written, the charge when files are published.

An invoice is charged the first time it appears in a successful (published) export; re-exporting it is
free, credit notes are free, a failed export charges nothing. The ledger (``billing_charges``) has one row
per Focus invoice ever charged — a unique key — and the rows are inserted in the transaction that publishes
the export, with "on conflict do nothing": when two exports of overlapping periods publish at the same
moment, each invoice is charged by exactly one of them and the other records it as free. The quote can
therefore only ever be higher than the charge, never lower.

The price is a setting: ``CONNECTOR_EXPORT_PRICE_PER_INVOICE`` (default 0.10, in EUR).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from connectors.domain import money
from connectors.state.db import sessions
from connectors.state.export_models import BillingCharge

DEFAULT_PRICE = "0.10"
CURRENCY = "EUR"
CHUNK = 500


def price_per_invoice(env: dict[str, str] | None = None) -> Decimal:
    text = (os.environ if env is None else env).get("CONNECTOR_EXPORT_PRICE_PER_INVOICE", DEFAULT_PRICE)
    try:
        price = Decimal(text)
    except InvalidOperation:
        price = Decimal(-1)
    if not price.is_finite() or price < 0:
        raise ValueError(f"CONNECTOR_EXPORT_PRICE_PER_INVOICE must be an amount like 0.10, got {text!r}")
    return money(price)


@dataclass(frozen=True)
class Quote:
    new: int
    free: int
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.price * self.new)

    def sentence(self) -> str:
        return (f"{self.new} invoice(s) charged for the first time at {self.price} {CURRENCY} = {self.amount} "
                f"{CURRENCY}; {self.free} re-exported for free (credit notes are free; a negative invoice is a Focus "
                "invoice and counts as one)")


def already_charged(engine: Engine, focus_ids: list[str]) -> set[str]:
    found: set[str] = set()
    with sessions(engine)() as session:
        for start in range(0, len(focus_ids), CHUNK):
            chunk = focus_ids[start:start + CHUNK]
            found.update(session.scalars(select(BillingCharge.focus_id).where(BillingCharge.focus_id.in_(chunk))))
    return found


def quote(engine: Engine, invoices: list[tuple[str, str]], price: Decimal) -> Quote:
    """What publishing now would charge for these (Focus id, number) invoices."""
    charged = already_charged(engine, [focus_id for focus_id, _ in invoices])
    return Quote(new=len(invoices) - len(charged), free=len(charged), price=price)


def charge(connection: Connection, *, export_id: int, entity: str, department_id: str,
           invoices: list[tuple[str, str]], price: Decimal, now: dt.datetime) -> list[str]:
    """Record the charges of an export inside the caller's (publishing) transaction; returns the Focus ids it
    charged — those no export had charged before, not even one publishing at this very moment."""
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    charged: list[str] = []
    for start in range(0, len(invoices), CHUNK):
        rows = [{"focus_id": focus_id, "department_id": department_id, "entity": entity,
                 "invoice_number": number, "export_id": export_id, "amount": str(price), "currency": CURRENCY,
                 "charged_at": now} for focus_id, number in invoices[start:start + CHUNK]]
        statement = (insert(BillingCharge).values(rows).on_conflict_do_nothing(index_elements=["focus_id"])
                     .returning(BillingCharge.focus_id))
        charged.extend(connection.execute(statement).scalars())
    return charged


@dataclass(frozen=True)
class MonthlyCharge:
    entity: str
    invoice_number: str
    focus_id: str
    export_id: int
    amount: Decimal
    charged_at: dt.datetime


def month_report(engine: Engine, month: str) -> dict[str, list[MonthlyCharge]]:
    """Charges of ``YYYY-MM`` (UTC) per entity, in the order they were made."""
    try:
        first = dt.datetime.strptime(month, "%Y-%m").replace(tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(f"--month must look like 2026-11, got {month!r}") from None
    after = (first + dt.timedelta(days=32)).replace(day=1)
    by_entity: dict[str, list[MonthlyCharge]] = defaultdict(list)
    with sessions(engine)() as session:
        rows = session.scalars(select(BillingCharge).where(BillingCharge.charged_at >= first,
                                                            BillingCharge.charged_at < after)
                               .order_by(BillingCharge.entity, BillingCharge.id)).all()
    for row in rows:
        by_entity[row.entity].append(MonthlyCharge(row.entity, row.invoice_number, row.focus_id, row.export_id,
                                                   Decimal(row.amount), row.charged_at))
    return dict(by_entity)
