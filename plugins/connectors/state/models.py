"""The connector's own state: integrations, tokens, the booked-document ledger, runs and errors.

One schema for SQLite (default) and PostgreSQL (production). Money and rates
are stored as strings of their Decimal form (exact on both engines); payloads
of extracted records as JSON text. The ``documents`` table is the ledger that
makes booking exactly-once: a row is claimed (``posting``) before the target
is called and only then marked ``booked`` with the target's id.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from connectors.state.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class IntegrationStatus(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    CONFIGURATION_NEEDED = "configuration_needed"


class DocumentState(StrEnum):
    PENDING = "pending"
    #: Claimed for posting by one worker (owner + lease): the target may or may not have it. Nobody else
    #: posts it while the lease lives; after it, the tool is searched before anything is posted again.
    POSTING = "posting"
    BOOKED = "booked"
    #: Refused by validation or by the tool: retried every run, with its message, until it books.
    FAILED = "failed"
    #: Focus returned it but it cannot be read (a bad date, amount, tax rate…): read again by id every
    #: run until it maps; keeps the run red meanwhile.
    UNMAPPABLE = "unmappable"
    #: A person excluded it (who, why and when are kept); never booked.
    EXCLUDED = "excluded"


#: States that still need something: the connector's open problems.
OPEN_STATES = (DocumentState.PENDING, DocumentState.POSTING, DocumentState.FAILED, DocumentState.UNMAPPABLE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Integration(Base):
    """One Focus department linked to one accounting tool: one DAG."""

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(64), unique=True)  # slug used in the DAG id
    focus_department_id: Mapped[str] = mapped_column(String(64), unique=True)
    focus_department_name: Mapped[str] = mapped_column(String(255), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    target: Mapped[str] = mapped_column(String(32))  # exact_online | octopus | yuki | twinfield
    target_connection_id: Mapped[str] = mapped_column(String(250))  # Airflow connection id
    target_administration: Mapped[str | None] = mapped_column(String(64))  # division / dossier / office
    status: Mapped[str] = mapped_column(String(32), default=IntegrationStatus.CONNECTING.value)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Brussels")
    auto_sync: Mapped[bool] = mapped_column(Boolean, default=False)
    schedule: Mapped[str] = mapped_column(String(64), default="0 2 * * *")
    payment_notifications: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The Airflow SMTP connection payment digests go through (None: ``smtp_default``).
    smtp_conn_id: Mapped[str | None] = mapped_column(String(250))
    #: Until when the tool's payments have been read (balancing/settlement cursor; None: never).
    payments_read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    sales_discount_account: Mapped[str | None] = mapped_column(String(32))
    purchase_discount_account: Mapped[str | None] = mapped_column(String(32))
    #: When on, lines without a ledger account take the account configured for their VAT rate.
    fill_ledger_by_vat_rate: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Outgoing documents updated since this moment are extracted next run.
    extract_watermark: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)

    journals: Mapped[list[Journal]] = relationship(cascade="all, delete-orphan", back_populates="integration")
    vat_links: Mapped[list[VatCodeLink]] = relationship(cascade="all, delete-orphan", back_populates="integration")
    ledger_by_rate: Mapped[list[LedgerByVatRate]] = relationship(
        cascade="all, delete-orphan", back_populates="integration"
    )


class Journal(Base):
    """The target journal (daybook) for one document kind."""

    __tablename__ = "integration_journals"

    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    document_kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    journal_code: Mapped[str] = mapped_column(String(32))

    integration: Mapped[Integration] = relationship(back_populates="journals")


class VatCodeLink(Base):
    """Focus tax rate (sales: its id; purchases: ``<UNCL5305 category>:<percent>``) → target VAT code."""

    __tablename__ = "vat_code_links"

    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), primary_key=True)  # sales | purchase
    source_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    source_label: Mapped[str] = mapped_column(String(255), default="")
    target_vat_code: Mapped[str] = mapped_column(String(32))

    integration: Mapped[Integration] = relationship(back_populates="vat_links")


class LedgerByVatRate(Base):
    """The ledger account that lines without one get, per VAT rate (when the toggle is on)."""

    __tablename__ = "ledger_by_vat_rate"

    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    direction: Mapped[str] = mapped_column(String(8), primary_key=True)
    rate: Mapped[str] = mapped_column(String(16), primary_key=True)  # Decimal text, "0.21"
    ledger_account: Mapped[str] = mapped_column(String(32))

    integration: Mapped[Integration] = relationship(back_populates="ledger_by_rate")


class OAuthToken(Base):
    """The token pair of one connection (Focus or a target). Refreshed under a row lock."""

    __tablename__ = "oauth_tokens"

    connection_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)  # encrypted at rest (see state.secrets)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[float] = mapped_column()
    refreshed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class DocumentRecord(Base):
    """The ledger of documents: what was seen in Focus and what the target has. Kept when an integration goes."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("department_id", "source_type", "focus_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id", ondelete="SET NULL"))
    department_id: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(32))
    source_type: Mapped[str] = mapped_column(String(32))
    focus_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str | None] = mapped_column(String(32))  # None while unmappable
    number: Mapped[str | None] = mapped_column(String(64))
    document_date: Mapped[dt.date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default=DocumentState.PENDING.value, index=True)
    target_id: Mapped[str | None] = mapped_column(String(128))
    booking_number: Mapped[str | None] = mapped_column(String(64))
    booked_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(128))
    #: The sync run whose validation refused it last (kept for the run log; loading goes by ``valid_hash``).
    refused_in_run: Mapped[int | None] = mapped_column(Integer)
    #: The content hash validation last passed. Only a document whose current content passed is posted, so a
    #: run never posts what another run's validation refused, nor an edit validation has not seen.
    valid_hash: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: The claim: a fresh id per claim (compare-and-set on it), who holds it, until when.
    claim_id: Mapped[str | None] = mapped_column(String(32))
    claim_owner: Mapped[str | None] = mapped_column(String(255))
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: What was claimed, frozen: the content hash and the booking sent. Recovery checks against these.
    claimed_hash: Mapped[str | None] = mapped_column(String(64))
    claimed_booking: Mapped[dict | None] = mapped_column(JSON)
    excluded_by: Mapped[str | None] = mapped_column(String(255))
    excluded_reason: Mapped[str | None] = mapped_column(Text)
    excluded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    booked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    first_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class PartyRecord(Base):
    """A Focus company or contact and its counterpart in the target, per integration."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("integration_id", "focus_type", "focus_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    focus_type: Mapped[str] = mapped_column(String(16))
    focus_id: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(32), default="")  # "customer,supplier"
    name: Mapped[str] = mapped_column(String(255), default="")
    vat_number: Mapped[str | None] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    target_id: Mapped[str | None] = mapped_column(String(128))
    target_code: Mapped[str | None] = mapped_column(String(64))
    synced_hash: Mapped[str | None] = mapped_column(String(64))
    #: Claimed by one worker while it finds, creates or updates the party in the tool.
    claim_id: Mapped[str | None] = mapped_column(String(32))
    claim_owner: Mapped[str | None] = mapped_column(String(255))
    claim_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class MasterDataCache(Base):
    """The tool's ledger accounts, VAT codes and journals as last read: read once per run, shared by its tasks."""

    __tablename__ = "master_data_cache"

    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"), primary_key=True)
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    payload: Mapped[dict] = mapped_column(JSON)


class ExternalId(Base):
    """Integers the connector hands out where a tool keys records by a number of ours (Octopus's
    ``externalRelationId``). Keyed by tool + administration, not by integration: deleting and
    re-adding an integration on the same dossier keeps every number, so no relation is ever
    matched to another party."""

    __tablename__ = "external_ids"
    __table_args__ = (
        UniqueConstraint("target", "administration", "kind", "number", name="uq_external_ids_number"),
    )

    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    administration: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class ToolBooking(Base):
    """A booking the tool holds with a connector reference, as last read from the tool (or just posted).

    Keyed by tool + administration, so it outlives integrations; checked before any document is claimed.
    """

    __tablename__ = "tool_bookings"

    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    administration: Mapped[str] = mapped_column(String(64), primary_key=True)
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    target_id: Mapped[str] = mapped_column(String(128))
    booking_number: Mapped[str | None] = mapped_column(String(64))
    total: Mapped[str | None] = mapped_column(String(32))
    found_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)


class Reconciliation(Base):
    """How far the ledger has been checked against the tool: the start of the last complete read.

    No row (a new or lost state database) means the next read is a full one; an old row (a restored
    backup) means everything since then is read again.
    """

    __tablename__ = "reconciliations"

    target: Mapped[str] = mapped_column(String(32), primary_key=True)
    administration: Mapped[str] = mapped_column(String(64), primary_key=True)
    reconciled_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    #: The earliest document date the reads covered (None: every book year). An earlier start date means a
    #: full read again.
    covered_from: Mapped[dt.date | None] = mapped_column(Date)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("integrations.id", ondelete="SET NULL"))
    entity: Mapped[str] = mapped_column(String(64), index=True)
    airflow_run_id: Mapped[str | None] = mapped_column(String(250))
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | success | failed
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)


class SyncError(Base):
    """Why one document (or party) was not booked in one run: what users read to fix their data."""

    __tablename__ = "sync_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_runs.id", ondelete="CASCADE"), index=True)
    focus_id: Mapped[str | None] = mapped_column(String(64))
    document_number: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), server_default=func.now())


# The payment and export tables (``payment_models``, ``export_models``) live on the same ``Base``: importing them
# here keeps one metadata for Alembic and for everything that creates or drops the schema.
import connectors.state.call_counts  # noqa: E402, F401
import connectors.state.export_models  # noqa: E402, F401
import connectors.state.payment_models  # noqa: E402, F401
