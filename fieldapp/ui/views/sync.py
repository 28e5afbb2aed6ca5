"""Synk: what waits to be sent, the last sync with the team hub, the devices seen, refused
bundles, and "Synka nu" (run on the task runner, with progress and cancel).

While a hub is set and reachable (the folder exists, or a server address is given), the view
syncs by itself every few minutes. The sync itself is :func:`fieldapp.sync.engine.sync`: this
view only starts it, shows its progress and its report, and reloads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import shiboken6
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import _
from fieldapp.store.services.settings import HUB_PATH, HUB_URL
from fieldapp.sync.service import POSTGRES_PREFIXES
from fieldapp.sync.receipts import SyncStatus, sync_status, type_label
from fieldapp.ui.context import AppContext
from fieldapp.ui.models.text import moment
from fieldapp.ui.tasks import DB, IO

AUTO_SYNC_MS = 5 * 60 * 1000
EVENT_KINDS = {"shift": "shift", "observation": "observation", "meeting": "meeting",
               "action": "action", "action_carried_out": "action", "place": "place",
               "staff": "staff"}


class NotReady(Exception):
    """The sync cannot start: the message says what to set."""


@dataclass(frozen=True)
class HubSettings:
    target: str  # the folder or the server address; "" when none is set
    key: bytes  # the team key ("" when none is set)


def device_label(name: str, device_id) -> str:
    """A device as the Synk page names it: the name it was given at first start, else a
    short id (the full id is the row's tooltip)."""
    return name or _("Unnamed device {id}").format(id=str(device_id)[:8])


def _when(value: dt.datetime | None) -> str:
    if value is None:
        return _("never")
    return moment(value)  # "tor 3 dec. 2026 13:48", never "03/12/2026"


class SyncView(QWidget):
    """The Synk page. The main window builds it at start so the automatic sync runs from
    then on, and shows ``status_text`` in its status bar."""

    status_text = Signal(str)
    status_line = ""  # the last text sent on status_text

    def __init__(self, ctx: AppContext, parent=None, *, interval_ms: int = AUTO_SYNC_MS):
        super().__init__(parent)
        self.ctx = ctx
        self.handle = None
        self.last_report = None

        title = QLabel(_("Sync"))
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)

        self.hub_label = QLabel()
        self.hub_label.setWordWrap(True)
        self.last_label = QLabel()
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.message_label = QLabel()
        self.message_label.setObjectName("syncMessage")
        self.message_label.setWordWrap(True)

        self.sync_button = QPushButton(_("Sync now"))
        self.sync_button.setDefault(True)
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.sync_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.progress, 1)

        self.devices_table = self._table([_("Device"), _("Last seen")])
        devices_box = QGroupBox(_("Devices seen"))
        QVBoxLayout(devices_box).addWidget(self.devices_table)
        self.refused_table = self._table([_("File"), _("Reason")])
        self.refused_box = QGroupBox(_("Refused bundles"))
        QVBoxLayout(self.refused_box).addWidget(self.refused_table)

        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.hub_label)
        layout.addWidget(self.last_label)
        layout.addWidget(self.pending_label)
        layout.addLayout(buttons)
        layout.addWidget(self.message_label)
        layout.addWidget(devices_box, 1)
        layout.addWidget(self.refused_box, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._auto_sync)
        self.timer.start()
        ctx.events.changed.connect(self._changed)
        self.refresh()

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    # -- hub settings (read on a lane: the settings, the keyring and a network folder can
    #    each keep the UI thread waiting) ------------------------------------------------------
    @staticmethod
    def read_hub(ctx: AppContext) -> HubSettings:
        """The hub and the team key: for a job, never the UI thread."""
        from fieldapp.sync.engine import team_key

        with ctx.services() as services:
            url = str(services.settings.get(HUB_URL) or "")
            path = str(services.settings.get(HUB_PATH) or "")
            key = team_key(services.session)
        return HubSettings(target=path or url, key=key)  # a shared folder by default

    @staticmethod
    def hub_available(target: str) -> bool:
        """Whether ``target`` can be synced with now (for a job: a network folder can hang)."""
        if not target:
            return False
        if target.startswith(POSTGRES_PREFIXES):
            return True
        return Path(target).expanduser().is_dir()

    # -- display ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the status on the database lane (it counts every table's unsent rows), then
        show it: the window is not held up at start or after a sync."""
        ctx = self.ctx

        def job(_progress) -> tuple[SyncStatus, str]:
            with ctx.services() as services:
                settings = services.settings
                target = str(settings.get("hub_path") or settings.get("hub_url") or "")
                return sync_status(services.session, ctx.device_id), target

        def done(result: tuple[SyncStatus, str]) -> None:
            if shiboken6.isValid(self):  # the page may have been rebuilt (language switch)
                self.show_status(*result)

        ctx.tasks.run(job, on_success=done, lane=DB)

    @staticmethod
    def short_status(status: SyncStatus, has_hub: bool) -> str:
        """One line for the status bar: pending records, refusals and the last sync."""
        if not has_hub:
            return _("Sync: no team hub")
        parts = [_("{count} waiting").format(count=status.pending_total) if status.pending_total
                 else _("all sent")]
        if status.refused:
            parts.append(_("{count} refused").format(count=len(status.refused)))
        parts.append(_("last {when}").format(when=_when(status.last_sync_at)))
        return _("Sync: {details}").format(details=", ".join(parts))

    def show_status(self, status: SyncStatus, target: str) -> None:
        if target:
            self.hub_label.setText(_("Team hub: {hub}").format(hub=self._redact(target)))
        else:
            self.hub_label.setText(_("No team hub is set. Choose the hub folder (or the "
                                     "server) under Settings."))
        self.last_label.setText(_("Last sync: {when}").format(when=_when(status.last_sync_at)))
        if status.pending:
            details = ", ".join(f"{type_label(name)} {count}" for name, count in status.pending.items())
            self.pending_label.setText(_("Waiting to be sent: {count} records ({details})").format(
                count=status.pending_total, details=details))
        else:
            self.pending_label.setText(_("Everything on this computer has been sent to the hub."))
        self.devices_table.setRowCount(len(status.devices))
        for row, device in enumerate(status.devices):
            name = device_label(device.name, device.id)
            if device.is_self:
                name = _("{name} (this computer)").format(name=name)
            seen = "–" if device.is_self else _when(device.last_seen_at)
            item = QTableWidgetItem(name)
            item.setToolTip(str(device.id))
            self.devices_table.setItem(row, 0, item)
            self.devices_table.setItem(row, 1, QTableWidgetItem(seen))
        self.status_line = self.short_status(status, bool(target))
        self.status_text.emit(self.status_line)
        self.refused_table.setRowCount(len(status.refused))
        for row, refusal in enumerate(status.refused):
            self.refused_table.setItem(row, 0, QTableWidgetItem(str(refusal.get("file", ""))))
            self.refused_table.setItem(row, 1, QTableWidgetItem(str(refusal.get("reason", ""))))
        self.refused_box.setVisible(bool(status.refused))

    @staticmethod
    def _redact(target: str) -> str:
        from fieldapp.sync.service import redact_target

        return redact_target(target)

    def _changed(self, kind: str) -> None:
        if self.handle is None:
            self.refresh()

    # -- sync ------------------------------------------------------------------------------------
    def is_running(self) -> bool:
        return self.handle is not None

    def _auto_sync(self) -> None:
        if not self.is_running():
            self.sync_now(automatic=True)

    def sync_now(self, *, automatic: bool = False) -> None:
        """Sync on the IO lane: reading the hub settings and the keyring, checking the
        folder and the sync itself all wait on something outside the data file, and the
        user's saves (on the DB lane) go on meanwhile. ``automatic``: the timer's sync, which
        does nothing (and says nothing) while the hub is not set or not reachable."""
        if self.is_running():
            return
        from fieldapp.sync.service import audited_sync

        ctx = self.ctx

        def job(progress):
            hub = self.read_hub(ctx)
            if automatic and not self.hub_available(hub.target):
                return None
            if not hub.target:
                raise NotReady(_("No team hub is set. Choose the hub folder (or the server) "
                                 "under Settings."))
            if not hub.target.startswith(POSTGRES_PREFIXES) and not hub.key:
                from fieldapp.sync.state import take_notices

                with ctx.database.session() as session:
                    notices = take_notices(session)  # e.g. a team key moved out of the file
                raise NotReady(" ".join([*notices, _(
                    "No team key is set. Set the team key in the settings or in the environment "
                    "variable FIELDAPP_TEAM_KEY.")]))
            return audited_sync(ctx.database, hub.target, hub.key, progress=progress,
                                cancel=lambda: progress.cancelled)

        self.sync_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        if not automatic:
            self.progress.setRange(0, 0)
            self.progress.setVisible(True)
            self.message_label.setText(_("Syncing…"))
        self.handle = True  # running (the synchronous runner finishes before run() returns)
        handle = ctx.tasks.run(job, on_success=self._succeeded, on_failure=self._failed,
                               on_progress=self._progressed, lane=IO, owner=self)
        if self.handle is True:
            self.handle = handle

    def cancel(self) -> None:
        if self.handle not in (None, True):
            self.handle.cancel()
            self.message_label.setText(_("Stopping after the current bundle…"))

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setVisible(True)
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        else:
            self.progress.setRange(0, 0)
        if message:
            self.progress.setFormat(message)
            self.progress.setTextVisible(True)

    def _finished(self) -> None:
        self.handle = None
        self.sync_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)

    def _succeeded(self, report) -> None:
        self._finished()
        if report is None:
            return  # an automatic sync found no hub to sync with
        self.last_report = report
        parts = list(report.notices)
        if report.cancelled:
            parts.append(_("Sync stopped; the next sync continues where it stopped."))
        parts.append(_("Sent {sent} and received {received} records.").format(
            sent=report.pushed_total, received=report.pulled_total))
        if report.refused:
            parts.append(_("{count} bundles were refused; see the list below.").format(
                count=len(report.refused)))
        if report.records_refused or report.texts_refused:
            parts.append(_("{records} received records were not stored and {texts} received "
                           "texts were left out: they break this computer's rules for what "
                           "may be saved and shared.").format(
                records=len(report.records_refused), texts=len(report.texts_refused)))
        if report.repaired:
            parts.append(_("Bundles this computer wrote earlier were damaged or missing; "
                           "everything was sent again."))
        if report.expired:
            parts.append(_("{count} records older than the retention limit were removed again "
                           "after the pull.").format(count=report.expired))
        self.message_label.setText(" ".join(parts))
        self.refresh()
        for kind in sorted(report.pulled):
            if kind in EVENT_KINDS:
                self.ctx.events.changed.emit(EVENT_KINDS[kind])

    def _failed(self, exc: BaseException, trace: str) -> None:
        from fieldapp.sync.hub import HubError

        self._finished()
        if isinstance(exc, (HubError, NotReady)):
            self.message_label.setText(str(exc))
        else:
            from fieldapp.ui.widgets.messages import show_unexpected_error

            self.message_label.setText(_("The sync failed: {error}").format(error=exc))
            show_unexpected_error(self, exc, trace)
        self.refresh()
