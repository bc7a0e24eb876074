"""Integrations: one Focus department linked to one accounting tool administration.

The operations behind ``focus-connector integrations …``: create, change,
list and delete integrations in the state database, keep their status
(Connecting → Configuration needed → Connected) honest, enforce the
per-installation limit, and rewrite the entities snapshot the DAG files read.
Deleting an integration removes its DAG but keeps the booked-document ledger.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from connectors import input_values
from connectors.entities import EntitySpec, read_entities, with_auto_sync_since, write_entities
from connectors.setup import status_of
from connectors.state.db import session_scope
from connectors.state.models import Integration, IntegrationStatus, Journal, LedgerByVatRate, VatCodeLink
from connectors.targets import BUILDERS

#: The tools an integration can be set up for: those with a target implementation.
TOOLS = tuple(BUILDERS)


class IntegrationError(ValueError):
    """A setup request that cannot be honoured; the message says what to do instead."""


def connect_command(entity: str) -> str:
    """The one command that finishes or repeats the tool side of the setup (consent, administration)."""
    return f"focus-connector integrations connect {entity}"


def max_entities(env: Mapping[str, str] | None = None) -> int:
    return int((os.environ if env is None else env).get("CONNECTOR_MAX_ENTITIES", "4"))


@dataclass
class Settings:
    """Everything ``add``/``edit`` may set; None leaves a value as it is."""

    department_name: str | None = None
    country: str | None = None
    target_connection_id: str | None = None
    administration: str | None = None
    start_date: dt.date | None = None
    timezone: str | None = None
    auto_sync: bool | None = None
    schedule: str | None = None
    sales_discount_account: str | None = None
    purchase_discount_account: str | None = None
    fill_ledger_by_vat_rate: bool | None = None
    journals: dict[str, str] = field(default_factory=dict)
    vat_links: dict[tuple[str, str], str] = field(default_factory=dict)
    ledger_by_rate: dict[tuple[str, str], str] = field(default_factory=dict)

    def checked(self) -> Settings:
        """Refuse, before anything is stored, a value that could not build a DAG or a mapping."""
        try:
            if self.timezone is not None:
                input_values.time_zone(self.timezone)
            if self.schedule is not None:
                self.schedule = input_values.cron_expression(self.schedule)
            for kind in self.journals:
                input_values.journal_kind(kind)
            for direction, _ in (*self.vat_links, *self.ledger_by_rate):
                input_values.direction(direction, "mapping")
            for _, rate in self.ledger_by_rate:
                input_values.vat_rate(rate, "ledger account per VAT rate")
        except input_values.InvalidValue as exc:
            raise IntegrationError(str(exc)) from None
        return self


def _apply(row: Integration, settings: Settings) -> None:
    scalar = {
        "focus_department_name": settings.department_name, "country": settings.country,
        "target_connection_id": settings.target_connection_id, "target_administration": settings.administration,
        "start_date": settings.start_date, "timezone": settings.timezone, "auto_sync": settings.auto_sync,
        "schedule": settings.schedule,
        "sales_discount_account": settings.sales_discount_account,
        "purchase_discount_account": settings.purchase_discount_account,
        "fill_ledger_by_vat_rate": settings.fill_ledger_by_vat_rate,
    }
    for name, value in scalar.items():
        if value is not None:
            setattr(row, name, value)
    for kind, code in settings.journals.items():
        existing = next((j for j in row.journals if j.document_kind == kind), None)
        if existing:
            existing.journal_code = code
        else:
            row.journals.append(Journal(document_kind=kind, journal_code=code))
    for (direction, key), code in settings.vat_links.items():
        existing = next((v for v in row.vat_links if (v.direction, v.source_key) == (direction, key)), None)
        if existing:
            existing.target_vat_code = code
        else:
            row.vat_links.append(VatCodeLink(direction=direction, source_key=key, target_vat_code=code))
    for (direction, rate), account in settings.ledger_by_rate.items():
        existing = next((r for r in row.ledger_by_rate if (r.direction, r.rate) == (direction, rate)), None)
        if existing:
            existing.ledger_account = account
        else:
            row.ledger_by_rate.append(LedgerByVatRate(direction=direction, rate=rate, ledger_account=account))
    # "Connecting" is left only by choosing an administration (the connect step does, once the tool answered):
    # an integration whose consent was lost keeps it whatever else is edited.
    if row.status != IntegrationStatus.CONNECTING or settings.administration is not None:
        row.status = status_of(row).value


def _administration_free(session, row: Integration) -> None:
    """One administration ↔ one department: two integrations booking into one administration would each
    claim their parties and documents apart, and could create one customer twice."""
    if not row.target_administration:
        return
    other = session.scalar(select(Integration).where(
        Integration.target == row.target, Integration.target_administration == row.target_administration,
        Integration.entity != row.entity))
    if other is not None:
        raise IntegrationError(f"Administration {row.target_administration} of {row.target} is linked to "
                               f"{other.entity!r} already: one Focus department ↔ one administration; pick another "
                               "administration or delete that integration first")


def add(engine: Engine, entity: str, *, department_id: str, target: str, settings: Settings) -> Integration:
    try:
        input_values.entity_name(entity)
    except input_values.InvalidValue as exc:
        raise IntegrationError(str(exc)) from None
    if target not in TOOLS:
        raise IntegrationError(f"Unknown accounting tool {target!r}; choose one of {', '.join(TOOLS)}")
    settings.checked()
    with session_scope(engine) as session:
        count = session.scalar(select(func.count()).select_from(Integration))
        limit = max_entities()
        if count >= limit:
            raise IntegrationError(
                f"This installation already links {count} entities, the maximum ({limit}). Delete one first, or raise "
                "CONNECTOR_MAX_ENTITIES if your plan allows more."
            )
        if session.scalar(select(Integration).where(Integration.entity == entity)):
            raise IntegrationError(f"An integration called {entity!r} exists already; use `integrations edit`")
        if session.scalar(select(Integration).where(Integration.focus_department_id == department_id)):
            raise IntegrationError("That Focus department is linked already: one department ↔ one administration")
        row = Integration(entity=entity, focus_department_id=department_id, target=target,
                          target_connection_id=settings.target_connection_id or f"{target}_{entity}")
        row.journals, row.vat_links, row.ledger_by_rate = [], [], []
        _apply(row, settings)
        _administration_free(session, row)
        session.add(row)
    export(engine)
    return get(engine, entity)


def edit(engine: Engine, entity: str, settings: Settings) -> Integration:
    settings.checked()
    with session_scope(engine) as session:
        row = _get(session, entity)
        _apply(row, settings)
        _administration_free(session, row)
    export(engine)
    return get(engine, entity)


def delete(engine: Engine, entity: str) -> None:
    with session_scope(engine) as session:
        session.delete(_get(session, entity))
    export(engine)


def _with_mappings(query):
    """Load the mapping collections up front: callers use the rows after the session closes."""
    return query.options(selectinload(Integration.journals), selectinload(Integration.vat_links),
                         selectinload(Integration.ledger_by_rate))


def get(engine: Engine, entity: str) -> Integration:
    with Session(engine) as session:
        row = session.scalar(_with_mappings(select(Integration).where(Integration.entity == entity)))
        if row is None:
            raise IntegrationError(f"No integration called {entity!r}; `focus-connector integrations list` shows them")
        return row


def all_integrations(engine: Engine) -> list[Integration]:
    with Session(engine) as session:
        return list(session.scalars(_with_mappings(select(Integration).order_by(Integration.entity))))


def export(engine: Engine) -> None:
    """Rewrite the entities snapshot the DAG files read (keeping when automatic sync was switched on)."""
    specs = with_auto_sync_since([_spec(row) for row in all_integrations(engine)], read_entities(),
                                 dt.datetime.now(dt.UTC))
    write_entities(specs)


def require_connected(engine: Engine, entity: str) -> Integration:
    """The integration, unless its tool is not connected (then the command that connects it).

    "Configuration needed" still runs: validation refuses, by name, exactly the documents a missing
    mapping concerns, and books the others."""
    row = get(engine, entity)
    if row.status == IntegrationStatus.CONNECTING:
        raise IntegrationError(f"{entity} is not connected to its tool (status Connecting): run "
                               f"`{connect_command(entity)}`, then trigger the run again")
    return row


def _spec(row: Integration) -> EntitySpec:
    return EntitySpec(entity=row.entity, department_name=row.focus_department_name or row.entity, target=row.target,
                      country=row.country, status=row.status, auto_sync=row.auto_sync, schedule=row.schedule,
                      timezone=row.timezone)


def _get(session: Session, entity: str) -> Integration:
    row = session.scalar(select(Integration).where(Integration.entity == entity))
    if row is None:
        raise IntegrationError(f"No integration called {entity!r}; `focus-connector integrations list` shows them")
    return row
