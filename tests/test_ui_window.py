"""The window shell: pages and their shortcuts, menus, the status bar, remembered state, and
the translations of everything visible."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import ast
import re
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QTableView,
    QTabWidget,
    QWidget,
)

from fieldapp.i18n import catalog, set_language
from fieldapp.ui.main_window import MainWindow
from fieldapp.ui.pages import PAGE_KEYS, PAGES, PageErrorPage, PageSpec
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import activate, press

UI_FILES = ["fieldapp/ui/app.py", "fieldapp/ui/main_window.py", "fieldapp/ui/pages.py",
            "fieldapp/ui/views/today.py",
            "fieldapp/ui/views/settings.py", "fieldapp/ui/dialogs/start_shift.py",
            "fieldapp/ui/dialogs/end_shift.py", "fieldapp/ui/dialogs/quick_observation.py",
            *sorted(str(p.relative_to(Path(__file__).resolve().parents[1]))
                    for p in (Path(__file__).resolve().parents[1] / "fieldapp/ui/widgets").glob("*.py"))]
ROOT = Path(__file__).resolve().parents[1]


def test_every_page_is_in_the_sidebar_and_ctrl_number_switches(qtbot, window):
    names = [window.nav.item(row).text() for row in range(window.nav.count())]
    assert names == ["Idag", "Pass", "Iakttagelser", "Möten", "Platser", "Karta", "Rapporter", "Synk",
                     "Inställningar"]
    for number, key in reversed(list(enumerate(PAGE_KEYS, start=1))):
        press(qtbot, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_page_key() == key
        assert window.stack.currentWidget() is window.pages[key]


def test_menus_show_their_shortcuts(window):
    menus = {menu.title(): menu for menu in window.menuBar().findChildren(QMenu)}
    assert {"&Arkiv", "&Visa", "&Hjälp"} <= set(menus)
    file_actions = {a.text(): a.shortcut().toString() for a in menus["&Arkiv"].actions()
                    if not a.isSeparator()}
    assert file_actions == {"&Ny iakttagelse…": "Ctrl+N", "Nytt &möte…": "Ctrl+M",
                            "&Starta pass…": "Ctrl+Shift+S",
                            "&Avsluta pass…": "Ctrl+E", "&Importera gamla loggar…": "",
                            "&Lås nu": "Ctrl+L", "Byt lösen&fras…": "", "&Kom igång…": "",
                            "Avsluta p&rogrammet": "Ctrl+Q"}
    keys = [text[text.index("&") + 1].lower() for text in file_actions]
    assert len(keys) == len(set(keys)), f"two items share an Alt key: {keys}"
    view = [(a.text(), a.shortcut().toString()) for a in menus["&Visa"].actions()]
    assert view[0] == ("Idag", "Ctrl+1") and view[8] == ("Inställningar", "Ctrl+9")
    assert view[-1] == ("&Sök plats…", "Ctrl+F")
    assert [a.text() for a in menus["&Hjälp"].actions()] == ["&Kortkommandon", "&Handbok",
                                                             "&Om Fältlogg"]
    assert window.action_new_observation.shortcutContext() == Qt.ShortcutContext.ApplicationShortcut


def test_a_page_that_fails_to_build_says_so_and_the_log_has_why(qtbot, ctx, qsettings,
                                                                 tmp_path):
    """A broken page is an error the user sees (what happened, what to do) and the log
    records with its traceback; the other pages open as usual."""
    import logging

    from fieldapp.logs import setup_logging, stop_logging

    class Broken(QWidget):
        def __init__(self, ctx):
            raise RuntimeError("half-written page")

    pages = list(PAGES)
    pages[3] = PageSpec("meetings", PAGES[3].title, lambda: Broken)
    log_path = setup_logging(tmp_path / "logs")
    try:
        window = MainWindow(ctx, qsettings, pages=tuple(pages))
        qtbot.addWidget(window)
        window.show()
        page = window.show_page("meetings")
        assert isinstance(page, PageErrorPage) and page.isVisible()
        assert page.title.text() == "Sidan ”Möten” kunde inte öppnas"
        assert "Stäng Fältlogg och starta det igen" in page.text.text()
        assert str(log_path) in page.text.text()
        for handler in logging.getLogger("fieldapp").handlers:
            handler.flush()
        logged = log_path.read_text(encoding="utf-8")
        assert "the page 'meetings' could not be built" in logged
        assert "Traceback" in logged and 'RuntimeError: half-written page' in logged
        # The other pages still open and work.
        for key in ("today", "observations", "reports"):
            assert not isinstance(window.show_page(key), PageErrorPage)
        assert window.current_page_key() == "reports"
        assert window.show_page("meetings") is page  # built once; not retried on every click
    finally:
        stop_logging()


def test_status_bar_shows_the_running_shift_and_its_time(qtbot, window, ctx, clock, staff_ids):
    assert window.shift_status.text() == "Inget pågående pass"
    assert window.action_start_shift.isEnabled() and not window.action_end_shift.isEnabled()
    dialog = window.start_shift()
    dialog.kind.setCurrentIndex(dialog.kind.findData("faltpass"))
    dialog.staff.set_checked(staff_ids)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert window.shift_status.text() == "Fältpass sedan 19:00 (0 tim 00 min)"
    clock.advance(hours=1, minutes=5)
    window.status_timer.timeout.emit()
    assert window.shift_status.text() == "Fältpass sedan 19:00 (1 tim 05 min)"
    assert window.status_timer.interval() == 60_000
    assert not window.action_start_shift.isEnabled() and window.action_end_shift.isEnabled()


def test_window_remembers_size_position_and_page(qtbot, ctx, qsettings):
    first = MainWindow(ctx, qsettings)
    qtbot.addWidget(first)
    first.show()
    first.resize(QSize(760, 560))  # fits the offscreen screen
    first.move(0, 30)
    size = first.size()  # at least the window's minimum size
    assert size != QSize(1180, 760)
    first.show_page("places")
    first.close()
    second = MainWindow(ctx, qsettings)
    qtbot.addWidget(second)
    second.show()
    assert second.current_page_key() == "places"
    assert second.size() == size
    assert second.pos() == first.pos()
    assert qsettings.value("window/page") == "places"


# -- translations ---------------------------------------------------------------------------

def _strip(text: str) -> str:
    return re.sub(r"&(?!&)", "", text).strip()


def visible_texts(root: QWidget) -> list[str]:
    """Every text a user can see in ``root``: labels, buttons, group boxes, tabs, headers,
    list and combo items, placeholders, window titles, menus and actions."""
    texts = [root.windowTitle()]
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if not widget.isVisibleTo(root) and widget is not root and not isinstance(widget, QMenu):
            continue
        if isinstance(widget, QLabel):
            texts.append(widget.text())
        elif isinstance(widget, QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabWidget):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QMenu):
            texts.append(widget.title())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QListWidget):
            texts += [widget.item(i).text() for i in range(widget.count())]
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                      for c in range(model.columnCount())]
        texts += [action.text() for action in widget.actions() if isinstance(action, QAction)]
    return [t for t in texts if t]


def untranslated(texts: list[str]) -> list[str]:
    english = {}
    for msgid, msgstr in catalog("sv").items():
        if msgstr != msgid:
            english[msgid] = msgstr
            english[_strip(msgid)] = msgstr
    return sorted({t for t in texts if t in english or _strip(t) in english})


def all_screens(qtbot, window, ctx, staff_ids, clock):
    """The window on every page, and each dialog of the fast path."""
    for key in PAGE_KEYS:
        window.show_page(key)
        yield key, window
    start = window.start_shift()
    yield "start_shift", start
    start.staff.set_checked(staff_ids)
    qtbot.mouseClick(start.start_button, Qt.MouseButton.LeftButton)
    window.show_page("today")
    yield "today_running", window
    clock.advance(minutes=20)
    quick = window.new_observation()
    yield "quick_observation", quick
    quick.close()
    clock.advance(hours=2)
    yield "end_shift", window.end_shift()


def test_no_english_left_in_swedish_mode(qtbot, window, ctx, staff_ids, clock):
    assert untranslated(["&Start shift…", "Idag", "Night walk"]) == ["&Start shift…", "Night walk"]
    problems = {}
    for name, screen in all_screens(qtbot, window, ctx, staff_ids, clock):
        found = untranslated(visible_texts(screen))
        if found:
            problems[name] = found
    assert problems == {}


def test_switching_to_english_changes_the_visible_texts(qtbot, window, ctx, staff_ids, clock):
    window.show_page("settings")
    swedish = set(visible_texts(window))
    settings = window.pages["settings"]
    settings.language.setCurrentIndex(settings.language.findData("en"))
    assert window.current_page_key() == "settings"
    english = set(visible_texts(window))
    assert {"Idag", "Inställningar", "&Arkiv", "Spara inställningar"} <= swedish
    assert {"Today", "Settings", "&File", "Save settings"} <= english
    assert not ({"Idag", "&Arkiv", "Spara inställningar"} & english)
    with ctx.services() as services:
        assert services.settings.get("language") == "en"
    window.show_page("today")
    assert window.pages["today"].week_box.title().startswith("This week's key numbers")
    set_language("sv")


def test_every_ui_string_has_a_swedish_translation():
    """Each literal passed to _() in the window's files is in a Swedish catalogue."""
    swedish = catalog("sv")
    missing = []
    for relative in UI_FILES:
        tree = ast.parse((ROOT / relative).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "_" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                if node.args[0].value not in swedish:
                    missing.append(f"{relative}:{node.lineno}: {node.args[0].value!r}")
    assert missing == []


def test_every_enum_label_has_a_swedish_translation():
    from fieldapp.domain import enums

    swedish = catalog("sv")
    for name in dir(enums):
        kind = getattr(enums, name)
        if isinstance(kind, type) and issubclass(kind, enums._Labelled) and kind is not enums._Labelled:
            for msgid in kind._labels().values():
                assert msgid in swedish, f"{kind.__name__}: {msgid!r}"
    assert enums.ShiftKind.NATTVANDRING.label == "Nattvandring"
    assert enums.MeetingKind.UTSATTNINGSMOTE.label == "Utsättningsmöte (polis)"


def test_ctrl_n_works_from_another_page(qtbot, window):
    window.show_page("places")
    activate(qtbot, window)
    press(qtbot, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.last_dialog
    assert dialog is not None and dialog.isVisible()
    QApplication.processEvents()
    assert QApplication.focusWidget() is dialog.place


# -- start-up -------------------------------------------------------------------------------

def test_the_first_page_reads_its_data_once_at_start(qtbot, ctx, qsettings, monkeypatch):
    from fieldapp.ui.views import today

    calls = []
    real = today.read_snapshot
    monkeypatch.setattr(today, "read_snapshot", lambda c: calls.append(c) or real(c))
    window = MainWindow(ctx, qsettings)
    qtbot.addWidget(window)
    assert window.current_page_key() == "today"
    assert len(calls) == 1
    window.show_page("shifts")
    window.show_page("today")
    assert len(calls) == 2  # shown again later: read again


def test_run_gui_refuses_a_file_that_is_not_a_database(qapp, tmp_path, qsettings, monkeypatch):
    from fieldapp.ui.app import run_gui
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    bad = tmp_path / "notes.sqlite"
    bad.write_text("inköpslista: mjölk, bröd")
    shown = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: shown.append(d.message.text()) or 0)
    assert run_gui(db_path=bad, language=None) == 1
    assert len(shown) == 1 and "notes.sqlite" in shown[0]
    assert bad.read_text() == "inköpslista: mjölk, bröd"


def _file_with_one_staff_member(db_path) -> None:
    from fieldapp.store.database import open_database
    from fieldapp.store.services import Services

    database = open_database(db_path)
    with database.session() as session:
        Services(session, database.device_id()).staff.create(initials="AL", name="Amira")
    database.close()


def test_run_gui_restores_the_latest_backup_of_a_damaged_file(qapp, db_path, qsettings, monkeypatch):
    import sqlite3

    from fieldapp.store.recovery import list_backups
    from fieldapp.ui.app import run_gui
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    _file_with_one_staff_member(db_path)
    opened = []

    def fake_exec():
        opened.extend(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        for window in opened:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert run_gui(db_path=db_path, language=None) == 0  # the first start makes a daily backup
    assert len(list_backups(db_path)) == 1
    damaged = db_path.read_bytes()[:3000]
    db_path.write_bytes(damaged)

    def accept_restore(dialog):
        assert dialog.restore_button is not None
        dialog.restore()
        return 1

    monkeypatch.setattr(RecoveryDialog, "exec", accept_restore)
    assert run_gui(db_path=db_path, language=None) == 0
    con = sqlite3.connect(db_path)
    assert con.execute("SELECT initials FROM staff").fetchall() == [("AL",)]
    con.close()
    kept = [p for p in db_path.parent.iterdir() if ".damaged-" in p.name and p.suffix != "-wal"]
    assert any(p.read_bytes() == damaged for p in kept)


def test_damage_found_after_the_first_paint_closes_the_window_and_offers_the_backup(
        qapp, qtbot, db_path, qsettings, monkeypatch):
    """The whole-file check runs after the window has painted (it takes most of a second
    on a year of a city's data): a damaged page it finds closes the window, the recovery
    dialog offers the latest backup, and the window opens again on the restored file. No
    backup is taken of the damaged file."""
    import sqlite3

    from fieldapp.store.recovery import list_backups
    from fieldapp.ui.app import run_gui
    from fieldapp.ui.dialogs.recovery import RecoveryDialog

    _file_with_one_staff_member(db_path)
    windows: list[MainWindow] = []

    def fake_exec():
        window = next(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible() and w not in windows)
        windows.append(window)
        window.start_background_work()  # as after its first paint
        qtbot.waitUntil(lambda: not window.ctx.tasks.busy(), timeout=20_000)
        window.close()  # a no-op when the check closed it
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert run_gui(db_path=db_path, language=None) == 0  # the first start makes a backup
    assert len(list_backups(db_path)) == 1
    # A page no start-up query reads (the audit log's root): only the whole-file check sees it.
    con = sqlite3.connect(db_path)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'").fetchone()[0]
    con.close()
    data = bytearray(db_path.read_bytes())
    data[(root - 1) * page_size:root * page_size] = b"\xa5" * page_size
    db_path.write_bytes(bytes(data))
    damaged = bytes(data)
    offered = []

    def accept_restore(dialog):
        offered.append(dialog.message.text())
        dialog.restore()
        return 1

    monkeypatch.setattr(RecoveryDialog, "exec", accept_restore)
    windows.clear()
    assert run_gui(db_path=db_path, language=None) == 0
    assert len(offered) == 1 and "skadad" in offered[0]
    assert len(windows) == 2  # the window on the damaged file, then on the restored one
    assert len(list_backups(db_path)) == 1  # the damaged file was not backed up
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA quick_check").fetchall() == [("ok",)]
    assert con.execute("SELECT initials FROM staff").fetchall() == [("AL",)]
    con.close()
    kept = [p for p in db_path.parent.iterdir() if ".damaged-" in p.name and p.suffix != "-wal"]
    assert any(p.read_bytes() == damaged for p in kept)


def test_run_gui_uses_the_saved_language(qapp, db_path, qsettings, monkeypatch):
    import sys

    from fieldapp.i18n import current_language
    from fieldapp.store.database import open_database
    from fieldapp.ui.app import run_gui

    database = open_database(db_path)
    with database.session() as session:
        from fieldapp.store.services import Services

        Services(session, database.device_id()).settings.set("language", "en")
    database.close()
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    opened = []

    def fake_exec():
        opened.extend(w for w in QApplication.topLevelWidgets()
                      if isinstance(w, MainWindow) and w.isVisible())
        for window in opened:
            window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", staticmethod(fake_exec))
    assert run_gui(db_path=db_path, language=None) == 0
    assert current_language() == "en"
    assert opened and opened[-1].nav.item(0).text() == "Today"
    assert run_gui(db_path=db_path, language="sv") == 0
    assert current_language() == "sv"
