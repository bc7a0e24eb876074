"""Payment notifications: subscriptions, the feed, digest mails. Feed rows are written through the models,
as the back-fill writes them (one ``PaymentRegistration`` each, for the foreign key)."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from connectors.state.db import write_transaction
from connectors.state.models import Integration
from connectors.state.payment_models import PaymentFeedEntry, PaymentRegistration

ENTITY = "acme_be"
#: When the tests' subscriptions start; payments are placed around it.
T0 = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
_documents = itertools.count(1)


def add_integration(engine, entity: str = ENTITY, smtp_conn_id: str | None = None) -> int:
    with write_transaction(engine) as connection, Session(bind=connection) as session:
        row = Integration(entity=entity, focus_department_id=f"dept-{entity}", focus_department_name="Acme BE",
                          target="exact_online", target_connection_id="exact_online_acme",
                          smtp_conn_id=smtp_conn_id)
        session.add(row)
        session.flush()
        return row.id


def add_payment(engine, integration_id: int, *, number: str, customer: str, amount: str,
                created_at: dt.datetime, paid_at: dt.date | None = dt.date(2026, 11, 28), in_full: bool = True,
                kind: str = "sales_invoice", currency: str = "EUR") -> int:
    """One feed entry (and the registration it comes from), as the back-fill records a new payment."""
    focus_id = f"doc-{next(_documents)}"
    source_type = "creditNote" if kind.endswith("credit_note") else "invoice"
    with write_transaction(engine) as connection, Session(bind=connection) as session:
        registration = PaymentRegistration(
            integration_id=integration_id, source_type=source_type, focus_id=focus_id, seq=1, action="register",
            amount=amount, currency=currency, paid_at=paid_at, settles=in_full, state="registered",
            created_at=created_at)
        session.add(registration)
        session.flush()
        entry = PaymentFeedEntry(
            integration_id=integration_id, registration_id=registration.id, source_type=source_type,
            focus_id=focus_id, document_kind=kind, number=number, customer=customer, amount=amount,
            currency=currency, paid_at=paid_at, in_full=in_full, created_at=created_at)
        session.add(entry)
        session.flush()
        return entry.id
