"""external ids handed out to tools (Octopus externalRelationId)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_ids",
        sa.Column("target", sa.String(length=32), nullable=False),
        sa.Column("administration", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("target", "administration", "kind", "source_id"),
        sa.UniqueConstraint("target", "administration", "kind", "number", name="uq_external_ids_number"),
    )


def downgrade() -> None:
    op.drop_table("external_ids")
