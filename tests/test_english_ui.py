"""The English UI speaks English all the way (issue 16 item 8): default file names and the
Synk page's times, not the Swedish names or "03/12/2026"."""

from __future__ import annotations

import datetime as dt

from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import set_language
from fieldapp.reports.export import default_filename
from fieldapp.reports.redacted import default_redacted_filename
from fieldapp.ui.views.sync import _when

WEEK = IsoWeek(2026, 48)
MOMENT = dt.datetime(2026, 12, 3, 12, 48, tzinfo=dt.timezone.utc)


def test_file_names_follow_the_language():
    set_language("sv")
    assert default_filename(WEEK, "pdf") == "veckologg-2026-W48.pdf"
    assert default_redacted_filename(WEEK, "csv") == "veckologg-2026-W48-utdrag.csv"
    set_language("en")
    assert default_filename(WEEK, "xlsx") == "weekly-log-2026-W48.xlsx"
    assert default_redacted_filename(WEEK, "pdf") == "weekly-log-2026-W48-extract.pdf"


def test_sync_times_read_as_words_in_both_languages():
    set_language("en")
    english = _when(MOMENT)
    assert "/" not in english and "Dec" in english and "13:48" in english  # Stockholm time
    set_language("sv")
    swedish = _when(MOMENT)
    assert "/" not in swedish and "dec" in swedish and "13:48" in swedish
