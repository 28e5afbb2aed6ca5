"""Indexes for the sync's pending query and the weekly aggregation (issue 8).

- ``ix_<table>_unsent`` on every synced table: a partial index of the rows no hub has
  acknowledged (``revision > acked_revision``), by ``device_id``. The sync's pending query
  (``revision > acked_revision AND device_id = ?``) then reads only the unsent rows instead
  of scanning the table (1M observations in a city's year).
- ``ix_observation_shift_cover`` (shift_id, observed_at, place_id, category_id, severity,
  people_count, youths_present, deleted_at) replaces ``ix_observation_shift``: the
  WeekSummary queries of a week's shifts read the index only (no table lookups), and the
  observations without a shift (``shift_id IS NULL`` and a time range) are one exact range.

Plain CREATE/DROP INDEX: no table is rebuilt, so this is safe on SQLite as it is. Where the
file has planner statistics (``sqlite_stat1``, from ANALYZE) the new indexes are analyzed
too, so the planner weighs them like the old ones.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYNCED_TABLES = (
    "area", "place", "partner", "category", "staff", "shift", "observation", "meeting", "action",
)
UNSENT = "revision > acked_revision"
COVER_COLUMNS = ["shift_id", "observed_at", "place_id", "category_id", "severity",
                 "people_count", "youths_present", "deleted_at"]


def _analyze(names: list[str]) -> None:
    bind = op.get_bind()
    has_stats = bind.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='sqlite_stat1'").first()
    if has_stats:
        for name in names:
            bind.exec_driver_sql(f"ANALYZE {name}")


def upgrade() -> None:
    for table in SYNCED_TABLES:
        op.create_index(f"ix_{table}_unsent", table, ["device_id"], unique=False,
                        sqlite_where=sa.text(UNSENT))
    op.create_index("ix_observation_shift_cover", "observation", COVER_COLUMNS, unique=False)
    op.drop_index("ix_observation_shift", table_name="observation")
    _analyze(["ix_observation_shift_cover", *(f"ix_{t}_unsent" for t in SYNCED_TABLES)])


def downgrade() -> None:
    op.create_index("ix_observation_shift", "observation", ["shift_id"], unique=False)
    op.drop_index("ix_observation_shift_cover", table_name="observation")
    for table in SYNCED_TABLES:
        op.drop_index(f"ix_{table}_unsent", table_name=table)
