"""Plain, immutable records that services return. They cross threads and layers freely;
ORM objects never leave the store."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from fieldapp.i18n import current_language


@dataclass(frozen=True)
class Meta:
    """The sync columns every synced record carries."""

    id: uuid.UUID
    device_id: uuid.UUID
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted_at: dt.datetime | None


@dataclass(frozen=True)
class AreaRecord:
    id: uuid.UUID
    key: str | None
    name: str


@dataclass(frozen=True)
class PlaceRecord:
    id: uuid.UUID
    key: str | None
    name: str
    area_id: uuid.UUID
    area_name: str
    kind: str
    hotspot_status: str | None
    lat: float | None
    lon: float | None
    revision: int = 1
    description: str = ""  # shared with the team, like the name

    @property
    def is_hotspot(self) -> bool:
        return self.hotspot_status is not None


@dataclass(frozen=True)
class PartnerRecord:
    id: uuid.UUID
    key: str | None
    name: str
    kind: str


@dataclass(frozen=True)
class CategoryRecord:
    id: uuid.UUID
    key: str
    name_sv: str
    name_en: str
    hotkey: str | None
    sort_order: int

    @property
    def name(self) -> str:
        return self.name_sv if current_language() == "sv" else self.name_en


@dataclass(frozen=True)
class StaffRecord:
    id: uuid.UUID
    initials: str
    name: str
    role: str
    active: bool


@dataclass(frozen=True)
class ShiftRecord:
    meta: Meta
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    weather: str
    summary: str
    summary_shareable: bool
    private_notes: str
    youth_counts: dict[str, int]
    adults_met: int
    concern_reports: int  # reports of concern to the social services (orosanmälningar)
    referrals: int  # referrals: guidance to activities (hänvisningar)
    staff_ids: tuple[uuid.UUID, ...]
    partner_ids: tuple[uuid.UUID, ...]
    area_ids: tuple[uuid.UUID, ...]

    @property
    def id(self) -> uuid.UUID:
        return self.meta.id

    @property
    def youths_met(self) -> int:
        return sum(self.youth_counts.values())

    @property
    def is_running(self) -> bool:
        return self.ends_at is None


@dataclass(frozen=True)
class ObservationRecord:
    meta: Meta
    shift_id: uuid.UUID | None
    place_id: uuid.UUID
    category_id: uuid.UUID
    severity: str
    observed_at: dt.datetime
    people_count: int
    youths_present: int
    action_taken: str
    details: str
    details_shareable: bool

    @property
    def id(self) -> uuid.UUID:
        return self.meta.id


@dataclass(frozen=True)
class FlaggedPlace:
    place_id: uuid.UUID
    reason: str = ""


@dataclass(frozen=True)
class MeetingRecord:
    meta: Meta
    kind: str
    held_at: dt.datetime
    title: str
    situation: str
    situation_shareable: bool
    staff_ids: tuple[uuid.UUID, ...]
    partner_ids: tuple[uuid.UUID, ...]
    flags: tuple[FlaggedPlace, ...] = field(default_factory=tuple)

    @property
    def id(self) -> uuid.UUID:
        return self.meta.id


@dataclass(frozen=True)
class ActionRecord:
    meta: Meta
    meeting_id: uuid.UUID
    place_id: uuid.UUID | None
    area_id: uuid.UUID | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    responsible_partner_id: uuid.UUID | None
    status: str  # "done" when a live carried-out record exists, else the owner's status
    carried_out_shift_id: uuid.UUID | None  # the shift of the earliest carried-out record
    note: str
    carried_out_at: dt.datetime | None = None
    carried_out_by: uuid.UUID | None = None  # the device whose shift carried it out

    @property
    def id(self) -> uuid.UUID:
        return self.meta.id


@dataclass(frozen=True)
class CarriedOutRecord:
    """An agreed action carried out by a shift (owned by the device whose shift did it)."""

    meta: Meta
    action_id: uuid.UUID
    shift_id: uuid.UUID | None
    carried_out_at: dt.datetime

    @property
    def id(self) -> uuid.UUID:
        return self.meta.id
