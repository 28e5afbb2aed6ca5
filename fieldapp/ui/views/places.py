"""The hotspot register: places with their area, kind, status and coordinates; add and edit
them, and see each place's observations per week (last 8 weeks) by category. Enter or a
double-click opens the place's own page (:mod:`fieldapp.ui.views.place_page`); "Edit place…"
edits it."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QPushButton, QTableView

from fieldapp.i18n import _
from fieldapp.store.lists import PLACES, PlaceRow
from fieldapp.ui.models.places import PlaceHistoryModel
from fieldapp.ui.views.list_base import RecordListView


class PlacesView(RecordListView):
    spec = PLACES
    kind = "place"
    reload_on = ("observation",)
    can_create = True

    def __init__(self, ctx, parent=None):
        self.history_model = PlaceHistoryModel(ctx)
        self._place: PlaceRow | None = None
        super().__init__(ctx, parent)
        self.history_model.setParent(self)
        self.history_title = QLabel(self)
        self.history_title.setObjectName("historyTitle")
        self.history_table = QTableView(self)
        self.history_table.setObjectName("historyTable")
        self.history_table.setModel(self.history_model)
        self.history_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history_table.setMaximumHeight(260)
        self.history_title.setWordWrap(True)
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("openPlacePage")
        history_head = QHBoxLayout()
        history_head.addWidget(self.history_title, 1)
        history_head.addWidget(self.open_button)
        self.main_layout.insertLayout(3, history_head)
        self.main_layout.insertWidget(4, self.history_table)
        self.history_model.modelReset.connect(self._history_title)
        self._history_title()
        # Enter and a double-click open the place's page; the Edit button edits.
        self.table.edit_requested.disconnect(self.edit_current)
        self.table.edit_requested.connect(self.open_current_place)
        self.open_button.setEnabled(self.current_row() is not None)
        self.open_button.clicked.connect(self.open_current_place)
        self._retranslate_open()

    def open_current_place(self):
        """The selected place's page (Enter, double-click, "Open place page")."""
        from fieldapp.ui.views.place_navigation import open_place

        row = self.current_row()
        return open_place(self, row.id, self.ctx) if row is not None else None

    def _retranslate_open(self) -> None:
        self.open_button.setText(_("Open place page"))
        self.open_button.setToolTip(_("Enter or double-click"))

    def service(self, services):
        return services.places

    def texts(self):
        return {"new": _("New place…"), "edit": _("Edit place…"), "delete": _("Delete place"),
                "delete_title": _("Delete place")}

    def delete_question(self, row: PlaceRow) -> str:
        return _("Delete the place \u201c{name}\u201d ({area})? Its observations stay. "
                 "You can undo this with Ctrl+Z.").format(name=row.name, area=row.area_name)

    def make_editor(self, row: PlaceRow):
        from fieldapp.ui.dialogs.place_form import PlaceFormDialog

        return PlaceFormDialog(self.ctx, row.id, self)

    def make_creator(self):
        from fieldapp.ui.dialogs.place_form import PlaceFormDialog

        return PlaceFormDialog(self.ctx, None, self)

    def current_changed(self, row) -> None:
        if row is None and self.model.is_loading():
            return
        self._place = row
        if hasattr(self, "open_button"):
            self.open_button.setEnabled(row is not None)
        self.history_model.set_place(row.id if row is not None else None)

    def _on_changed(self, kind: str) -> None:
        super()._on_changed(kind)
        if kind in ("observation", "place"):
            self.history_model.reload()

    def _history_title(self) -> None:
        if self._place is None:
            self.history_title.setText(_("Choose a place to see its observations per week."))
        elif self.history_model.history is not None and not self.history_model.history.rows:
            self.history_title.setText(_("{place}: no observations in the last 8 weeks.")
                                       .format(place=self._place.name))
        else:
            self.history_title.setText(_("{place}: observations per week and category, "
                                         "last 8 weeks").format(place=self._place.name))

    def retranslate_base(self) -> None:
        super().retranslate_base()
        self.edit_button.setToolTip("")  # Enter opens the page here

    def retranslate(self) -> None:
        super().retranslate()
        self._retranslate_open()
        self.history_model.retranslate()
        self._history_title()
