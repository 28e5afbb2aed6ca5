"""The window's pages: one registry of page classes, in sidebar order, and how a page is built.

Each entry names its class through a loader, a function with a plain ``import`` in it: the
page's module (and what it pulls in, e.g. the report writers) is imported when the page is
first shown, not at start, and the import is still an ordinary one that linters and the
layer test see. To add a page, write its class (``cls(ctx)`` builds it) and add an entry.

A page that fails to build is an error, not a hole: the log gets the traceback, and the page
area says that the page could not be opened and what to do. The other pages go on working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from fieldapp.i18n import _
from fieldapp.logs import log_file

log = logging.getLogger("fieldapp.ui")


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: Callable[[], str]  # translated at call time
    load: Callable[[], type[QWidget]]  # the page's class: ``cls(ctx)`` builds the page


def _today():
    from fieldapp.ui.views.today import TodayView
    return TodayView


def _shifts():
    from fieldapp.ui.views.shifts import ShiftsView
    return ShiftsView


def _observations():
    from fieldapp.ui.views.observations import ObservationsView
    return ObservationsView


def _meetings():
    from fieldapp.ui.views.meetings import MeetingsView
    return MeetingsView


def _places():
    from fieldapp.ui.views.places import PlacesView
    return PlacesView


def _map():
    from fieldapp.ui.views.map_view import MapView
    return MapView


def _reports():
    from fieldapp.ui.reports_view import ReportsView
    return ReportsView


def _sync():
    from fieldapp.ui.views.sync import SyncView
    return SyncView


def _settings():
    from fieldapp.ui.views.settings import SettingsView
    return SettingsView


PAGES: tuple[PageSpec, ...] = (
    PageSpec("today", lambda: _("Today"), _today),
    PageSpec("shifts", lambda: _("Shifts"), _shifts),
    PageSpec("observations", lambda: _("Observations"), _observations),
    PageSpec("meetings", lambda: _("Meetings"), _meetings),
    PageSpec("places", lambda: _("Places"), _places),
    PageSpec("map", lambda: _("Map"), _map),
    PageSpec("reports", lambda: _("Reports"), _reports),
    PageSpec("sync", lambda: _("Sync"), _sync),
    PageSpec("settings", lambda: _("Settings"), _settings),
)
PAGE_KEYS = tuple(page.key for page in PAGES)


class PageErrorPage(QWidget):
    """Shown in the page area when a page could not be built."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("pageError")
        self.title = QLabel(_("The page “{page}” could not be opened").format(page=title))
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        path = log_file()
        where = (_("The details are in the log file {path}.").format(path=path) if path
                 else _("The details are in Fältlogg's log file."))
        self.text = QLabel(" ".join((
            _("An error in Fältlogg stopped this page from opening. Your records are not "
              "affected, and the other pages work as usual."),
            _("Close Fältlogg and start it again. If the page still does not open, tell your "
              "IT support and send them the log file."),
            where)))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addStretch(1)


def build_page(spec: PageSpec, ctx) -> QWidget:
    """The page of ``spec`` on ``ctx``; if it cannot be built, the error page (and the
    traceback in the log)."""
    try:
        return spec.load()(ctx)
    except Exception:  # one broken page must not take the window with it (it is logged)
        log.exception("the page %r could not be built", spec.key)
        page = PageErrorPage(spec.title())
        page.setObjectName(f"pageError_{spec.key}")
        return page
