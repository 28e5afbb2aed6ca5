"""The small things that add up (issue 16 item 8), tested as they were found."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from fieldapp.i18n import set_language
from fieldapp.ui.lock import LockPage
from layout_checks import clipped_labels, outside_window
from ui_helpers import *  # noqa: F403 - the fixtures


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("size", [(1366, 700), (800, 500)])
def test_the_lock_screen_shows_its_whole_text(qtbot, language, size):
    set_language(language)
    page = LockPage()
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    page.refuse()  # the error line too
    qtbot.wait(1)
    assert clipped_labels(page) == []
    assert outside_window(page) == []


def test_status_bar_and_idag_show_the_same_minute(qtbot, window, ctx, clock, staff_ids):
    dialog = window.start_shift()
    dialog.staff.set_checked(staff_ids)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    today = window.show_page("today")
    clock.advance(minutes=41, seconds=35)  # 19:41:35: the next tick is due at 19:42:00
    ticker = ctx.minute_clock
    ticker._arm()
    assert ticker.timer.remainingTime() <= 25_000
    ticker.timer.timeout.emit()  # the whole minute
    assert "(0 tim 41 min)" in window.shift_status.text()
    assert "(0 tim 41 min)" in today.shift_heading.text()
    assert window.status_timer is ticker.timer


def test_one_swedish_word_for_each_thing():
    """"Områden" beside "Stadsdelar", "Samverkan på plats" beside "Samverkansparter": one
    word for areas and one for the partners present, wherever they are named."""
    from fieldapp.i18n import catalog
    from fieldapp.ui.help_menu import plain

    swedish = catalog("sv")

    def words(*msgids):
        return {plain(swedish[msgid]).split(":")[0] for msgid in msgids}

    assert words("Areas", "A&reas", "Areas: {names}") == {"Stadsdelar"}
    assert words("Partners present", "&Partners present", "Partners present: {names}") == {
        "Samverkansparter på plats"}
