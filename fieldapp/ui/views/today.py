"""Idag: the running shift (or a button to start one), what it has logged so far, and this
week's key numbers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import Severity
from fieldapp.domain.records import ShiftRecord
from fieldapp.domain.weeks import IsoWeek, to_stockholm
from fieldapp.i18n import _, format_date, format_number
from fieldapp.ui.context import AppContext
from fieldapp.ui.views.tonight import TonightAction, TonightBox, read_tonight
from fieldapp.ui.widgets.formatting import duration, hhmm, shift_kind_label
from fieldapp.ui.widgets.messages import show_unexpected_error

log = logging.getLogger("fieldapp.ui")


@dataclass(frozen=True)
class ObservationRow:
    time: str
    place: str
    category: str
    severity: str
    people: int


@dataclass(frozen=True)
class WeekNumbers:
    week: IsoWeek
    shifts: int = 0
    hours: float = 0.0
    observations: int = 0
    youths_met: int = 0


@dataclass(frozen=True)
class TodaySnapshot:
    """Everything the page shows, read in one go on the database lane."""

    running: ShiftRecord | None
    areas: list[str] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    observations: list[ObservationRow] = field(default_factory=list)
    week: WeekNumbers | None = None
    tonight: list[TonightAction] = field(default_factory=list)


def week_numbers(services, now: dt.datetime) -> WeekNumbers:
    """Shifts, hours, observations and youths met in the ISO week of ``now`` (Stockholm):
    one aggregate statement, whatever the week holds (a busy week has 900 shifts)."""
    from fieldapp.store.queries import week_figures

    week = IsoWeek.of(now)
    figures = week_figures(services.session, week.start_utc(), week.end_utc(), now)
    return WeekNumbers(week=week, shifts=figures.shifts, hours=max(figures.hours, 0.0),
                       observations=figures.observations, youths_met=figures.youths_met)


def read_snapshot(ctx: AppContext) -> TodaySnapshot:
    now = ctx.clock()
    with ctx.services() as services:
        running = services.shifts.running()
        week = week_numbers(services, now)
        tonight = read_tonight(services, now, ctx.device_id)
        if running is None:
            return TodaySnapshot(running=None, week=week, tonight=tonight)
        areas = {a.id: a.name for a in services.reference.areas()}
        partners = {p.id: p.name for p in services.reference.partners()}
        staff = {s.id: s.initials for s in services.staff.list()}
        places = {p.id: p.name for p in services.places.list()}
        categories = {c.id: c.name for c in services.reference.categories()}
        rows = [
            ObservationRow(time=hhmm(o.observed_at), place=places.get(o.place_id, "?"),
                           category=categories.get(o.category_id, "?"),
                           severity=Severity(o.severity).label, people=o.people_count)
            for o in services.observations.list(shift_id=running.id)
        ]
        return TodaySnapshot(
            running=running,
            areas=[areas[i] for i in running.area_ids if i in areas],
            staff=[staff[i] for i in running.staff_ids if i in staff],
            partners=[partners[i] for i in running.partner_ids if i in partners],
            observations=rows, week=week, tonight=tonight)


class FirstSnapshot:
    """Idag's first snapshot, read on the DB lane while the window is still being built
    (``run_gui`` starts it when Idag is the page the window opens on): the page then shows
    it as soon as it exists instead of queuing the same read after its own construction
    and first paint (issue 19: about 30 ms of a start on the city-year file). Kept in
    ``ctx.first_today`` until the page takes it; a read that failed is read again."""

    def __init__(self, ctx: AppContext):
        self.snapshot: TodaySnapshot | None = None
        self.receiver: Callable[[TodaySnapshot], None] | None = None
        self.again: Callable[[], None] | None = None
        self.failed = False
        ctx.first_today = self
        ctx.tasks.run(lambda _progress: read_snapshot(ctx), on_success=self._arrived,
                      on_failure=self._failed)

    def _arrived(self, snapshot: TodaySnapshot) -> None:
        if self.receiver is not None:
            self.receiver(snapshot)
        else:
            self.snapshot = snapshot

    def _failed(self, exc: BaseException, trace: str) -> None:
        log.warning("reading Idag ahead failed: %s", exc)
        self.failed = True
        if self.again is not None:
            self.again()  # the page reads as usual (and shows its own error)

    def hand_to(self, receiver: Callable[[TodaySnapshot], None],
                again: Callable[[], None]) -> bool:
        """Give the snapshot to ``receiver`` now or when it arrives (``again`` reads anew if
        the read fails); False when it has already failed."""
        if self.failed:
            return False
        if self.snapshot is not None:
            receiver(self.snapshot)
        else:
            self.receiver, self.again = receiver, again
        return True


class KeyNumber(QFrame):
    """A big number with a caption under it."""

    def __init__(self, caption: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.value = QLabel("–")
        self.value.setObjectName("keyNumber")
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        self.value.setFont(font)
        self.value.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption = QLabel(caption)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)


class TodayView(QWidget):
    """The field worker's start page."""

    loads_when_built = True  # the window does not reload it when first shown

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.snapshot: TodaySnapshot | None = None
        self.last_dialog = None

        self.title = QLabel(_("Today"))
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.title.setFont(font)
        self.date_label = QLabel()

        # The shift
        self.shift_box = QGroupBox(_("Current shift"))
        self.shift_heading = QLabel()
        heading_font = self.shift_heading.font()
        heading_font.setPointSizeF(heading_font.pointSizeF() * 1.25)
        heading_font.setBold(True)
        self.shift_heading.setFont(heading_font)
        self.shift_details = QLabel()
        self.shift_details.setWordWrap(True)
        self.shift_details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("shiftObservations")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.no_observations = QLabel(_("No observations yet. Press Ctrl+N to log one."))

        self.start_button = QPushButton(_("Start shift…"))
        self.start_button.setObjectName("startShift")
        self.start_button.setToolTip("Ctrl+Shift+S")
        self.new_button = QPushButton(_("New observation"))
        self.new_button.setObjectName("newObservation")
        self.new_button.setToolTip("Ctrl+N")
        self.end_button = QPushButton(_("End shift…"))
        self.end_button.setObjectName("endShift")
        self.start_button.clicked.connect(self.start_shift)
        self.new_button.clicked.connect(self.new_observation)
        self.end_button.clicked.connect(self.end_shift)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.end_button)
        buttons.addStretch(1)

        shift_layout = QVBoxLayout(self.shift_box)
        shift_layout.addWidget(self.shift_heading)
        shift_layout.addWidget(self.shift_details)
        shift_layout.addWidget(self.table, 1)
        shift_layout.addWidget(self.no_observations)
        shift_layout.addLayout(buttons)

        # The week
        self.week_box = QGroupBox(_("This week's key numbers"))
        self.week_shifts = KeyNumber(_("Shifts"))
        self.week_hours = KeyNumber(_("Hours"))
        self.week_observations = KeyNumber(_("Observations"))
        self.week_youths = KeyNumber(_("Youths met"))
        week_layout = QGridLayout(self.week_box)
        for column, tile in enumerate((self.week_shifts, self.week_hours,
                                       self.week_observations, self.week_youths)):
            week_layout.addWidget(tile, 0, column)

        self.tonight = TonightBox()
        self.tonight.start_requested.connect(self.start_shift_from)
        self.tonight.undo_requested.connect(self.undo_carried_out)

        content = QWidget()
        layout = QVBoxLayout(content)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addSpacing(12)
        title_row.addWidget(self.date_label, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addStretch(1)
        layout.addLayout(title_row)
        layout.addWidget(self.tonight)
        layout.addWidget(self.shift_box, 1)
        layout.addWidget(self.week_box)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._retitle_table()
        ctx.minute_clock.tick.connect(self._show_elapsed)  # the status bar's tick: never a minute apart
        ctx.events.changed.connect(self._changed)
        self.reload()

    def _retitle_table(self) -> None:
        self.table.setHorizontalHeaderLabels(
            [_("Time"), _("Place"), _("Category"), _("Severity"), _("People")])

    # -- data -------------------------------------------------------------------------------
    def _changed(self, kind: str) -> None:
        if kind in ("shift", "observation", "staff", "place", "settings", "action", "meeting"):
            self.reload()

    def reload(self) -> None:
        first = getattr(self.ctx, "first_today", None)
        if first is not None:  # read while the window was built: take it (or wait for it)
            self.ctx.first_today = None
            if first.hand_to(self.show_snapshot, self.reload):
                return
        self.ctx.tasks.run(lambda _progress: read_snapshot(self.ctx), on_success=self.show_snapshot,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def show_snapshot(self, snapshot: TodaySnapshot) -> None:
        self.snapshot = snapshot
        now = to_stockholm(self.ctx.clock())
        self.date_label.setText(format_date(now.date(), "EEEE d MMMM"))
        running = snapshot.running
        self.tonight.show_rows(snapshot.tonight, running is not None)
        self.start_button.setVisible(running is None)
        self.new_button.setVisible(running is not None)
        self.end_button.setVisible(running is not None)
        self.table.setVisible(running is not None and bool(snapshot.observations))
        self.no_observations.setVisible(running is not None and not snapshot.observations)
        if running is None:
            self.shift_heading.setText(_("No shift running"))
            self.shift_details.setText(_("Start a shift when you go out; observations you log "
                                         "are then attached to it."))
            self.table.setRowCount(0)
        else:
            parts = [_("Areas: {names}").format(names=", ".join(snapshot.areas) or "–"),
                     _("Staff: {names}").format(names=", ".join(snapshot.staff) or "–"),
                     _("Partners present: {names}").format(names=", ".join(snapshot.partners) or "–")]
            self.shift_details.setText("\n".join(parts))
            self.table.setRowCount(len(snapshot.observations))
            for row, obs in enumerate(snapshot.observations):
                for column, value in enumerate((obs.time, obs.place, obs.category, obs.severity,
                                                format_number(obs.people))):
                    item = QTableWidgetItem(value)
                    if column == 4:
                        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                    self.table.setItem(row, column, item)
        self._show_elapsed()
        week = snapshot.week
        if week is not None:
            self.week_box.setTitle(_("This week's key numbers – {week}").format(week=week.week.label()))
            self.week_shifts.value.setText(format_number(week.shifts))
            self.week_hours.value.setText(format_number(round(week.hours, 1)))
            self.week_observations.value.setText(format_number(week.observations))
            self.week_youths.value.setText(format_number(week.youths_met))

    def _show_elapsed(self) -> None:
        running = self.snapshot.running if self.snapshot else None
        if running is None:
            return
        self.shift_heading.setText(_("{kind} since {start} ({elapsed})").format(
            kind=shift_kind_label(running.kind), start=hhmm(running.starts_at),
            elapsed=duration(self.ctx.clock() - running.starts_at)))

    # -- actions ----------------------------------------------------------------------------
    def start_shift(self):
        from fieldapp.ui.dialogs.start_shift import open_start_shift

        self.last_dialog = open_start_shift(self.ctx, self.window())
        return self.last_dialog

    def start_shift_from(self, action: TonightAction):
        """Start a shift prefilled from tonight's ``action`` (its area)."""
        from fieldapp.ui.dialogs.start_shift import open_start_shift

        self.last_dialog = open_start_shift(self.ctx, self.window(),
                                            area_ids=[action.area_id] if action.area_id else None)
        return self.last_dialog

    def undo_carried_out(self, action: TonightAction) -> None:
        if action.carried_shift_id is None:
            return

        def work(_progress):
            with self.ctx.services() as services:
                services.carried.undo(action.id, action.carried_shift_id)

        self.ctx.tasks.run(work, on_success=lambda _r: self.ctx.events.changed.emit("action"),
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def new_observation(self):
        from fieldapp.ui.dialogs.quick_observation import open_quick_observation

        self.last_dialog = open_quick_observation(self.ctx, self.window())
        return self.last_dialog

    def end_shift(self):
        from fieldapp.ui.dialogs.end_shift import open_end_shift

        running = self.snapshot.running if self.snapshot else None
        if running is None:
            return None
        self.last_dialog = open_end_shift(self.ctx, running.id, self.window())
        return self.last_dialog
