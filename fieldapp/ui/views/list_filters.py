"""The filter bar the lists share: week (incl. "all weeks"), area, place, category, hotspot
status and free text, read as a :class:`~fieldapp.store.list_query.ListFilter`. A list shows
the parts its description names."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QToolButton, QWidget

from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.store.list_query import ListFilter
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import find_data

WEEKS_BACK = 104


class WeekPicker(QWidget):
    """An ISO week (or "all weeks"), with buttons for the previous and next week."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.combo = QComboBox(self)
        self.combo.setObjectName("weekCombo")
        self.combo.setMinimumContentsLength(14)
        self.previous_button = QToolButton(self)
        self.previous_button.setText("\u25c0")
        self.next_button = QToolButton(self)
        self.next_button.setText("\u25b6")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.combo)
        layout.addWidget(self.next_button)
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.retranslate()

    def _fill(self, selected: IsoWeek | None) -> None:
        current = IsoWeek.of(self.ctx.clock())
        weeks = [current.previous(n) for n in range(WEEKS_BACK)]
        if selected is not None and selected not in weeks:
            weeks.append(selected)
            weeks.sort(reverse=True)
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(_("All weeks"), None)
        for week in weeks:
            self.combo.addItem(f"{week.label()} ({week.title_range()})", str(week))
        index = self.combo.findData(str(selected)) if selected is not None else 0
        self.combo.setCurrentIndex(max(index, 0))
        self.combo.blockSignals(False)

    def retranslate(self) -> None:
        self._fill(self.week())
        self.previous_button.setToolTip(_("Previous week"))
        self.next_button.setToolTip(_("Next week"))
        self.combo.setToolTip(_("Show one ISO week, or all weeks"))

    def week(self) -> IsoWeek | None:
        data = self.combo.currentData() if self.combo.count() else None
        return IsoWeek.parse(data) if data else None

    def set_week(self, week: IsoWeek | None) -> None:
        if week == self.week():
            return
        self._fill(week)
        self.changed.emit()

    def _step(self, step: int) -> None:
        week = self.week() or IsoWeek.of(self.ctx.clock())
        self.set_week(week.next(step))


class FilterBar(QWidget):
    """The filters a list offers; ``list_filter()`` reads them as a ListFilter."""

    changed = Signal()
    TEXT_DELAY_MS = 250

    def __init__(self, ctx: AppContext, parts: tuple[str, ...], parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.parts = parts
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.week_picker = WeekPicker(ctx, self) if "week" in parts else None
        self.area_combo = self._combo("areaFilter") if "area" in parts else None
        self.place_combo = self._combo("placeFilter") if "place" in parts else None
        self.category_combo = self._combo("categoryFilter") if "category" in parts else None
        self.status_combo = self._combo("statusFilter") if "status" in parts else None
        self.text_edit = QLineEdit(self) if "text" in parts else None
        for widget in (self.week_picker, self.area_combo, self.place_combo, self.category_combo,
                       self.status_combo):
            if widget is not None:
                layout.addWidget(widget)
        if self.text_edit is not None:
            self.text_edit.setObjectName("textFilter")
            self.text_edit.setClearButtonEnabled(True)
            layout.addWidget(self.text_edit, 1)
            self._text_timer = QTimer(self)
            self._text_timer.setSingleShot(True)
            self._text_timer.setInterval(self.TEXT_DELAY_MS)
            self._text_timer.timeout.connect(self.changed)
            self.text_edit.textChanged.connect(lambda _t: self._text_timer.start())
            self.text_edit.returnPressed.connect(self._text_now)
        else:
            layout.addStretch(1)
        if self.week_picker is not None:
            self.week_picker.changed.connect(self.changed)
        self._areas: list = []
        self._places: list = []
        self._categories: list = []
        self.retranslate()
        self.reload_choices()

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setMinimumContentsLength(12)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        return combo

    def _text_now(self) -> None:
        self._text_timer.stop()
        self.changed.emit()

    def reload_choices(self) -> None:
        """Fill the area, place and category lists from the reference data."""
        def job(_progress):
            with self.ctx.services() as services:
                return (services.reference.areas(), services.places.list(),
                        services.reference.categories())

        def done(result) -> None:
            self._areas, self._places, self._categories = result
            self._fill_choices()

        self.ctx.tasks.run(job, on_success=done)

    @staticmethod
    def _refill(combo: QComboBox | None, first: str, items: list[tuple[object, str]]) -> None:
        if combo is None:
            return
        selected = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(first, None)
        for data, text in items:
            combo.addItem(text, data)
        index = find_data(combo, selected) if selected is not None else 0
        combo.setCurrentIndex(max(index, 0))
        combo.blockSignals(False)
        if combo.currentData() != selected:
            combo.currentIndexChanged.emit(combo.currentIndex())

    def _fill_choices(self) -> None:
        from fieldapp.domain.enums import PlaceStatus

        self._refill(self.area_combo, _("All areas"), [(a.id, a.name) for a in self._areas])
        self._refill(self.place_combo, _("All places"),
                     [(p.id, f"{p.name} ({p.area_name})") for p in self._places])
        self._refill(self.category_combo, _("All categories"),
                     [(c.id, c.name) for c in self._categories])
        self._refill(self.status_combo, _("All places"),
                     [(s.value, s.label) for s in PlaceStatus] + [("none", _("Not a hotspot"))])

    def retranslate(self) -> None:
        if self.week_picker is not None:
            self.week_picker.retranslate()
        if self.text_edit is not None:
            self.text_edit.setPlaceholderText(_("Search…"))
            self.text_edit.setToolTip(_("Search in names and text"))
        if self.area_combo is not None:
            self.area_combo.setToolTip(_("Area"))
        if self.place_combo is not None:
            self.place_combo.setToolTip(_("Place"))
        if self.category_combo is not None:
            self.category_combo.setToolTip(_("Category"))
        if self.status_combo is not None:
            self.status_combo.setToolTip(_("Hotspot status"))
        self._fill_choices()

    @staticmethod
    def _select(combo: QComboBox | None, data) -> None:
        if combo is not None:
            combo.setCurrentIndex(max(find_data(combo, data) if data is not None else 0, 0))

    def set_filter(self, flt: ListFilter) -> None:
        """Show ``flt`` in the widgets (emits ``changed``)."""
        if self.week_picker is not None:
            self.week_picker.set_week(flt.week)
        self._select(self.area_combo, flt.area_id)
        self._select(self.place_combo, flt.place_id)
        self._select(self.category_combo, flt.category_id)
        self._select(self.status_combo, flt.status)
        if self.text_edit is not None:
            self.text_edit.setText(flt.text)
            self._text_now()

    def list_filter(self) -> ListFilter:
        def data(combo):
            return combo.currentData() if combo is not None else None

        return ListFilter(
            week=self.week_picker.week() if self.week_picker is not None else None,
            area_id=data(self.area_combo),
            place_id=data(self.place_combo),
            category_id=data(self.category_combo),
            status=data(self.status_combo),
            text=self.text_edit.text().strip() if self.text_edit is not None else "",
        )
