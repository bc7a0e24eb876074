"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-21 20:31:06.425996
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "integrations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("focus_department_id", sa.String(length=64), nullable=False),
        sa.Column("focus_department_name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("target_connection_id", sa.String(length=250), nullable=False),
        sa.Column("target_administration", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("auto_sync", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.String(length=64), nullable=False),
        sa.Column("payment_notifications", sa.Boolean(), nullable=False),
        sa.Column("sales_discount_account", sa.String(length=32), nullable=True),
        sa.Column("purchase_discount_account", sa.String(length=32), nullable=True),
        sa.Column("fill_ledger_by_vat_rate", sa.Boolean(), nullable=False),
        sa.Column("extract_watermark", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity"),
        sa.UniqueConstraint("focus_department_id"),
    )
    op.create_table(
        "oauth_tokens",
        sa.Column("connection_id", sa.String(length=250), nullable=False),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection_id"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("focus_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("document_date", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=True),
        sa.Column("booking_number", sa.String(length=64), nullable=True),
        sa.Column("booked_hash", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id", "source_type", "focus_id"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_state"), ["state"], unique=False)

    op.create_table(
        "integration_journals",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("document_kind", sa.String(length=32), nullable=False),
        sa.Column("journal_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("integration_id", "document_kind"),
    )
    op.create_table(
        "ledger_by_vat_rate",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("rate", sa.String(length=16), nullable=False),
        sa.Column("ledger_account", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("integration_id", "direction", "rate"),
    )
    op.create_table(
        "parties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("focus_type", sa.String(length=16), nullable=False),
        sa.Column("focus_id", sa.String(length=64), nullable=False),
        sa.Column("roles", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("vat_number", sa.String(length=32), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=True),
        sa.Column("target_code", sa.String(length=64), nullable=True),
        sa.Column("synced_hash", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("integration_id", "focus_type", "focus_id"),
    )
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("integration_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("airflow_run_id", sa.String(length=250), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_runs_entity"), ["entity"], unique=False)
        batch_op.create_index(batch_op.f("ix_sync_runs_started_at"), ["started_at"], unique=False)

    op.create_table(
        "vat_code_links",
        sa.Column("integration_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("source_key", sa.String(length=64), nullable=False),
        sa.Column("source_label", sa.String(length=255), nullable=False),
        sa.Column("target_vat_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["integration_id"], ["integrations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("integration_id", "direction", "source_key"),
    )
    op.create_table(
        "sync_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("focus_id", sa.String(length=64), nullable=True),
        sa.Column("document_number", sa.String(length=64), nullable=True),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["run_id"], ["sync_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_errors_run_id"), ["run_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("sync_errors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_errors_run_id"))

    op.drop_table("sync_errors")
    op.drop_table("vat_code_links")
    with op.batch_alter_table("sync_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_runs_started_at"))
        batch_op.drop_index(batch_op.f("ix_sync_runs_entity"))

    op.drop_table("sync_runs")
    op.drop_table("parties")
    op.drop_table("ledger_by_vat_rate")
    op.drop_table("integration_journals")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_state"))

    op.drop_table("documents")
    op.drop_table("oauth_tokens")
    op.drop_table("integrations")
