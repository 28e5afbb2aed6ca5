"""The screenshot command writes a picture of every page with demo data (issue 3)."""

from __future__ import annotations

from PySide6.QtGui import QImage

from fieldapp.ui.main_window import PAGES
from fieldapp.ui.screenshots import take_screenshots


def test_every_page_is_photographed_with_content(qapp, tmp_path):
    written = take_screenshots(tmp_path, language="sv", dark=False)
    names = {path.name for path in written}
    assert len([n for n in names if n[:2].isdigit()]) == len(PAGES)
    for path in written:
        image = QImage(str(path))
        assert not image.isNull() and image.width() >= 400 and image.height() >= 300, path
        # Not a blank picture: more than a handful of distinct colours.
        colours = {image.pixel(x, y)
                   for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
        assert len(colours) > 5, path
