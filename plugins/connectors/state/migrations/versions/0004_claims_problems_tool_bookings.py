"""claims with an owner and a lease, frozen claimed bookings, documents that wait for a fix or are excluded,
party claims, the tool's connector bookings and the reconciliation cursor

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=32), nullable=True)
        batch.alter_column("number", existing_type=sa.String(length=64), nullable=True)
        batch.alter_column("document_date", existing_type=sa.Date(), nullable=True)
        batch.add_column(sa.Column("claim_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claim_owner", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claimed_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("claimed_booking", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("error_field", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("valid_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("excluded_by", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("excluded_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("excluded_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("parties") as batch:
        batch.add_column(sa.Column("claim_id", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claim_owner", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "tool_bookings",
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("administration", sa.String(length=64), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("target_id", sa.String(length=128), nullable=False),
        sa.Column("booking_number", sa.String(length=64), nullable=True),
        sa.Column("total", sa.String(length=32), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", "administration", "reference"),
    )
    op.create_table(
        "reconciliations",
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("administration", sa.String(length=64), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("covered_from", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("target", "administration"),
    )


def downgrade() -> None:
    op.drop_table("reconciliations")
    op.drop_table("tool_bookings")
    with op.batch_alter_table("parties") as batch:
        for column in ("claim_expires_at", "claim_owner", "claim_id"):
            batch.drop_column(column)
    with op.batch_alter_table("documents") as batch:
        for column in ("excluded_at", "excluded_reason", "excluded_by", "valid_hash", "error_field", "claimed_booking",
                       "claimed_hash", "claim_expires_at", "claim_owner", "claim_id"):
            batch.drop_column(column)
