"""Shared fixtures: every test gets its own real SQLite file in a temporary folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from fieldapp.i18n import set_language
from fieldapp.store.database import open_database


@pytest.fixture(autouse=True)
def _swedish_by_default():
    set_language("sv")
    yield
    set_language("sv")


@pytest.fixture(autouse=True)
def _own_qsettings(tmp_path):
    """The window's settings (remembered folders, geometry) in the test's own folder, never
    the user's: QSettings(ORGANIZATION, APPLICATION) anywhere in a test lands there."""
    from PySide6.QtCore import QSettings

    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "user-settings"))
    yield


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "faltlogg.sqlite"


@pytest.fixture
def database(db_path):
    db = open_database(db_path)
    yield db
    db.close()


# -- the sync tests' world: three laptops (real files, each its own device) and a hub folder --
@pytest.fixture
def laptops(tmp_path):
    from test_sync_support import fresh_database

    databases = [fresh_database(tmp_path, n) for n in range(3)]
    yield databases
    for database in databases:
        database.close()


@pytest.fixture
def hub_path(tmp_path):
    path = tmp_path / "hub"
    path.mkdir()
    return path


@pytest.fixture
def hub_contexts(tmp_path, hub_path, monkeypatch):
    """Two laptops' window contexts (synchronous tasks) whose settings name ``hub_path``,
    with the team key in the environment: the Synk page's tests."""
    from fieldapp.ui.context import AppContext
    from test_sync_support import TEAM_KEY, fresh_database

    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY.decode())
    databases = [fresh_database(tmp_path, n) for n in range(2)]
    contexts = [AppContext.open(db, synchronous=True) for db in databases]
    for ctx in contexts:
        with ctx.services() as services:
            services.settings.set("hub_path", str(hub_path))
    yield contexts
    for db in databases:
        db.close()
