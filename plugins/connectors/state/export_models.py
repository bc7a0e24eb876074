"""The state of offline exports (``connectors.exports``): export profiles per department, each export and what
it holds, the files it published, the billing ledger, and customer numbers per department and package.

Bulk data between the export's steps (documents, customers, problems) lives in ``export_items`` and
``export_problems``, never in XCom. ``billing_charges`` has one row per Focus invoice ever charged: the unique
key is what makes "charged once" hold when two exports of overlapping periods publish at the same moment.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connectors.state.models import Base, _now
from connectors.state.types import UtcDateTime


class ExportStatus(StrEnum):
    COLLECTED = "collected"
    #: Validation found errors: nothing is written, nothing charged.
    INVALID = "invalid"
    QUOTED = "quoted"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: Files written to the staging folder, not yet published.
    WRITTEN = "written"
    PUBLISHED = "published"
    FAILED = "failed"


class ExportProfile(Base):
    """A Focus department set up for offline export: its ledger accounts, journals and package parameters."""

    __tablename__ = "export_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[str] = mapped_column(String(64), unique=True)
    department_name: Mapped[str] = mapped_column(String(255), default="")
    country: Mapped[str | None] = mapped_column(String(2))
    #: ``connectors.exports.settings.ExportSettings`` as JSON (Decimal rates as text).
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)


class Export(Base):
    """One export: a period of one department in one package, from collection to publication."""

    __tablename__ = "exports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("export_profiles.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[str] = mapped_column(String(64))
    package: Mapped[str] = mapped_column(String(32))
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.COLLECTED.value)
    #: Airflow's run id, or ``cli:<uuid>`` for the command line.
    run_ref: Mapped[str] = mapped_column(String(250))
    #: What the export was asked for (journals, customers too, number mode, package parameters).
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The selling department as Focus describes it (name, VAT number, address, IBAN), read at collection.
    seller: Mapped[dict] = mapped_column(JSON, default=dict)
    document_count: Mapped[int] = mapped_column(Integer, default=0)
    customer_count: Mapped[int] = mapped_column(Integer, default=0)
    invoice_count: Mapped[int] = mapped_column(Integer, default=0)
    #: The quote: invoices charged for the first time, free re-exports, amount (Decimal text).
    quoted_new: Mapped[int | None] = mapped_column(Integer)
    quoted_free: Mapped[int | None] = mapped_column(Integer)
    quoted_amount: Mapped[str | None] = mapped_column(String(32))
    #: What publication actually charged (never more than the quote).
    charged_invoices: Mapped[int | None] = mapped_column(Integer)
    charge: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    approved_by: Mapped[str | None] = mapped_column(String(255))
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    staging: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(Text)
    checksum: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class ExportItem(Base):
    """A document or customer collected for an export (domain payload as JSON), in the order it is written."""

    __tablename__ = "export_items"

    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True)
    #: document | customer
    item: Mapped[str] = mapped_column(String(16), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict] = mapped_column(JSON)


class ExportProblem(Base):
    """Why an export cannot be written: one customer or document, the field, the fix."""

    __tablename__ = "export_problems"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"), index=True)
    #: document | customer | export
    subject: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)


class ExportFile(Base):
    """A published file: its name under the export's location, size and SHA-256."""

    __tablename__ = "export_files"

    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))


class BillingCharge(Base):
    """One Focus invoice charged for its first successful export. Never two rows for one invoice."""

    __tablename__ = "billing_charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    focus_id: Mapped[str] = mapped_column(String(64), unique=True)
    department_id: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    invoice_number: Mapped[str] = mapped_column(String(64))
    export_id: Mapped[int] = mapped_column(ForeignKey("exports.id"), index=True)
    amount: Mapped[str] = mapped_column(String(32))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    charged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, index=True)


class CustomerNumber(Base):
    """A customer's number in one accounting package of one department. Given once, never changed or reused."""

    __tablename__ = "customer_numbers"
    __table_args__ = (UniqueConstraint("department_id", "package", "number"),)

    department_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    package: Mapped[str] = mapped_column(String(32), primary_key=True)
    party_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    party_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    #: imported | manual | generated
    origin: Mapped[str] = mapped_column(String(16))
    party_name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
