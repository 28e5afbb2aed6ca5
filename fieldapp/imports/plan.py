"""Source rows into planned records, each with a stable id, or refused with the reason.

What a row becomes:

- its kind (the "pass"/"typ" column) is a meeting kind: a **meeting** at the row's date and
  start time, with the partners of the row, its place flagged, and its note as the (private)
  situation picture;
- else, with a place and a category: an **observation** there, of the row's count
  (``antal``) and youths (``ungdomar``); when only the youths are known, the count is at
  least that many; with a time range, it belongs to the row's shift and is dated at the
  shift's start; with one time ("kl 22"), it stands alone at that time;
- with a time range: a **shift** of the row's kind (else ``default_shift_kind``). Rows of
  one date, time range and kind are one shift; its partners are theirs together. A row
  with no place and no category is the shift's own row: its note goes into the shift's
  (private) summary and its youths into the shift's counts of ``youth_age_band``.

A row with no date, no time, only a place or only a category, or a cell that cannot be
read, is refused with the reason. A row with nothing but a date (a merged date beside empty
rows) is skipped.

Stable ids (UUIDv5 in :data:`IMPORT_NAMESPACE`, with this device's id in the name, so a
file imported again on this device finds its records, and the same file on a second device
does not collide with the first's records):

- shift: ``shift|<device>|<start UTC>|<end UTC>|<kind>``
- observation: ``observation|<device>|<date>|<time as written, normalised>|<place as
  written, normalised>|<n>``
- meeting: ``meeting|<device>|<date>|<time>|<kind>|<n>``

``<n>`` counts earlier rows of the file with the same key (0 for the first). Category,
counts, partners and notes are not part of an id: a row edited there comes in as an edit
of its record; a row whose date, time or place is edited comes in as a new record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.validation import youth_key
from fieldapp.domain.weeks import STOCKHOLM
from fieldapp.i18n import _
from fieldapp.imports.guess import Layout, column_roles
from fieldapp.imports.mapping import Guess, Mapping
from fieldapp.imports.matching import normalise, split_partners
from fieldapp.imports.parse import CellError, parse_count, parse_date, parse_time_range, year_in
from fieldapp.store.models import Category, Partner, Place

IMPORT_NAMESPACE = uuid.UUID("0b7c4f8e-52d1-4c36-9d0e-6f1a2e9b7c13")  # fixed forever
UNKNOWN_GENDER = "okant"


@dataclass
class Refused:
    sheet: str
    row: int
    reason: str
    values: dict[str, object] = field(default_factory=dict)  # header text -> cell


@dataclass
class PlannedShift:
    id: uuid.UUID
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    partner_ids: set = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    youth_counts: Counter = field(default_factory=Counter)
    rows: list[Refused] = field(default_factory=list)  # its source rows (reason empty)


@dataclass
class PlannedObservation:
    id: uuid.UUID
    shift_id: uuid.UUID | None
    place_id: uuid.UUID
    category_id: uuid.UUID
    observed_at: dt.datetime
    people_count: int | None
    youths_present: int | None
    details: str
    row: Refused


@dataclass
class PlannedMeeting:
    id: uuid.UUID
    kind: str
    held_at: dt.datetime
    title: str
    situation: str
    partner_ids: tuple
    flags: tuple
    row: Refused


@dataclass
class Plan:
    shifts: dict[uuid.UUID, PlannedShift] = field(default_factory=dict)
    observations: list[PlannedObservation] = field(default_factory=list)
    meetings: list[PlannedMeeting] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # every sheet's headers, in order


def _ids(session: Session, model) -> dict[str, uuid.UUID]:
    table = {}
    for row in session.scalars(select(model).where(model.deleted_at.is_(None))):
        table[str(row.id)] = row.id
        if row.key:
            table[row.key] = row.id
    return table


class _RowError(Exception):
    pass


class Planner:
    def __init__(self, session: Session, mapping: Mapping, device_id: uuid.UUID):
        self.mapping = mapping
        self.device = str(device_id)
        self.ids = {"places": _ids(session, Place), "categories": _ids(session, Category),
                    "partners": _ids(session, Partner)}
        self.plan = Plan()
        self.seen: Counter = Counter()

    def _id(self, *parts) -> uuid.UUID:
        key = "|".join(str(p) for p in parts[:1] + (self.device,) + parts[1:])
        self.seen[key] += 1
        return uuid.uuid5(IMPORT_NAMESPACE, f"{key}|{self.seen[key] - 1}")

    def _name(self, domain: str, text: str) -> str:
        guess = self.mapping.names(domain).get(text)
        if guess is None or guess.to is None:
            raise _RowError(_("\"{text}\" is not matched to any {what} in the mapping.").format(
                text=text, what={"places": _("place"), "categories": _("category"),
                                 "partners": _("partner"), "kinds": _("kind")}[domain]))
        return guess.to

    def _resolve(self, domain: str, text: str) -> uuid.UUID:
        target = self._name(domain, text)
        if target not in self.ids[domain]:
            raise _RowError(_("\"{target}\" (for \"{text}\") is not in this data file.").format(
                target=target, text=text))
        return self.ids[domain][target]

    def add_sheet(self, layout: Layout) -> None:
        if layout.header_row is None:
            self.plan.skipped_sheets.append(layout.sheet.name)
            return
        for text in layout.headers.values():
            if text not in self.plan.headers:
                self.plan.headers.append(text)
        roles = column_roles(layout, self.mapping)
        for number, cells in layout.data_rows():
            values = {text: cells[i] if i < len(cells) else None
                      for i, text in layout.headers.items()}
            cell = {role: cells[i] if i < len(cells) else None for i, role in roles.items()}
            if all(v is None for r, v in cell.items() if r not in ("date", "sheet")):
                continue
            source = Refused(layout.sheet.name, number, "", values)
            try:
                self._row(cell, source, layout)
            except (_RowError, CellError) as exc:
                source.reason = str(exc)
                self.plan.refused.append(source)

    def _row(self, cell: dict, source: Refused, layout: Layout) -> None:
        year = year_in(str(cell.get("sheet") or "")) or layout.year or self.mapping.default_year
        day = parse_date(cell.get("date"), year)
        kind_text = cell.get("kind")
        kind = (self._name("kinds", str(kind_text)) if kind_text is not None
                else f"shift:{self.mapping.default_shift_kind}")
        if cell.get("time") is None:
            raise _RowError(_("No time; write one like 19-23 or kl 22."))
        times = parse_time_range(cell.get("time"))
        start, end = times.on(day, STOCKHOLM)
        start, end = start.astimezone(dt.timezone.utc), end and end.astimezone(dt.timezone.utc)
        partners = tuple(dict.fromkeys(self._resolve("partners", name)
                                       for name in split_partners(str(cell.get("partners") or ""))))
        note = str(cell.get("note") or "")
        place_text, category_text = cell.get("place"), cell.get("category")
        if kind.startswith("meeting:"):
            flags = ((FlaggedPlace(self._resolve("places", str(place_text))),)
                     if place_text is not None else ())
            self.plan.meetings.append(PlannedMeeting(
                self._id("meeting", day.isoformat(), times.text(), kind), kind.split(":", 1)[1],
                start, str(kind_text or ""), note, partners, flags, source))
            return
        rule = self.mapping.count_rule
        people, youths = parse_count(cell.get("count"), rule), parse_count(cell.get("youths"), rule)
        if (place_text is None) != (category_text is None):
            raise _RowError(_("A place without a category (or a category without a place); "
                              "an observation needs both."))
        place_id = self._resolve("places", str(place_text)) if place_text is not None else None
        category_id = (self._resolve("categories", str(category_text))
                       if category_text is not None else None)
        if people is None and youths is not None and place_id is not None:
            people = youths  # at least the youths were there
        shift = None
        if end is not None:
            shift = self._shift(kind.split(":", 1)[1], start, end)
            shift.partner_ids.update(partners)
            shift.rows.append(source)
        elif place_text is None:
            raise _RowError(_("A shift needs a start and an end time, like 19-23."))
        if place_text is None:
            self._shift_row(shift, note, people, youths)
            return
        self.plan.observations.append(PlannedObservation(
            self._id("observation", day.isoformat(), times.text(), normalise(str(place_text))),
            shift.id if shift else None, place_id, category_id, start, people, youths, note,
            source))

    def _shift(self, kind: str, start: dt.datetime, end: dt.datetime) -> PlannedShift:
        key = "|".join(("shift", self.device, start.isoformat(), end.isoformat(), kind))
        shift_id = uuid.uuid5(IMPORT_NAMESPACE, key)
        if shift_id not in self.plan.shifts:
            self.plan.shifts[shift_id] = PlannedShift(shift_id, kind, start, end)
        return self.plan.shifts[shift_id]

    def _shift_row(self, shift: PlannedShift, note: str, people, youths) -> None:
        if note:
            shift.notes.append(note)
        if people is not None:
            shift.notes.append(_("People met: {count}").format(count=people))
        if youths:
            band = self.mapping.youth_age_band
            if band is None:
                band = self.mapping.youth_age_band = Guess("13-15", 0.5, False)
            if band.to is None:
                raise _RowError(_("Youths are counted on a shift row but youth_age_band is "
                                  "null in the mapping."))
            shift.youth_counts[youth_key(band.to, UNKNOWN_GENDER)] += youths


def build_plan(session: Session, mapping: Mapping, layouts: list[Layout],
               device_id: uuid.UUID) -> Plan:
    planner = Planner(session, mapping, device_id)
    for layout in layouts:
        planner.add_sheet(layout)
    return planner.plan
