"""Opening a file tells the truth: each refusal has its own message, exit code 1 on the
command line, and the file is left byte for byte as it was (no -wal/-shm left behind, no
half-made new file).

A read-only medium is a read-only bind mount and a full disk a tiny tmpfs filled up; both need
root (CAP_SYS_ADMIN) and are skipped with the reason otherwise. The rest runs everywhere.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldapp.cli import main

PASSPHRASE = "korrekt häst batteri"
TEAM_KEY = "lagnyckel-för-testet-0123456789"


# -- helpers ---------------------------------------------------------------------------------

def state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder``: (sha256, mtime_ns). Equal before and after: untouched, and
    nothing was left behind."""
    return {entry.name: (hashlib.sha256(entry.read_bytes()).hexdigest(), entry.stat().st_mtime_ns)
            for entry in sorted(folder.iterdir()) if entry.is_file()}


def run(capsys, *args: str) -> tuple[int, str]:
    code = main(["--lang", "sv", *args])
    return code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def _no_passphrase(monkeypatch):
    monkeypatch.delenv("FIELDAPP_PASSPHRASE", raising=False)
    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY)


def make_plain(path: Path) -> Path:
    assert main(["--db", str(path), "demo", "--weeks", "1"]) == 0
    return path


def make_encrypted(path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", PASSPHRASE)
    assert main(["--db", str(path), "demo", "--weeks", "1"]) == 0
    monkeypatch.delenv("FIELDAPP_PASSPHRASE")
    return path


@pytest.fixture
def files(tmp_path, monkeypatch, capsys):
    """A plain and an encrypted data file in ``tmp_path/src``."""
    src = tmp_path / "src"
    src.mkdir()
    make_plain(src / "plain.sqlite")
    make_encrypted(src / "enc.sqlite", monkeypatch)
    capsys.readouterr()
    return src


def _unmount(target: Path) -> None:
    """Unmount ``target``; a process that still walks the folder (another pytest cleaning its
    old temporary folders) makes it busy for a moment: wait for it, then detach it lazily."""
    for _attempt in range(20):
        if subprocess.run(["umount", str(target)], capture_output=True).returncode == 0:
            return
        time.sleep(0.1)  # cleanup only: waiting out another process, not the code under test
    subprocess.run(["umount", "-l", str(target)], check=True)


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here (needs root with CAP_SYS_ADMIN): {result.stderr.strip()}")


def _require_root() -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a read-only or full file system needs root (CAP_SYS_ADMIN)")


@pytest.fixture
def read_only(files, tmp_path):
    """``files`` seen through a read-only bind mount."""
    _require_root()
    target = tmp_path / "ro"
    target.mkdir()
    _mount("--bind", str(files), str(target))
    try:
        _mount("-o", "remount,ro,bind", str(target))
        yield target
    finally:
        _unmount(target)


@pytest.fixture
def full_disk(files, tmp_path):
    """A 1 MiB tmpfs holding copies of ``files``, filled up to the last byte."""
    _require_root()
    target = tmp_path / "full"
    target.mkdir()
    _mount("-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target))
    try:
        for name in ("plain.sqlite", "enc.sqlite"):
            shutil.copyfile(files / name, target / name)
        with open(target / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
            except OSError:
                pass
        assert shutil.disk_usage(target).free == 0
        yield target
    finally:
        _unmount(target)


# -- the passphrase, the file ------------------------------------------------------------------

def test_a_wrong_passphrase_is_called_a_wrong_passphrase(files, monkeypatch, capsys):
    before = state(files)
    monkeypatch.setenv("FIELDAPP_PASSPHRASE", "en helt annan fras")
    code, err = run(capsys, "--db", str(files / "enc.sqlite"), "db", "status")
    assert code == 1
    assert "Lösenfrasen" in err and "är fel" in err
    assert state(files) == before


def test_a_damaged_file_is_called_damaged(files, capsys):
    path = files / "plain.sqlite"
    with path.open("r+b") as fh:  # the pages after the first overwritten with rubbish
        fh.seek(4096 * 3)
        fh.write(bytes(range(256)) * 64)
    before = state(files)
    code, err = run(capsys, "--db", str(path), "report", "-o", str(files.parent / "v.pdf"))
    assert code == 1
    assert "skadad" in err and "Lösenfras" not in err
    assert state(files) == before
    assert not (files.parent / "v.pdf").exists()


def test_a_file_from_a_newer_version_is_called_newer(files, capsys):
    path = files / "plain.sqlite"
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    con.close()
    before = state(files)
    code, err = run(capsys, "--db", str(path), "demo")
    assert code == 1
    assert "nyare version av Fältlogg" in err
    assert state(files) == before


@pytest.mark.parametrize("content", ["sqlite", "text"])
def test_a_file_that_is_not_faltlogg_is_called_so(tmp_path, capsys, content):
    path = tmp_path / "annat.sqlite"
    if content == "sqlite":
        con = sqlite3.connect(path)
        con.execute("CREATE TABLE inkop (vara TEXT)")
        con.close()
    else:
        path.write_text("inköpslista: mjölk, bröd")
    before = state(tmp_path)
    code, err = run(capsys, "--db", str(path), "db", "upgrade")
    assert code == 1
    assert "inte en Fältlogg-databas" in err
    assert state(tmp_path) == before


def test_a_folder_is_called_a_folder_and_no_file_is_promised(tmp_path, capsys):
    folder = tmp_path / "mapp"
    folder.mkdir()
    code, err = run(capsys, "--db", str(folder), "demo")
    assert code == 1
    assert "är en mapp, inte en databasfil" in err
    assert "okrypterad" not in err  # no warning about a file that will never be made
    assert list(folder.iterdir()) == []


def test_a_hub_path_that_is_a_file_is_called_a_file(files, capsys):
    hub = files.parent / "hub.txt"
    hub.write_text("ingen mapp")
    before = state(files.parent)
    code, err = run(capsys, "--db", str(files / "plain.sqlite"), "sync", "--hub", str(hub))
    assert code == 1
    assert "är en fil, inte en mapp" in err and "går inte att nå" not in err
    assert state(files.parent) == before


# -- the disk ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,env", [("plain.sqlite", None), ("enc.sqlite", PASSPHRASE)])
@pytest.mark.parametrize("command", [["db", "status"], ["demo"]])
def test_a_read_only_medium_is_called_read_only(read_only, capsys, monkeypatch, name, env,
                                                 command):
    if env:
        monkeypatch.setenv("FIELDAPP_PASSPHRASE", env)
    before = state(read_only)
    code, err = run(capsys, "--db", str(read_only / name), *command)
    assert code == 1
    assert "skrivskyddad disk" in err
    assert "Lösenfras" not in err and "skadad" not in err
    assert state(read_only) == before


def test_a_new_file_on_a_read_only_medium_is_called_read_only(read_only, capsys):
    before = state(read_only)
    code, err = run(capsys, "--db", str(read_only / "ny.sqlite"), "demo")
    assert code == 1 and "skrivskyddad disk" in err
    assert state(read_only) == before


@pytest.mark.parametrize("name,env", [("plain.sqlite", None), ("enc.sqlite", PASSPHRASE)])
@pytest.mark.parametrize("command", [["db", "status"], ["demo"], ["report"]])
def test_a_full_disk_is_called_full(full_disk, capsys, monkeypatch, name, env, command):
    if env:
        monkeypatch.setenv("FIELDAPP_PASSPHRASE", env)
    monkeypatch.chdir(full_disk.parent)
    before = state(full_disk)
    code, err = run(capsys, "--db", str(full_disk / name), *command)
    assert code == 1
    assert "är full" in err
    assert "Lösenfras" not in err and "skadad" not in err
    assert state(full_disk) == before  # untouched, and no -wal/-shm left behind


@pytest.mark.parametrize("env", [None, PASSPHRASE])
def test_a_new_file_on_a_full_disk_is_removed_not_left_half_made(full_disk, capsys,
                                                                 monkeypatch, env):
    if env:
        monkeypatch.setenv("FIELDAPP_PASSPHRASE", env)
    before = state(full_disk)
    code, err = run(capsys, "--db", str(full_disk / "ny.sqlite"), "demo")
    assert code == 1
    assert "är full" in err and "inget blev kvar" in err
    assert state(full_disk) == before  # no ny.sqlite, -wal or -shm


def test_the_installed_command_says_read_only_and_exits_1(read_only):
    """The real process, as a script runs it: stderr, exit code, the file untouched."""
    before = state(read_only)
    env = dict(os.environ, FIELDAPP_PASSPHRASE=PASSPHRASE)
    result = subprocess.run([sys.executable, "-m", "fieldapp", "--lang", "sv", "--db",
                             str(read_only / "enc.sqlite"), "db", "status"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert "skrivskyddad disk" in result.stderr and "Traceback" not in result.stderr
    assert state(read_only) == before


# -- the window --------------------------------------------------------------------------------

def _recovery_messages(monkeypatch) -> list[str]:
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    shown: list[str] = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: shown.append(d.message.text()) or 0)
    return shown


def test_the_window_says_read_only_instead_of_asking_for_the_passphrase(
        qapp, read_only, monkeypatch, tmp_path):
    from PySide6.QtCore import QSettings

    from fieldapp.ui.app import run_gui
    from fieldapp.ui.dialogs.passphrase import PassphraseDialog

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    asked = []
    monkeypatch.setattr(PassphraseDialog, "exec", lambda d: asked.append(d) or 0)
    shown = _recovery_messages(monkeypatch)
    before = state(read_only)
    assert run_gui(db_path=read_only / "enc.sqlite", language="sv") == 1
    assert asked == []  # nobody types a passphrase for a file that cannot be opened
    assert len(shown) == 1 and "skrivskyddad disk" in shown[0] and "Lösenfras" not in shown[0]
    assert state(read_only) == before


def test_the_passphrase_dialog_reports_a_full_disk_not_a_wrong_passphrase(
        qapp, full_disk, monkeypatch, tmp_path):
    """The passphrase is typed into the real dialog; checking it meets the full disk: the
    dialog closes and the window says the disk is full (not "wrong passphrase")."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

    from fieldapp.ui.app import run_gui

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    shown = _recovery_messages(monkeypatch)
    typed = []

    def type_passphrase():
        dialog = QApplication.activeModalWidget()
        if dialog is None or dialog.objectName() != "passphraseDialog":
            QTimer.singleShot(20, type_passphrase)
            return
        dialog.findChild(QLineEdit, "passphrase").setText(PASSPHRASE)
        typed.append(dialog)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    QTimer.singleShot(0, type_passphrase)
    before = state(full_disk)
    assert run_gui(db_path=full_disk / "enc.sqlite", language="sv") == 1
    assert typed, "the passphrase dialog was not shown"
    assert len(shown) == 1 and "är full" in shown[0] and "Lösenfras" not in shown[0]
    assert state(full_disk) == before
