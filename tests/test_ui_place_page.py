"""A place's own page: Liljeholmstorget has had a quiet autumn and two busy weeks; the
utsättningsmöte on Thursday 14 November flagged it and agreed a Friday evening there, which
that Friday's nattvandring carried out; its status went from active to under watch.

The page shows its weeks by category equal to a plain SQL count, says it is rising with the
rule's figures, lists its observations (Enter opens one), the meeting and why, the action
carried out by that shift, and the status change. It is reached from the places list, the
weekly view and Ctrl+F; the Möten page writes the lägesbild PDF and logs the disclosure."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from sqlalchemy import event

from fieldapp.domain.ids import reference_id
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.weeks import STOCKHOLM, IsoWeek
from fieldapp.i18n import _
from fieldapp.store.lists import OBSERVATIONS
from fieldapp.store.place_detail import place_detail
from fieldapp.store.queries import ListFilter
from fieldapp.ui.dialogs.edit_observation import EditObservationDialog
from fieldapp.ui.views.meetings import MeetingsView
from fieldapp.ui.views.place_page import PlacePage
from fieldapp.ui.views.places import PlacesView
from ui_helpers import *  # noqa: F403 - the fixtures
from ui_helpers import activate, type_text

LILJEHOLMSTORGET = reference_id("place", "liljeholmstorget")
LPO = reference_id("partner", "lpo-skarholmen")
CATEGORIES = [reference_id("category", key)
              for key in ("ungdomssamling", "narkotikaforsaljning", "nedskrapning")]
OTHER_PLACE = reference_id("place", "alvsjo-centrum")
# observations per week at Liljeholmstorget, weeks 33 to 47 of 2024 (47 is in progress)
WEEKLY = {33: 2, 35: 1, 37: 1, 40: 1, 43: 1, 45: 3, 46: 5, 47: 2}


def stockholm(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=STOCKHOLM)


@pytest.fixture
def loop(ctx):
    """The autumn at Liljeholmstorget, the meeting, the action and the shift."""
    ids = {}
    with ctx.services() as services:
        for week, count in WEEKLY.items():
            monday = IsoWeek(2024, week).monday()
            for n in range(count):
                day = monday + dt.timedelta(days=n % 7)  # Monday, Tuesday …
                services.observations.create(
                    place_id=LILJEHOLMSTORGET, category_id=CATEGORIES[n % 3],
                    observed_at=stockholm(day, 23 if n == 2 else 21, 30))
        gone = services.observations.create(place_id=LILJEHOLMSTORGET, category_id=CATEGORIES[0],
                                            observed_at=stockholm(IsoWeek(2024, 46).monday(), 20))
        services.observations.delete(gone.id)
        services.observations.create(place_id=OTHER_PLACE, category_id=CATEGORIES[0],
                                     observed_at=stockholm(IsoWeek(2024, 46).monday(), 20))
        meeting = services.meetings.create(
            kind="utsattningsmote", held_at=stockholm(dt.date(2024, 11, 14), 14),
            title="Utsättningsmöte v. 46", partner_ids=[LPO],
            flags=(FlaggedPlace(LILJEHOLMSTORGET, "Ungdomssamlingar kvällstid"),))
        done = services.actions.create(
            meeting_id=meeting.id, place_id=LILJEHOLMSTORGET, responsible_partner_id=LPO,
            starts_at=stockholm(dt.date(2024, 11, 15), 20),
            ends_at=stockholm(dt.date(2024, 11, 16), 0))
        planned = services.actions.create(
            meeting_id=meeting.id, place_id=LILJEHOLMSTORGET,
            starts_at=stockholm(dt.date(2024, 11, 22), 20),
            ends_at=stockholm(dt.date(2024, 11, 23), 0))
        shift = services.shifts.create(kind="nattvandring",
                                       starts_at=stockholm(dt.date(2024, 11, 15), 19),
                                       ends_at=stockholm(dt.date(2024, 11, 16), 1))
        services.carried.carry_out(done.id, shift.id)
        services.places.update(LILJEHOLMSTORGET, hotspot_status="watched")
        ids.update(meeting=meeting.id, done=done.id, planned=planned.id, shift=shift.id)
    return ids


def sql_count(db_path, category_id, week: IsoWeek) -> int:
    con = sqlite3.connect(db_path)
    try:
        return con.execute(
            "SELECT count(*) FROM observation WHERE place_id = ? AND category_id = ? "
            "AND observed_at >= ? AND observed_at < ? AND deleted_at IS NULL",
            (LILJEHOLMSTORGET.hex, category_id.hex,
             week.start_utc().strftime("%Y-%m-%d %H:%M:%S"),
             week.end_utc().strftime("%Y-%m-%d %H:%M:%S"))).fetchone()[0]
    finally:
        con.close()


@pytest.fixture
def places(qtbot, ctx, loop):
    view = PlacesView(ctx)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    view.filter_bar.set_filter(ListFilter(text="Liljeholmstorget"))
    view.table.setFocus()
    view.select_row(0)
    return view


def open_from_list(qtbot, places) -> PlacePage:
    qtbot.keyClick(places.table, Qt.Key.Key_Return)
    pages = places.findChildren(PlacePage)
    assert len(pages) == 1
    page = pages[0]
    qtbot.waitExposed(page)
    return page


def test_the_page_counts_equal_sql_per_week_and_category(qtbot, db_path, places):
    page = open_from_list(qtbot, places)
    assert page.place_id == LILJEHOLMSTORGET
    page.weeks.setValue(16)  # any number of weeks: from week 32
    history = page.detail.history
    assert [w.week for w in history.weeks] == list(range(32, 48))
    model = page.trend_model
    assert model.columnCount() == 16 and model.rowCount() == len(history.rows) + 1
    assert {row.category_id for row in history.rows} == set(CATEGORIES)
    for row_number, row in enumerate(history.rows):
        for column, week in enumerate(history.weeks):
            expected = sql_count(db_path, row.category_id, week)
            assert model.count(row_number, column) == expected
            assert model.index(row_number, column).data() == (str(expected) if expected
                                                              else "\u2013")
    totals = [model.count(len(history.rows), c) for c in range(16)]
    assert totals == [WEEKLY.get(w, 0) for w in range(32, 48)]
    assert page.chart.totals() == tuple(totals)  # the chart draws the same counts
    assert page.chart.width() >= 16 * page.chart.BAR
    # The rule's verdict as of the last complete week (46), with its figures.
    verdict = page.detail.rising.verdict
    assert (verdict.recent, verdict.baseline, verdict.rising) == (8, 3, True)
    assert page.rising_label.text().startswith(_("Rising"))
    assert "8" in page.rising_label.text() and IsoWeek(2024, 46).label() in page.rising_label.text()


def test_the_page_reads_a_constant_number_of_statements(ctx, loop):
    def statements(weeks: int) -> int:
        seen = []
        engine = ctx.database.engine
        listener = lambda *_args: seen.append(1)  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            with ctx.database.session() as session:
                place_detail(session, LILJEHOLMSTORGET, ctx.clock(), weeks)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(4) == statements(52) == statements(200)


def test_enter_on_an_observation_opens_it(qtbot, places):
    page = open_from_list(qtbot, places)
    page.tabs.setCurrentIndex(1)
    table = page.observations_table
    assert page.observations_model.total == sum(WEEKLY.values())
    assert page.tabs.tabText(1) == _("Observations ({count})").format(count=sum(WEEKLY.values()))
    place_column = [c.key for c in OBSERVATIONS.columns].index("place")
    assert table.isColumnHidden(place_column)
    table.setFocus()
    table.setCurrentIndex(page.observations_model.index(0, 0))
    newest = page.observations_model.row_at(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    dialog = page.editor
    assert isinstance(dialog, EditObservationDialog)
    assert dialog.observation_id == newest.id
    assert newest.observed_at.astimezone(STOCKHOLM).date() >= dt.date(2024, 11, 18)
    dialog.reject()


def test_meetings_actions_and_status_history_show(qtbot, places, loop):
    page = open_from_list(qtbot, places)
    flagged = page.flagged_model.rows()
    assert [(f.meeting_id, f.reason) for f in flagged] == [
        (loop["meeting"], "Ungdomssamlingar kvällstid")]
    assert page.flagged_model.index(0, 2).data() == "Ungdomssamlingar kvällstid"
    actions = {a.id: a for a in page.actions_model.rows()}
    assert set(actions) == {loop["done"], loop["planned"]}
    assert actions[loop["done"]].carried_out_shift_id == loop["shift"]
    rows = {page.actions_model.row_at(n).id: n for n in range(page.actions_model.rowCount())}
    done_row, planned_row = rows[loop["done"]], rows[loop["planned"]]
    assert page.actions_model.index(done_row, 3).data() == _("Carried out")
    assert _("Nattvandring") in page.actions_model.index(done_row, 4).data()
    assert page.actions_model.index(planned_row, 3).data() == _("Planned")
    assert page.actions_model.index(planned_row, 4).data() == ""
    assert page.tabs.tabText(2) == _("Meetings and actions ({flagged} / {actions})").format(
        flagged=1, actions=2)
    changes = page.status_model.rows()
    assert [(c.old, c.new) for c in changes] == [("active", "watched")]
    assert page.status_model.index(0, 2).data() == _("Under watch")
    assert _("Under watch") in page.facts.text()


def test_ctrl_f_finds_and_opens_a_place(qtbot, window, loop):
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    chooser = window.last_dialog
    assert chooser.objectName() == "placeChooser" and chooser.isVisible()
    chooser.combo.setFocus()
    type_text(chooser.combo.lineEdit(), "liljeholmsto")
    qtbot.keyClick(chooser.buttons, Qt.Key.Key_Return)  # the Open button is the default
    page = window.last_dialog
    assert isinstance(page, PlacePage) and page.place_id == LILJEHOLMSTORGET
    qtbot.waitExposed(page)
    assert page.title.text() == "Liljeholmstorget"
    # Opening it again brings the same page to the front.
    from fieldapp.ui.views.place_navigation import open_place

    assert open_place(window, LILJEHOLMSTORGET) is page


def test_the_chooser_explains_a_name_that_matches_no_place(qtbot, window, loop):
    from fieldapp.ui.views.place_navigation import find_place

    chooser = find_place(window)
    chooser.combo.setEditText("Ingenstans")
    chooser.accept()
    assert chooser.isVisible()
    assert "Ingenstans" in chooser.label.text()
    chooser.reject()


def test_a_rising_place_on_rapporter_opens_its_page(qtbot, ctx, loop, qsettings):
    from fieldapp.ui.reports_view import ReportsView

    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.show()
    assert 'href="%s"' % LILJEHOLMSTORGET in view.rising_label.text()
    page = view.open_place(str(LILJEHOLMSTORGET))
    assert isinstance(page, PlacePage) and page.place_id == LILJEHOLMSTORGET


def test_the_meetings_button_writes_the_lagesbild_and_logs_the_disclosure(
        qtbot, window, db_path, loop, qsettings, tmp_path):
    view = window.show_page("meetings")
    assert isinstance(view, MeetingsView)
    view.lagesbild_button.click()
    dialog = view.lagesbild_dialog
    assert dialog.selected_week() == IsoWeek(2024, 46)  # the command line's default
    assert dialog.weeks.value() == 2
    assert dialog.path.text().endswith("lagesbild-2024-W46.pdf")
    target = tmp_path / "ut" / "lagesbild.pdf"
    dialog.path.setText(str(target))
    dialog.open_after.setChecked(False)
    dialog.save_button.click()
    assert dialog.isVisible() and str(target.parent) in dialog.error.text()  # no such folder
    target.parent.mkdir()
    dialog.recipient.setText("LPO Skärholmen")
    dialog.save_button.click()
    assert not dialog.isVisible(), dialog.error.text()
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Liljeholmstorget" in text and "LPO Skärholmen" in text
    assert str(target) in view.message_label.text()
    con = sqlite3.connect(db_path)
    kind, details = con.execute("SELECT kind, details FROM audit_log WHERE kind IN "
                                "('export', 'disclosure') ORDER BY id DESC").fetchone()
    con.close()
    details = json.loads(details)
    assert (kind, details["recipient"], details["report"]) == ("disclosure", "LPO Skärholmen",
                                                               "lagesbild")
    # The folder is remembered for the next time.
    assert qsettings.value("folders/lagesbild") == str(target.parent)
    view.lagesbild_button.click()
    assert view.lagesbild_dialog.path.text() == str(target.parent / "lagesbild-2024-W46.pdf")
