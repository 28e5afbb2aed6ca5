"""A year's observations and shifts as one workbook (openpyxl write-only), for the city's
yearly follow-up and for anyone who wants the raw lines in a spreadsheet.

``export_year_xlsx(session, year, path)`` writes two sheets, "Observations" and "Shifts",
one row per record that is not deleted:

- an observation belongs to the year in which it was observed (Stockholm time);
- a shift belongs to the year in which it started (Stockholm time).

Free text (an observation's details, a shift's summary) appears only when the user marked it
shareable and the PII guard passes it, as in the weekly log; private notes are never read.
Rows are streamed from the database in chunks and written with openpyxl's write-only mode,
so a year of a whole city does not have to fit in memory. Qt-free.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.store.services.known import known_words
from fieldapp.reports.cells import as_text, safe_row
from fieldapp.reports.sheet_format import DATETIME_FORMAT, setup_page
from fieldapp.reports.tabular import HEADER_FILL, HEADER_FONT
from fieldapp import files
from fieldapp.domain.enums import ActionTaken, Severity, ShiftKind
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek
from fieldapp.i18n import _, current_language
from fieldapp.reports.summary import label_of, shareable_text
from fieldapp.store.models import (
    Area,
    Category,
    Observation,
    Place,
    Shift,
    Staff,
    shift_area,
    shift_staff,
)

CHUNK = 5000


@dataclass(frozen=True)
class YearCounts:
    observations: int
    shifts: int


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """1 January 00:00 in Stockholm to the next 1 January, in UTC."""
    start = dt.datetime(year, 1, 1, tzinfo=STOCKHOLM).astimezone(dt.timezone.utc)
    end = dt.datetime(year + 1, 1, 1, tzinfo=STOCKHOLM).astimezone(dt.timezone.utc)
    return start, end


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Stockholm wall-clock time without zone (what a spreadsheet cell holds)."""
    if moment is None:
        return None
    return moment.astimezone(STOCKHOLM).replace(tzinfo=None)


def observation_columns() -> list[tuple[str, float]]:
    return [(_("Time"), 17), (_("Week"), 10), (_("Area"), 20), (_("Place"), 30),
            (_("Category"), 30), (_("Severity"), 10), (_("People"), 8),
            (_("of which young"), 10), (_("Action taken"), 20), (_("Details"), 50)]


def shift_columns() -> list[tuple[str, float]]:
    return [(_("Start"), 17), (_("End"), 17), (_("Week"), 10), (_("Kind"), 16),
            (_("Hours"), 8), (_("Areas"), 28), (_("Staff"), 12), (_("Young people"), 10),
            (_("Adults"), 8), (_("Reports of concern"), 12), (_("Referrals"), 10),
            (_("Observations"), 12),
            (_("Summary"), 50)]


def observation_rows(session: Session, year: int) -> Iterator[tuple]:
    """One tuple per observation of ``year``, in time order (the sheet's rows)."""
    start, end = year_bounds(year)
    sv = current_language() == "sv"
    areas = dict(session.execute(select(Area.id, Area.name)).all())
    known = known_words(session)  # the PII guard's known words
    places = {pid: (shareable_text(name, True, known), areas.get(area_id, ""))
              for pid, name, area_id in session.execute(select(Place.id, Place.name, Place.area_id))}
    categories = {cid: (sv_name if sv else en_name)
                  for cid, sv_name, en_name in session.execute(
                      select(Category.id, Category.name_sv, Category.name_en))}
    severities = {s.value: s.label for s in Severity}
    actions = {a.value: a.label for a in ActionTaken}
    weeks: dict[dt.date, str] = {}
    query = (select(Observation.observed_at, Observation.place_id, Observation.category_id,
                    Observation.severity, Observation.people_count, Observation.youths_present,
                    Observation.action_taken, Observation.details, Observation.details_shareable)
             .where(Observation.observed_at >= start, Observation.observed_at < end,
                    Observation.deleted_at.is_(None))
             .order_by(Observation.observed_at, Observation.id)
             .execution_options(yield_per=CHUNK))
    for (observed_at, place_id, category_id, severity, people, youths, action, details,
         details_shareable) in session.execute(query):
        local = _local(observed_at)
        day = local.date()
        week = weeks.get(day)
        if week is None:
            week = weeks[day] = str(IsoWeek.of(day))
        place, area = places.get(place_id, ("?", ""))
        yield (local, week, area, place, categories.get(category_id, "?"),
               severities.get(severity, severity), people, youths,
               actions.get(action, action), shareable_text(details, details_shareable, known))


def shift_rows(session: Session, year: int) -> Iterator[tuple]:
    """One tuple per shift that started in ``year``, in time order."""
    known = known_words(session)  # the PII guard's known words
    start, end = year_bounds(year)
    in_year = (Shift.starts_at >= start, Shift.starts_at < end, Shift.deleted_at.is_(None))
    ids = select(Shift.id).where(*in_year)
    area_names = dict(session.execute(select(Area.id, Area.name)).all())
    areas: dict = defaultdict(list)
    for shift_id, area_id in session.execute(
            select(shift_area.c.shift_id, shift_area.c.area_id)
            .where(shift_area.c.shift_id.in_(ids))):
        areas[shift_id].append(area_names.get(area_id, "?"))
    staff: dict = defaultdict(list)
    for shift_id, initials in session.execute(
            select(shift_staff.c.shift_id, Staff.initials)
            .join(Staff, Staff.id == shift_staff.c.staff_id)
            .where(shift_staff.c.shift_id.in_(ids)).order_by(Staff.initials)):
        staff[shift_id].append(initials)
    observed = dict(session.execute(
        select(Observation.shift_id, func.count())
        .where(Observation.shift_id.in_(ids), Observation.deleted_at.is_(None))
        .group_by(Observation.shift_id)).all())
    query = (select(Shift.id, Shift.kind, Shift.starts_at, Shift.ends_at, Shift.youth_counts,
                    Shift.adults_met, Shift.concern_reports, Shift.referrals, Shift.summary,
                    Shift.summary_shareable)
             .where(*in_year).order_by(Shift.starts_at, Shift.id)
             .execution_options(yield_per=CHUNK))
    for (shift_id, kind, starts_at, ends_at, youth_counts, adults, concern_reports, referrals,
         summary, summary_shareable) in session.execute(query):
        hours = ((ends_at - starts_at).total_seconds() / 3600.0
                 if ends_at is not None and ends_at > starts_at else 0.0)
        youths = 0
        for value in (youth_counts or {}).values():
            try:
                youths += int(value)
            except (TypeError, ValueError):
                continue
        local = _local(starts_at)
        yield (local, _local(ends_at), str(IsoWeek.of(local.date())),
               label_of(ShiftKind, kind), round(hours, 1),
               ", ".join(sorted(areas.get(shift_id, []))), ", ".join(staff.get(shift_id, [])),
               youths, adults, concern_reports, referrals, observed.get(shift_id, 0),
               shareable_text(summary, summary_shareable, known))


def _sheet(workbook: Workbook, title: str, columns: list[tuple[str, float]], rows,
           formats: dict[int, str]) -> int:
    sheet = workbook.create_sheet(title)
    for number, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    sheet.freeze_panes = "A2"
    setup_page(sheet)
    header = []
    for title_text, _width in columns:
        cell = as_text(WriteOnlyCell(sheet, value=title_text))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    sheet.append(header)
    count = 0
    templates = {index: WriteOnlyCell(sheet) for index in formats}
    for index, template in templates.items():
        template.number_format = formats[index]
    for row in rows:
        if templates:
            row = list(row)
            for index, template in templates.items():
                if row[index] is not None:
                    cell = WriteOnlyCell(sheet, value=row[index])
                    cell.number_format = template.number_format
                    row[index] = cell
        sheet.append(safe_row(sheet, row))
        count += 1
    return count


def write_year_workbook(path: Path, observations, shifts) -> YearCounts:
    """Write the two sheets from row iterables (the rows of :func:`observation_rows` and
    :func:`shift_rows`) to ``path`` (atomically: temporary file, then rename)."""
    path = Path(path)
    workbook = Workbook(write_only=True)
    time_format = DATETIME_FORMAT
    n_obs = _sheet(workbook, _("Observations"), observation_columns(), observations,
                   {0: time_format})
    n_shifts = _sheet(workbook, _("Shifts"), shift_columns(), shifts,
                      {0: time_format, 1: time_format})
    files.write_with(path, workbook.save)
    return YearCounts(observations=n_obs, shifts=n_shifts)


def export_year_xlsx(session: Session, year: int, path: Path | str) -> YearCounts:
    """Every observation and shift of ``year`` (Stockholm calendar year) to ``path``."""
    return write_year_workbook(Path(path), observation_rows(session, year),
                               shift_rows(session, year))


__all__ = ["YearCounts", "export_year_xlsx", "observation_rows", "shift_rows", "year_bounds",
           "write_year_workbook"]
