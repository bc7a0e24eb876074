"""offline exports: export profiles, exports and what they hold, published files, the billing ledger and
customer numbers per department and package

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 19:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entity", sa.String(length=64), nullable=False, unique=True),
        sa.Column("department_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("department_name", sa.String(length=255), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("profile_id", sa.Integer(), sa.ForeignKey("export_profiles.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("package", sa.String(length=32), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_ref", sa.String(length=250), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("seller", sa.JSON(), nullable=False),
        sa.Column("document_count", sa.Integer(), nullable=False),
        sa.Column("customer_count", sa.Integer(), nullable=False),
        sa.Column("invoice_count", sa.Integer(), nullable=False),
        sa.Column("quoted_new", sa.Integer(), nullable=True),
        sa.Column("quoted_free", sa.Integer(), nullable=True),
        sa.Column("quoted_amount", sa.String(length=32), nullable=True),
        sa.Column("charged_invoices", sa.Integer(), nullable=True),
        sa.Column("charge", sa.String(length=32), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("approved_by", sa.String(length=255), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("staging", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("checksum", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "export_items",
        sa.Column("export_id", sa.Integer(), sa.ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("item", sa.String(length=16), primary_key=True),
        sa.Column("source_type", sa.String(length=32), primary_key=True),
        sa.Column("source_id", sa.String(length=64), primary_key=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_table(
        "export_problems",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("export_id", sa.Integer(), sa.ForeignKey("exports.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=True),
        sa.Column("label", sa.String(length=255), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("field", sa.String(length=128), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
    )
    op.create_table(
        "export_files",
        sa.Column("export_id", sa.Integer(), sa.ForeignKey("exports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("name", sa.String(length=255), primary_key=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "billing_charges",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("focus_id", sa.String(length=64), nullable=False, unique=True),
        sa.Column("department_id", sa.String(length=64), nullable=False, index=True),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=64), nullable=False),
        sa.Column("export_id", sa.Integer(), sa.ForeignKey("exports.id"), nullable=False, index=True),
        sa.Column("amount", sa.String(length=32), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "customer_numbers",
        sa.Column("department_id", sa.String(length=64), primary_key=True),
        sa.Column("package", sa.String(length=32), primary_key=True),
        sa.Column("party_type", sa.String(length=16), primary_key=True),
        sa.Column("party_id", sa.String(length=64), primary_key=True),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("party_name", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("department_id", "package", "number"),
    )


def downgrade() -> None:
    op.drop_table("customer_numbers")
    op.drop_table("billing_charges")
    op.drop_table("export_files")
    op.drop_table("export_problems")
    op.drop_table("export_items")
    op.drop_table("exports")
    op.drop_table("export_profiles")
