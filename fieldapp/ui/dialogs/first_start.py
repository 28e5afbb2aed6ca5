"""Kom igång: the first-start guide. It sets this laptop's name and the team, the staff list,
the team hub and the team key, one page each (:mod:`first_start_pages`,
:mod:`first_start_key`), with the keyboard: Enter goes on, Escape skips.

The window offers it after the data file is opened when the file has not been set up
(:meth:`fieldapp.store.services.settings.SettingsService.is_set_up`: no device name, no staff,
and the guide neither finished nor skipped): :func:`install` registers the offer to run after
the window's first paint. Skipping leaves the app as it was (what the pages saved stays) and
the guide is not offered again; Arkiv → Kom igång… opens it at any time."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from fieldapp.domain.records import StaffRecord
from fieldapp.i18n import _
from fieldapp.store.services.settings import (
    FIRST_START,
    FIRST_START_DONE,
    FIRST_START_SKIPPED,
    HUB_PATH,
    HUB_URL,
    TEAM_NAME,
)
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.first_start_key import KeyPage
from fieldapp.ui.dialogs.first_start_pages import DevicePage, HubPage, StaffPage
from fieldapp.ui.tasks import DB
from fieldapp.ui.widgets.messages import show_unexpected_error

GUIDE_SIZE = (760, 500)  # fits a 1366×768 screen with the window's frame and the task bar


@dataclass(frozen=True)
class SetupSnapshot:
    device_name: str
    team_name: str
    hub_path: str
    hub_url: str
    state: str  # FIRST_START's value
    staff: list[StaffRecord] = field(default_factory=list)


def read_setup(ctx: AppContext) -> SetupSnapshot:
    """What the guide shows to begin with (a job for the database lane)."""
    with ctx.services() as services:
        settings = services.settings
        return SetupSnapshot(device_name=settings.device_name(),
                             team_name=str(settings.get(TEAM_NAME)),
                             hub_path=str(settings.get(HUB_PATH)),
                             hub_url=str(settings.get(HUB_URL)),
                             state=str(settings.get(FIRST_START)),
                             staff=services.staff.list())


class FirstStartGuide(QWizard):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.state = ""
        self.loaded = False  # the saved values have been read and shown
        self.setObjectName("firstStartGuide")
        self.setWindowTitle(_("Get started with Fältlogg"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setButtonText(QWizard.WizardButton.BackButton, _("< &Back"))
        self.setButtonText(QWizard.WizardButton.NextButton, _("&Next >"))
        self.setButtonText(QWizard.WizardButton.FinishButton, _("&Finish"))
        self.setButtonText(QWizard.WizardButton.CancelButton, _("&Skip for now"))
        self.device_page = DevicePage(ctx)
        self.staff_page = StaffPage(ctx)
        self.hub_page = HubPage(ctx)
        self.key_page = KeyPage(ctx)
        for page in (self.device_page, self.staff_page, self.hub_page, self.key_page):
            self.addPage(page)
        self.currentIdChanged.connect(self._page_shown)
        self.accepted.connect(lambda: self._record(FIRST_START_DONE))
        self.rejected.connect(lambda: self._record(FIRST_START_SKIPPED))
        self.resize(*GUIDE_SIZE)
        ctx.tasks.run(lambda _progress: read_setup(ctx), on_success=self.show_snapshot,
                      on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                      lane=DB, owner=self)

    def show_snapshot(self, snapshot: SetupSnapshot) -> None:
        self.state = snapshot.state
        self.loaded = True
        self.device_page.load(snapshot.device_name, snapshot.team_name)
        self.staff_page.show_staff(snapshot.staff)
        self.hub_page.load(snapshot.hub_path, snapshot.hub_url)
        self._page_shown(self.currentId())

    def _page_shown(self, _page_id: int) -> None:
        """The first field of the page has the focus: the guide is driven by the keyboard."""
        page = self.currentPage()
        self.key_page.hub_folder = self.hub_page.values()["hub_path"]
        first = {self.device_page: self.device_page.device_name,
                 self.staff_page: self.staff_page.staff_name,
                 self.hub_page: self.hub_page.hub_path,
                 self.key_page: self.key_page.group.checkedButton()}.get(page)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _record(self, state: str) -> None:
        """Remember that the guide was gone through (or skipped, unless it was gone through
        before), so it is not offered again. The guide may be gone when this is saved (it is
        deleted when it closes): the job keeps only the context and the window."""
        if state == FIRST_START_SKIPPED and self.state == FIRST_START_DONE:
            return
        ctx, parent = self.ctx, self.parentWidget()

        def job(_progress):
            with ctx.services() as services:
                services.settings.set(FIRST_START, state)
                services.audit.record("settings", {"keys": ["first_start"],
                                                   "values": {"first_start": state}})

        ctx.tasks.run(job, on_success=lambda _result: ctx.events.changed.emit("settings"),
                      on_failure=lambda exc, trace: show_unexpected_error(parent, exc, trace),
                      lane=DB)


def open_first_start(window) -> FirstStartGuide:
    """Open the guide over ``window`` (window-modal, not blocking) and return it."""
    guide = FirstStartGuide(window.ctx, window)
    guide.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    guide.open()
    window.last_dialog = guide
    return guide


def offer_first_start(window) -> None:
    """Open the guide if the window's data file has not been set up (read on the DB lane)."""
    ctx = window.ctx

    def job(_progress) -> bool:
        with ctx.services() as services:
            return services.settings.is_set_up()

    def answered(set_up: bool) -> None:
        if not set_up and not window.locked:
            open_first_start(window)

    ctx.tasks.run(job, on_success=answered, lane=DB, owner=window)


def install(window) -> None:
    """Offer the guide once the window has painted (the start's other work goes first)."""
    window.after_first_paint(lambda: offer_first_start(window))
