"""Alembic: from empty to head, models agree with migrations, upgrades keep every row,
and files the app must not touch are refused and left byte-identical."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from fieldapp.store import migrate
from fieldapp.store.database import (
    NewerDatabaseError,
    NotADatabaseError,
    make_engine,
    open_database,
)
from fieldapp.store.models import Base


def test_upgrade_from_empty_reaches_head(db_path):
    db = open_database(db_path)
    try:
        assert db.revision() == migrate.head_revision()
    finally:
        db.close()
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_exactly_one_head():
    assert len(migrate.script_directory().get_heads()) == 1


def test_models_and_migrations_agree(database):
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [c[1] for c in con.execute(f"PRAGMA table_info({table})")]


# Columns a later migration renamed (old -> new) or moved into a table of its own (old -> None).
MOVED_COLUMNS = {
    ("action", "carried_out_shift_id"): None,  # 0005: into action_carried_out
    ("shift", "referrals_made"): "concern_reports",  # 0006
}


def _fill_every_table(con: sqlite3.Connection) -> dict[str, int]:
    """Insert rows in every table present at this revision, through plain SQL."""
    now = dt.datetime(2024, 11, 18, 19, 0).isoformat(sep=" ")
    dev = uuid.uuid4().hex
    ids = {name: uuid.uuid4().hex for name in
           ("area", "place", "partner", "category", "staff", "shift", "observation", "meeting", "action")}
    meta = "id, device_id, revision, created_at, updated_at"
    vals = lambda name: (ids[name], dev, 3, now, now)  # noqa: E731
    con.execute("INSERT INTO device (id, name, is_self, created_at) VALUES (?, 'Laptop 1', 0, ?)", (dev, now))
    con.execute("INSERT INTO setting (key, value) VALUES (?, '\"Fält HÄ\"')", ("team_name_" + dev[:8],))
    con.execute(f"INSERT INTO area ({meta}, key, name) VALUES (?,?,?,?,?,?, 'Älvsjö')", (*vals("area"), "a" + dev[:8]))
    con.execute(f"INSERT INTO place ({meta}, key, name, area_id, kind) VALUES (?,?,?,?,?,?, 'Älvsjö centrum', ?, 'centrum')",
                (*vals("place"), "p" + dev[:8], ids["area"]))
    con.execute(f"INSERT INTO partner ({meta}, key, name, kind) VALUES (?,?,?,?,?,?, 'LPO Globen', 'polis')", (*vals("partner"), "l" + dev[:8]))
    con.execute(f"INSERT INTO category ({meta}, key, name_sv, name_en, hotkey, sort_order) VALUES (?,?,?,?,?,?, 'Klotter', 'Graffiti', 'k', 1)", (*vals("category"), "c" + dev[:8]))
    con.execute(f"INSERT INTO staff ({meta}, initials, name, role, active) VALUES (?,?,?,?,?, 'AL', 'Amira', 'faltassistent', 1)", vals("staff"))
    shift_counts = [c for c in ("referrals_made", "concern_reports", "referrals") if c in _columns(con, "shift")]
    con.execute(f"INSERT INTO shift ({meta}, kind, starts_at, ends_at, weather, summary, summary_shareable, private_notes, youth_counts, adults_met, {', '.join(shift_counts)}) "
                f"VALUES (?,?,?,?,?, 'nattvandring', ?, ?, 'Regn', 'Lugnt', 1, 'privat', '{{\"13-15|flicka\": 4}}', 2, {', '.join(['1'] * len(shift_counts))})",
                (*vals("shift"), now, now))
    con.execute("INSERT INTO shift_staff VALUES (?, ?)", (ids["shift"], ids["staff"]))
    con.execute("INSERT INTO shift_partner VALUES (?, ?)", (ids["shift"], ids["partner"]))
    con.execute("INSERT INTO shift_area VALUES (?, ?)", (ids["shift"], ids["area"]))
    con.execute(f"INSERT INTO observation ({meta}, shift_id, place_id, category_id, severity, observed_at, people_count, youths_present, action_taken, details, details_shareable) "
                "VALUES (?,?,?,?,?, ?, ?, ?, 'high', ?, 12, 9, 'samtal', 'detaljer', 0)",
                (*vals("observation"), ids["shift"], ids["place"], ids["category"], now))
    con.execute(f"INSERT INTO meeting ({meta}, kind, held_at, title, situation, situation_shareable) VALUES (?,?,?,?,?, 'utsattningsmote', ?, 'Möte', 'Läget', 1)",
                (*vals("meeting"), now))
    con.execute("INSERT INTO meeting_staff VALUES (?, ?)", (ids["meeting"], ids["staff"]))
    con.execute("INSERT INTO meeting_partner VALUES (?, ?)", (ids["meeting"], ids["partner"]))
    con.execute("INSERT INTO meeting_flag (meeting_id, place_id, reason, position) VALUES (?, ?, 'Samling', 0)", (ids["meeting"], ids["place"]))
    con.execute(f"INSERT INTO action ({meta}, meeting_id, place_id, starts_at, ends_at, responsible_partner_id, status, note) VALUES (?,?,?,?,?, ?, ?, ?, ?, ?, 'planned', 'Närvaro')",
                (*vals("action"), ids["meeting"], ids["place"], now, now, ids["partner"]))
    if _columns(con, "action_carried_out"):
        con.execute(f"INSERT INTO action_carried_out ({meta}, action_id, shift_id, carried_out_at) VALUES (?,?,?,?,?, ?, ?, ?)",
                    (uuid.uuid4().hex, dev, 1, now, now, ids["action"], ids["shift"], now))
    if con.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit_log'").fetchone():
        con.execute("INSERT INTO audit_log (at, kind, details) VALUES (?, 'export', '{\"format\": \"pdf\"}')", (now,))
    con.commit()
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'")]
    return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def _dump(con: sqlite3.Connection, tables) -> dict[str, list]:
    return {t: con.execute(f"SELECT * FROM {t}").fetchall() for t in tables}


@pytest.mark.parametrize("revision", migrate.known_revisions()[:-1])
def test_upgrade_from_every_earlier_revision_keeps_every_row(tmp_path, revision):
    path = tmp_path / "old.sqlite"
    migrate.upgrade(make_engine(path), revision)
    con = sqlite3.connect(path)
    counts = _fill_every_table(con)
    assert all(counts[t] >= 1 for t in counts), counts
    before = _dump(con, counts)
    columns_before = {t: [c[1] for c in con.execute(f"PRAGMA table_info({t})")] for t in counts}
    con.close()

    db = open_database(path, load_reference=False)
    try:
        assert db.revision() == migrate.head_revision()
        assert db.backup_path is not None and db.backup_path.exists()
    finally:
        db.close()
    con = sqlite3.connect(path)
    for table, rows in before.items():
        if table == "device":
            continue  # open_database may add nothing here: this device is already known
        kept = [(n, MOVED_COLUMNS.get((table, c), c)) for n, c in enumerate(columns_before[table])]
        kept = [(n, c) for n, c in kept if c is not None and c in _columns(con, table)]
        cols = ", ".join(c for _n, c in kept)
        after = sorted(map(repr, con.execute(f"SELECT {cols} FROM {table}").fetchall()))
        expected = sorted(repr(tuple(row[n] for n, _c in kept)) for row in rows)
        assert after == expected, table
    con.close()
    # The backup holds the file as it was, at the old revision.
    backup = sqlite3.connect(db.backup_path)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == revision
    backup.close()


def test_downgrade_then_upgrade_keeps_data(database):
    con = sqlite3.connect(database.path)
    counts = _fill_every_table(con)
    con.close()
    first = migrate.known_revisions()[0]
    migrate.downgrade(database.engine, first)
    con = sqlite3.connect(database.path)
    kept = set(_schema(con))  # tables made after ``first`` cannot keep their rows
    con.close()
    migrate.upgrade(database.engine)
    con = sqlite3.connect(database.path)
    for table, count in counts.items():
        if table not in kept:
            continue
        assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == count, table
    con.close()


def test_newer_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "newer.sqlite"
    open_database(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NewerDatabaseError, match="nyare version"):
        open_database(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"hello, not a database\n", b"\x00" * 4096, "Fältlogg".encode() * 100])
def test_non_database_file_is_refused_and_left_untouched(tmp_path, content):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(content)
    with pytest.raises(NotADatabaseError, match="inte en Fältlogg-databas"):
        open_database(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite"]


def test_foreign_sqlite_database_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(NotADatabaseError):
        open_database(path)
    assert path.read_bytes() == before


def test_damaged_database_is_refused(tmp_path):
    path = tmp_path / "damaged.sqlite"
    open_database(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(NotADatabaseError):
        open_database(path)
    assert path.read_bytes() == bytes(data)


def _by_key(con: sqlite3.Connection, table: str, columns: list[str]) -> dict[tuple, tuple]:
    """Every row of ``table`` as {primary key: the values of ``columns``}, values as repr so a
    changed type (1 -> '1') counts as a change."""
    info = con.execute(f"PRAGMA table_info({table})").fetchall()
    key = [c[1] for c in sorted(info, key=lambda c: c[5]) if c[5]] or [c[1] for c in info]
    cols = ", ".join(f'"{c}"' for c in key + columns)
    rows = con.execute(f"SELECT {cols} FROM {table}").fetchall()
    return {tuple(row[: len(key)]): tuple(map(repr, row[len(key):])) for row in rows}


def _schema(con: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('alembic_version') "
        "AND name NOT LIKE 'sqlite_%'")]
    return {t: [c[1] for c in con.execute(f"PRAGMA table_info({t})")] for t in tables}


@pytest.mark.parametrize("revision", migrate.known_revisions()[:-1])
def test_downgrade_to_each_revision_and_back_keeps_every_value(database, revision):
    """Value by value: every column that exists at ``revision`` holds, after a downgrade to it
    and an upgrade back to head, exactly what it held before (columns added after
    ``revision`` cannot survive a downgrade and start from their defaults)."""
    con = sqlite3.connect(database.path)
    _fill_every_table(con)
    head_columns = _schema(con)
    before = {t: _by_key(con, t, cols) for t, cols in head_columns.items()}
    con.close()

    migrate.downgrade(database.engine, revision)
    con = sqlite3.connect(database.path)
    old_schema = _schema(con)
    con.close()
    migrate.upgrade(database.engine)
    assert database.revision() == migrate.head_revision()

    con = sqlite3.connect(database.path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert _schema(con) == head_columns
        for table, old_columns in old_schema.items():
            kept = [c for c in old_columns if c in head_columns[table]]
            where = [head_columns[table].index(c) for c in kept]
            expected = {key: tuple(values[i] for i in where) for key, values in before[table].items()}
            assert _by_key(con, table, kept) == expected, table
    finally:
        con.close()


def test_head_revision_constant_is_the_scripts_head():
    """migrate.HEAD_REVISION lets a file at head open without importing Alembic: it must be
    the head of the migration scripts (update it with every new migration)."""
    assert migrate.HEAD_REVISION == migrate.script_head()
    assert migrate.head_revision() == migrate.known_revisions()[-1]


def test_unsent_rows_are_read_through_the_partial_index(database):
    """The sync's pending query reads only unsent rows (ix_<table>_unsent, 0004), and the
    week's observations without a shift are one range of ix_observation_shift_cover."""
    from fieldapp.store.models import SYNCED_MODELS

    con = sqlite3.connect(database.path)
    try:
        for model in SYNCED_MODELS:
            table = model.__tablename__
            plan = " ".join(row[-1] for row in con.execute(
                f"EXPLAIN QUERY PLAN SELECT count(*) FROM {table} "
                "WHERE revision > acked_revision AND device_id = ?", ("x",)))
            assert f"USING INDEX ix_{table}_unsent" in plan or \
                f"USING COVERING INDEX ix_{table}_unsent" in plan, (table, plan)
        plan = " ".join(row[-1] for row in con.execute(
            "EXPLAIN QUERY PLAN SELECT place_id, count(*) FROM observation WHERE shift_id IS NULL "
            "AND observed_at >= ? AND observed_at < ? AND deleted_at IS NULL GROUP BY place_id",
            ("2024-01-01", "2024-01-08")))
        assert "COVERING INDEX ix_observation_shift_cover (shift_id=? AND observed_at>? AND " \
            "observed_at<?)" in plan, plan
    finally:
        con.close()


def test_0005_moves_carried_out_actions_into_records_of_their_own(tmp_path):
    """An action marked done at 0004 becomes a planned action with one carried-out record:
    owned by the action's device, linked to its shift, carried out at the shift's end, with
    an id every laptop derives alike (so the owner's push is already there elsewhere)."""
    from fieldapp.store.services import Services

    path = tmp_path / "at_0004.sqlite"
    migrate.upgrade(make_engine(path), "0004")
    con = sqlite3.connect(path)
    _fill_every_table(con)
    (action_id, dev, meeting_id, place_id), = con.execute(
        "SELECT id, device_id, meeting_id, place_id FROM action").fetchall()
    shift_id, = con.execute("SELECT id FROM shift").fetchone()
    con.execute("UPDATE shift SET ends_at = '2024-11-18 23:30:00.000000'")
    con.execute("UPDATE action SET status = 'done', carried_out_shift_id = ? WHERE id = ?",
                (shift_id, action_id))
    no_shift = uuid.uuid4().hex
    con.execute("INSERT INTO action (id, device_id, revision, created_at, updated_at, meeting_id, place_id, starts_at, ends_at, status, note) "
                "VALUES (?, ?, 2, '2024-11-18 19:00:00.000000', '2024-11-19 08:15:00.000000', ?, ?, "
                "'2024-11-18 19:00:00.000000', '2024-11-18 22:00:00.000000', 'done', '')",
                (no_shift, dev, meeting_id, place_id))
    cancelled = uuid.uuid4().hex
    con.execute("INSERT INTO action (id, device_id, revision, created_at, updated_at, meeting_id, place_id, starts_at, ends_at, status, note) "
                "VALUES (?, ?, 1, '2024-11-18 19:00:00.000000', '2024-11-18 19:00:00.000000', ?, ?, "
                "'2024-11-18 19:00:00.000000', '2024-11-18 22:00:00.000000', 'cancelled', '')",
                (cancelled, dev, meeting_id, place_id))
    con.commit()
    con.close()

    db = open_database(path, load_reference=False)
    try:
        with db.session() as session:
            services = Services(session, db.device_id())
            done = services.actions.get(uuid.UUID(action_id))
            assert (done.status, done.carried_out_shift_id, done.carried_out_by) == (
                "done", uuid.UUID(shift_id), uuid.UUID(dev))
            assert done.carried_out_at == dt.datetime(2024, 11, 18, 23, 30, tzinfo=dt.timezone.utc)
            assert done.meta.revision == 3  # the action itself is not a new revision
            without = services.actions.get(uuid.UUID(no_shift))
            assert (without.status, without.carried_out_shift_id) == ("done", None)
            assert without.carried_out_at == dt.datetime(2024, 11, 19, 8, 15, tzinfo=dt.timezone.utc)
            assert services.actions.get(uuid.UUID(cancelled)).status == "cancelled"
    finally:
        db.close()
    con = sqlite3.connect(path)
    rows = con.execute("SELECT id, action_id, device_id, shift_id, revision, acked_revision, "
                       "deleted_at FROM action_carried_out ORDER BY carried_out_at").fetchall()
    statuses = dict(con.execute("SELECT id, status FROM action").fetchall())
    con.close()
    assert [(r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
        (action_id, dev, shift_id, 1, 0, None), (no_shift, dev, None, 1, 0, None)]
    assert statuses == {action_id: "planned", no_shift: "planned", cancelled: "cancelled"}
    # Two laptops migrating the same action make the same record (same id).
    other = tmp_path / "other.sqlite"
    other.write_bytes(db.backup_path.read_bytes())
    open_database(other, load_reference=False).close()
    con = sqlite3.connect(other)
    assert sorted(r[0] for r in con.execute("SELECT id FROM action_carried_out")) == sorted(r[0] for r in rows)
    con.close()
