"""The shifts list (pass): filter by week, area, place, category and text; Enter edits,
Delete deletes after a question, Ctrl+Z brings the last deleted shift back."""

from __future__ import annotations

from fieldapp.domain.enums import ShiftKind
from fieldapp.i18n import _
from fieldapp.store.lists import SHIFTS, ShiftRow
from fieldapp.ui.models import text
from fieldapp.ui.views.list_base import RecordListView


class ShiftsView(RecordListView):
    spec = SHIFTS
    kind = "shift"
    reload_on = ("observation", "place", "staff")

    def service(self, services):
        return services.shifts

    def texts(self):
        return {"edit": _("Edit shift…"), "delete": _("Delete shift"),
                "delete_title": _("Delete shift")}

    def delete_question(self, row: ShiftRow) -> str:
        return _("Delete the shift \u201c{kind}\u201d of {when}? Its observations stay. "
                 "You can undo this with Ctrl+Z.").format(
            kind=text.label(ShiftKind, row.kind), when=text.moment(row.starts_at))

    def make_editor(self, row: ShiftRow):
        from fieldapp.ui.dialogs.edit_shift import EditShiftDialog
        from fieldapp.ui.dialogs.form_parts import make_read_only

        dialog = EditShiftDialog(self.ctx, row.id, self)
        if self.is_foreign(row):
            make_read_only(dialog, _("This shift was logged on another device and can only be "
                                     "changed there. Shown for reading."))
        return dialog
