"""Sync through a real PostgreSQL server: convergence, row-level security, privacy.

Needs FIELDAPP_TEST_PG_URL: a URL of a role that may create roles and schemas (a superuser)
in a database used only for tests; the schema ``fieldapp`` in it is dropped and made again.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync import engine
from fieldapp.sync.hub import HubError
from fieldapp.sync.postgres import PostgresHub, connect, register_device, register_lead, upgrade_schema
from test_sync_property import DEVICES, World, operation
from test_sync_support import ALVSJO_CENTRUM, add_shift, category_id, fresh_database, snapshot

pytestmark = pytest.mark.postgres

PASSWORD = "test-password-1"


def admin_url() -> str:
    url = os.environ.get("FIELDAPP_TEST_PG_URL", "")
    if not url:
        pytest.skip("FIELDAPP_TEST_PG_URL is not set (a PostgreSQL URL of a superuser in a "
                    "database for tests)")
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=5).close()
    except Exception as exc:  # noqa: BLE001 - any failure: not reachable from here
        pytest.skip(f"PostgreSQL at FIELDAPP_TEST_PG_URL is not reachable: {exc}")
    return url


def role_url(url: str, role: str, password: str = PASSWORD) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{quote(role)}:{quote(password)}@{host}"))


class Server:
    """A fresh hub schema and per-test roles, dropped afterwards."""

    def __init__(self, url: str):
        self.url = url
        self.prefix = f"fa_{uuid.uuid4().hex[:8]}"
        self.roles: list[str] = []
        self.reset()

    def reset(self) -> None:
        conn = connect(self.url)
        try:
            conn.execute("DROP SCHEMA IF EXISTS fieldapp CASCADE")
            upgrade_schema(conn)
        finally:
            conn.close()

    def device(self, team: str, name: str, device_id: uuid.UUID) -> str:
        role = f"{self.prefix}_{name}"
        conn = connect(self.url)
        try:
            register_device(conn, team=team, role=role, device_id=device_id, password=PASSWORD)
        finally:
            conn.close()
        self.roles.append(role)
        return role_url(self.url, role)

    def lead(self, team: str, name: str) -> str:
        role = f"{self.prefix}_{name}"
        conn = connect(self.url)
        try:
            register_lead(conn, team=team, role=role, password=PASSWORD)
        finally:
            conn.close()
        self.roles.append(role)
        return role_url(self.url, role)

    def rows(self, sql="SELECT team, type, device_id, data::text FROM fieldapp.envelope"):
        conn = connect(self.url)
        try:
            return conn.execute(sql).fetchall()
        finally:
            conn.close()

    def drop(self) -> None:
        conn = connect(self.url)
        try:
            conn.execute("DROP SCHEMA IF EXISTS fieldapp CASCADE")
            for role in self.roles:
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')
        finally:
            conn.close()


@pytest.fixture
def server():
    srv = Server(admin_url())
    yield srv
    srv.drop()


class PostgresWorld(World):
    def __init__(self, folder: Path, server: Server):
        super().__init__(folder)
        server.reset()
        self.urls = [server.device("t1", f"dev{d}", self.ids[d]) for d in range(DEVICES)]

    def sync(self, d, **kwargs):
        return engine.sync(self.dbs[d], PostgresHub(self.urls[d]), **kwargs)


db_operation = operation.filter(lambda op: op[0] != "hub")  # the folder's misbehaviour


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                 HealthCheck.data_too_large])
@given(ops=st.lists(db_operation, min_size=5, max_size=25))
def test_three_laptops_converge_on_postgres(server, ops):
    with tempfile.TemporaryDirectory() as tmp:
        world = PostgresWorld(Path(tmp), server)
        try:
            for op in ops:
                world.run(op)
            for _round in range(3):
                reports = [world.sync(d) for d in range(DEVICES)]
            assert all(r.refused == [] and r.waiting == 0 for r in reports)
            snapshots = [snapshot(db) for db in world.dbs]
            assert snapshots[0] == snapshots[1] == snapshots[2]
            assert world.created <= set(snapshots[0])
            hub_ids = {(t, str(d)) for t, _type, d, _data in server.rows()}
            assert {t for t, _d in hub_ids} <= {"t1"}
        finally:
            world.close()


def test_a_device_role_cannot_write_another_devices_rows(server, laptops):
    import psycopg

    a, b, _c = laptops
    url_a = server.device("t1", "a", a.device_id())
    url_b = server.device("t1", "b", b.device_id())
    shift = add_shift(b)
    engine.sync(b, PostgresHub(url_b))
    # Through the app: laptop a's database with b's role is refused with a clear message.
    add_shift(a)
    with pytest.raises(HubError, match=str(a.device_id())):
        engine.sync(a, PostgresHub(url_b))
    # Directly: insert a row for b's device, or overwrite b's shift, as a's role (writing
    # for a: the server sets the writer and the team, a role may not name them).
    conn = psycopg.connect(url_a, autocommit=True)
    try:
        insert = ("INSERT INTO fieldapp.envelope (id, type, device_id, revision, updated_at, "
                  "deleted, digest, data) VALUES (%s, 'shift', %s, 1, now(), false, '', '{}')")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no registered device"):
            conn.execute(insert, (uuid.uuid4(), a.device_id()))  # no device named
        conn.execute("SELECT set_config('fieldapp.device', %s, false)", (str(b.device_id()),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no registered device"):
            conn.execute(insert, (uuid.uuid4(), b.device_id()))  # b is not a's device
        conn.execute("SELECT set_config('fieldapp.device', %s, false)", (str(a.device_id()),))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(insert, (uuid.uuid4(), b.device_id()))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            conn.execute("INSERT INTO fieldapp.envelope (team, pushed_by, id, type, device_id, "
                         "revision, updated_at, deleted, digest, data) VALUES ('t1', %s, %s, "
                         "'shift', %s, 1, now(), false, '', '{}')",
                         (b.device_id(), uuid.uuid4(), b.device_id()))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute(insert + " ON CONFLICT (team, id) DO UPDATE SET revision = 99, "
                         "device_id = excluded.device_id", (shift.id, a.device_id()))
        updated = conn.execute("UPDATE fieldapp.envelope SET revision = 99 WHERE id = %s",
                               (shift.id,))
        assert updated.rowcount == 0  # not a row a's role may change
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM fieldapp.envelope")
    finally:
        conn.close()
    revisions = server.rows(f"SELECT revision FROM fieldapp.envelope WHERE id = '{shift.id}'")
    assert revisions == [(1,)]


def test_places_are_shared_between_device_roles(server, laptops):
    a, b, _c = laptops
    urls = [server.device("t1", "a", a.device_id()), server.device("t1", "b", b.device_id())]
    with a.session() as session:
        Services(session, a.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="watched")
    engine.sync(a, PostgresHub(urls[0]))
    engine.sync(b, PostgresHub(urls[1]))
    with b.session() as session:
        Services(session, b.device_id()).places.update(ALVSJO_CENTRUM, hotspot_status="active")
    assert engine.sync(b, PostgresHub(urls[1])).pushed == {"place": 1}
    engine.sync(a, PostgresHub(urls[0]))
    assert snapshot(a) == snapshot(b)


def test_team_lead_reads_all_of_its_team_and_nothing_of_another(server, laptops, tmp_path):
    a, b, c = laptops
    urls = [server.device("t1", "a", a.device_id()), server.device("t1", "b", b.device_id()),
            server.device("t2", "c", c.device_id())]
    for database, url in zip(laptops, urls):
        add_shift(database)
        engine.sync(database, PostgresHub(url))
    lead_url = server.lead("t1", "lead")
    import psycopg

    with psycopg.connect(lead_url) as conn:
        teams = conn.execute("SELECT team, count(*) FROM fieldapp.envelope WHERE type = 'shift' "
                             "GROUP BY team").fetchall()
    assert teams == [("t1", 2)]
    with psycopg.connect(urls[2]) as conn:  # a device of team 2 sees only team 2
        assert conn.execute("SELECT DISTINCT team FROM fieldapp.envelope").fetchall() == [("t2",)]
    # The lead's own laptop pulls the whole team (read-only: it has nothing of its own to send).
    lead_db = fresh_database(tmp_path, 3, "lead.sqlite")
    try:
        report = engine.sync(lead_db, PostgresHub(lead_url))
        assert report.pulled == {"shift": 2}
        assert {d.device_id for d in report.devices} == {a.device_id(), b.device_id()}
    finally:
        lead_db.close()


def test_text_that_is_not_shareable_never_reaches_the_server(server, laptops):
    a, _b, _c = laptops
    url = server.device("t1", "a", a.device_id())
    secrets = ["PRIVAT-pg-anteckning", "OSYNLIG-pg-sammanfattning", "DETALJ-pg-privat"]
    shift = add_shift(a, summary=secrets[1], shareable=False, private=secrets[0])
    with a.session() as session:
        Services(session, a.device_id()).observations.create(
            place_id=ALVSJO_CENTRUM, category_id=category_id(a), shift_id=shift.id,
            observed_at=utcnow() - dt.timedelta(hours=1), details=secrets[2])
    assert engine.sync(a, PostgresHub(url)).pushed_total == 2
    dump = repr(server.rows("SELECT * FROM fieldapp.envelope"))
    for secret in secrets:
        assert secret not in dump


def test_cli_postgres_exit_codes(server, laptops, monkeypatch, capsys):
    from fieldapp.cli import main

    a, _b, _c = laptops
    url = server.device("t1", "a", a.device_id())
    add_shift(a)
    monkeypatch.delenv("FIELDAPP_TEAM_KEY", raising=False)
    assert main(["--db", str(a.path), "sync", "--hub", url]) == 0
    assert "1" in capsys.readouterr().out
    bad = role_url(server.url, "no_such_role_xyz")
    assert main(["--db", str(a.path), "sync", "--hub", bad]) == 1
    assert "PostgreSQL" in capsys.readouterr().err
