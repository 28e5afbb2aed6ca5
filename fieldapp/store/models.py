"""SQLAlchemy 2 typed models of the local store.

Every record that syncs carries the columns of :class:`Synced` (DESIGN.md, "Local store").
Enum-valued columns hold the stable string values of ``fieldapp.domain.enums``; they are
plain strings in the schema so a new kind needs no table rebuild.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from fieldapp.store.types import UTCDateTime, utcnow

# Deterministic constraint names, so batch migrations on SQLite can find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The owner of reference data loaded from resources/: every device loads the same rows.
REFERENCE_DEVICE_ID = uuid.UUID(int=0)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Synced:
    """Columns every synced record carries."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    device_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # The highest revision of this record a hub has acknowledged (0: never synced).
    # Local bookkeeping for sync receipts; never sent in an envelope.
    acked_revision: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )


class Device(Base):
    __tablename__ = "device"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    is_self: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Setting(Base):
    """Device-local settings as JSON values (never synced)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSON, nullable=True)


class Area(Synced, Base):
    __tablename__ = "area"

    key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)


class Place(Synced, Base):
    __tablename__ = "place"

    key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    area_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("area.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False, default="annat")
    hotspot_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Shared with the team like the name: through the shareable-text gate (0007).
    description: Mapped[str] = mapped_column(Text, nullable=False, default="", server_default="")

    area: Mapped[Area] = relationship()


class Partner(Synced, Base):
    __tablename__ = "partner"

    key: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)


class Category(Synced, Base):
    __tablename__ = "category"

    key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name_sv: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    hotkey: Mapped[str | None] = mapped_column(String(1), nullable=True)
    sort_order: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Staff(Synced, Base):
    __tablename__ = "staff"

    initials: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)


def _link(name: str, left: str, right: str) -> Table:
    return Table(
        name,
        Base.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
        Column(f"{right}_id", ForeignKey(f"{right}.id"), primary_key=True),
    )


shift_staff = _link("shift_staff", "shift", "staff")
shift_partner = _link("shift_partner", "shift", "partner")
shift_area = _link("shift_area", "shift", "area")
meeting_staff = _link("meeting_staff", "meeting", "staff")
meeting_partner = _link("meeting_partner", "meeting", "partner")


class Shift(Synced, Base):
    __tablename__ = "shift"
    __table_args__ = (
        Index("ix_shift_starts_at", "starts_at"),
        # This device's running shift (Idag, every refresh): only the open shifts (0008).
        Index("ix_shift_running", "device_id", "starts_at",
              sqlite_where=text("ends_at IS NULL AND deleted_at IS NULL")),
    )

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    weather: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    # Shareable only when the user marked it and the PII guard passed it.
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary_shareable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Never leaves the device.
    private_notes: Mapped[str] = mapped_column(Text, nullable=False, default="")
    # {"<AgeBand>|<Gender>": count}
    youth_counts: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)
    adults_met: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Two things in the field (migration 0006): reports of concern to the social services
    # (orosanmälningar) and referrals, guidance to activities (hänvisningar).
    concern_reports: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    referrals: Mapped[int] = mapped_column(Integer, nullable=False, default=0,
                                           server_default="0")

    staff: Mapped[list[Staff]] = relationship(secondary=shift_staff, order_by=Staff.initials)
    partners: Mapped[list[Partner]] = relationship(secondary=shift_partner, order_by=Partner.name)
    areas: Mapped[list[Area]] = relationship(secondary=shift_area, order_by=Area.name)


class Observation(Synced, Base):
    __tablename__ = "observation"
    __table_args__ = (
        # A week's live observations counted from the index alone (0008).
        Index("ix_observation_observed_at", "observed_at", "deleted_at"),
        Index("ix_observation_place_observed", "place_id", "observed_at"),
        # Covering for the week's shifts in WeekSummary, and "shift_id IS NULL" plus a time
        # range is one exact range (migration 0004).
        Index("ix_observation_shift_cover", "shift_id", "observed_at", "place_id",
              "category_id", "severity", "people_count", "youths_present", "deleted_at"),
    )

    shift_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shift.id"), nullable=True
    )
    place_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place.id"), nullable=False)
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("category.id"), nullable=False)
    severity: Mapped[str] = mapped_column(String(16), nullable=False)
    observed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    people_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    youths_present: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    action_taken: Mapped[str] = mapped_column(String(32), nullable=False, default="none")
    details: Mapped[str] = mapped_column(Text, nullable=False, default="")
    details_shareable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Meeting(Synced, Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_held_at", "held_at"),)

    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    held_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    situation: Mapped[str] = mapped_column(Text, nullable=False, default="")
    situation_shareable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    staff: Mapped[list[Staff]] = relationship(secondary=meeting_staff, order_by=Staff.initials)
    partners: Mapped[list[Partner]] = relationship(
        secondary=meeting_partner, order_by=Partner.name
    )
    flags: Mapped[list[MeetingFlag]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingFlag.position"
    )


class MeetingFlag(Base):
    """A place flagged at a meeting, with the reason (part of the meeting's record)."""

    __tablename__ = "meeting_flag"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    place_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("place.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class Action(Synced, Base):
    """An agreed deployment (överenskommen insats) from a meeting."""

    __tablename__ = "action"
    __table_args__ = (
        Index("ix_action_starts_at", "starts_at"),
        Index("ix_action_meeting", "meeting_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meeting.id"), nullable=False)
    place_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("place.id"), nullable=True)
    area_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("area.id"), nullable=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    responsible_partner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("partner.id"), nullable=True
    )
    # "planned" or "cancelled", set by the owner. "Carried out" is a record of its own
    # (ActionCarriedOut), owned by the device whose shift did it (migration 0005).
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="planned")
    note: Mapped[str] = mapped_column(Text, nullable=False, default="")

    carried: Mapped[list[ActionCarriedOut]] = relationship(
        primaryjoin="and_(ActionCarriedOut.action_id == Action.id, "
                    "ActionCarriedOut.deleted_at.is_(None))",
        order_by="(ActionCarriedOut.carried_out_at, ActionCarriedOut.id)",
        viewonly=True,
    )


class ActionCarriedOut(Synced, Base):
    """An agreed action carried out by a shift. Owned by the device whose shift did it (the
    action belongs to the device that recorded the meeting, and only its owner edits it), so
    any laptop can record it and it syncs like any other record; undo is a tombstone."""

    __tablename__ = "action_carried_out"
    __table_args__ = (Index("ix_action_carried_out_action", "action_id"),)

    action_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("action.id"), nullable=False)
    shift_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("shift.id"), nullable=True, index=True
    )
    carried_out_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


def first_carried_out(action_id):
    """The id of the earliest live carried-out record of ``action_id`` (a correlated scalar
    subquery; NULL when nobody carried the action out). An action shows as carried out, by
    that record's device and shift, on every device."""
    return (select(ActionCarriedOut.id)
            .where(ActionCarriedOut.action_id == action_id, ActionCarriedOut.deleted_at.is_(None))
            .order_by(ActionCarriedOut.carried_out_at, ActionCarriedOut.id)
            .limit(1).correlate_except(ActionCarriedOut).scalar_subquery())


SYNCED_MODELS: tuple[type[Synced], ...] = (
    Area, Place, Partner, Category, Staff, Shift, Observation, Meeting, Action, ActionCarriedOut,
)

# The rows no hub has acknowledged, per synced table (migration 0004): a partial index, so the
# sync's pending query (revision > acked_revision AND device_id = ?) reads only unsent rows.
UNSENT_WHERE = "revision > acked_revision"
for _model in SYNCED_MODELS:
    Index(f"ix_{_model.__tablename__}_unsent", _model.__table__.c.device_id,
          sqlite_where=text(UNSENT_WHERE))
del _model


class AuditEntry(Base):
    """The audit log (local only, never synced): what was done with the data, not the data.
    ``kind``: export, disclosure, sync, purge, settings, unlock, unlock_failed, encryption."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    details: Mapped[dict] = mapped_column(JSON, nullable=False, default=dict)


class StockholmMonth(Base):
    """The calendar months of Europe/Stockholm as UTC bounds (migration 0009, from zoneinfo):
    the row with the greatest ``starts_utc`` not after a time is the month that time falls in.
    A last row with no ``month`` ends the table, so a time past it has no month. Read by the
    tally's triggers, which cannot call zoneinfo."""

    __tablename__ = "stockholm_month"
    __table_args__ = {"sqlite_with_rowid": False}

    starts_utc: Mapped[dt.datetime] = mapped_column(UTCDateTime, primary_key=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # "2026-11"


class ObservationTally(Base):
    """The live observations of every device counted per Stockholm month, place, category
    and severity, by the rules of the period report (an observation counts in the month its
    live shift started, one without a shift at its own time). Kept by SQLite triggers in the
    same transaction as every write to an observation or a shift (migration 0009), so no
    writer can forget it; a year's report of a whole city reads some 16,000 rows of it
    instead of a million observations (``reports/period_queries.py``). Local only, never
    synced; a row may hold 0."""

    __tablename__ = "observation_tally"
    __table_args__ = {"sqlite_with_rowid": False}

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    place_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    category_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    severity: Mapped[str] = mapped_column(String(16), primary_key=True)
    observations: Mapped[int] = mapped_column(Integer, nullable=False)
