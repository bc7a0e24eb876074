"""tool call counts: the connector's own count of calls per tool scope and day (Yuki's daily cap)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tool_call_counts",
        sa.Column("tool", sa.String(length=32), primary_key=True),
        sa.Column("scope", sa.String(length=128), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tool_call_counts")
