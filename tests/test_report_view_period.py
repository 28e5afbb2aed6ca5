"""The Rapporter page's period chooser: a user picks tertial 1 2025 on a real data file,
sees its figures, exports it as PDF and XLSX through the command line's export (on the IO
lane, with progress), and the files parsed back say what a straightforward SQL count says;
the save folder is remembered for the next time the page opens."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

pytest.importorskip("PySide6")

from openpyxl import load_workbook
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QFileDialog
from pypdf import PdfReader

from fieldapp.demo import generate_demo
from fieldapp.domain.periods import Period, PeriodKind
from fieldapp.ui.context import AppContext
from fieldapp.ui.reports_view import ReportsView

NOW = dt.datetime(2025, 5, 6, 12, 0, tzinfo=dt.timezone.utc)
# Tertial 1 2025 in UTC: 1 January 00:00 CET to 1 May 00:00 CEST.
T1 = ("2024-12-31 23:00:00", "2025-04-30 22:00:00")


@pytest.fixture
def ctx(database):
    generate_demo(database, seed=7, weeks=20, now=NOW)
    return AppContext.open(database, synchronous=True, clock=lambda: NOW)


def new_view(qtbot, ctx) -> ReportsView:
    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.open_after.setChecked(False)
    return view


def sql_counts(path) -> dict[str, int]:
    """Shifts and meetings started in T1; observations during those shifts or, without a
    shift, observed in T1 (the period report's rule)."""
    con = sqlite3.connect(path)
    try:
        one = lambda sql: con.execute(sql, T1).fetchone()[0]  # noqa: E731
        return {
            "shifts": one("SELECT count(*) FROM shift WHERE deleted_at IS NULL AND "
                          "starts_at >= ? AND starts_at < ?"),
            "meetings": one("SELECT count(*) FROM meeting WHERE deleted_at IS NULL AND "
                            "held_at >= ? AND held_at < ?"),
            "observations": one(
                "SELECT count(*) FROM observation o LEFT JOIN shift s ON s.id = o.shift_id "
                "WHERE o.deleted_at IS NULL AND CASE WHEN o.shift_id IS NULL "
                "THEN o.observed_at >= ?1 AND o.observed_at < ?2 "
                "ELSE s.deleted_at IS NULL AND s.starts_at >= ?1 AND s.starts_at < ?2 END"),
        }
    finally:
        con.close()


def choose_tertial_1_2025(qtbot, view: ReportsView) -> None:
    chooser = view.chooser
    chooser.kind_combo.setCurrentIndex(chooser.kind_combo.findData(PeriodKind.TERTIAL.value))
    chooser.year_spin.clear()
    qtbot.keyClicks(chooser.year_spin, "2025")
    qtbot.keyClick(chooser.year_spin, Qt.Key_Return)
    chooser.tertial_combo.setCurrentIndex(0)


def test_a_tertial_chosen_exported_and_read_back(qtbot, ctx, database, tmp_path, monkeypatch):
    view = new_view(qtbot, ctx)
    assert view.chooser.kind() is PeriodKind.WEEK and view.chooser.week_combo.isVisibleTo(view)
    choose_tertial_1_2025(qtbot, view)
    assert view.selected_period() == Period.tertial(2025, 1)
    assert not view.chooser.week_combo.isVisibleTo(view)
    assert view.chooser.tertial_combo.isVisibleTo(view)
    assert view.title.text() == "Verksamhetsrapport" and not view.redacted_button.isEnabled()
    expected = sql_counts(database.path)
    assert expected["shifts"] > 20 and expected["observations"] > 40  # a real tertial
    for key, count in expected.items():
        assert view.figure_labels[key].text() == str(count), key

    folder = tmp_path / "nämnd"
    folder.mkdir()
    asked = []

    def save_as(_parent, _title, suggestion, _filter):
        asked.append(suggestion)
        return str(folder / f"t1.{suggestion.rsplit('.', 1)[1]}"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    progress = []
    view.progress.valueChanged.connect(progress.append)
    view.export_buttons["pdf"].click()
    assert asked[0].endswith("verksamhetsrapport-2025-T1.pdf")
    assert view.last_export == folder / "t1.pdf" and "Sparad" in view.status.text()
    assert progress and max(progress) == 100
    assert all(b.isEnabled() for b in view.export_buttons.values())

    lines = [line.strip() for page in PdfReader(folder / "t1.pdf").pages
             for line in page.extract_text().splitlines()]
    assert "Verksamhetsrapport tertial 1 2025 (1 januari–30 april 2025)" in " ".join(lines[:3])
    for label, key in (("Pass", "shifts"), ("Iakttagelser", "observations"),
                       ("Möten", "meetings")):
        assert lines[lines.index(label) + 1] == str(expected[key]), label

    view.export_buttons["xlsx"].click()
    assert asked[1] == str(folder / "verksamhetsrapport-2025-T1.xlsx")  # the folder remembered
    book = load_workbook(folder / "t1.xlsx")
    assert book["Översikt"]["A1"].value.startswith("Verksamhetsrapport tertial 1 2025")
    figures = {row[0]: row[1] for row in book["Nyckeltal"].iter_rows(min_row=2, values_only=True)}
    assert figures["Pass"] == expected["shifts"]
    assert figures["Iakttagelser"] == expected["observations"]
    assert figures["Möten"] == expected["meetings"]
    months = [row for row in book["Månad för månad"].iter_rows(min_row=2, values_only=True)]
    assert [m[0] for m in months[:4]] == ["januari 2025", "februari 2025", "mars 2025",
                                          "april 2025"]
    assert sum(m[1] for m in months[:4]) == expected["shifts"]

    # The next start offers the same folder (the window's settings remember it).
    from fieldapp.ui.widgets.file_dialogs import start_folder

    assert start_folder("report") == folder


def test_every_kind_of_period_and_a_range_that_cannot_be_one(qtbot, ctx, tmp_path):
    view = new_view(qtbot, ctx)
    for text in ("2025-03", "2024", "2025-W10", "2024-12-20..2025-01-10"):
        view.set_period(text)
        assert view.selected_period() == Period.parse(text)
        assert view.summary is not None and "shifts" in view.figure_labels
    assert view.chooser.first_edit.isVisibleTo(view)
    view.chooser.first_edit.setDate(QDate(2025, 2, 1))
    view.chooser.last_edit.setDate(QDate(2025, 1, 1))
    assert "innan den börjar" in view.status.text()
    assert view.summary is None and not view.figure_labels
    view.export("csv", tmp_path / "fel.csv")
    assert not (tmp_path / "fel.csv").exists() and "innan den börjar" in view.status.text()
    view.chooser.last_edit.setDate(QDate(2025, 2, 28))
    view.export("csv", tmp_path / "feb.csv")
    text = (tmp_path / "feb.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("Verksamhetsrapport 1 februari–28 februari 2025")
