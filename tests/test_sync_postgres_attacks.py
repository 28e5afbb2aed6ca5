"""The PostgreSQL hub against a device's own database role (issue 14, item 7).

Each attack is made as a real device role on the real server, the way a colleague with the
role's password could make it with psql, and then the honest laptops sync through the app.
Needs FIELDAPP_TEST_PG_URL (see tests/test_sync_postgres.py); skips with the reason otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
from sqlalchemy import update

from fieldapp.store.models import Place
from fieldapp.store.services import Services
from fieldapp.sync import engine
from fieldapp.sync.envelope import content_digest
from fieldapp.sync.hub import HubError
from fieldapp.sync.postgres import PostgresHub
from test_sync_postgres import Server, admin_url
from test_sync_support import ALVSJO_CENTRUM, add_shift, snapshot

pytestmark = pytest.mark.postgres

psycopg = pytest.importorskip("psycopg")


@pytest.fixture
def server():
    srv = Server(admin_url())
    yield srv
    srv.drop()


def as_role(url: str, device: uuid.UUID | None = None):
    """A psql-like session of a device's role (autocommit), writing for ``device``."""
    conn = psycopg.connect(url, autocommit=True)
    if device is not None:
        conn.execute("SELECT set_config('fieldapp.device', %s, false)", (str(device),))
    return conn


def insert_row(conn, *, team: str, device: uuid.UUID, type_: str, data: dict,
               revision: int = 1, owner: uuid.UUID | None = None,
               row_id: uuid.UUID | None = None) -> uuid.UUID:
    """Insert a row as the session's role, as plain SQL would: without the server's columns
    where the server sets them, with them where it still lets a client write them."""
    row_id = row_id or uuid.uuid4()
    values = {"id": row_id, "type": type_, "device_id": owner or device, "revision": revision,
              "updated_at": dt.datetime.now(dt.timezone.utc), "deleted": False,
              "digest": content_digest({"deleted": False, "data": data}), "data": json.dumps(data)}
    columns = ", ".join(values)
    marks = ", ".join(f"%({name})s" for name in values)
    try:
        conn.execute(f"INSERT INTO fieldapp.envelope ({columns}) VALUES ({marks})", values)
    except (psycopg.errors.NotNullViolation, psycopg.errors.InsufficientPrivilege):
        # a schema where the client names the team and the writer
        conn.execute(f"INSERT INTO fieldapp.envelope (team, pushed_by, {columns}) "
                     f"VALUES (%(team)s, %(pushed_by)s, {marks})",
                     {**values, "team": team, "pushed_by": device})
    return row_id


def update_row(conn, *, device: uuid.UUID, row_id, sets: str, args=()) -> None:
    """Update a row as the session's role; where the schema still lets a client name the
    writer (and row-level security asks for it), name it."""
    try:
        conn.execute(f"UPDATE fieldapp.envelope SET {sets} WHERE id = %s", (*args, row_id))
    except psycopg.errors.InsufficientPrivilege:
        conn.execute(f"UPDATE fieldapp.envelope SET {sets}, pushed_by = %s WHERE id = %s",
                     (*args, device, row_id))


def seq_of(server, row_id) -> int:
    return server.rows(f"SELECT server_seq FROM fieldapp.envelope WHERE id = '{row_id}'")[0][0]


# -- server_seq, team and pushed_by are the server's ------------------------------------------

def test_a_device_role_cannot_raise_server_seq_team_or_writer(server, laptops):
    a, b, c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_b = server.device("t1", "b", b.device_id())
    url_c = server.device("t1", "c", c.device_id())
    shift = add_shift(a)
    engine.sync(a, PostgresHub(url_a))
    with as_role(url_a, a.device_id()) as conn:
        for column, value in (("server_seq", 9 * 10**18), ("team", "t2"),
                              ("pushed_by", str(b.device_id()))):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"UPDATE fieldapp.envelope SET {column} = %s WHERE id = %s",
                             (value, shift.id))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO fieldapp.envelope (id, type, device_id, revision, updated_at, "
                         "deleted, digest, data, server_seq) VALUES (%s, 'shift', %s, 1, now(), "
                         "false, '', '{}', 9000000000000000000)", (uuid.uuid4(), a.device_id()))
        # What a role may change (a newer revision of its own row) gets the server's next seq.
        before = seq_of(server, shift.id)
        conn.execute("UPDATE fieldapp.envelope SET revision = revision + 1 WHERE id = %s",
                     (shift.id,))
    assert seq_of(server, shift.id) > before
    assert seq_of(server, shift.id) < 10**9
    # A later honest row still reaches every reader.
    later = add_shift(b)
    engine.sync(b, PostgresHub(url_b))
    assert engine.sync(c, PostgresHub(url_c)).pulled == {"shift": 2}
    assert str(later.id) in {env_id for _t, env_id in snapshot(c)}


# -- a bad row is refused on its own -----------------------------------------------------------

def test_a_bad_row_is_refused_alone_and_the_page_goes_on(server, laptops):
    a, b, c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_b = server.device("t1", "b", b.device_id())
    url_c = server.device("t1", "c", c.device_id())
    honest = [add_shift(b) for _n in range(2)]
    engine.sync(b, PostgresHub(url_b))
    with as_role(url_a, a.device_id()) as conn:
        # Every key a shift may carry, one of the wrong type: the server cannot tell.
        bad_id = insert_row(conn, team="t1", device=a.device_id(), type_="shift",
                            data={"kind": 5, "starts_at": "x"})
    honest.append(add_shift(b))
    engine.sync(b, PostgresHub(url_b))
    report = engine.sync(c, PostgresHub(url_c))
    assert report.pulled == {"shift": 3}  # the whole page but the bad row
    have = {env_id for _t, env_id in snapshot(c)}
    assert {str(s.id) for s in honest} <= have
    assert str(bad_id) not in have
    assert len(report.refused) == 1
    assert str(bad_id) in report.refused[0].file and "kind" in report.refused[0].reason
    # The owner sends a good revision: it comes through (the cursor did not leave it behind).
    good = server.rows(f"SELECT data::text FROM fieldapp.envelope WHERE id = '{honest[0].id}'")[0][0]
    with as_role(url_a, a.device_id()) as conn:
        conn.execute("UPDATE fieldapp.envelope SET revision = 2, data = %s, device_id = %s "
                     "WHERE id = %s", (good, a.device_id(), bad_id))
    report = engine.sync(c, PostgresHub(url_c))
    assert report.pulled == {"shift": 1} and report.refused == []


def test_a_row_of_an_unknown_type_or_with_private_keys_is_refused_by_the_server(server, laptops):
    a, _b, _c = laptops
    url_a = server.device("t1", "a", a.device_id())
    shift = add_shift(a, private="PRIVAT-anteckning")
    engine.sync(a, PostgresHub(url_a))
    with as_role(url_a, a.device_id()) as conn:
        with pytest.raises(psycopg.errors.CheckViolation):
            insert_row(conn, team="t1", device=a.device_id(), type_="bogus", data={})
        with pytest.raises(psycopg.errors.CheckViolation):
            insert_row(conn, team="t1", device=a.device_id(), type_="shift",
                       data={"kind": "nattvandring", "private_notes": "PRIVAT"})
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE fieldapp.envelope SET data = data || "
                         "'{\"private_notes\": \"PRIVAT\"}' WHERE id = %s", (shift.id,))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("UPDATE fieldapp.envelope SET data = '[1, 2]' WHERE id = %s", (shift.id,))
    assert "PRIVAT" not in repr(server.rows("SELECT * FROM fieldapp.envelope"))


# -- revisions are bounded -------------------------------------------------------------------

def test_a_pinned_place_cannot_stop_the_team(server, laptops):
    a, b, _c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_b = server.device("t1", "b", b.device_id())
    with b.session() as session:
        Services(session, b.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="watched")
    engine.sync(b, PostgresHub(url_b))
    with as_role(url_a, a.device_id()) as conn:
        with pytest.raises((psycopg.errors.CheckViolation, psycopg.errors.RaiseException)):
            update_row(conn, device=a.device_id(), row_id=ALVSJO_CENTRUM,
                       sets="revision = 2147483647")
        with pytest.raises((psycopg.errors.CheckViolation, psycopg.errors.RaiseException)):
            insert_row(conn, team="t1", device=a.device_id(), type_="place", revision=2**62,
                       data={"name": "Pinned", "kind": "torg", "area_id": str(uuid.uuid4())})
    engine.sync(b, PostgresHub(url_b))
    with b.session() as session:
        Services(session, b.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="active")
    assert engine.sync(b, PostgresHub(url_b)).pushed == {"place": 1}
    engine.sync(a, PostgresHub(url_a))
    assert snapshot(a) == snapshot(b)


def test_a_revision_out_of_range_is_left_out_of_the_push_and_reported(server, laptops):
    """A record that came in pinned at a revision the hub cannot hold (from another hub, or
    an older version) does not stop this laptop from sending the rest."""
    a, b, _c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_b = server.device("t1", "b", b.device_id())
    with a.session() as session:
        Services(session, a.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="watched")
        session.execute(update(Place).where(Place.id == ALVSJO_CENTRUM).values(revision=2**31))
    shift = add_shift(a)
    report = engine.sync(a, PostgresHub(url_a))
    assert report.pushed_to is not None
    assert [r.file for r in report.refused if str(ALVSJO_CENTRUM) in r.file]
    engine.sync(b, PostgresHub(url_b))
    assert str(shift.id) in {env_id for _t, env_id in snapshot(b)}
    assert server.rows(f"SELECT revision FROM fieldapp.envelope WHERE id = '{ALVSJO_CENTRUM}'") == []


# -- timeouts --------------------------------------------------------------------------------

def test_a_held_team_lock_ends_in_a_clear_message(server, laptops):
    a, _b, c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_c = server.device("t2", "c", c.device_id())
    add_shift(a)
    holder = as_role(url_c)  # a device role of another team
    try:
        holder.execute("SELECT pg_advisory_lock(hashtext('fieldapp:team:' || 't1'))")
        started = time.monotonic()
        with pytest.raises(HubError, match="lock_timeout"):
            engine.sync(a, PostgresHub(url_a, lock_timeout=0.3))
        assert time.monotonic() - started < 10
        hub = PostgresHub(url_a, lock_timeout=30, statement_timeout=0.3)
        with pytest.raises(HubError, match="statement_timeout"):
            engine.sync(a, hub)
    finally:
        holder.close()
    report = engine.sync(a, PostgresHub(url_a))
    assert report.pushed == {"shift": 1}


def test_every_session_has_lock_and_statement_timeouts(server, laptops):
    a, _b, _c = laptops
    hub = PostgresHub(server.device("t1", "a", a.device_id()))
    hub.connect(a.device_id())
    try:
        lock = hub.conn.execute("SHOW lock_timeout").fetchone()[0]
        statement = hub.conn.execute("SHOW statement_timeout").fetchone()[0]
    finally:
        hub.close()
    assert lock not in ("0", "0ms") and statement not in ("0", "0ms")


# -- the helper functions answer for the calling role only -------------------------------------

def test_helper_functions_reveal_nothing_of_other_roles(server, laptops):
    a, _b, c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_c = server.device("t2", "c", c.device_id())
    role_a = f"{server.prefix}_a"
    with as_role(url_c) as conn:
        for query, args in (("SELECT fieldapp.role_teams(%s)", (role_a,)),
                            ("SELECT fieldapp.role_devices(%s, %s)", (role_a, "t1")),
                            ("SELECT fieldapp.device_team(%s, %s)", (role_a, a.device_id()))):
            try:
                answer = [r[0] for r in conn.execute(query, args).fetchall()]
            except psycopg.errors.UndefinedFunction:
                answer = []
            assert answer in ([], [None]), query
        assert conn.execute("SELECT * FROM fieldapp.role_teams()").fetchall() == [("t2",)]
        assert conn.execute("SELECT * FROM fieldapp.role_devices('t1')").fetchall() == []
        assert conn.execute("SELECT * FROM fieldapp.role_devices('t2')").fetchall() == [
            (c.device_id(),)]
        devices = conn.execute("SELECT device_id, team FROM fieldapp.device").fetchall()
        assert devices == [(c.device_id(), "t2")]
        assert conn.execute("SELECT * FROM fieldapp.team_member").fetchall() == []
    assert engine.sync(a, PostgresHub(url_a)).refused == []
