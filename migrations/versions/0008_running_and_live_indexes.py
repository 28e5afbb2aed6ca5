"""Two indexes Idag reads at every refresh (issue 19), measured on the encrypted city-year
file (150 devices, 47,000 shifts, a busy week of 900 shifts and 13,000 observations):

- ``ix_shift_running``: a partial index of the shifts not ended and not deleted, by device
  and start. "This laptop's running shift" read the start index backwards through every
  shift when none was running (17 ms); it now reads the few open shifts.
- ``ix_observation_observed_at`` gains ``deleted_at``: the week's live observations are
  counted from the index alone, without a table lookup per observation.

Plain CREATE/DROP INDEX: no table is rebuilt. Where the file has planner statistics the new
indexes are analyzed too (as in 0004).

Revision ID: 0008_running_and_live_indexes
Revises: 0007_place_description
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_running_and_live_indexes"
down_revision = "0007_place_description"
branch_labels = None
depends_on = None

OPEN_SHIFT = "ends_at IS NULL AND deleted_at IS NULL"


def _analyze(names: list[str]) -> None:
    bind = op.get_bind()
    has_stats = bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_stat1'").first()
    if has_stats:
        for name in names:
            bind.exec_driver_sql(f"ANALYZE {name}")


def upgrade() -> None:
    op.create_index("ix_shift_running", "shift", ["device_id", "starts_at"], unique=False,
                    sqlite_where=sa.text(OPEN_SHIFT))
    op.drop_index("ix_observation_observed_at", table_name="observation")
    op.create_index("ix_observation_observed_at", "observation", ["observed_at", "deleted_at"],
                    unique=False)
    _analyze(["ix_shift_running", "ix_observation_observed_at"])


def downgrade() -> None:
    op.drop_index("ix_observation_observed_at", table_name="observation")
    op.create_index("ix_observation_observed_at", "observation", ["observed_at"], unique=False)
    op.drop_index("ix_shift_running", table_name="shift")
