"""A place's description (issue 15): a few words on what the place is ("the tunnel under the
tracks, lit until 22"), shared with the team like the place's name, so it goes through the
shareable-text gate when it is saved and when it is received.

Existing places get an empty description. Received envelopes from an older version carry no
``description``: it is read as ``""`` (``fieldapp.sync.envelope.ADDED_FIELDS``).

Downgrade: the column is dropped (the descriptions are lost; nothing else refers to them).

Revision ID: 0007_place_description
Revises: 0006
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_place_description"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("place") as batch_op:
        batch_op.add_column(sa.Column("description", sa.Text(), server_default="",
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("place") as batch_op:
        batch_op.drop_column("description")
