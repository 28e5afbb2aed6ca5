"""The page of one place: its trend by week and category (a chart and a table, any number of
weeks, scrolling), whether it is rising by the stated rule (with the figures), its
observations (Enter or a double-click opens one), the meetings that flagged it and why, the
agreed actions there with the shift that carried each out, and its hotspot status history.

A dialog of its own (not modal), so it opens over any page, from the places list, the map,
the weekly view or Ctrl+F (:mod:`fieldapp.ui.views.place_navigation`), and the page under it
stays as it was. Everything but the observation list is read in one job on the database lane
(:func:`fieldapp.store.place_detail.place_detail`, a constant number of statements); the
observations page in like the observations list. It reloads when records change."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain import rising as rising_rule
from fieldapp.domain.enums import PlaceKind, PlaceStatus
from fieldapp.i18n import _, format_number
from fieldapp.reports.week_assembly import rule_text
from fieldapp.store.list_query import ListFilter
from fieldapp.store.lists import OBSERVATIONS
from fieldapp.store.place_detail import DEFAULT_WEEKS, MAX_WEEKS, PlaceDetail, place_detail
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.described import ListModel
from fieldapp.ui.models.place_detail import (
    FlaggedModel,
    PlaceActionsModel,
    StatusModel,
    TrendModel,
    week_header,
)
from fieldapp.ui.views.record_table import RecordTable
from fieldapp.ui.widgets.week_chart import WeekChart, chart_scroller, scroll_to_newest

RELOAD_ON = frozenset({"observation", "place", "meeting", "action", "shift", "retention"})
HIDDEN_OBSERVATION_COLUMNS = ("place", "area")  # the page is the place


def _table(name: str, model) -> QTableView:
    table = QTableView()
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    model.modelReset.connect(table.resizeColumnsToContents)
    return table


def rising_text(detail: PlaceDetail) -> str:
    """The rule's verdict as of the last complete week, with the figures behind it."""
    verdict, week = detail.rising.verdict, detail.rising.week
    figures = _("{recent} observations in the last {weeks} weeks (to {week}), {baseline} in "
                "the {baseline_weeks} weeks before; {expected} expected at that rate, "
                "p = {p}").format(
        recent=format_number(verdict.recent), weeks=rising_rule.RECENT_WEEKS,
        week=week.label(), baseline=format_number(verdict.baseline),
        baseline_weeks=rising_rule.BASELINE_WEEKS,
        expected=format_number(round(verdict.expected, 1)),
        p=format_number(round(verdict.p_value, 3)))
    head = _("Rising") if verdict.rising else _("Not rising")
    return f"{head}: {figures}." + "".join(f" {why}" for why in _why_not(verdict)[:1])


def _why_not(verdict: rising_rule.Rising) -> list[str]:
    """Why the rule says "not rising" (its conditions in order; empty when rising)."""
    if verdict.rising:
        return []
    reasons = []
    if verdict.recent < rising_rule.MIN_RECENT:
        reasons.append(_("Fewer than {minimum} observations in the recent weeks.").format(
            minimum=rising_rule.MIN_RECENT))
    if verdict.recent * rising_rule.BASELINE_WEEKS <= verdict.baseline * rising_rule.RECENT_WEEKS:
        reasons.append(_("No more per week than before."))
    if verdict.p_value >= rising_rule.ALPHA:
        reasons.append(_("Not significantly above its own baseline (p ≥ 0.05)."))
    if verdict.latest < verdict.week_before:
        reasons.append(_("The latest week ({latest}) fell from the week before ({before}).")
                       .format(latest=verdict.latest, before=verdict.week_before))
    return reasons


class PlacePage(QDialog):
    """``PlacePage(ctx, place_id)``; ``weeks``: how many weeks the trend shows."""

    def __init__(self, ctx: AppContext, place_id: uuid.UUID, parent: QWidget | None = None,
                 *, weeks: int = DEFAULT_WEEKS):
        super().__init__(parent)
        self.ctx = ctx
        self.place_id = place_id
        self.detail: PlaceDetail | None = None
        self.editor: QDialog | None = None
        self.setObjectName("placePage")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)

        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.title.setFont(font)
        self.facts = QLabel()
        self.facts.setObjectName("placeFacts")
        self.rising_label = QLabel()
        self.rising_label.setObjectName("risingLabel")
        self.rising_label.setWordWrap(True)
        self.rising_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.message.hide()
        self.weeks = QSpinBox()
        self.weeks.setObjectName("weeksBox")
        self.weeks.setRange(2, MAX_WEEKS)
        self.weeks.setValue(max(2, min(weeks, MAX_WEEKS)))
        self.weeks_label = QLabel()
        self.weeks_label.setBuddy(self.weeks)

        self.trend_model = TrendModel(self)
        self.chart = WeekChart()
        self.chart_area = chart_scroller(self.chart)
        self.trend_table = _table("trendTable", self.trend_model)
        self.trend_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.trend_table.verticalHeader().show()
        self.trend_table.horizontalHeader().setStretchLastSection(False)
        self.trend_table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.chart_area)
        splitter.addWidget(self.trend_table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        self.trend_table.horizontalScrollBar().valueChanged.connect(self._follow_table)

        self.observations_model = ListModel(ctx, OBSERVATIONS, self)
        self.observations_table = RecordTable()
        self.observations_table.setObjectName("observationsTable")
        self.observations_table.setModel(self.observations_model)
        self.observations_table.setSortingEnabled(True)
        self.observations_table.edit_requested.connect(self.open_current_observation)
        self.observations_model.page_loaded.connect(
            lambda _n: self.observations_table.fit_columns_once())
        self.observations_model.total_changed.connect(lambda _n: self._tab_titles())
        for number, spec in enumerate(OBSERVATIONS.columns):
            if spec.key in HIDDEN_OBSERVATION_COLUMNS:
                self.observations_table.setColumnHidden(number, True)

        self.flagged_model = FlaggedModel(self)
        self.flagged_table = _table("flaggedTable", self.flagged_model)
        self.actions_model = PlaceActionsModel(self)
        self.actions_table = _table("placeActionsTable", self.actions_model)
        self.flagged_title, self.actions_title = QLabel(), QLabel()
        loop = QWidget()
        loop_layout = QVBoxLayout(loop)
        for widget in (self.flagged_title, self.flagged_table, self.actions_title,
                       self.actions_table):
            loop_layout.addWidget(widget, 1 if isinstance(widget, QTableView) else 0)
        self.status_model = StatusModel(self)
        self.status_table = _table("statusTable", self.status_model)
        self.status_now = QLabel()
        self.status_now.setWordWrap(True)
        status = QWidget()
        status_layout = QVBoxLayout(status)
        status_layout.addWidget(self.status_now)
        status_layout.addWidget(self.status_table, 1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("placeTabs")
        for widget in (splitter, self.observations_table, loop, status):
            self.tabs.addTab(widget, "")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(_("Close"))
        self.buttons.rejected.connect(self.reject)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.weeks_label)
        head.addWidget(self.weeks)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.facts)
        layout.addWidget(self.rising_label)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

        self.weeks.valueChanged.connect(lambda _value: self.reload())
        ctx.events.changed.connect(self._on_changed)
        self.retranslate()
        self._fit_to_screen()
        self.observations_model.set_filter(ListFilter(place_id=place_id))
        self.reload()

    # -- data ----------------------------------------------------------------------------------
    def reload(self) -> None:
        place_id, weeks, ctx = self.place_id, self.weeks.value(), self.ctx
        now = ctx.clock()

        def job(_progress):
            with ctx.database.session() as session:
                return place_detail(session, place_id, now, weeks)

        self.ctx.tasks.run(job, on_success=self._show, on_failure=self._failed, owner=self)

    def _on_changed(self, kind: str) -> None:
        if kind in RELOAD_ON:
            self.reload()
            if kind in ("observation", "place", "shift", "retention"):
                self.observations_model.reload()

    def _failed(self, exc: BaseException, _trace: str) -> None:
        if isinstance(exc, LookupError):
            self.show_message(_("This place has been deleted. Close the page; undo the delete "
                                "on the Places page to see it again."))
        else:
            self.show_message(_("The place's figures could not be read: {error}").format(
                error=exc))

    def show_message(self, message: str) -> None:
        self.message.setText(message)
        self.message.setVisible(bool(message))

    def _show(self, detail: PlaceDetail) -> None:
        if detail.history.weeks and len(detail.history.weeks) != self.weeks.value():
            return  # the number of weeks changed meanwhile: its own reload follows
        self.detail = detail
        self.show_message("")
        place = detail.place
        self.setWindowTitle(_("Place: {name}").format(name=place.name))
        self.title.setText(place.name)
        status = (text.label(PlaceStatus, place.hotspot_status) if place.hotspot_status
                  else _("Not a hotspot"))
        self.facts.setText(" \u00b7 ".join((place.area_name, text.label(PlaceKind, place.kind),
                                             _("Hotspot status: {status}").format(status=status))))
        self.rising_label.setText(rising_text(detail))
        self.rising_label.setToolTip(rule_text())
        history = detail.history
        self.trend_model.set_history(history)
        self.chart.set_data([week_header(w) for w in history.weeks],
                            [row.counts for row in history.rows],
                            [f"{w.label()} ({w.title_range()})" for w in history.weeks])
        scroll_to_newest(self.chart_area)
        self.trend_table.scrollTo(self.trend_model.index(0, self.trend_model.columnCount() - 1))
        self.flagged_model.set_rows(detail.flagged)
        self.actions_model.set_rows(detail.actions)
        self.status_model.set_rows(detail.status_history)
        self.status_now.setText(
            _("Status now: {status}. Changes made on this laptop are listed below, newest "
              "first.").format(status=status) if detail.status_history else
            _("Status now: {status}. No change of status has been recorded on this laptop.")
            .format(status=status))
        self._tab_titles()

    def _follow_table(self, _value: int) -> None:
        """The chart scrolls with the table's weeks (the same week at the left)."""
        bar, chart_bar = (self.trend_table.horizontalScrollBar(),
                          self.chart_area.area.horizontalScrollBar())
        if bar.maximum() > 0:
            chart_bar.setValue(round(chart_bar.maximum() * bar.value() / bar.maximum()))

    # -- observations --------------------------------------------------------------------------
    def current_observation(self):
        return self.observations_model.row_for(self.observations_table.currentIndex())

    def open_current_observation(self) -> QDialog | None:
        """The selected observation in the edit dialog (read-only when another device's)."""
        from fieldapp.ui.dialogs.edit_observation import EditObservationDialog
        from fieldapp.ui.dialogs.form_parts import make_read_only

        row = self.current_observation()
        if row is None:
            return None
        dialog = EditObservationDialog(self.ctx, row.id, self)
        if row.device_id is not None and row.device_id != self.ctx.device_id:
            make_read_only(dialog, _("This observation was logged on another device and can "
                                     "only be changed there. Shown for reading."))
        self.editor = dialog
        dialog.finished.connect(lambda _result: self.observations_table.setFocus())
        dialog.open()
        return dialog

    # -- texts and size --------------------------------------------------------------------------
    def _tab_titles(self) -> None:
        total = self.observations_model.total
        observations = (_("Observations ({count})").format(count=format_number(total))
                        if total is not None else _("Observations"))
        detail = self.detail
        flagged = len(detail.flagged) if detail else 0
        actions = len(detail.actions) if detail else 0
        for index, title in enumerate((
                _("Trend by week"), observations,
                _("Meetings and actions ({flagged} / {actions})").format(flagged=flagged,
                                                                         actions=actions),
                _("Status history"))):
            self.tabs.setTabText(index, title)

    def retranslate(self) -> None:
        self.weeks_label.setText(_("&Weeks shown:"))
        self.weeks.setToolTip(_("How many weeks the trend shows, up to this week"))
        self.flagged_title.setText(_("Meetings that flagged the place, and why"))
        self.actions_title.setText(_("Agreed actions at the place: status and the shift that "
                                     "carried each out"))
        self._tab_titles()
        if self.detail is not None:
            self._show(self.detail)

    def _fit_to_screen(self) -> None:
        """1000 × 680 or what the screen has room for (a 1366 × 768 laptop)."""
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1000, 680
        if screen is not None:
            width, height = min(width, screen.width() - 40), min(height, screen.height() - 60)
        self.resize(width, height)


__all__ = ["PlacePage", "rising_text"]
