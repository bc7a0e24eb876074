"""payment status back from the tool: what the tool showed per booked document, the payments the connector
registers in Focus, the payment feed, subscriptions and digest deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("integrations") as batch:
        batch.add_column(sa.Column("smtp_conn_id", sa.String(length=250), nullable=True))
        batch.add_column(sa.Column("payments_read_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "payment_status",
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("source_type", sa.String(length=32), primary_key=True),
        sa.Column("focus_id", sa.String(length=64), primary_key=True),
        sa.Column("tool_open", sa.String(length=32), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("last_payment", sa.Date(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "payment_registrations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("focus_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=True),
        sa.Column("tool_open", sa.String(length=32), nullable=True),
        sa.Column("settles", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False, index=True),
        sa.Column("owner", sa.String(length=255), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("focus_payment_id", sa.String(length=64), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("integration_id", "source_type", "focus_id", "seq"),
    )
    op.create_table(
        "payment_feed",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("registration_id", sa.Integer(),
                  sa.ForeignKey("payment_registrations.id", ondelete="CASCADE"), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("focus_id", sa.String(length=64), nullable=False),
        sa.Column("document_kind", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("customer", sa.String(length=255), nullable=False),
        sa.Column("amount", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("paid_at", sa.Date(), nullable=True),
        sa.Column("in_full", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.UniqueConstraint("registration_id"),
    )
    op.create_table(
        "payment_subscriptions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("integration_id", sa.Integer(), sa.ForeignKey("integrations.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("integration_id", "email"),
    )
    op.create_table(
        "payment_deliveries",
        sa.Column("subscription_id", sa.Integer(),
                  sa.ForeignKey("payment_subscriptions.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("payment_feed.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("payment_deliveries")
    op.drop_table("payment_subscriptions")
    op.drop_table("payment_feed")
    op.drop_table("payment_registrations")
    op.drop_table("payment_status")
    with op.batch_alter_table("integrations") as batch:
        batch.drop_column("payments_read_at")
        batch.drop_column("smtp_conn_id")
