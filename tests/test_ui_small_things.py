"""The small things that add up (issue 16 item 8), tested as they were found."""

from __future__ import annotations

import pytest

from fieldapp.i18n import set_language
from fieldapp.ui.lock import LockPage
from layout_checks import clipped_labels, outside_window


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
