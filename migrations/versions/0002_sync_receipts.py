"""Sync receipts: each synced record remembers the revision a hub acknowledged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SYNCED_TABLES = (
    "area", "place", "partner", "category", "staff", "shift", "observation", "meeting", "action",
)


def upgrade() -> None:
    for table in SYNCED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("acked_revision", sa.Integer(), server_default="0", nullable=False)
            )


def downgrade() -> None:
    for table in SYNCED_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("acked_revision")
