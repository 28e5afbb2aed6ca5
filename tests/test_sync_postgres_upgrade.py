"""A PostgreSQL hub made by the version before issue 14 upgrades in place, and many laptops of
two teams syncing at once converge (real server; skips without FIELDAPP_TEST_PG_URL)."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter

import psycopg
import pytest

from fieldapp.store.models import Shift
from fieldapp.sync import engine
from fieldapp.sync.envelope import content_digest, parse_time, to_envelope
from fieldapp.sync.hub import HubError
from fieldapp.sync.postgres import PostgresHub, connect, upgrade_schema
from fieldapp.sync.postgres_schema import SCHEMA_VERSION
from test_sync_postgres import Server, admin_url
from test_sync_support import add_shift, fresh_database, snapshot, template

pytestmark = pytest.mark.postgres

# How the version before issue 14 wrote a row: it named the team, the writer and server_seq.
OLD_UPSERT = """
INSERT INTO fieldapp.envelope AS e
    (team, id, type, device_id, pushed_by, revision, updated_at, deleted, digest, data)
VALUES (%(team)s, %(id)s, %(type)s, %(device_id)s, %(pushed_by)s, %(revision)s,
        %(updated_at)s, %(deleted)s, %(digest)s, %(data)s)
ON CONFLICT (team, id) DO UPDATE SET
    type = excluded.type, device_id = excluded.device_id, pushed_by = excluded.pushed_by,
    revision = excluded.revision, updated_at = excluded.updated_at, deleted = excluded.deleted,
    digest = excluded.digest, data = excluded.data,
    server_seq = nextval('fieldapp.envelope_server_seq_seq')
"""


@pytest.fixture
def old_server():
    url = admin_url()
    srv = Server.__new__(Server)
    srv.url, srv.prefix, srv.roles = url, f"fa_{uuid.uuid4().hex[:8]}", []
    conn = connect(url)
    try:
        conn.execute("DROP SCHEMA IF EXISTS fieldapp CASCADE")
        upgrade_schema(conn, target=1)  # migration 1 is the SQL that version ran, unchanged
    finally:
        conn.close()
    yield srv
    srv.drop()


def old_push(url: str, team: str, device: uuid.UUID, envelopes, extra: dict | None = None):
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for env in envelopes:
            data = {**env["data"], **(extra or {})}
            conn.execute(OLD_UPSERT, {
                "team": team, "id": env["id"], "type": env["type"], "device_id": env["device_id"],
                "pushed_by": device, "revision": env["revision"],
                "updated_at": parse_time(env["updated_at"]), "deleted": env["deleted"],
                "digest": content_digest(env), "data": json.dumps(data)})


def test_a_hub_made_by_the_earlier_version_upgrades_in_place(old_server, tmp_path):
    a, b = (fresh_database(tmp_path, n) for n in range(2))
    try:
        url_a = old_server.device("t1", "a", a.device_id())
        url_b = old_server.device("t1", "b", b.device_id())
        shifts = [add_shift(a) for _n in range(3)]
        with a.session() as session:
            envelopes = [to_envelope(session.get(Shift, s.id)) for s in shifts]
        # One row as an older laptop sent it (a renamed count), one with a key that is not
        # shareable (which that schema let in).
        old_push(url_a, "t1", a.device_id(), envelopes[:2])
        old_push(url_a, "t1", a.device_id(), envelopes[2:], extra={"private_notes": "PRIVAT"})
        with psycopg.connect(url_a, autocommit=True) as conn:
            conn.execute("UPDATE fieldapp.envelope SET data = data - 'concern_reports' || "
                         "jsonb_build_object('referrals_made', data->'concern_reports') "
                         "WHERE id = %s", (envelopes[0]["id"],))
        with pytest.raises(HubError, match="init-postgres"):
            engine.sync(b, PostgresHub(url_b))
        conn = connect(old_server.url)
        try:
            done = upgrade_schema(conn)
            seqs = dict(conn.execute("SELECT id::text, server_seq FROM fieldapp.envelope").fetchall())
        finally:
            conn.close()
        assert len(done) == SCHEMA_VERSION - 1  # every migration after the first
        assert "PRIVAT" not in repr(old_server.rows("SELECT * FROM fieldapp.envelope"))
        assert engine.sync(b, PostgresHub(url_b)).pulled == {"shift": 3}
        report = engine.sync(a, PostgresHub(url_a))  # first sync on this hub: all again
        assert report.refused == [] and report.pulled == {}
        later = add_shift(a)
        engine.sync(a, PostgresHub(url_a))
        assert engine.sync(b, PostgresHub(url_b)).pulled == {"shift": 1}
        assert snapshot(a) == snapshot(b)
        rows = old_server.rows("SELECT id::text, server_seq FROM fieldapp.envelope")
        assert len(rows) == 4 and str(later.id) in dict(rows)
        assert all(dict(rows)[row_id] == seq for row_id, seq in seqs.items())  # nothing re-sent
    finally:
        a.close()
        b.close()


def test_laptops_of_two_teams_syncing_at_once_converge(tmp_path):
    """Six laptops (three per team) released together, each adding records and syncing in
    rounds while the others push and pull; then every laptop has its team's records, once."""
    server = Server(admin_url())
    laptops = 6
    for n in range(laptops):
        template(n)  # made before the threads start
    ids = {}
    for n in range(laptops):
        database = fresh_database(tmp_path, n)
        ids[n] = database.device_id()
        database.close()
    urls = [server.device(f"t{n % 2}", f"l{n}", ids[n]) for n in range(laptops)]
    start = threading.Barrier(laptops)
    created: dict[int, list[str]] = {n: [] for n in range(laptops)}
    errors: list[BaseException] = []

    def laptop(n: int) -> None:
        from fieldapp.store.database import open_database

        database = open_database(tmp_path / f"device{n}.sqlite")
        try:
            start.wait()
            for _round in range(3):
                created[n] += [str(add_shift(database).id) for _k in range(4)]
                engine.sync(database, PostgresHub(urls[n]))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=laptop, args=(n,)) for n in range(laptops)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        from fieldapp.store.database import open_database

        databases = [open_database(tmp_path / f"device{n}.sqlite") for n in range(laptops)]
        try:
            for database, url in zip(databases, urls):
                assert engine.sync(database, PostgresHub(url)).refused == []
            snapshots = [snapshot(database) for database in databases]
        finally:
            for database in databases:
                database.close()
        for team in (0, 1):
            members = [n for n in range(laptops) if n % 2 == team]
            expected = {i for n in members for i in created[n]}
            assert snapshots[members[0]] == snapshots[members[1]] == snapshots[members[2]]
            shifts = {i for (kind, i) in snapshots[members[0]] if kind == "shift"}
            assert shifts == expected  # nothing lost, nothing of the other team
        rows = server.rows("SELECT team, id::text FROM fieldapp.envelope")
        assert not [key for key, count in Counter(rows).items() if count > 1]
        assert len(rows) == sum(len(c) for c in created.values())
        seqs = server.rows("SELECT server_seq FROM fieldapp.envelope")
        assert len({s for (s,) in seqs}) == len(seqs)
    finally:
        server.drop()



def test_cli_init_postgres_upgrades_an_earlier_hub(old_server, capsys):
    from fieldapp.cli import main

    assert main(["hub", "init-postgres", old_server.url]) == 0
    assert str(SCHEMA_VERSION) in capsys.readouterr().out
    conn = connect(old_server.url)
    try:
        assert conn.execute("SELECT max(version) FROM fieldapp.schema_version").fetchone() == (
            SCHEMA_VERSION,)
    finally:
        conn.close()
    assert main(["hub", "init-postgres", old_server.url]) == 0
    assert str(SCHEMA_VERSION) in capsys.readouterr().out


def test_a_push_into_a_hub_analyzed_when_empty_looks_rows_up_by_key(tmp_path):
    """Schema 4 (found by the bench): the server-columns trigger looks each pushed row up by
    (team, id). With its plan cached from a table analyzed while empty, every look-up
    scanned the whole table (a push of 100,000 records took minutes, each row slower than
    the last). Planned at each call, the look-ups use the primary key once the table is more
    than a few pages."""
    srv = Server(admin_url())
    try:
        device_id = uuid.uuid4()
        url = srv.device("t1", "pusher", device_id)
        admin = connect(srv.url)
        try:
            admin.execute("VACUUM ANALYZE fieldapp.envelope")  # analyzed while empty
        finally:
            admin.close()

        def seq_scans() -> int:
            conn = connect(srv.url)
            try:
                conn.execute("SELECT pg_stat_clear_snapshot()")
                return conn.execute("SELECT seq_scan FROM pg_stat_user_tables WHERE "
                                    "schemaname = 'fieldapp' AND relname = 'envelope'"
                                    ).fetchone()[0]
            finally:
                conn.close()

        before = seq_scans()
        rows = [(uuid.uuid4(), "observation", device_id, 1, parse_time("2026-11-02T10:00:00Z"),
                 False, "d" * 64, json.dumps({"severity": "low"})) for _ in range(3000)]
        with psycopg.connect(url, autocommit=True) as conn:
            with conn.transaction():
                conn.execute("SELECT set_config('fieldapp.device', %s, false)", (str(device_id),))
                with conn.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO fieldapp.envelope (id, type, device_id, revision, "
                        "updated_at, deleted, digest, data) VALUES (%s, %s, %s, %s, %s, %s, "
                        "%s, %s)", rows)
            conn.execute("SELECT pg_stat_force_next_flush()")
        assert len(srv.rows()) == 3000
        # A scan is the cheapest look-up while the table is a few pages (the first ~200
        # rows); before schema 4 every row scanned (3000).
        assert seq_scans() - before < 600
    finally:
        srv.drop()
