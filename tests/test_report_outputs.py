"""The weekly log as PDF, XLSX, CSV and JSON: every key figure equals an independent SQL count
over the database, nothing private leaks, an empty week and a 2,000-shift week work, and the
same data gives the same PDF bytes.

The SQL here is written out by hand (sqlite3), not taken from the WeekSummary.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import sqlite3
from collections import defaultdict
import subprocess
import sys
import time
import uuid
import zipfile
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph

from fieldapp.demo import generate_demo
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.csv_json import render_csv, render_json
from fieldapp.reports.export import export_week
from fieldapp.reports.fonts import REGULAR, register_fonts
from fieldapp.reports.pdf import render_pdf
from fieldapp.reports.pdf_layout import (
    CELL_PAD_X,
    MARGIN_X,
    RED,
    Coloured,
    TableBuilder,
    Wrap,
    _styles,
)
from fieldapp.reports.summary import build_week_summary
from fieldapp.reports.xlsx import render_xlsx
from fieldapp.store.database import open_database
from fieldapp.store.models import Area, Shift, Staff
from fieldapp.store.services import Services

UTC = dt.timezone.utc
STHLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=UTC)  # the last complete week is 2024-W47
WEEK = IsoWeek(2024, 47)
CREATED = dt.datetime(2024, 11, 25, 8, 0, tzinfo=STHLM)

PRIVATE = "PRIVAT-ANTECKNING-4711"
SECRET_SUMMARY = "HEMLIG-SAMMANFATTNING-ej-delad"
SECRET_DETAILS = "HEMLIG-DETALJ-ej-delad"
SECRET_SITUATION = "HEMLIG-LAGESBILD-ej-delad"
PNR_SUMMARY = "Pratade med kille 811218-9876 vid stationen"  # marked shareable, fails the guard
SHARED_DETAILS = "Delad detalj: klotter vid entrén"

KINDS = ("nattvandring", "faltpass", "trygghetsvandring", "skolbesok", "aktivitet", "helginsats")
SEVERITIES = {"high": "hög", "medium": "medel", "low": "låg"}
LABELS = {  # the Swedish key-figure labels, written out
    "shifts": "Pass", "field_hours": "Timmar i fält", "staff_hours": "Personaltimmar",
    "youths_met": "Mötta ungdomar", "adults_met": "Mötta vuxna", "referrals": "Hänvisningar",
    "concern_reports": "Orosanmälningar gjorda",
    "observations": "Iakttagelser", "meetings": "Möten",
    "actions_agreed": "Överenskomna insatser", "actions_done": "Insatser genomförda",
    "actions_cancelled": "Insatser inställda",
    "actions_planned": "Insatser fortfarande planerade",
    **{f"observations.{k}": f"Iakttagelser: {v} allvarlighetsgrad" for k, v in SEVERITIES.items()},
}
KIND_LABELS = {"nattvandring": "nattvandring", "faltpass": "fältpass",
               "trygghetsvandring": "trygghetsvandring", "skolbesok": "skolbesök",
               "aktivitet": "aktivitet", "helginsats": "helginsats"}


# -- the database ------------------------------------------------------------------------------

def _add_secrets(database) -> None:
    """Records whose text must not appear in a team report (and one from another device)."""
    device_id = database.device_id()
    with database.session() as session:
        services = Services(session, device_id, clock=lambda: NOW)
        places = services.places.list()
        category = services.reference.categories()[0]
        start = dt.datetime(2024, 11, 20, 15, 0, tzinfo=STHLM)
        shift = services.shifts.create(
            kind="faltpass", starts_at=start, ends_at=start + dt.timedelta(hours=3),
            summary=SECRET_SUMMARY, summary_shareable=False, private_notes=PRIVATE,
            youth_counts={"u13|annat": 2}, adults_met=1)
        services.observations.create(
            shift_id=shift.id, place_id=places[0].id, category_id=category.id, severity="high",
            observed_at=start + dt.timedelta(minutes=30), people_count=3, youths_present=2,
            action_taken="samtal", details=SECRET_DETAILS, details_shareable=False)
        services.observations.create(
            shift_id=shift.id, place_id=places[1].id, category_id=category.id, severity="high",
            observed_at=start + dt.timedelta(minutes=40), people_count=4, youths_present=1,
            action_taken="samtal", details=SHARED_DETAILS, details_shareable=True)
        services.meetings.create(
            kind="platssamverkan", held_at=dt.datetime(2024, 11, 19, 10, 0, tzinfo=STHLM),
            title="Platssamverkan Liljeholmen", situation=SECRET_SITUATION,
            situation_shareable=False, flags=[FlaggedPlace(places[2].id, "Mörk gångväg")])
        # The services refuse a shareable summary with a personnummer; an old or synced record
        # may still have one, so write it directly.
        row = session.get(Shift, shift.id)
        row.summary, row.summary_shareable = PNR_SUMMARY, True
        # A shift of another device (arrived by sync): in team scope, not in device scope.
        other = Shift(id=uuid.uuid4(), device_id=uuid.uuid4(), kind="skolbesok",
                      starts_at=dt.datetime(2024, 11, 21, 9, 0, tzinfo=STHLM),
                      ends_at=dt.datetime(2024, 11, 21, 11, 30, tzinfo=STHLM),
                      youth_counts={"13-15|flicka": 5}, adults_met=2, concern_reports=1,
                      referrals=3,
                      private_notes=PRIVATE + "-annan-enhet")
        session.add(other)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "demo.sqlite"
    database = open_database(path)
    generate_demo(database, seed=7, weeks=4, now=NOW)
    _add_secrets(database)
    yield database
    database.close()


def summary_of(database, week=WEEK, scope="team"):
    with database.session() as session:
        return build_week_summary(session, week, scope, database.device_id(),
                                  generated_at=CREATED)


# -- independent SQL ---------------------------------------------------------------------------

def _bounds(week: IsoWeek) -> tuple[str, str]:
    """The week in UTC as the text SQLite stores: Monday 00:00 to Monday 00:00 in Stockholm."""
    monday = dt.date.fromisocalendar(week.year, week.week, 1)
    start = dt.datetime.combine(monday, dt.time(0), STHLM).astimezone(UTC)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(0), STHLM).astimezone(UTC)
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    return start.strftime(fmt), end.strftime(fmt)


def sql_figures(db_path, week: IsoWeek, device_hex: str | None = None) -> dict:
    """Every key figure of ``week`` counted straight from the tables."""
    a, b = _bounds(week)
    dev_s = f" AND s.device_id = '{device_hex}'" if device_hex else ""
    dev_o = f" AND o.device_id = '{device_hex}'" if device_hex else ""
    dev_m = f" AND m.device_id = '{device_hex}'" if device_hex else ""
    week_shifts = f"s.deleted_at IS NULL AND s.starts_at >= :a AND s.starts_at < :b{dev_s}"
    week_obs = (f"o.deleted_at IS NULL{dev_o} AND ((o.shift_id IS NOT NULL AND s.deleted_at IS NULL"
                f" AND s.starts_at >= :a AND s.starts_at < :b) OR (o.shift_id IS NULL AND "
                f"o.observed_at >= :a AND o.observed_at < :b))")
    p = {"a": a, "b": b}
    con = sqlite3.connect(db_path)
    try:
        one = lambda sql: con.execute(sql, p).fetchone()[0] or 0  # noqa: E731 - a one-line query
        f = {"shifts": one(f"SELECT count(*) FROM shift s WHERE {week_shifts}")}
        kinds = dict(con.execute(f"SELECT kind, count(*) FROM shift s WHERE {week_shifts} "
                                 "GROUP BY kind", p).fetchall())
        for kind in KINDS:
            f[f"shifts.{kind}"] = kinds.get(kind, 0)
        f["field_hours"] = one("SELECT sum((julianday(ends_at) - julianday(starts_at)) * 24) "
                               f"FROM shift s WHERE {week_shifts} AND ends_at IS NOT NULL")
        f["staff_hours"] = one(
            "SELECT sum((julianday(ends_at) - julianday(starts_at)) * 24 * "
            "(SELECT count(*) FROM shift_staff ss WHERE ss.shift_id = s.id)) "
            f"FROM shift s WHERE {week_shifts} AND ends_at IS NOT NULL")
        f["youths_met"] = one(f"SELECT sum(j.value) FROM shift s, json_each(s.youth_counts) j "
                              f"WHERE {week_shifts}")
        f["youths"] = dict(con.execute(
            f"SELECT j.key, sum(j.value) FROM shift s, json_each(s.youth_counts) j "
            f"WHERE {week_shifts} GROUP BY j.key", p).fetchall())
        f["adults_met"] = one(f"SELECT sum(adults_met) FROM shift s WHERE {week_shifts}")
        f["referrals"] = one(f"SELECT sum(referrals) FROM shift s WHERE {week_shifts}")
        f["concern_reports"] = one(f"SELECT sum(concern_reports) FROM shift s WHERE {week_shifts}")
        obs_from = "FROM observation o LEFT JOIN shift s ON s.id = o.shift_id"
        f["observations"] = one(f"SELECT count(*) {obs_from} WHERE {week_obs}")
        severities = dict(con.execute(f"SELECT o.severity, count(*) {obs_from} WHERE {week_obs} "
                                      "GROUP BY o.severity", p).fetchall())
        for severity in SEVERITIES:
            f[f"observations.{severity}"] = severities.get(severity, 0)
        f["categories"] = {
            (name, severity): n for name, severity, n in con.execute(
                f"SELECT c.name_sv, o.severity, count(*) {obs_from} "
                f"JOIN category c ON c.id = o.category_id WHERE {week_obs} "
                "GROUP BY c.name_sv, o.severity", p)}
        week_meetings = f"m.deleted_at IS NULL AND m.held_at >= :a AND m.held_at < :b{dev_m}"
        f["meetings"] = one(f"SELECT count(*) FROM meeting m WHERE {week_meetings}")
        statuses = dict(con.execute(
            # carried out: a live record of its own (any device's), else the owner's status
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM action_carried_out c WHERE c.action_id = a.id "
            "AND c.deleted_at IS NULL) THEN 'done' ELSE a.status END AS s, count(*) "
            "FROM action a JOIN meeting m ON m.id = a.meeting_id "
            f"WHERE a.deleted_at IS NULL AND {week_meetings} GROUP BY s", p).fetchall())
        f["actions_agreed"] = sum(statuses.values())
        f["actions_done"] = statuses.get("done", 0)
        f["actions_cancelled"] = statuses.get("cancelled", 0)
        f["actions_planned"] = statuses.get("planned", 0)
    finally:
        con.close()
    return f


def _number(text: str) -> float:
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    return float(text.replace(",", "."))


def _check_figure(key: str, got: float, expected: float) -> None:
    if key.endswith("hours"):
        assert got == pytest.approx(expected, abs=0.051), key
    else:
        assert got == expected, key


# -- PDF ---------------------------------------------------------------------------------------

def pdf_lines(data: bytes, pages: slice = slice(None)) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages[pages])
    return [line.strip() for line in text.splitlines() if line.strip()]


def _section(lines: list[str], start: str, end: str) -> list[str]:
    i = lines.index(start)
    return lines[i + 1:lines.index(end, i + 1)]


def test_pdf_key_figures_equal_sql_counts(demo_db):
    data = render_pdf(summary_of(demo_db))
    lines = pdf_lines(data, slice(0, 2))
    expected = sql_figures(demo_db.path, WEEK)
    assert expected["shifts"] >= 5 and expected["observations"] >= 8  # a real week

    figures = _section(lines, "Nyckeltal", "Mötta ungdomar efter ålder och kön")
    pairs = dict(zip(figures[0::2], figures[1::2]))
    for key, label in LABELS.items():
        _check_figure(key, _number(pairs[label]), expected[key])
    for kind, label in KIND_LABELS.items():
        # Kinds that did not occur are left out of the PDF's list.
        got = _number(pairs[f"Pass: {label}"]) if f"Pass: {label}" in pairs else 0
        assert got == expected[f"shifts.{kind}"], kind

    # Young people by age band × gender: Flicka, Pojke, Annat, Okänt, Totalt.
    youth = _section(lines, "Mötta ungdomar efter ålder och kön",
                     "Iakttagelser efter kategori och allvarlighetsgrad")
    genders = ["flicka", "pojke", "annat", "okant"]
    for band, label in (("u13", "Under 13"), ("13-15", "13–15"), ("16-17", "16–17"),
                        ("18-20", "18–20")):
        i = youth.index(label)
        cells = [_number(v) for v in youth[i + 1:i + 6]]
        want = [expected["youths"].get(f"{band}|{g}", 0) for g in genders]
        assert cells == [*want, sum(want)], band

    # Observations by category and severity: Låg, Medel, Hög, Totalt.
    categories = _section(lines, "Iakttagelser efter kategori och allvarlighetsgrad",
                          "Iakttagelser per kategori")
    names = {name for name, _sev in expected["categories"]}
    for name in names:
        i = categories.index(name)
        cells = [_number(v) for v in categories[i + 1:i + 5]]
        want = [expected["categories"].get((name, s), 0) for s in ("low", "medium", "high")]
        assert cells == [*want, sum(want)], name


def test_pdf_is_a_swedish_a4_document_with_metadata_and_embedded_font(demo_db):
    data = render_pdf(summary_of(demo_db))
    reader = PdfReader(io.BytesIO(data))
    meta = reader.metadata
    assert meta.title == "Veckologg v. 47 2024 (18–24 november)"
    assert meta.author == "Fältassistenterna"
    assert "v. 47 2024" in meta.subject
    assert meta["/CreationDate"].startswith("D:20241125070000")  # 08:00 in Stockholm
    first = reader.pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Veckologg v. 47 2024 (18–24 november)" in text
    assert "Urval: Hela teamet" in text
    assert f"Sida 1 av {len(reader.pages)}" in text
    assert f"Sida {len(reader.pages)} av {len(reader.pages)}" in text
    assert "Källor:" in text  # the lägesbild names its sources
    assert "Möten och överenskomna insatser" in text
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            if font.get("/FontDescriptor"):
                descriptor = font["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor  # embedded TrueType
    assert any("DejaVuSans" in f for f in fonts), fonts
    # å, ä and ö copy out as themselves (the font's ToUnicode map is right).
    assert "Mötta ungdomar" in text and "Överenskomna insatser" in text and "Hägersten" in text


# -- private text ------------------------------------------------------------------------------

FORBIDDEN = (PRIVATE, SECRET_SUMMARY, SECRET_DETAILS, SECRET_SITUATION, "811218-9876",
             "Privat anteckning")  # the demo's private notes too


def _assert_clean(text: str, where: str) -> None:
    for secret in FORBIDDEN:
        assert secret not in text, f"{secret!r} leaked into {where}"


@pytest.mark.parametrize("scope", ["team", "device"])
def test_private_and_unshareable_text_never_appears(demo_db, scope):
    summary = summary_of(demo_db, scope=scope)
    pdf = render_pdf(summary)
    _assert_clean("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages), "PDF")
    _assert_clean(pdf.decode("latin-1"), "PDF bytes")
    xlsx = render_xlsx(summary)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        for name in archive.namelist():
            _assert_clean(archive.read(name).decode("utf-8", "replace"), f"XLSX {name}")
    _assert_clean(render_csv(summary).decode("utf-8-sig"), "CSV")
    _assert_clean(render_json(summary).decode("utf-8"), "JSON")
    # Shareable text that passed the guard is kept.
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert SHARED_DETAILS in text


def test_device_scope_leaves_out_other_devices(demo_db):
    team, device = summary_of(demo_db, scope="team"), summary_of(demo_db, scope="device")
    assert team.key.shifts == device.key.shifts + 1
    assert device.key.shifts == sql_figures(demo_db.path, WEEK, demo_db.device_id().hex)["shifts"]
    assert device.scope.label == "Den här enheten"


# -- XLSX, CSV, JSON ---------------------------------------------------------------------------

def test_xlsx_has_typed_sheets_whose_figures_equal_sql_counts(demo_db):
    workbook = load_workbook(io.BytesIO(render_xlsx(summary_of(demo_db))))
    expected = sql_figures(demo_db.path, WEEK)
    assert workbook.sheetnames[0] == "Översikt"
    sheet = workbook["Nyckeltal"]
    assert sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[1]] == ["Nyckeltal", "Värde", "Kod"]
    got = {row[2]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    for key in (*LABELS, *(f"shifts.{k}" for k in KINDS)):
        assert isinstance(got[key], (int, float)), key
        _check_figure(key, got[key], expected[key])
    assert isinstance(got["shifts"], int)

    days = workbook["Dag för dag"]
    assert days.freeze_panes == "A2"
    dates = [row[0] for row in days.iter_rows(min_row=2, values_only=True)]
    assert dates[0] == dt.datetime(2024, 11, 18) and len(dates) == 7  # real dates
    assert sum(row[2] for row in days.iter_rows(min_row=2, values_only=True)) == expected["shifts"]

    youth = workbook["Mötta ungdomar"]
    rows = {row[0]: row[1:] for row in youth.iter_rows(min_row=2, values_only=True)}
    assert rows["13–15"][0] == expected["youths"].get("13-15|flicka", 0)
    assert rows["Totalt"][-1] == expected["youths_met"]

    shifts = workbook["Pass"]
    assert shifts.max_row - 1 == expected["shifts"]
    assert isinstance(shifts["A2"].value, dt.datetime) and shifts["A2"].number_format == "yyyy-mm-dd"


def _csv_sections(data: bytes) -> dict[str, list[list[str]]]:
    sections: dict[str, list[list[str]]] = {}
    current = None
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"):
        if not row:
            current = None
        elif current is None and len(row) == 1:
            current = sections.setdefault(row[0], [])
        elif current is not None:
            current.append(row)
    return sections


def test_csv_is_swedish_excel_csv_whose_figures_equal_sql_counts(demo_db):
    data = render_csv(summary_of(demo_db))
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "Veckologg v. 47 2024 (18–24 november)"
    expected = sql_figures(demo_db.path, WEEK)
    sections = _csv_sections(data)
    header, *rows = sections["Nyckeltal"]
    assert header == ["Nyckeltal", "Värde", "Kod"]
    got = {row[2]: row[1] for row in rows}
    for key in (*LABELS, *(f"shifts.{k}" for k in KINDS)):
        _check_figure(key, _number(got[key]), expected[key])
    assert "," in got["field_hours"]  # decimal comma
    header, *days = sections["Dag för dag"]
    assert days[0][0] == "2024-11-18"
    assert sum(int(d[2]) for d in days) == expected["shifts"]


def test_json_is_the_summary(demo_db):
    data = json.loads(render_json(summary_of(demo_db)))
    expected = sql_figures(demo_db.path, WEEK)
    assert data["week"] == "2024-W47" and data["scope"] == "team"
    assert data["key"]["shifts"] == expected["shifts"]
    assert data["key"]["observations"] == expected["observations"]
    figures = {f["key"]: f["value"] for f in data["key_figures"]}
    assert figures["meetings"] == expected["meetings"]
    assert len(data["days"]) == 7 and data["days"][0]["day"] == "2024-11-18"


# -- empty, large, reproducible ----------------------------------------------------------------

def test_an_empty_week_gives_a_valid_pdf_that_says_so(demo_db, tmp_path):
    week = IsoWeek(2024, 10)
    target = tmp_path / "tom.pdf"
    export_week(demo_db, week, "team", "pdf", target, created_at=CREATED)
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Veckologg v. 10 2024 (4–10 mars)" in text
    assert "Inget registrerades den här veckan" in text
    lines = pdf_lines(target.read_bytes())
    pairs = dict(zip(*[iter(_section(lines, "Nyckeltal", "Mötta ungdomar efter ålder och kön"))] * 2))
    assert pairs["Pass"] == "0" and pairs["Iakttagelser"] == "0"
    for fmt in ("xlsx", "csv", "json"):
        export_week(demo_db, week, "team", fmt, tmp_path / f"tom.{fmt}", created_at=CREATED)
    assert load_workbook(tmp_path / "tom.xlsx")["Pass"].max_row == 1


def test_the_same_data_gives_the_same_pdf_bytes(demo_db, tmp_path, monkeypatch):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    export_week(demo_db, WEEK, "team", "pdf", first, created_at=CREATED)
    export_week(demo_db, WEEK, "team", "pdf", second, created_at=CREATED)
    assert first.read_bytes() == second.read_bytes()
    # SOURCE_DATE_EPOCH fixes the time when no option is given.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(CREATED.timestamp())))
    third = tmp_path / "c.pdf"
    export_week(demo_db, WEEK, "team", "pdf", third)
    assert third.read_bytes() == first.read_bytes()
    # Another creation time: other bytes.
    export_week(demo_db, WEEK, "team", "pdf", second, created_at=CREATED + dt.timedelta(hours=1))
    assert first.read_bytes() != second.read_bytes()


@pytest.fixture
def busy_week(tmp_path):
    """2,000 shifts in one week, inserted through the ORM in bulk."""
    database = open_database(tmp_path / "busy.sqlite")
    device_id = database.device_id()
    rng = random.Random(3)
    with database.session() as session:
        staff = [Staff(id=uuid.uuid4(), device_id=device_id, initials=f"S{i}", name=f"Person {i}",
                       role="faltassistent") for i in range(6)]
        session.add_all(staff)
        areas = session.query(Area).all()
        monday = dt.datetime(2024, 11, 18, 8, 0, tzinfo=STHLM)
        for n in range(2000):
            start = monday + dt.timedelta(minutes=int(n * 7 * 14 * 60 / 2000))
            session.add(Shift(
                id=uuid.uuid4(), device_id=device_id, kind=rng.choice(KINDS), starts_at=start,
                ends_at=start + dt.timedelta(hours=rng.choice((2, 3, 4, 6))),
                summary=f"Pass {n}: lugnt vid centrum." if n % 3 else "", summary_shareable=True,
                private_notes=PRIVATE, youth_counts={"16-17|pojke": rng.randint(0, 9)},
                adults_met=rng.randint(0, 3), staff=rng.sample(staff, 2),
                areas=rng.sample(areas, 2)))
    yield database
    database.close()


def test_a_week_with_2000_shifts_renders_quickly_with_repeated_headers(busy_week, tmp_path):
    target = tmp_path / "busy.pdf"
    started = time.perf_counter()
    export_week(busy_week, WEEK, "team", "pdf", target, created_at=CREATED)
    elapsed = time.perf_counter() - started
    print(f"\n2,000-shift week: PDF in {elapsed:.2f} s, {target.stat().st_size // 1024} KiB")
    assert elapsed < 30
    reader = PdfReader(target)
    assert len(reader.pages) > 40
    lines = pdf_lines(target.read_bytes())
    pairs = dict(zip(*[iter(_section(lines, "Nyckeltal", "Mötta ungdomar efter ålder och kön"))] * 2))
    assert _number(pairs["Pass"]) == 2000
    # Every page of the shift list starts with the table's header row again.
    for page in reader.pages[-5:]:
        page_lines = [x.strip() for x in page.extract_text().splitlines()]
        assert "Tid" in page_lines and "Sammanfattning" in page_lines
    assert f"Sida {len(reader.pages)} av {len(reader.pages)}" in reader.pages[-1].extract_text()


def test_reports_never_import_qt():
    code = ("import sys, fieldapp.cli.report, fieldapp.reports.pdf, fieldapp.reports.xlsx, "
            "fieldapp.reports.csv_json, fieldapp.reports.export\n"
            "print(any(m.split('.')[0] in ('PySide6', 'shiboken6') for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_a_very_long_shareable_summary_still_fits(database):
    now = dt.datetime(2024, 11, 26, 12, tzinfo=UTC)
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: now)
        start = dt.datetime(2024, 11, 20, 18, tzinfo=STHLM)
        services.shifts.create(kind="faltpass", starts_at=start,
                               ends_at=start + dt.timedelta(hours=4),
                               summary="Lugnt vid centrum. " * 500, summary_shareable=True)
    summary = summary_of(database)
    assert len(summary.shifts[0].summary) > 9000  # kept in full for the spreadsheet
    reader = PdfReader(io.BytesIO(render_pdf(summary)))
    assert "[…]" in "\n".join(page.extract_text() for page in reader.pages)


def test_short_cells_are_plain_text_and_long_ones_wrap_inside_their_column():
    register_fonts()
    long_name = "Parkleken Vippan vid Kerstin Hesselgrens park och Fruängsgårdens bollplan"
    table = TableBuilder(_styles()).table(
        ["Plats", "Förändring från förra veckan"],
        [[Wrap("Älvsjö  torg"), Coloured("+3", RED)], [Wrap(long_name), "12"]],
        [40 * mm, 16 * mm], right=[1])
    head, short, long = table._cellvalues
    assert head[0] == "Plats" and isinstance(head[1], Paragraph)  # the title wraps
    assert short == ["Älvsjö torg", "+3"]  # spaces collapsed as a Paragraph would
    assert (table._cellStyles[1][1].color, table._cellStyles[1][1].alignment) == (RED, "RIGHT")
    assert isinstance(long[0], Paragraph) and long[1] == "12"
    column = table._colWidths[0] - 2 * CELL_PAD_X
    _width, height = long[0].wrap(column, 1000)
    assert height >= 2 * 9  # two lines or more, each within the column
    assert all(extra >= -0.01 for extra, _words in long[0].blPara.lines)


def test_a_long_place_name_wraps_inside_its_column_in_the_pdf(database):
    long_name = "Parkleken Vippan vid Kerstin Hesselgrens park och Fruängsgårdens bollplan"
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        area = session.query(Area).first()
        area_name = area.name
        place = services.places.create(name=long_name, area_id=area.id)
        start = dt.datetime(2024, 11, 20, 18, 0, tzinfo=STHLM)
        shift = services.shifts.create(kind="faltpass", starts_at=start,
                                       ends_at=start + dt.timedelta(hours=3))
        for minutes in (5, 6, 7):  # three: the least a rising place has
            services.observations.create(shift_id=shift.id, place_id=place.id,
                                         category_id=services.reference.categories()[0].id,
                                         observed_at=start + dt.timedelta(minutes=minutes))
    reader = PdfReader(io.BytesIO(render_pdf(summary_of(database))))
    checked = 0
    for page in reader.pages:
        runs = []  # (text, x, y, origin of the flowable it belongs to), in page coordinates

        def visit(text, cm, tm, _font, _size):
            if text.strip():
                runs.append((text.strip(), tm[4] + cm[4], tm[5] + cm[5], (cm[4], cm[5])))  # noqa: B023 - called in this iteration

        page.extract_text(visitor_text=visit)
        names = defaultdict(list)  # each table cell's Paragraph: its lines
        for text, x, y, origin in runs:
            if text in long_name:
                names[origin].append((text, x, y))
        # In the places and the rising places tables: the name on two lines or more, each
        # ending before the next column (the area's name on the same row) begins.
        for lines in names.values():
            assert len(lines) >= 2 and " ".join(text for text, _x, _y in lines) == long_name
            top = max(y for _t, _x, y in lines)
            area_x = min(x for text, x, y, _o in runs if text == area_name and abs(y - top) < 1)
            for text, x, _y in lines:
                right = x + stringWidth(text, REGULAR, 7.5)
                assert MARGIN_X < x and right <= area_x - 2 * CELL_PAD_X + 0.5, text
            checked += 1
    assert checked == 2
