"""The redacted weekly log for partners: places, times and categories only (no counts about
young people, no free text), from the command line and the Rapporter view, and each export
logged as a disclosure with its recipient."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.reports.export import export_week
from fieldapp.reports.fonts import REGULAR
from fieldapp.reports.pdf_layout import CELL_FONT_SIZE, CELL_PAD_X, MARGIN_X
from fieldapp.reports.redacted import (
    build_redacted_week,
    render_redacted_csv,
    render_redacted_pdf,
)
from fieldapp.store.database import open_database
from fieldapp.store.models import Partner
from fieldapp.store.services import Services
from fieldapp.store.services.audit import AuditService

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
WEEK = IsoWeek(2024, 47)
CREATED = "2024-11-25T08:00+01:00"
STHLM = ZoneInfo("Europe/Stockholm")
LONG_PLACE = "Parkleken Vippan vid Kerstin Hesselgrens park och Fruängsgårdens bollplan"
LONG_PARTNER = "Lokalpolisområde Skärholmen med ordningsvakter och kommunens trygghetsvärdar"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("redacted") / "demo.sqlite"
    database = open_database(path)
    generate_demo(database, seed=3, weeks=2, now=NOW)
    database.close()
    return path


def free_texts(path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        rows = []
        for sql in ("SELECT summary FROM shift", "SELECT private_notes FROM shift",
                    "SELECT weather FROM shift", "SELECT details FROM observation",
                    "SELECT situation FROM meeting", "SELECT title FROM meeting",
                    "SELECT reason FROM meeting_flag", "SELECT note FROM action"):
            rows += [r[0] for r in con.execute(sql) if r[0] and len(r[0].strip()) >= 6]
        return rows
    finally:
        con.close()


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def audit(path) -> list:
    database = open_database(path)
    try:
        with database.session() as session:
            return AuditService(session).list()
    finally:
        database.close()


def test_redacted_pdf_has_places_times_categories_and_no_counts_or_text(demo_path, tmp_path,
                                                                       capsys):
    texts = free_texts(demo_path)
    assert texts, "the demo data should have free text to leave out"
    full = tmp_path / "full.pdf"
    database = open_database(demo_path)
    try:
        summary = export_week(database, WEEK, "team", "pdf", full)
    finally:
        database.close()
    assert summary.key.youths_met > 0 and summary.key.observations > 0

    out = tmp_path / "polisen.pdf"
    code = main(["--db", str(demo_path), "report", "--week", "2024-W47", "--redacted",
                 "--recipient", "LPO Skärholmen", "-o", str(out), "--created", CREATED])
    assert code == 0, capsys.readouterr().err
    assert "LPO Skärholmen" in capsys.readouterr().out
    text = pdf_text(out)
    flat = " ".join(text.split())
    assert "LPO Skärholmen" in flat and "utdrag" in flat
    # Places, times and categories are there.
    assert summary.places[0].name in flat
    assert summary.categories[0].name in flat
    assert "19:" in flat or "20:" in flat or "21:" in flat or "22:" in flat
    # No figures about young people or anyone else.
    for heading in (_("Young people met, by age and gender"), _("young people met"),
                    _("People seen"), _("Referrals"), _("Adults"), _("Key figures"),
                    _("Young people"), _("Summary"), _("Details"), _("Note")):
        assert heading not in flat, heading
    # No free text from the records.
    for free in texts:
        snippet = " ".join(free.split())[:24]
        assert snippet not in flat, snippet
    # Logged as a disclosure with its recipient.
    entries = [e for e in audit(demo_path) if e.kind == "disclosure"]
    assert entries and entries[0].details["recipient"] == "LPO Skärholmen"
    assert entries[0].details["week"] == "2024-W47" and entries[0].details["format"] == "pdf"
    assert entries[0].details["file"] == str(out.resolve())


def test_redacted_csv_too(demo_path, tmp_path):
    out = tmp_path / "utdrag.csv"
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "--redacted",
                 "--recipient", "Ordningsvakter Älvsjö", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert "Ordningsvakter Älvsjö" in text
    for free in free_texts(demo_path):
        assert " ".join(free.split())[:24] not in " ".join(text.split())


@pytest.mark.parametrize("args, message", [
    (["--redacted"], "mottagaren"),
    (["--redacted", "--recipient", "  "], "mottagaren"),
    (["--redacted", "--recipient", "LPO", "--format", "xlsx"], "PDF eller CSV"),
    (["--recipient", "LPO"], "--redacted"),
])
def test_redacted_needs_a_recipient_and_a_pdf_or_csv(demo_path, tmp_path, capsys, args, message):
    code = main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o",
                 str(tmp_path / "x.pdf"), *args])
    assert code == 2
    assert message in capsys.readouterr().err.replace("Mottagaren", "mottagaren")
    assert not (tmp_path / "x.pdf").exists()


def test_reports_view_asks_for_the_recipient(qtbot, demo_path, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from fieldapp.ui.context import AppContext
    from fieldapp.ui.reports_view import ReportsView

    database = open_database(demo_path)
    try:
        ctx = AppContext.open(database, synchronous=True, clock=lambda: NOW)
        view = ReportsView(ctx)
        qtbot.addWidget(view)
        view.open_after.setChecked(False)
        view.set_week(WEEK)
        monkeypatch.setattr(QInputDialog, "getText",
                            staticmethod(lambda *a, **k: ("LPO Globen", True)))
        target = tmp_path / "globen.pdf"
        view.export_redacted(path=target)
        assert view.last_export == target and target.exists()
        assert "LPO Globen" in " ".join(pdf_text(target).split())
        with database.session() as session:
            entry = AuditService(session).list(kinds=["disclosure"])[0]
        assert entry.details["recipient"] == "LPO Globen"
        # Cancelled: nothing written, nothing logged.
        monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))
        view.export_redacted(path=tmp_path / "inget.pdf")
        assert not (tmp_path / "inget.pdf").exists()
    finally:
        database.close()


def _log_a_night_walk(database, place_name: str, partner_name: str | None = None) -> None:
    """A night walk on Wednesday 20 November with one observation at ``place_name`` (in the
    first area), and a meeting on Tuesday that flags the place and agrees an action there
    with the first partner (renamed ``partner_name``)."""
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: NOW)
        area = services.reference.areas()[0]
        place = services.places.create(name=place_name, area_id=area.id)
        start = dt.datetime(2024, 11, 20, 19, 0, tzinfo=STHLM)
        shift = services.shifts.create(
            kind="nattvandring", starts_at=start, ends_at=start + dt.timedelta(hours=4),
            summary="Lugnt i kväll", summary_shareable=True, youth_counts={"13-15|flicka": 3},
            adults_met=2, area_ids=[area.id])
        services.observations.create(
            shift_id=shift.id, place_id=place.id, severity="medium", people_count=5,
            youths_present=4, category_id=services.reference.categories()[0].id,
            observed_at=start + dt.timedelta(minutes=35), details="Delad detalj",
            details_shareable=True)
        partner = services.reference.partners()[0]
        if partner_name is not None:
            session.get(Partner, partner.id).name = partner_name
        meeting = services.meetings.create(
            kind="platssamverkan", held_at=dt.datetime(2024, 11, 19, 10, 0, tzinfo=STHLM),
            title="Samverkan", flags=[FlaggedPlace(place.id, "Mörkt")])
        services.actions.create(
            meeting_id=meeting.id, place_id=place.id, responsible_partner_id=partner.id,
            starts_at=dt.datetime(2024, 11, 22, 20, 0, tzinfo=STHLM),
            ends_at=dt.datetime(2024, 11, 22, 23, 0, tzinfo=STHLM), note="Anteckning")


def _redacted(database, fmt: str) -> bytes:
    with database.session() as session:
        report = build_redacted_week(session, WEEK, "team", database.device_id(),
                                     "LPO Skärholmen", generated_at=NOW)
    return render_redacted_pdf(report) if fmt == "pdf" else render_redacted_csv(report)


def test_the_csv_lists_the_shift_the_observation_the_flag_and_the_action_and_nothing_else(
        database):
    _log_a_night_walk(database, "Älvsjö torg")
    with database.session() as session:
        reference = Services(session, database.device_id()).reference
        area, partner = reference.areas()[0].name, reference.partners()[0].name
        category = reference.categories()[0].name_sv
    data = _redacted(database, "csv")
    assert data.startswith("\ufeff".encode("utf-8"))
    assert data.decode("utf-8-sig").split("\r\n") == [
        "Veckologg v. 47 2024: utdrag för LPO Skärholmen",
        '"Bara platser, tider och kategorier: inga antal unga eller andra personer och ingen '
        "fritext. Utlämnat av Fältassistenterna till LPO Skärholmen; utlämnandet är antecknat "
        'i Fältloggs logg."',
        "",
        "Del;När;Plats eller stadsdel;Kategori eller typ;Allvarlighet, ansvarig eller status",
        f"Pass;ons 20 nov. 19:00–23:00;{area};Nattvandring;",
        f"Iakttagelse;ons 20 nov. 19:35;Älvsjö torg ({area});{category};Medel",
        "Flaggad plats;;Älvsjö torg;;",
        f"Överenskommen insats;fre 22 nov. 20:00–23:00;Älvsjö torg;;{partner} · Planerad",
        "",
    ]


def _text_runs(pdf: bytes) -> list[tuple[str, float, float, tuple[float, float]]]:
    """Every piece of text on the first page: (text, x, y, origin of the flowable it belongs
    to), in page coordinates."""
    runs = []

    def visit(text, cm, tm, _font, _size):
        if text.strip():
            runs.append((text.strip(), tm[4] + cm[4], tm[5] + cm[5], (cm[4], cm[5])))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def _part_of(text: str, long_text: str) -> bool:
    """Whether ``text`` is whole words of ``long_text`` (a line of it when it wraps)."""
    return f" {text} " in f" {long_text} "


def _assert_wraps_before(lines, long_text: str, runs, next_cell: str) -> None:
    """``lines`` (runs of one Paragraph) are ``long_text`` on two lines or more, each ending
    before the column of ``next_cell`` (the next cell on the row, one of ``runs``) begins."""
    assert len(lines) >= 2 and " ".join(text for text, *_rest in lines) == long_text
    top = max(y for _text, _x, y, _origin in lines)
    next_x = min(x for text, x, y, _origin in runs if text == next_cell and abs(y - top) < 1)
    for text, x, _y, _origin in lines:
        right = x + stringWidth(text, REGULAR, CELL_FONT_SIZE)
        assert MARGIN_X < x and right <= next_x - 2 * CELL_PAD_X + 0.5, text


def test_long_place_and_partner_names_wrap_inside_their_columns_in_the_pdf(database):
    _log_a_night_walk(database, LONG_PLACE, LONG_PARTNER)
    with database.session() as session:
        area = Services(session, database.device_id()).reference.areas()[0].name
    runs = _text_runs(_redacted(database, "pdf"))
    places = defaultdict(list)  # the long place name's lines, by the Paragraph they are in
    for run in runs:
        if _part_of(run[0], LONG_PLACE) and run[0] != LONG_PLACE:  # not the flagged places
            places[run[3]].append(run)
    # In "what was seen" (followed by the area) and in "agreed actions" (followed by when).
    assert len(places) == 2
    observation, action = sorted(places.values(), key=lambda lines: -lines[0][2])
    _assert_wraps_before(observation, LONG_PLACE, runs, area)
    _assert_wraps_before(action, LONG_PLACE, runs, "fre 22 nov. 20:00–23:00")
    partner = [run for run in runs if _part_of(run[0], LONG_PARTNER)]
    _assert_wraps_before(partner, LONG_PARTNER, runs, _("Planned"))
    # Short cells stay on one line, and no heading is broken inside a word.
    for text in (area, _("Severity"), _("Place or area"), _("Responsible"), "ons 20 nov. 19:35"):
        assert text in [run[0] for run in runs], text


def test_a_long_week_starts_its_first_table_on_the_first_page(database):
    """A table longer than a page flows on from under its heading: the title page is not
    left with the title alone (a heading kept with its whole table moved both on)."""
    with database.session() as session:
        services = Services(session, database.device_id())
        area = services.reference.areas()[0].id
        for n in range(120):
            start = dt.datetime(2024, 11, 18, 14, 0, tzinfo=STHLM) + dt.timedelta(minutes=n)
            services.shifts.create(kind="faltpass", starts_at=start,
                                   ends_at=start + dt.timedelta(hours=4), area_ids=[area])
    pages = PdfReader(io.BytesIO(_redacted(database, "pdf"))).pages
    assert len(pages) >= 3
    first = pages[0].extract_text()
    assert _("When the field workers were out") in first
    assert first.count("mån 18 nov.") >= 20  # rows of the table, not only its heading
