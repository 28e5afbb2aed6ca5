"""The audit log: every logged action (export, disclosure, sync run, purge, settings change,
unlock) leaves an entry; the log is shown on the settings page and exported as CSV."""

from __future__ import annotations

import csv
import datetime as dt

from fieldapp.cli import main
from fieldapp.store.services import Services, retention
from fieldapp.store.services.audit import AuditService, record_sync_run
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name


def kinds(database) -> list[str]:
    with database.session() as session:
        return [e.kind for e in AuditService(session).list()]


def test_record_list_and_csv(database, tmp_path):
    with database.session() as session:
        audit = AuditService(session)
        audit.record("export", {"week": "2024-W47", "file": tmp_path / "v.pdf"})
        record_sync_run(session, hub="/mnt/hub", pushed={"shift": 2}, pulled={}, refused=1)
    with database.session() as session:
        audit = AuditService(session)
        entries = audit.list()
        assert [e.kind for e in entries] == ["sync", "export"]
        assert entries[0].details == {"hub": "/mnt/hub", "pushed": {"shift": 2}, "pulled": {},
                                      "refused": 1}
        path = audit.export_csv(tmp_path / "logg.csv")
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines(), delimiter=";"))
    assert rows[0] == ["Tid (UTC)", "Typ", "Vad", "Detaljer (JSON)"] or rows[0][0] == "Tid (UTC)"
    assert [r[1] for r in rows[1:]] == ["export", "sync"]
    assert "2024-W47" in rows[1][3]


def test_cli_exports_and_purges_are_logged(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    db = tmp_path / "demo.sqlite"
    assert main(["--db", str(db), "demo", "--weeks", "2"]) == 0
    assert main(["--db", str(db), "report", "-o", str(tmp_path / "v.xlsx")]) == 0
    assert main(["--db", str(db), "db", "purge"]) == 0
    assert main(["--db", str(db), "db", "log", "--csv", str(tmp_path / "logg.csv")]) == 0
    capsys.readouterr()
    assert main(["--db", str(db), "db", "log"]) == 0
    out = capsys.readouterr().out
    assert "export" in out and "v.xlsx" in out and "xlsx" in out
    text = (tmp_path / "logg.csv").read_text(encoding="utf-8-sig")
    assert "export" in text and "v.xlsx" in text


def test_window_exports_settings_and_purges_are_logged(qtbot, window, ctx, tmp_path, clock):
    reports = window.show_page("reports")
    reports.open_after.setChecked(False)
    reports.export("csv", tmp_path / "vecka.csv")
    settings = window.show_page("settings")
    settings.team_name.setText("Fältgruppen Hägersten-Älvsjö")
    settings.hub_url.setText("postgresql://falt:hemligt@server/faltlogg")
    settings.save()
    box = settings.protection_box
    box.notes_days.setValue(14)
    box.save()
    with ctx.services() as services:
        services.shifts.create(kind="nattvandring", starts_at=clock() - dt.timedelta(days=60),
                               ends_at=clock() - dt.timedelta(days=60, hours=-4),
                               private_notes="privat")
    box.run_now()
    assert "Borttaget" in box.result_label.text()
    with ctx.services() as services:
        entries = services.audit.list()
        rules = retention.load_rules(services.session)
    assert rules.private_notes_days == 14
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry.details)
    assert by_kind["export"][0]["file"] == str((tmp_path / "vecka.csv").resolve())
    changed = [d for d in by_kind["settings"] if "team_name" in d["keys"]][0]
    assert changed["values"]["hub_url"] == "postgresql://falt@server/faltlogg"  # no password
    assert any("retention" in d["keys"] for d in by_kind["settings"])
    assert by_kind["purge"] == [{"rule": "private_notes", "kind": "private_notes", "count": 1}]
    # The log is on the settings page and can be exported.
    table = settings.audit_box.table
    assert table.rowCount() == len(entries)
    assert "Gallring" in [table.item(r, 1).text() for r in range(table.rowCount())]
    settings.audit_box.export_csv(tmp_path / "logg.csv")
    assert "purge" in (tmp_path / "logg.csv").read_text(encoding="utf-8-sig")


def test_language_change_is_logged(qtbot, window, ctx):
    settings = window.show_page("settings")
    settings.set_language("en")
    with ctx.services() as services:
        entry = services.audit.list(kinds=["settings"])[0]
    assert entry.details == {"keys": ["language"], "values": {"language": "en"}}


def test_services_expose_the_audit_log(database):
    with database.session() as session:
        services = Services(session, database.device_id())
        services.audit.record("unlock", {})
    assert kinds(database) == ["unlock"]


def test_the_log_on_screen_names_the_details_in_the_ui_language(database):
    from fieldapp.i18n import set_language

    with database.session() as session:
        entry = Services(session, database.device_id()).audit.record(
            "export", {"week": "2024-W47", "format": "pdf", "file": "/tmp/x.pdf"})
    set_language("sv")
    assert entry.summary == "vecka: 2024-W47; format: pdf; fil: /tmp/x.pdf"
    set_language("en")
    assert entry.summary == "week: 2024-W47; format: pdf; file: /tmp/x.pdf"
