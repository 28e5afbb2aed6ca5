"""The period report: every figure against a straightforward SQL count for a month, a
tertial, a year and ranges across a year end and a daylight saving change; the PDF parsed
back shows the JSON's figures; the CSV and XLSX cells are data; the command's exit codes."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fieldapp.cli import main
from fieldapp.domain.periods import Period
from fieldapp.reports.period_export import export_period
from fieldapp.domain.cells import csv_cell
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.store.services import Services

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
CREATED = dt.datetime(2027, 1, 10, 9, tzinfo=UTC)


def at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=STHLM)


# Shift starts (Stockholm): around midnight at year ends, month ends and both daylight
# saving changes (29 March and 25 October 2026, 31 March and 27 October 2024/2025).
STARTS = [
    at(2025, 1, 10, 19), at(2025, 3, 31, 23, 30), at(2025, 9, 12, 20),
    at(2025, 12, 31, 23, 30), at(2026, 1, 1, 0, 30), at(2026, 1, 15, 18),
    at(2026, 3, 28, 23), at(2026, 3, 29, 3, 30), at(2026, 3, 31, 23, 45),
    at(2026, 4, 1, 0, 15), at(2026, 4, 30, 23, 59), at(2026, 5, 1, 0, 1),
    at(2026, 8, 31, 23, 30), at(2026, 9, 1, 0, 30), at(2026, 10, 24, 22),
    at(2026, 10, 31, 23, 30), at(2026, 11, 1, 0, 30), at(2026, 12, 31, 23, 50),
    at(2027, 1, 1, 0, 10),
]


@pytest.fixture(scope="module")
def data_path(tmp_path_factory):
    """A real store with shifts, observations (with and without a shift, one of a deleted
    shift), meetings with the police and others, actions carried out or not."""
    from fieldapp.store.database import open_database

    path = tmp_path_factory.mktemp("period") / "period.sqlite"
    database = open_database(path)
    now = [at(2025, 1, 1, 12)]  # the services' clock follows the records
    with database.session() as session:
        svc = Services(session, database.device_id(), clock=lambda: now[0])
        places = svc.places.list()
        hot = [p for p in places if p.hotspot_status == "active"]
        cold = [p for p in places if p.hotspot_status is None]
        categories = svc.reference.categories()
        areas = {a.id: a for a in svc.reference.areas()}
        partners = svc.reference.partners()
        police = next(p for p in partners if p.kind == "polis")
        other = next(p for p in partners if p.kind != "polis")
        staff = [svc.staff.create(initials=i, name=f"Person {i}").id for i in ("AB", "CD")]
        kinds = ["nattvandring", "faltpass", "trygghetsvandring"]
        for n, start in enumerate(STARTS):
            now[0] = start + dt.timedelta(days=1)
            place = hot[n % len(hot)] if n % 3 else cold[n % len(cold)]
            shift = svc.shifts.create(
                kind=kinds[n % 3], starts_at=start, ends_at=start + dt.timedelta(hours=3 + n % 2),
                staff_ids=staff[: 1 + n % 2], area_ids=[place.area_id],
                youth_counts={"16-17|flicka": n + 1, "13-15|pojke": 2}, adults_met=n % 4,
                concern_reports=n % 2, referrals=n % 3)
            for k in range(1 + n % 3):
                svc.observations.create(
                    shift_id=shift.id, place_id=place.id,
                    category_id=categories[k % len(categories)].id,
                    severity=("low", "medium", "high")[k], people_count=2,
                    # after midnight: it counts with the shift's start
                    observed_at=start + dt.timedelta(minutes=40 + k))
            svc.observations.create(place_id=cold[0].id, category_id=categories[0].id,
                                    severity="low", observed_at=start + dt.timedelta(hours=5))
            meeting = svc.meetings.create(kind=("utsattningsmote", "platssamverkan", "sspf")[n % 3],
                                          held_at=start - dt.timedelta(hours=1),
                                          partner_ids=[police.id if n % 2 else other.id])
            for m in range(2):
                action = svc.actions.create(
                    meeting_id=meeting.id, place_id=place.id,
                    starts_at=start, ends_at=start + dt.timedelta(hours=2),
                    status="cancelled" if (n + m) % 5 == 0 else "planned")
                if m == 0 and n % 2 == 0:
                    svc.carried.carry_out(action.id, shift.id, at=start + dt.timedelta(hours=1))
        now[0] = at(2026, 2, 3, 12)
        gone = svc.shifts.create(kind="faltpass", starts_at=at(2026, 2, 2, 18),
                                 ends_at=at(2026, 2, 2, 20), area_ids=[cold[0].area_id])
        svc.observations.create(shift_id=gone.id, place_id=hot[0].id,
                                category_id=categories[0].id, severity="low",
                                observed_at=at(2026, 2, 2, 19))
        svc.shifts.delete(gone.id)
        assert areas
    database.close()
    return path


def _bound(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def sql_counts(path, period: Period) -> dict:
    """The period's figures counted the straightforward way, on the raw tables."""
    start, end = _bound(period.start_utc()), _bound(period.end_utc())
    con = sqlite3.connect(path)
    in_period = "deleted_at IS NULL AND starts_at >= ? AND starts_at < ?"
    one = lambda sql, *args: con.execute(sql, args).fetchone()[0] or 0  # noqa: E731
    found = {
        "shifts": one(f"SELECT count(*) FROM shift WHERE {in_period}", start, end),
        "hours": one(f"SELECT sum((julianday(ends_at) - julianday(starts_at)) * 24) FROM shift "
                     f"WHERE {in_period}", start, end),
        "youths": one(f"SELECT sum(j.value) FROM shift, json_each(shift.youth_counts) j "
                      f"WHERE {in_period}", start, end),
        "concern": one(f"SELECT sum(concern_reports) FROM shift WHERE {in_period}", start, end),
        "referrals": one(f"SELECT sum(referrals) FROM shift WHERE {in_period}", start, end),
        "observations": one(
            "SELECT count(*) FROM observation o LEFT JOIN shift s ON s.id = o.shift_id "
            "WHERE o.deleted_at IS NULL AND ((o.shift_id IS NULL AND o.observed_at >= ? AND "
            "o.observed_at < ?) OR (s.deleted_at IS NULL AND s.starts_at >= ? AND "
            "s.starts_at < ?))", start, end, start, end),
        "meetings": one("SELECT count(*) FROM meeting WHERE deleted_at IS NULL AND "
                        "held_at >= ? AND held_at < ?", start, end),
        "police": one("SELECT count(*) FROM meeting m WHERE deleted_at IS NULL AND held_at >= ? "
                      "AND held_at < ? AND (kind = 'utsattningsmote' OR EXISTS (SELECT 1 FROM "
                      "meeting_partner mp JOIN partner p ON p.id = mp.partner_id WHERE "
                      "mp.meeting_id = m.id AND p.kind = 'polis'))", start, end),
        "agreed": one("SELECT count(*) FROM action a JOIN meeting m ON m.id = a.meeting_id "
                      "WHERE a.deleted_at IS NULL AND m.deleted_at IS NULL AND m.held_at >= ? "
                      "AND m.held_at < ?", start, end),
        "done": one("SELECT count(*) FROM action a JOIN meeting m ON m.id = a.meeting_id "
                    "WHERE a.deleted_at IS NULL AND m.deleted_at IS NULL AND m.held_at >= ? "
                    "AND m.held_at < ? AND EXISTS (SELECT 1 FROM action_carried_out c WHERE "
                    "c.action_id = a.id AND c.deleted_at IS NULL)", start, end),
    }
    con.close()
    return found


def summarise(path, period: Period, scope="team"):
    from fieldapp.store.database import open_database

    database = open_database(path)
    try:
        with database.session() as session:
            return build_period_summary(session, period, scope, database.device_id(),
                                        generated_at=CREATED)
    finally:
        database.close()


def figures(summary) -> dict:
    k = summary.key
    return {"shifts": k.shifts, "hours": k.field_hours, "youths": k.youths_met,
            "concern": k.concern_reports, "referrals": k.referrals,
            "observations": k.observations, "meetings": k.meetings,
            "police": k.meetings_with_police, "agreed": k.actions_agreed, "done": k.actions_done}


@pytest.mark.parametrize("text, shifts", [
    ("2026-11", 1),  # 1 November 00:30 (31 October 23:30 UTC); not 31 October 23:30
    ("2026-T1", 7),  # 1 January 00:30 … 30 April 23:59, across summer time starting
    ("2026-T3", 5),  # 1 September 00:30 … 31 December 23:50, across summer time ending
    ("2026", 14),
    ("2025-12-15..2026-01-20", 3),  # across the year end
    ("2026-03-15..2026-04-01", 4),  # across the daylight saving change
])
def test_period_figures_match_a_straightforward_count(data_path, text, shifts):
    period = Period.parse(text)
    found = summarise(data_path, period)
    expected = sql_counts(data_path, period)
    assert expected["shifts"] == shifts
    got = figures(found)
    assert got.pop("hours") == pytest.approx(expected.pop("hours"))
    assert got == expected
    # month by month adds up, and each month is its own straightforward count
    assert sum(m.shifts for m in found.months) == shifts
    for month, part in zip(found.months, period.month_slices()):
        assert (month.first, month.last) == (part.first, part.last)
        alone = sql_counts(data_path, part)
        assert (month.shifts, month.observations, month.meetings, month.actions_agreed,
                month.actions_done) == (alone["shifts"], alone["observations"],
                                        alone["meetings"], alone["agreed"], alone["done"])


def test_the_year_before_and_the_prioritised_places(data_path):
    found = summarise(data_path, Period.parse("2026"))
    before = sql_counts(data_path, Period.parse("2025"))
    assert found.key.observations_year_before == before["observations"]
    assert sum(c.previous for c in found.categories) == before["observations"]
    assert sum(p.observations for p in found.places) == found.key.observations
    assert all(p.change == p.observations - p.previous for p in found.places)
    # every prioritised area's places are active hotspots; the figures add up by month
    assert found.presence
    assert sum(m.prioritised_observations for m in found.months) == sum(
        r.total_observations for r in found.presence)
    assert found.key.prioritised_shifts <= found.key.shifts
    youths = sum(sum(g.values()) for g in found.youths_by_band_gender.values())
    assert youths == found.key.youths_met
    assert sum(k.shifts for k in found.kinds) == found.key.shifts


def test_device_scope_counts_only_this_device(data_path):
    found = summarise(data_path, Period.parse("2026"), "device")
    assert found.key.shifts == 14  # every record here is this device's
    con = sqlite3.connect(data_path)
    con.execute("UPDATE shift SET device_id = '00000000000000000000000000000001' "
                "WHERE starts_at = '2026-01-15 17:00:00.000000'")
    con.commit()
    con.close()
    assert summarise(data_path, Period.parse("2026"), "device").key.shifts == 13
    assert summarise(data_path, Period.parse("2026"), "team").key.shifts == 14


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_pdf_shows_the_figures_of_the_json(data_path, tmp_path):
    from fieldapp.store.database import open_database

    database = open_database(data_path)
    period = Period.parse("2026-T1")
    try:
        export_period(database, period, "team", "pdf", tmp_path / "t1.pdf", created_at=CREATED)
        export_period(database, period, "team", "json", tmp_path / "t1.json",
                      created_at=CREATED)
    finally:
        database.close()
    data = json.loads((tmp_path / "t1.json").read_text(encoding="utf-8"))
    text = _pdf_text(tmp_path / "t1.pdf")
    lines = [line.strip() for line in text.splitlines()]
    assert "Verksamhetsrapport tertial 1 2026 (1 januari–30 april 2026)" in " ".join(lines[:3])
    for figure in data["key_figures"]:
        label, value = figure["label"], figure["value"]
        shown = str(value).replace(".", ",") if isinstance(value, float) else str(value)
        index = lines.index(label)
        assert lines[index + 1] == shown.removesuffix(",0"), label
    assert data["key"]["shifts"] == 7
    for heading in ("Pass per typ", "Närvaro på de prioriterade platserna, månad för månad",
                    "Möten med polisen och andra samverkansparter",
                    "Genomförda överenskomna insatser", "Månad för månad",
                    "Iakttagelser per kategori jämfört med ett år tidigare",
                    "Källor och begränsningar"):
        assert heading in text
    for month in data["months"]:
        assert month["label"] in text
    assert f"Av {data['key']['actions_agreed']} insatser" in text
    assert PdfReader(tmp_path / "t1.pdf").metadata.title.startswith("Verksamhetsrapport")


def test_spreadsheet_cells_are_data_never_formulas(data_path, tmp_path):
    from fieldapp.store.database import open_database

    con = sqlite3.connect(data_path)
    con.execute("UPDATE place SET name = '=HYPERLINK(\"http://x\")' WHERE rowid = "
                "(SELECT min(rowid) FROM place WHERE hotspot_status = 'active')")
    con.commit()
    con.close()
    database = open_database(data_path)
    try:
        for fmt in ("xlsx", "csv"):
            export_period(database, Period.parse("2026"), "team", fmt, tmp_path / f"y.{fmt}",
                          created_at=CREATED)
    finally:
        database.close()
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("-3") == "-3" and csv_cell(5) == 5
    csv_text = (tmp_path / "y.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    assert not any(cell.startswith(("=", "+", "@")) for line in csv_text.splitlines()
                   for cell in line.split(";"))
    book = load_workbook(tmp_path / "y.xlsx")
    values = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value]
    assert all(c.data_type != "f" for c in values)
    # The XLSX keeps the name as it is, stored as text (never evaluated).
    assert any(str(c.value).startswith('=HYPERLINK') and c.data_type == "s" for c in values)


def test_the_command_line(data_path, tmp_path, capsys, monkeypatch):
    db = ["--db", str(data_path), "report"]
    out = tmp_path / "t3.xlsx"
    assert main([*db, "--period", "2026-T3", "-o", str(out)]) == 0
    assert "Verksamhetsrapport tertial 3 2026" in capsys.readouterr().out
    assert load_workbook(out).sheetnames[0] == "Översikt"
    for bad in (["--period", "2026-T4"], ["--period", "2026", "--week", "2026-W47"],
                ["--period", ""], ["--period", "2026", "--format", "docx"],
                ["--period", "2026", "--redacted", "--recipient", "LPO"]):
        assert main([*db, *bad, "-o", str(tmp_path / "bad.pdf")]) == 2, bad
        assert "fieldapp report:" in capsys.readouterr().err
    assert not (tmp_path / "bad.pdf").exists()
    assert main(["--db", str(tmp_path / "none.sqlite"), "report", "--period", "2026",
                 "-o", str(tmp_path / "x.pdf")]) == 1
    # a period of one ISO week is the weekly log, byte for byte
    week, period = tmp_path / "week.pdf", tmp_path / "period.pdf"
    created = ["--created", "2027-01-10T10:00+01:00"]
    assert main([*db, "--week", "2026-W14", *created, "-o", str(week)]) == 0
    assert main([*db, "--period", "2026-W14", *created, "-o", str(period)]) == 0
    assert week.read_bytes() == period.read_bytes()
    monkeypatch.chdir(tmp_path)
    assert main([*db, "--period", "2026-11", "--format", "json"]) == 0
    assert json.loads((tmp_path / "verksamhetsrapport-2026-11.json").read_text())["key"][
        "shifts"] == 1


def test_a_range_of_dates_is_named_once_in_the_title():
    from types import SimpleNamespace

    from fieldapp.domain.periods import Period
    from fieldapp.reports.period_tables import document_title

    title = document_title(SimpleNamespace(period=Period.parse("2025-02-01..2025-02-28")))
    assert title == "Verksamhetsrapport 1 februari–28 februari 2025"
    tertial = document_title(SimpleNamespace(period=Period.parse("2025-T1")))
    assert tertial == "Verksamhetsrapport tertial 1 2025 (1 januari–30 april 2025)"
