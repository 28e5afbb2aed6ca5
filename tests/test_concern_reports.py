"""Reports of concern (orosanmälningar) and referrals (hänvisningar) are two counts of a shift
(issue 16, item 2): entered apart in the end-shift and edit dialogs, shown apart in the PDF and
the XLSX; migration 0006 keeps today's one value as reports of concern, where the end-shift
dialog entered it; an older version's envelope with ``referrals_made`` still applies."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import uuid

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from pypdf import PdfReader

from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.pdf import render_pdf
from fieldapp.reports.summary import build_week_summary
from fieldapp.reports.xlsx import render_xlsx
from fieldapp.store import migrate
from fieldapp.store.database import make_engine, open_database
from fieldapp.store.models import Shift
from fieldapp.store.services import Services
from fieldapp.sync.apply import Outcome, apply_envelope
from fieldapp.sync.envelope import to_envelope
from fieldapp.sync.validate import validate_envelope
from fieldapp.ui.dialogs.edit_shift import EditShiftDialog
from fieldapp.ui.dialogs.end_shift import EndShiftDialog
from ui_helpers import *  # noqa: F403 - the ctx, clock and database fixtures
from ui_helpers import save_dialog


def test_0006_keeps_the_one_count_as_reports_of_concern(tmp_path):
    path = tmp_path / "at_0005.sqlite"
    migrate.upgrade(make_engine(path), "0005")
    con = sqlite3.connect(path)
    shift_id, dev = uuid.uuid4().hex, uuid.uuid4().hex
    con.execute("INSERT INTO shift (id, device_id, revision, created_at, updated_at, kind, starts_at, "
                "ends_at, weather, summary, summary_shareable, private_notes, youth_counts, adults_met, "
                "referrals_made) VALUES (?, ?, 4, '2024-11-22 18:00:00.000000', "
                "'2024-11-23 00:10:00.000000', "
                "'nattvandring', '2024-11-22 18:00:00.000000', '2024-11-23 00:00:00.000000', '', '', 0, '', "
                "'{}', 5, 3)", (shift_id, dev))
    con.commit()
    con.close()
    db = open_database(path, load_reference=False)
    try:
        assert db.revision() == migrate.head_revision()  # 0006 and every later one
        with db.session() as session:
            shift = Services(session, db.device_id()).shifts.get(uuid.UUID(shift_id))
            assert (shift.adults_met, shift.concern_reports, shift.referrals) == (5, 3, 0)
            assert shift.meta.revision == 4
    finally:
        db.close()


def test_an_older_versions_envelope_with_referrals_made_still_applies(database):
    with database.session() as session:
        other = Services(session, uuid.uuid4())
        shift = other.shifts.create(kind="nattvandring",
                                    starts_at=dt.datetime(2024, 11, 22, 18, tzinfo=dt.timezone.utc),
                                    concern_reports=2, referrals=0)
        env = to_envelope(session.get(Shift, shift.id))
        session.rollback()
    old = dict(env, data={k: v for k, v in env["data"].items() if k not in ("concern_reports", "referrals")})
    old["data"]["referrals_made"] = 2
    validate_envelope(old)
    with database.session() as session:
        assert apply_envelope(session, old, database.device_id()) is Outcome.APPLIED
        got = Services(session, database.device_id()).shifts.get(shift.id)
        assert (got.concern_reports, got.referrals) == (2, 0)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_both_counts_go_through_the_dialogs_into_the_pdf_and_xlsx(qtbot, ctx, clock):
    with ctx.services() as services:
        staff = [s.id for s in services.staff.list()]
        shift = services.shifts.create(kind="nattvandring", starts_at=clock() - dt.timedelta(hours=3),
                                       staff_ids=staff)
    dialog = EndShiftDialog(ctx, shift.id)
    qtbot.addWidget(dialog)
    dialog.concern_reports.setValue(2)
    dialog.referrals.setValue(7)
    with qtbot.waitSignal(dialog.saved):
        qtbot.mouseClick(dialog.end_button, Qt.MouseButton.LeftButton)
    with ctx.services() as services:
        record = services.shifts.get(shift.id)
    assert (record.concern_reports, record.referrals) == (2, 7)

    # The edit dialog asks for both by their own names, and saves them apart.
    edit = EditShiftDialog(ctx, record.id)
    qtbot.addWidget(edit)
    assert (edit.concern_reports.value(), edit.referrals.value()) == (2, 7)
    edit.concern_reports.setValue(1)
    edit.referrals.setValue(4)
    save_dialog(qtbot, edit)
    with ctx.services() as services:
        record = services.shifts.get(shift.id)
        assert (record.concern_reports, record.referrals) == (1, 4)
        summary = build_week_summary(services.session, IsoWeek.of(record.starts_at), "device",
                                     services.device_id)
    assert (summary.key.concern_reports, summary.key.referrals) == (1, 4)

    text = _pdf_text(render_pdf(summary))
    assert "Orosanmälningar: 1. Hänvisningar: 4." in text.replace("\n", " ")

    book = load_workbook(io.BytesIO(render_xlsx(summary)))
    sheets = {ws.title: ws for ws in book.worksheets}
    shifts = next(ws for title, ws in sheets.items() if title.startswith("Pass"))
    header = [c.value for c in next(shifts.iter_rows(min_row=1, max_row=1))]
    row = [c.value for c in next(shifts.iter_rows(min_row=2, max_row=2))]
    assert row[header.index("Orosanmälningar")] == 1 and row[header.index("Hänvisningar")] == 4
    figures = {r[0]: r[1] for r in next(ws for t, ws in sheets.items()
                                        if t.startswith("Nyckeltal")).iter_rows(values_only=True)}
    assert figures["Orosanmälningar gjorda"] == 1 and figures["Hänvisningar"] == 4
