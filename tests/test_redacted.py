"""The redacted weekly log for partners: places, times and categories only (no counts about
young people, no free text), from the command line and the Rapporter view, and each export
logged as a disclosure with its recipient."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from pypdf import PdfReader

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.reports.export import export_week
from fieldapp.store.database import open_database
from fieldapp.store.services.audit import AuditService

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
WEEK = IsoWeek(2024, 47)
CREATED = "2024-11-25T08:00+01:00"


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
