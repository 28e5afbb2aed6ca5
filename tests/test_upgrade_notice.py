"""An older data file is backed up and upgraded before the window exists, which takes
seconds for a large file: the window shows a notice painted before the work starts (and
closes it after), the command line says it on a terminal, and a file at the newest
revision shows nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel

from fieldapp.cli import main
from fieldapp.store import migrate
from fieldapp.store.database import make_engine

OLDER = "0008_running_and_live_indexes"


def older_file(tmp_path):
    path = tmp_path / "gammal.sqlite"
    engine = make_engine(path)
    migrate.upgrade(engine, OLDER)
    engine.dispose()
    return path


def notices() -> list[str]:
    return [w.findChild(QLabel, "upgradeText").text() for w in QApplication.topLevelWidgets()
            if w.objectName() == "upgradeNotice" and w.isVisible()]


def test_the_window_shows_a_notice_while_an_older_file_is_upgraded(qapp, tmp_path,
                                                                   monkeypatch):
    from fieldapp.ui.app import open_start_database

    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    path = older_file(tmp_path)
    seen = []
    upgrade = migrate.upgrade

    def watched(engine, target="head"):
        seen.append(notices())
        upgrade(engine, target)

    monkeypatch.setattr(migrate, "upgrade", watched)
    database = open_start_database(path)
    try:
        assert database.revision() == migrate.head_revision()
    finally:
        database.close()
    assert len(seen) == 1 and len(seen[0]) == 1
    assert "Uppgraderar" in seen[0][0] and "gammal.sqlite" in seen[0][0]
    assert "säkerhetskopia" in seen[0][0]
    qapp.processEvents()
    assert notices() == []  # closed once the file is at head

    database = open_start_database(path)  # now at head: no upgrade, no notice
    database.close()
    assert len(seen) == 1 and notices() == []


def test_the_command_line_says_it_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    from fieldapp.cli import terminal

    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    path = older_file(tmp_path)
    assert main(["--db", str(path), "db", "upgrade"]) == 0  # a script: stderr stays quiet
    assert "Uppgraderar" not in capsys.readouterr().err

    (tmp_path / "annan").mkdir()
    other = older_file(tmp_path / "annan")
    monkeypatch.setattr(terminal, "stdin_is_tty", lambda: True)
    assert main(["--db", str(other), "db", "upgrade"]) == 0
    assert "Uppgraderar" in capsys.readouterr().err
