"""The running shift in the window's status bar: "Nattvandring sedan 19:00 (1 tim 05 min)",
read on the DB lane when the records change, and its time brought up to date at each whole
minute (the same tick as Idag's heading)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel

from fieldapp.domain.records import ShiftRecord
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import DB
from fieldapp.ui.widgets.formatting import duration, hhmm, shift_kind_label
from fieldapp.ui.widgets.messages import show_unexpected_error


class RunningShiftLabel(QLabel):
    """Shows the running shift (or that none runs); ``changed`` carries it when read."""

    changed = Signal(object)  # ShiftRecord | None

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.setObjectName("shiftStatus")
        self.ctx = ctx
        self.running: ShiftRecord | None = None
        self.timer = ctx.minute_clock.timer  # the one minute tick Idag's heading follows too
        ctx.minute_clock.tick.connect(self.show_running)

    def refresh(self) -> None:
        """Read the running shift on the DB lane, then show it."""
        def job(_progress):
            with self.ctx.services() as services:
                return services.shifts.running()

        self.ctx.tasks.run(job, on_success=self._read, lane=DB,
                           on_failure=lambda exc, trace: show_unexpected_error(
                               self.window(), exc, trace))

    def _read(self, shift: ShiftRecord | None) -> None:
        self.running = shift
        self.show_running()
        self.changed.emit(shift)

    def show_running(self) -> None:
        shift = self.running
        if shift is None:
            self.setText(_("No shift running"))
        else:
            self.setText(_("{kind} since {start} ({elapsed})").format(
                kind=shift_kind_label(shift.kind), start=hhmm(shift.starts_at),
                elapsed=duration(self.ctx.clock() - shift.starts_at)))
