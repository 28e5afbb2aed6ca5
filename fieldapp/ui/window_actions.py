"""The window's commands, declared once: each menu entry with its text, shortcut and what it
does. The window builds its actions and menus from :data:`ACTIONS` (in menu order; a new
``group`` number within a menu starts after a separator) and retranslates them from the same
table. To add a command, add one entry here and put its code in its own module: the slot gets
the window and returns the dialog it opened, if any (tests drive it through
``window.last_dialog``).

The page commands (Ctrl+1 …) are made from the page registry, not listed here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from fieldapp.i18n import _


@dataclass(frozen=True)
class ActionSpec:
    attr: str  # the window attribute that holds the QAction, e.g. "action_lock"
    text: Callable[[], str]  # translated at call time
    slot: Callable[[object], object]  # called with the window
    menu: str  # a key of MENUS
    group: int = 0  # entries of one menu with another group are set off by a separator
    shortcut: str = ""
    name: str = ""  # object name (tests and the screenshot script find actions by it)
    application_wide: bool = False  # the shortcut works in every window of the app (dialogs)
    role: QAction.MenuRole | None = None


def _help():
    from fieldapp.ui import help_menu
    return help_menu


def _places():
    from fieldapp.ui.views import place_navigation
    return place_navigation


def _manual():
    from fieldapp.ui import manual
    return manual


def _first_start(window):
    from fieldapp.ui.dialogs.first_start import open_first_start
    return open_first_start(window)


def _import_wizard():
    from fieldapp.ui.dialogs import import_wizard
    return import_wizard


MENUS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("file", lambda: _("&File")),
    ("view", lambda: _("&View")),
    ("help", lambda: _("&Help")),
)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("action_new_observation", lambda: _("&New observation…"),
               lambda w: w.new_observation(), "file", 0, "Ctrl+N", "actionNewObservation",
               application_wide=True),
    ActionSpec("action_new_meeting", lambda: _("New &meeting…"), lambda w: w.new_meeting(),
               "file", 0, "Ctrl+M", "actionNewMeeting"),
    ActionSpec("action_start_shift", lambda: _("&Start shift…"), lambda w: w.start_shift(),
               "file", 1, "Ctrl+Shift+S"),
    ActionSpec("action_end_shift", lambda: _("&End shift…"), lambda w: w.end_shift(),
               "file", 1, "Ctrl+E", "actionEndShift"),
    ActionSpec("action_import_logs", lambda: _("&Import old logs…"),
               lambda w: _import_wizard().open_import_wizard(w), "file", 3, name="actionImportLogs"),
    ActionSpec("action_lock", lambda: _("&Lock now"), lambda w: w.lock(), "file", 2, "Ctrl+L",
               "actionLock"),
    ActionSpec("action_change_passphrase", lambda: _("Change &passphrase…"),
               lambda w: w.change_passphrase(), "file", 2, name="actionChangePassphrase"),
    ActionSpec("action_first_start", lambda: _("&Get started…"), lambda w: _first_start(w),
               "file", 2, name="actionFirstStart"),
    ActionSpec("action_quit", lambda: _("&Quit"), lambda w: w.quit(), "file", 2, "Ctrl+Q",
               role=QAction.MenuRole.QuitRole),
    ActionSpec("action_find_place", lambda: _("&Find place…"), lambda w: _places().find_place(w),
               "view", 1, "Ctrl+F", "actionFindPlace"),
    ActionSpec("action_shortcuts", lambda: _("&Keyboard shortcuts"), lambda w: w.show_shortcuts(),
               "help", 0, "F1", "actionShortcuts"),
    ActionSpec("action_manual", lambda: _("&Manual"), lambda w: _manual().show_manual(w), "help", 0,
               name="actionManual"),
    ActionSpec("action_about", lambda: _("&About Fältlogg"), lambda w: _help().show_about(w),
               "help", 0, role=QAction.MenuRole.AboutRole),
)


def build_actions(window, actions: tuple[ActionSpec, ...] = ACTIONS) -> dict[str, object]:
    """Make the QActions of ``actions`` on ``window`` (set as its attributes), the page
    actions (``window.page_actions``) and the menus; return the menus by key."""
    for spec in actions:
        action = QAction(window)
        action.setObjectName(spec.name)
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
            window.addAction(action)  # shortcuts work even with the menu bar hidden
        if spec.application_wide:
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        if spec.role is not None:
            action.setMenuRole(spec.role)
        action.triggered.connect(lambda _checked=False, slot=spec.slot: slot(window))
        setattr(window, spec.attr, action)
    window.page_actions = []
    for number, page in enumerate(window.page_specs, start=1):
        action = QAction(window)
        action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.setCheckable(True)
        action.triggered.connect(lambda _checked=False, key=page.key: window.show_page(key))
        window.addAction(action)
        window.page_actions.append(action)
    menus = {}
    for key, _title in MENUS:
        menu = menus[key] = window.menuBar().addMenu("")
        if key == "view":
            menu.addActions(window.page_actions)
        group = None
        for spec in actions:
            if spec.menu != key:
                continue
            if group is not None and spec.group != group:
                menu.addSeparator()
            group = spec.group
            menu.addAction(getattr(window, spec.attr))
    return menus


def retranslate_actions(window, menus: dict, actions: tuple[ActionSpec, ...] = ACTIONS) -> None:
    """Set every menu title and action text in the current language."""
    for key, title in MENUS:
        menus[key].setTitle(title())
    for spec in actions:
        getattr(window, spec.attr).setText(spec.text())
    for page, action in zip(window.page_specs, window.page_actions):
        action.setText(page.title())


__all__ = ["ACTIONS", "MENUS", "ActionSpec", "build_actions", "retranslate_actions"]
