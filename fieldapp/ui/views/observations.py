"""The observations list (iakttagelser). With 100,000 observations it opens at once: the
model loads a page of rows at a time as the user scrolls (fieldapp.ui.models.paged)."""

from __future__ import annotations

from fieldapp.i18n import _
from fieldapp.store.lists import OBSERVATIONS, ObservationRow
from fieldapp.ui.models import text
from fieldapp.ui.views.list_base import RecordListView


class ObservationsView(RecordListView):
    spec = OBSERVATIONS
    kind = "observation"
    reload_on = ("shift", "place")

    def service(self, services):
        return services.observations

    def texts(self):
        return {"edit": _("Edit observation…"), "delete": _("Delete observation"),
                "delete_title": _("Delete observation")}

    def delete_question(self, row: ObservationRow) -> str:
        return _("Delete the observation \u201c{category}\u201d at {place}, {when}? "
                 "You can undo this with Ctrl+Z.").format(
            category=text.category_name(row.category_sv, row.category_en),
            place=row.place_name, when=text.moment(row.observed_at))

    def make_editor(self, row: ObservationRow):
        from fieldapp.ui.dialogs.edit_observation import EditObservationDialog
        from fieldapp.ui.dialogs.form_parts import make_read_only

        dialog = EditObservationDialog(self.ctx, row.id, self)
        if self.is_foreign(row):
            make_read_only(dialog, _("This observation was logged on another device and can "
                                     "only be changed there. Shown for reading."))
        return dialog
