"""The year export (fieldapp.reports.year): its row counts equal SQL counts written out by hand,
deleted records and private text stay out, and the year follows Stockholm time."""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from fieldapp.demo import generate_bulk, generate_demo
from fieldapp.domain.ids import reference_id
from fieldapp.reports.year import export_year_xlsx, year_bounds
from fieldapp.store.services import Services

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
# The demo's weeks run across the turn of the year: 2024 and 2025 both have data.
NOW = dt.datetime(2025, 1, 22, 12, 0, tzinfo=UTC)


def _sql_count(path, table: str, column: str, year: int) -> int:
    start, end = (t.replace(tzinfo=None).isoformat(sep=" ") for t in year_bounds(year))
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table} WHERE deleted_at IS NULL "
                           f"AND {column} >= ? AND {column} < ?", (start, end)).fetchone()[0]
    finally:
        con.close()


def _sheet_rows(path, index: int) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [tuple(row) for row in workbook.worksheets[index].iter_rows(values_only=True)]
    finally:
        workbook.close()


def test_year_export_counts_equal_sql(database, db_path, tmp_path):
    generate_demo(database, weeks=6, now=NOW)
    generate_bulk(database, devices=2, weeks=6, observations=600, now=NOW)
    for year in (2024, 2025):
        out = tmp_path / f"year-{year}.xlsx"
        with database.session() as session:
            counts = export_year_xlsx(session, year, out)
        observations, shifts = _sheet_rows(out, 0), _sheet_rows(out, 1)
        assert counts.observations == _sql_count(db_path, "observation", "observed_at", year) > 0
        assert counts.shifts == _sql_count(db_path, "shift", "starts_at", year) > 0
        assert len(observations) == counts.observations + 1  # and the header row
        assert len(shifts) == counts.shifts + 1
        times = [row[0] for row in observations[1:]]
        assert times == sorted(times)
        assert all(t.year == year for t in times)
        # Private notes never appear; the demo's notes are not shareable.
        assert not any("Privat anteckning" in str(cell) for row in shifts for cell in row)


def test_year_follows_stockholm_time_and_leaves_deleted_out(database, tmp_path):
    place = reference_id("place", "alvsjo-centrum")
    category = reference_id("category", "ungdomssamling")
    # 23:30 UTC on 31 December is 00:30 on 1 January in Stockholm: next year's.
    new_year = dt.datetime(2024, 12, 31, 23, 30, tzinfo=UTC)
    before = dt.datetime(2024, 12, 31, 22, 30, tzinfo=UTC)
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        services.observations.create(place_id=place, category_id=category, observed_at=new_year,
                                     people_count=3, youths_present=2, details="privat text")
        services.observations.create(place_id=place, category_id=category, observed_at=before,
                                     people_count=5, youths_present=1)
        gone = services.observations.create(place_id=place, category_id=category,
                                            observed_at=before, people_count=7, youths_present=1)
        services.observations.delete(gone.id)
    with database.session() as session:
        counts_2024 = export_year_xlsx(session, 2024, tmp_path / "2024.xlsx")
        counts_2025 = export_year_xlsx(session, 2025, tmp_path / "2025.xlsx")
    assert (counts_2024.observations, counts_2025.observations) == (1, 1)
    row_2024 = _sheet_rows(tmp_path / "2024.xlsx", 0)[1]
    row_2025 = _sheet_rows(tmp_path / "2025.xlsx", 0)[1]
    assert row_2024[0] == dt.datetime(2024, 12, 31, 23, 30)
    assert row_2024[6] == 5
    assert row_2025[0] == dt.datetime(2025, 1, 1, 0, 30)
    assert row_2025[1] == "2025-W01"
    assert row_2025[-1] in (None, "")  # details not marked shareable
