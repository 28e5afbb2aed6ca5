"""One place's history: its observations per week and category (the places list is made
from its description, ``fieldapp.store.lists.PLACES``)."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, Qt

from fieldapp.i18n import _
from fieldapp.store import queries
from fieldapp.ui.context import AppContext
from fieldapp.ui.models import text
from fieldapp.ui.models.place_detail import TrendModel, week_header


class PlaceHistoryModel(TrendModel):
    """Rows: categories seen at the place (and a total, when there are any); columns: the
    last 8 weeks. Read by itself for the place chosen in the list; its cells are the place
    page's trend table's (:class:`TrendModel`), its headers plain text."""

    WEEKS = 8

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.place_id: uuid.UUID | None = None

    def set_place(self, place_id: uuid.UUID | None) -> None:
        self.place_id = place_id
        self.reload()

    def reload(self) -> None:
        place_id = self.place_id
        weeks = queries.history_weeks(self.ctx.clock(), self.WEEKS)

        def job(_progress):
            if place_id is None:
                return None
            with self.ctx.database.session() as session:
                return queries.place_history(session, place_id, weeks)

        def done(history) -> None:
            if place_id == self.place_id:
                self.set_history(history)

        self.ctx.tasks.run(job, on_success=done)

    def _has_total(self) -> bool:
        return self.history is not None and len(self.history.rows) > 0

    def rowCount(self, parent=QModelIndex()) -> int:
        if parent.isValid() or self.history is None:
            return 0
        return len(self.history.rows) + (1 if self._has_total() else 0)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if self.history is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.history.weeks):
                return week_header(self.history.weeks[section])
            return None
        if section < len(self.history.rows):
            row = self.history.rows[section]
            return text.category_name(row.name_sv, row.name_en)
        if self._has_total() and section == len(self.history.rows):
            return _("Total")
        return None

    def retranslate(self) -> None:
        self.reload()
