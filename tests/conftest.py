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


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "faltlogg.sqlite"


@pytest.fixture
def database(db_path):
    db = open_database(db_path)
    yield db
    db.close()
