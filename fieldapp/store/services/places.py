"""Places (shared by every device), reference lists and staff."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from fieldapp.domain.enums import PlaceKind, PlaceStatus, StaffRole
from fieldapp.domain.records import AreaRecord, CategoryRecord, PartnerRecord, PlaceRecord, StaffRecord
from fieldapp.domain.shareable import TextKind, gate_errors
from fieldapp.domain.validation import FieldError, check_flag, check_text, raise_if
from fieldapp.i18n import _
from fieldapp.store.models import Area, Category, Partner, Place, Staff
from fieldapp.store.services.base import SyncedService
from fieldapp.store.services.known import known_words

PLACE_EDITABLE = {"name", "description", "area_id", "kind", "hotspot_status", "lat", "lon"}
MAX_DESCRIPTION = 1000  # a few sentences on what the place is
STAFF_EDITABLE = {"initials", "name", "role", "active"}


def place_record(row: Place, area_name: str) -> PlaceRecord:
    return PlaceRecord(id=row.id, key=row.key, name=row.name, area_id=row.area_id,
                       area_name=area_name, kind=row.kind, hotspot_status=row.hotspot_status,
                       lat=row.lat, lon=row.lon, revision=row.revision,
                       description=row.description)


def staff_record(row: Staff) -> StaffRecord:
    return StaffRecord(id=row.id, initials=row.initials, name=row.name, role=row.role,
                       active=row.active)


class PlaceService(SyncedService[Place]):
    """Places are shared: any device may edit them and the sync rule decides (DESIGN.md)."""

    model = Place
    owned = False

    def _validate(self, values: dict) -> None:
        errors: list[FieldError] = []
        name = (values.get("name") or "").strip()
        if not name:
            errors.append(FieldError("name", _("Give the place a name.")))
        errors += check_text("name", values.get("name") or "", label=_("Name"), max_length=200)
        if name:  # a place's name is always shared: it passes the gate or is not saved
            errors += gate_errors("name", name, TextKind.PLACE_NAME, label=_("The place's name"),
                                  known=known_words(self.session), always_shared=True)
        description = values.get("description", "")
        if description is None:
            errors.append(FieldError("description", _("{label} must be text.").format(
                label=_("Description"))))
        else:  # shared like the name: it passes the gate or is not saved
            errors += check_text("description", description, label=_("Description"),
                                 max_length=MAX_DESCRIPTION)
            errors += gate_errors("description", description.strip(), TextKind.PLACE_DESCRIPTION,
                                  label=_("The place's description"),
                                  known=known_words(self.session), always_shared=True)
        area = self.session.get(Area, values["area_id"]) if values.get("area_id") else None
        if area is None:
            errors.append(FieldError("area_id", _("Choose the area the place lies in.")))
        if values.get("kind") not in {k.value for k in PlaceKind}:
            errors.append(FieldError("kind", _("Choose the kind of place.")))
        status = values.get("hotspot_status")
        if status is not None and status not in {s.value for s in PlaceStatus}:
            errors.append(FieldError("hotspot_status", _("Choose a hotspot status from the list.")))
        for field, low, high, label in (("lat", -90, 90, _("Latitude")), ("lon", -180, 180, _("Longitude"))):
            value = values.get(field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not low <= value <= high):
                errors.append(FieldError(field, _("{label} must be a number between {low} and {high}.")
                                         .format(label=label, low=low, high=high)))
        if (values.get("lat") is None) != (values.get("lon") is None):
            errors.append(FieldError("lon", _("Give both latitude and longitude, or neither.")))
        raise_if(errors)

    def create(self, *, name: str, area_id: uuid.UUID, kind: str = PlaceKind.OTHER.value,
               hotspot_status: str | None = None, lat: float | None = None,
               lon: float | None = None, description: str = "",
               id: uuid.UUID | None = None) -> PlaceRecord:
        values = dict(name=name.strip(), area_id=area_id, kind=kind,
                      hotspot_status=hotspot_status, lat=lat, lon=lon,
                      description=description.strip() if isinstance(description, str)
                      else description)
        self._validate(values)
        row = self._new(id=id, **values)
        self.session.flush()
        if hotspot_status is not None:
            self._status_set(row.id, None, hotspot_status)
        return self.get(row.id)

    def update(self, place_id: uuid.UUID, **changes) -> PlaceRecord:
        unknown = set(changes) - PLACE_EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(place_id)
        values = {name: getattr(row, name) for name in PLACE_EDITABLE}
        values.update(changes)
        self._validate(values)
        old_status = row.hotspot_status
        for name, value in changes.items():
            stripped = name in ("name", "description") and isinstance(value, str)
            setattr(row, name, value.strip() if stripped else value)
        self._touch(row)
        self.session.flush()
        if row.hotspot_status != old_status:
            self._status_set(place_id, old_status, row.hotspot_status)
        return self.get(place_id)

    def _status_set(self, place_id: uuid.UUID, old: str | None, new: str | None) -> None:
        """The place page's status history: an audit entry (ids and values only)."""
        from fieldapp.store.services.audit import AuditService

        AuditService(self.session, self.clock).record(
            "place_status", {"place": str(place_id), "from": old, "to": new})

    def get(self, place_id: uuid.UUID) -> PlaceRecord:
        row = self._row(place_id)
        return place_record(row, self.session.get(Area, row.area_id).name)

    def list(self, *, include_deleted: bool = False) -> list[PlaceRecord]:
        query = select(Place, Area.name).join(Area, Place.area_id == Area.id).order_by(Place.name)
        if not include_deleted:
            query = query.where(Place.deleted_at.is_(None))
        return [place_record(row, area_name) for row, area_name in self.session.execute(query)]


class StaffService(SyncedService[Staff]):
    model = Staff
    owned = False  # a team's staff list is edited on any device

    def _validate(self, values: dict) -> None:
        errors: list[FieldError] = []
        initials = (values.get("initials") or "").strip()
        if not initials:
            errors.append(FieldError("initials", _("Give the initials (1–8 characters).")))
        elif len(initials) > 8:
            errors.append(FieldError("initials", _("Initials can be at most 8 characters.")))
        errors += check_text("initials", values.get("initials") or "", label=_("Initials"))
        if not (values.get("name") or "").strip():
            errors.append(FieldError("name", _("Give the name.")))
        errors += check_text("name", values.get("name") or "", label=_("Name"), max_length=200)
        if values.get("role") not in {r.value for r in StaffRole}:
            errors.append(FieldError("role", _("Choose a role.")))
        errors += check_flag("active", values.get("active", True), label=_("Active"))
        raise_if(errors)

    def create(self, *, initials: str, name: str, role: str = StaffRole.FIELD_WORKER.value,
               active: bool = True, id: uuid.UUID | None = None) -> StaffRecord:
        values = dict(initials=initials.strip(), name=name.strip(), role=role, active=active)
        self._validate(values)
        row = self._new(id=id, **values)
        self.session.flush()
        return staff_record(row)

    def update(self, staff_id: uuid.UUID, **changes) -> StaffRecord:
        unknown = set(changes) - STAFF_EDITABLE
        if unknown:
            raise TypeError(f"not editable: {sorted(unknown)}")
        row = self._editable(staff_id)
        values = {name: getattr(row, name) for name in STAFF_EDITABLE}
        values.update(changes)
        self._validate(values)
        for name, value in changes.items():
            setattr(row, name, value.strip() if isinstance(value, str) else value)
        self._touch(row)
        self.session.flush()
        return staff_record(row)

    def list(self, *, active_only: bool = False) -> list[StaffRecord]:
        query = select(Staff).where(Staff.deleted_at.is_(None)).order_by(Staff.initials)
        if active_only:
            query = query.where(Staff.active)
        return [staff_record(row) for row in self.session.scalars(query)]


class ReferenceService:
    """Read-only lists of areas, partners and categories."""

    def __init__(self, session):
        self.session = session

    def areas(self) -> list[AreaRecord]:
        rows = self.session.scalars(select(Area).where(Area.deleted_at.is_(None)).order_by(Area.name))
        return [AreaRecord(id=r.id, key=r.key, name=r.name) for r in rows]

    def partners(self) -> list[PartnerRecord]:
        rows = self.session.scalars(
            select(Partner).where(Partner.deleted_at.is_(None)).order_by(Partner.name))
        return [PartnerRecord(id=r.id, key=r.key, name=r.name, kind=r.kind) for r in rows]

    def categories(self) -> list[CategoryRecord]:
        rows = self.session.scalars(
            select(Category).where(Category.deleted_at.is_(None)).order_by(Category.sort_order))
        return [CategoryRecord(id=r.id, key=r.key, name_sv=r.name_sv, name_en=r.name_en,
                               hotkey=r.hotkey, sort_order=r.sort_order) for r in rows]
