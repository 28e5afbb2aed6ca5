"""A tally of the observations per Stockholm month, place, category and severity, kept by
triggers (issue 18: a city's year in the period PDF within 2× the weekly PDF).

A year's period report counted a million observations row by row (reading the covering
index and counting the keys: 830 ms of 1.5 s on the encrypted city-year file). The counts
it needs for the team scope are these sums, about 16,000 rows for the city's 13 months.

- ``stockholm_month``: the first instant of every month of 1900–2199 in Stockholm as UTC,
  from zoneinfo (daylight saving time respected), and a last row without a month at
  2200-01-01. SQLite cannot call zoneinfo, so the triggers look the month up here.
- ``observation_tally``: the counts, by the period report's rules: an observation counts in
  the month its shift started when the shift is live, at its own time when it has no shift,
  not at all when it is deleted or its shift is (or its shift is not in the file).
- Triggers on ``observation`` (insert, delete, an update of what the rules read) and on
  ``shift`` (insert, delete, an update of its id, start or deletion) change the counts in
  the same statement's transaction, whoever writes: the services, a sync's apply, the
  importer, retention, a person with the sqlite3 shell using INSERT, UPDATE and DELETE.
  Not REPLACE (``INSERT OR REPLACE``): the row it removes fires no delete trigger (unless
  ``recursive_triggers`` is on), so the replaced row would be counted twice. Nothing in the
  app writes with REPLACE.
- ``UPDATE … FROM`` and an upsert in a trigger need SQLite 3.33 or newer (sqlcipher3
  bundles 3.53, Debian 12's Python 3.40): an older sqlite3 tool cannot read this schema.

The tally is filled from the rows here. A migration that rebuilds ``observation`` or
``shift`` (batch mode) drops their triggers and must make them again
(``tests/test_observation_tally.py`` fails otherwise).

Revision ID: 0009_observation_tally
Revises: 0008_running_and_live_indexes
Create Date: 2026-12-03
"""

import datetime as dt
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0009_observation_tally"
down_revision = "0008_running_and_live_indexes"
branch_labels = None
depends_on = None

FIRST_YEAR, END_YEAR = 1900, 2200  # months of FIRST_YEAR..END_YEAR-1


def _month_of(time: str) -> str:
    """SQL: the Stockholm month ("2026-11") of a UTC time, NULL outside the table."""
    return (f"(SELECT month FROM stockholm_month WHERE starts_utc <= ({time}) "
            "ORDER BY starts_utc DESC LIMIT 1)")


def _anchor(row: str) -> str:
    """SQL: the time an observation (``row``: NEW or OLD) counts at, NULL when it does not."""
    return (f"CASE WHEN {row}.shift_id IS NULL THEN {row}.observed_at ELSE (SELECT starts_at "
            f"FROM shift WHERE shift.id = {row}.shift_id AND shift.deleted_at IS NULL) END")


_KEY = "month, place_id, category_id, severity"


def _one(row: str) -> str:
    """SQL: one observation (``row``) as a count of its key."""
    return (f"SELECT {row}.place_id AS place_id, {row}.category_id AS category_id, "
            f"{row}.severity AS severity, 1 AS n")


def _of_shift(row: str) -> str:
    """SQL: a shift's (``row``) live observations counted by key."""
    return ("SELECT place_id, category_id, severity, count(*) AS n FROM observation "
            f"WHERE shift_id = {row}.id AND deleted_at IS NULL "
            "GROUP BY place_id, category_id, severity")


def _add(row: str, month: str, counts: str) -> str:
    """SQL: add ``counts`` (rows of key and n) at ``month`` when ``row`` is live."""
    return (f"INSERT INTO observation_tally ({_KEY}, observations) "
            "SELECT anchored.month, counted.place_id, counted.category_id, counted.severity, "
            f"counted.n FROM ({counts}) AS counted, (SELECT {month} AS month) AS anchored "
            f"WHERE {row}.deleted_at IS NULL AND anchored.month IS NOT NULL "
            f"ON CONFLICT ({_KEY}) DO UPDATE SET "
            "observations = observations + excluded.observations;")


def _take(row: str, month: str, counts: str) -> str:
    """SQL: take ``counts`` away at ``month`` when ``row`` was live."""
    return ("UPDATE observation_tally SET observations = observations - counted.n "
            f"FROM ({counts}) AS counted WHERE {row}.deleted_at IS NULL "
            f"AND observation_tally.month = {month} "
            "AND observation_tally.place_id = counted.place_id "
            "AND observation_tally.category_id = counted.category_id "
            "AND observation_tally.severity = counted.severity;")


def _observation(change, row: str) -> str:
    return change(row, _month_of(_anchor(row)), _one(row))


def _shift(change, row: str) -> str:
    return change(row, _month_of(f"{row}.starts_at"), _of_shift(row))


_COUNTED = ("shift_id", "observed_at", "place_id", "category_id", "severity", "deleted_at")
_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in _COUNTED)

TRIGGERS = {
    "observation_tally_insert": (
        f"AFTER INSERT ON observation BEGIN {_observation(_add, 'NEW')} END"),
    "observation_tally_delete": (
        f"AFTER DELETE ON observation BEGIN {_observation(_take, 'OLD')} END"),
    "observation_tally_update": (
        f"AFTER UPDATE OF {', '.join(_COUNTED)} ON observation WHEN {_CHANGED} "
        f"BEGIN {_observation(_take, 'OLD')} {_observation(_add, 'NEW')} END"),
    "shift_tally_insert": f"AFTER INSERT ON shift BEGIN {_shift(_add, 'NEW')} END",
    "shift_tally_delete": f"AFTER DELETE ON shift BEGIN {_shift(_take, 'OLD')} END",
    "shift_tally_update": (  # id: with foreign keys off a shift's id can change under
        # its observations, which then have no shift
        "AFTER UPDATE OF id, starts_at, deleted_at ON shift WHEN OLD.id IS NOT NEW.id OR "
        "OLD.starts_at IS NOT NEW.starts_at OR OLD.deleted_at IS NOT NEW.deleted_at "
        f"BEGIN {_shift(_take, 'OLD')} {_shift(_add, 'NEW')} END"),
}


def _month_rows() -> list[dict]:
    stockholm = ZoneInfo("Europe/Stockholm")
    def utc(year: int, month: int) -> dt.datetime:  # naive UTC, as the app's UTCDateTime
        local = dt.datetime(year, month, 1, tzinfo=stockholm)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    rows = [{"starts_utc": utc(year, month), "month": f"{year:04d}-{month:02d}"}
            for year in range(FIRST_YEAR, END_YEAR) for month in range(1, 13)]
    return [*rows, {"starts_utc": utc(END_YEAR, 1), "month": None}]


def upgrade() -> None:
    months = op.create_table(
        "stockholm_month",
        sa.Column("starts_utc", sa.DateTime(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.PrimaryKeyConstraint("starts_utc", name=op.f("pk_stockholm_month")),
        sqlite_with_rowid=False,
    )
    op.bulk_insert(months, _month_rows())
    op.create_table(
        "observation_tally",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("place_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("observations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "place_id", "category_id", "severity",
                                name=op.f("pk_observation_tally")),
        sqlite_with_rowid=False,
    )
    op.execute(  # 3.6 s for the city-year set's million observations (plain file)
        f"INSERT INTO observation_tally ({_KEY}, observations) "
        f"SELECT {_KEY}, count(*) FROM (SELECT {_month_of(_anchor('observation'))} AS month, "
        "place_id, category_id, severity FROM observation WHERE deleted_at IS NULL) "
        f"WHERE month IS NOT NULL GROUP BY {_KEY}")
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("observation_tally")
    op.drop_table("stockholm_month")
