"""The Qt models of a place's page (:mod:`fieldapp.ui.views.place_page`): its weeks by
category (the chart's legend too), the meetings that flagged it, the actions agreed there and
its status history. Each shows a part of one :class:`fieldapp.store.place_detail.PlaceDetail`,
read once on the database lane by the page."""

from __future__ import annotations


from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QPixmap

from fieldapp.domain.enums import ActionStatus, MeetingKind, PlaceStatus
from fieldapp.i18n import N_, _
from fieldapp.store.place_detail import FlaggedAt, StatusChange
from fieldapp.store.queries import ActionRow, PlaceHistory
from fieldapp.ui.models import text
from fieldapp.ui.models.meetings import carried_out_by
from fieldapp.ui.models.paged import ALIGN_RIGHT, Column
from fieldapp.ui.models.rows import RowsModel
from fieldapp.ui.widgets.week_chart import series_colour


def _swatch(index: int) -> QPixmap:
    """The category's chart colour as a small square (the chart's legend)."""
    pixmap = QPixmap(12, 12)
    pixmap.fill(series_colour(index))
    return pixmap


def week_header(week) -> str:
    return _("w. {week}").format(week=week.week)


class TrendModel(QAbstractTableModel):
    """Rows: the categories seen in the weeks shown, then the total; columns: the weeks,
    oldest first. A category's row has its chart colour as decoration."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.history: PlaceHistory | None = None

    def set_history(self, history: PlaceHistory | None) -> None:
        self.beginResetModel()
        self.history = history
        self.endResetModel()

    def _rows(self) -> int:
        return len(self.history.rows) if self.history is not None else 0

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid() or self.history is None:
            return 0
        return self._rows() + 1  # the total, also when it is all zeros

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.history is None else len(self.history.weeks)

    def count(self, row: int, column: int) -> int:
        """The number in a cell (the last row is the total)."""
        assert self.history is not None
        if row < self._rows():
            return self.history.rows[row].counts[column]
        return self.history.totals()[column]

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if self.history is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self.history.weeks):
                return None
            week = self.history.weeks[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return week_header(week)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{week.label()}: {week.title_range()}"
            return None
        if section < self._rows():
            row = self.history.rows[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return text.category_name(row.name_sv, row.name_en)
            if role == Qt.ItemDataRole.DecorationRole:
                return _swatch(section)
        elif section == self._rows() and role == Qt.ItemDataRole.DisplayRole:
            return _("Total")
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self.history is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.count(index.row(), index.column())
            return text.number(value) if value else "\u2013"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return ALIGN_RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            week = self.history.weeks[index.column()]
            return f"{week.label()}: {week.title_range()}"
        return None


def _meeting_title(row: FlaggedAt) -> str:
    kind = text.label(MeetingKind, row.kind)
    return f"{kind}: {row.title}" if row.title else kind


class FlaggedModel(RowsModel):
    columns = (
        Column(N_("Meeting"), lambda r: text.moment(r.held_at)),
        Column(N_("Kind"), _meeting_title, tooltip=_meeting_title),
        Column(N_("Why it was flagged"), lambda r: r.reason.splitlines()[0] if r.reason else "",
               tooltip=lambda r: r.reason),
    )


def _status(row: ActionRow) -> str:
    return text.label(ActionStatus, row.status)


class PlaceActionsModel(RowsModel):
    columns = (
        Column(N_("When"), lambda r: text.time_window(r.starts_at, r.ends_at)),
        Column(N_("Agreed at"), lambda r: text.moment(r.meeting_held_at)),
        Column(N_("Responsible"), lambda r: r.partner_name or ""),
        Column(N_("Status"), _status),
        Column(N_("Carried out by"), carried_out_by, tooltip=lambda r: r.note),
    )


def _status_name(value: str | None) -> str:
    return text.label(PlaceStatus, value) if value else _("Not a hotspot")


class StatusModel(RowsModel):
    columns = (
        Column(N_("Changed"), lambda r: text.moment(r.at)),
        Column(N_("From"), lambda r: _status_name(r.old)),
        Column(N_("To"), lambda r: _status_name(r.new)),
    )


__all__ = ["FlaggedModel", "PlaceActionsModel", "RowsModel", "StatusChange", "StatusModel",
           "TrendModel", "week_header"]
