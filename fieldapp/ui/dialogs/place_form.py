"""Add or edit a place in the hotspot register (shared by every device)."""

from __future__ import annotations

import uuid

from PySide6.QtWidgets import QComboBox, QDialog, QFormLayout, QLineEdit, QVBoxLayout

from fieldapp.domain.enums import PlaceKind, PlaceStatus
from fieldapp.domain.records import PlaceRecord
from fieldapp.domain.validation import FieldError, ValidationError
from fieldapp.i18n import _
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import dialog_buttons, select_data
from fieldapp.ui.models.text import coordinate
from fieldapp.ui.widgets.forms import FormErrors
from fieldapp.ui.widgets.pii_text import PiiLineEdit, PiiTextEdit
from fieldapp.ui.widgets.saving import save_with

BOUNDS = {"lat": (-90, 90), "lon": (-180, 180)}


def parse_coordinate(text: str) -> float | None:
    """"59,2792" or "59.2792" -> 59.2792; "" -> None; ValueError for anything else."""
    cleaned = text.strip().replace("\u2212", "-").replace(",", ".").replace(" ", "")
    if not cleaned:
        return None
    return float(cleaned)


class PlaceFormDialog(QDialog):
    """``place_id`` None adds a new place."""

    def __init__(self, ctx: AppContext, place_id: uuid.UUID | None = None, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.place_id = place_id
        self.saved: PlaceRecord | None = None
        with ctx.services() as services:
            place = services.places.get(place_id) if place_id is not None else None
            areas = services.reference.areas()
        self.setWindowTitle(_("Edit place") if place else _("New place"))
        self.errors = FormErrors()
        self.errors.general.setObjectName("generalError")

        # A place's name is always shared: what the PII guard finds is marked as it is typed.
        self.name = PiiLineEdit(place.name if place else "", known=ctx.known)
        # Shared like the name, so marked the same way.
        self.description = PiiTextEdit(known=ctx.known)
        self.description.setPlaceholderText(_("optional: what the place is, e.g. the tunnel "
                                              "under the tracks, lit until 22"))
        self.description.setPlainText(place.description if place else "")
        self.description.setFixedHeight(self.description.fontMetrics().lineSpacing() * 4 + 12)
        self.area = QComboBox()
        self.area.addItem(_("Choose an area"), None)
        for area in areas:
            self.area.addItem(area.name, area.id)
        select_data(self.area, place.area_id if place else None)
        self.kind = QComboBox()
        for kind in PlaceKind:
            self.kind.addItem(kind.label, kind.value)
        select_data(self.kind, place.kind if place else PlaceKind.OTHER.value)
        self.status = QComboBox()
        self.status.addItem(_("Not a hotspot"), None)
        for status in PlaceStatus:
            self.status.addItem(status.label, status.value)
        select_data(self.status, place.hotspot_status if place else None)
        self.lat = QLineEdit(coordinate(place.lat) if place else "")
        self.lon = QLineEdit(coordinate(place.lon) if place else "")
        for edit in (self.lat, self.lon):
            edit.setPlaceholderText(_("optional, e.g. 59,2792"))

        form = QFormLayout()
        add = self.errors.add
        form.addRow(self.errors.general)
        form.addRow(_("Name"), add("name", self.name))
        form.addRow(_("Description"), add("description", self.description))
        form.addRow(_("Area"), add("area_id", self.area))
        form.addRow(_("Kind"), add("kind", self.kind))
        form.addRow(_("Hotspot status"), add("hotspot_status", self.status))
        form.addRow(_("Latitude"), add("lat", self.lat))
        form.addRow(_("Longitude"), add("lon", self.lon))
        buttons = dialog_buttons(self)
        buttons.accepted.connect(self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict:
        """The form's values; a coordinate that is not a number raises ValidationError."""
        errors = []
        coordinates = {}
        for field, edit, label in (("lat", self.lat, _("Latitude")),
                                   ("lon", self.lon, _("Longitude"))):
            try:
                coordinates[field] = parse_coordinate(edit.text())
            except ValueError:
                low, high = BOUNDS[field]
                errors.append(FieldError(field, _(
                    "{label} must be a number between {low} and {high}.").format(
                    label=label, low=low, high=high)))
        if errors:
            raise ValidationError(errors)
        return dict(name=self.name.text(), description=self.description.toPlainText(),
                    area_id=self.area.currentData(),
                    kind=self.kind.currentData(), hotspot_status=self.status.currentData(),
                    **coordinates)

    def save(self) -> None:
        try:
            values = self.values()
        except ValidationError as exc:
            self.errors.show(exc.errors)
            return

        def work(services):
            if self.place_id is None:
                return services.places.create(**values)
            return services.places.update(self.place_id, **values)

        def saved(record) -> None:
            self.saved = record
            self.accept()

        save_with(self.ctx, self, self.errors, work, saved, changed=("place",))
