"""The Rapporter view: the last complete week by default, the key figures on screen, and an
export that writes the file through the task runner (synchronous in tests)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QFileDialog
from pypdf import PdfReader

from fieldapp.demo import generate_demo
from fieldapp.domain.weeks import IsoWeek
from fieldapp.ui.context import AppContext
from fieldapp.ui.reports_view import ReportsView

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def view(qtbot, database):
    generate_demo(database, seed=4, weeks=2, now=NOW)
    ctx = AppContext.open(database, synchronous=True, clock=lambda: NOW)
    widget = ReportsView(ctx)
    qtbot.addWidget(widget)
    widget.open_after.setChecked(False)
    return widget


def sql_shifts(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM shift WHERE deleted_at IS NULL AND "
                           "starts_at >= '2024-11-17 23:00:00' AND starts_at < '2024-11-24 23:00:00'"
                           ).fetchone()[0]
    finally:
        con.close()


def test_shows_the_last_complete_week_and_its_figures(view, database):
    assert view.selected_week() == IsoWeek(2024, 47)
    assert view.week_combo.currentText().startswith("v. 47 2024 (18–24 november)")
    assert view.summary is not None and view.summary.week == IsoWeek(2024, 47)
    assert view.figure_labels["shifts"].text() == str(sql_shifts(database.path))
    view.set_week(IsoWeek(2024, 10))
    assert view.figure_labels["shifts"].text() == "0"
    assert "Inget registrerades" in view.empty_label.text()


def test_exports_a_pdf_in_the_background(view, database, tmp_path):
    target = tmp_path / "veckologg.pdf"
    progress = []
    view.progress.valueChanged.connect(progress.append)
    view.export("pdf", target)
    assert target.exists() and view.last_export == target
    assert "Sparad" in view.status.text()
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Veckologg v. 47 2024" in text
    assert progress and max(progress) == 100
    assert not view.progress.isVisible() and all(b.isEnabled() for b in view.export_buttons.values())


def test_the_buttons_ask_for_a_file_and_open_it(view, tmp_path, monkeypatch, qtbot):
    target = tmp_path / "vald"
    opened = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    monkeypatch.setattr("fieldapp.ui.widgets.file_dialogs.QDesktopServices.openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    view.open_after.setChecked(True)
    view.set_scope("device")
    view.export_buttons["xlsx"].click()
    assert (tmp_path / "vald.xlsx").exists()
    assert opened == [str(tmp_path / "vald.xlsx")]


def test_a_failed_export_says_why_and_leaves_nothing(view, tmp_path):
    target = tmp_path / "saknas" / "x.csv"
    view.export("csv", target)
    assert "Exporten misslyckades" in view.status.text()
    assert not target.parent.exists()
    assert all(b.isEnabled() for b in view.export_buttons.values())


def csv_figure(path, code: str) -> str:
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.split(";")
        if len(parts) == 3 and parts[2] == code:
            return parts[1]
    raise AssertionError(f"{code} not in {path}")


def test_the_export_writes_the_figures_on_screen_and_reads_again_after_a_change(
        view, database, tmp_path):
    shown = view.figure_labels["observations"].text()
    # A record removed behind the page's back (no change event): the file still says what
    # the screen says, since the export writes the summary the page holds.
    con = sqlite3.connect(database.path)
    with con:
        con.execute("UPDATE observation SET deleted_at = '2024-11-26 12:00:00.000000' WHERE id = "
                    "(SELECT id FROM observation WHERE deleted_at IS NULL AND observed_at >= "
                    "'2024-11-17 23:00:00' AND observed_at < '2024-11-24 23:00:00' LIMIT 1)")
    con.close()
    view.export("csv", tmp_path / "skarm.csv")
    assert csv_figure(tmp_path / "skarm.csv", "observations") == shown
    # Told of the change, the page reads the week again, and so does the next file.
    view.ctx.events.changed.emit("observation")
    assert view.figure_labels["observations"].text() == str(int(shown) - 1)
    view.export("csv", tmp_path / "ny.csv")
    assert csv_figure(tmp_path / "ny.csv", "observations") == str(int(shown) - 1)
    # Without a summary for the chosen week (none yet, or another week) it reads the week.
    view.summary = None
    view.export("csv", tmp_path / "utan.csv")
    assert csv_figure(tmp_path / "utan.csv", "observations") == str(int(shown) - 1)
