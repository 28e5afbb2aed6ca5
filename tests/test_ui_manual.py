"""Hjälp → Handbok (issue 16 item 9): a short manual in the app, offline, in the UI's language,
with the sections a new field worker needs; its files are package data."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import tomllib
from pathlib import Path

import pytest

from fieldapp.i18n import LANGUAGES, set_language
from fieldapp.ui.manual import ManualDialog, manual_path
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name

ROOT = Path(__file__).resolve().parent.parent

SECTIONS = {
    "sv": ["Fältlogg – handbok", "Starta ett pass", "Anteckna iakttagelser", "Avsluta passet",
           "Möten och överenskomna insatser", "Lås", "Synk", "Rapporter", "Säkerhetskopior"],
    "en": ["Fältlogg – manual", "Start a shift", "Note observations", "End the shift",
           "Meetings and agreed actions", "Lock", "Sync", "Reports", "Backups"],
}


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_manual_opens_from_the_help_menu_in_the_ui_language(qtbot, window, language):
    set_language(language)
    window.retranslate()
    help_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.menu() is not None and window.action_manual in a.menu().actions())
    assert help_menu.title().replace("&", "") == {"sv": "Hjälp", "en": "Help"}[language]
    window.action_manual.trigger()
    dialog = window.last_dialog
    assert isinstance(dialog, ManualDialog) and dialog.isVisible()
    assert dialog.windowTitle() == {"sv": "Handbok", "en": "Manual"}[language]
    assert dialog.headings() == SECTIONS[language]
    text = dialog.browser.toPlainText()
    for shortcut in ("Ctrl+N", "Ctrl+E", "Ctrl+M", "Ctrl+L", "Ctrl+D", "Ctrl+Z"):
        assert shortcut in text, shortcut
    assert "**" not in text and "##" not in text  # shown as Markdown, not as its source
    # At its default size on a 1366x768 screen: nothing runs off to the side.
    assert dialog.width() <= 1366 and dialog.height() <= 700
    assert not dialog.browser.horizontalScrollBar().isVisible()
    dialog.close()


def test_every_ui_language_has_its_own_manual():
    for language in LANGUAGES:
        assert manual_path(language).name == f"manual_{language}.md"
    assert manual_path("fi").name == "manual_en.md"  # a language without one: English


def test_the_manual_is_package_data_for_the_wheel_and_the_bundle():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["fieldapp"]
    files = {p.name for p in (ROOT / "fieldapp").glob("help/*.md")}
    assert files == {f"manual_{language}.md" for language in LANGUAGES}
    assert "help/*.md" in patterns
    spec = (ROOT / "installer" / "faltlogg.spec").read_text(encoding="utf-8")
    assert '"fieldapp" / "help", "*.md", "fieldapp/help"' in spec
