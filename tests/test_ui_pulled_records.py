"""A teammate's records (pulled from the hub) open read-only (issue 16 item 7): Delete is
disabled, Edit reads "View…" and opens the dialog with every field disabled and no Save."""

from __future__ import annotations

import datetime as dt
import sqlite3
import uuid

from PySide6.QtWidgets import QDialogButtonBox, QLabel

from fieldapp.domain.ids import reference_id
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO_CENTRUM, query


def _hand_to_a_teammate(db_path, table: str) -> None:
    other = uuid.uuid4()
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("INSERT INTO device (id, name, is_self, created_at) VALUES (?, 'B', 0, ?)",
                (other.hex, "2024-11-01 00:00:00.000000"))
    con.execute(f"UPDATE {table} SET device_id = ?", (other.hex,))
    con.commit()
    con.close()


def test_a_teammates_shift_and_observation_open_read_only(qtbot, window, ctx, clock, db_path):
    with ctx.services() as services:
        shift = services.shifts.create(kind="nattvandring", starts_at=clock() - dt.timedelta(hours=2),
                                       ends_at=clock() - dt.timedelta(hours=1))
        services.observations.create(place_id=ALVSJO_CENTRUM, shift_id=shift.id,
                                     category_id=reference_id("category", "narkotikaforsaljning"),
                                     observed_at=clock() - dt.timedelta(hours=1, minutes=30))
    for table in ("shift", "observation"):
        _hand_to_a_teammate(db_path, table)
    for key in ("shifts", "observations"):
        page = window.show_page(key)
        page.reload()
        page.select_row(0)
        assert not page.delete_button.isEnabled()
        assert page.edit_button.isEnabled() and page.edit_button.text() == "Visa…"
        page.delete_current()  # the Delete key: refused with the reason, nothing deleted
        assert query(db_path, f"SELECT count(*) FROM {key[:-1]} WHERE deleted_at IS NULL") == [(1,)]
        page.edit_current()
        dialog = page.editor
        assert dialog.isVisible() and getattr(dialog, "read_only", False)
        box = dialog.findChild(QDialogButtonBox)
        save = box.button(QDialogButtonBox.StandardButton.Save)
        assert save is None or not save.isVisible()
        notice = dialog.findChild(QLabel, "readOnlyNotice")
        assert notice is not None and "annan enhet" in notice.text()
        dialog.reject()
