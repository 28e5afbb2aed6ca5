"""The screenshot command photographs every page and dialog with demo data from an encrypted
demo file at 1366×768 (issue 16 item 11), and nothing in them overflows its window."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QAbstractScrollArea, QDialog

from fieldapp.ui.pages import PAGES
from fieldapp.ui.screenshots import DOCS, take_screenshots, write_docs
from layout_checks import clipped_labels, outside_window

NAMES = {"dialog-start-shift", "dialog-quick-observation", "dialog-end-shift",
         "dialog-end-shift-errors", "dialog-meeting", "dialog-passphrase", "dialog-shortcuts",
         "lock-screen", "place-page", "dialog-first-start", "dialog-import"}


def _not_blank(path) -> None:
    image = QImage(str(path))
    assert not image.isNull() and image.width() >= 400 and image.height() >= 150, path
    colours = {image.pixel(x, y)
               for x in range(0, image.width(), 37) for y in range(0, image.height(), 23)}
    assert len(colours) > 5, path  # not a blank picture


def horizontal_scrollbars(dialog: QDialog) -> list[str]:
    return [f"{type(area).__name__} {area.objectName()!r}"
            for area in dialog.findChildren(QAbstractScrollArea)
            if area.isVisible() and area.horizontalScrollBar().isVisible()]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_and_dialog_is_photographed_and_fits(qapp, tmp_path, language):
    problems: dict[str, list[str]] = {}
    seen: dict[str, tuple[int, int]] = {}

    def inspect(name, widget):
        seen[name] = (widget.width(), widget.height())
        found = outside_window(widget) + clipped_labels(widget)
        if isinstance(widget, QDialog):
            found += horizontal_scrollbars(widget)
        if found:
            problems[name] = found

    written = take_screenshots(tmp_path, language=language, dark=False, inspect=inspect)
    names = {path.name.removesuffix("-light.png") for path in written}
    assert len([n for n in names if n[:2].isdigit()]) == len(PAGES)
    assert NAMES <= names
    assert problems == {}
    assert seen["01-today"] == (1366, 768)
    for name, (width, height) in seen.items():
        assert width <= 1366 and height <= 768, name  # every dialog fits the laptop's screen
    for path in written:
        _not_blank(path)


def test_the_dark_palette_is_photographed_too(qapp, tmp_path):
    written = take_screenshots(tmp_path, language="sv", only={"01-today"})
    assert sorted(path.name for path in written) == ["01-today-dark.png", "01-today-light.png"]


def test_the_readme_set_is_small_and_shown(qapp, tmp_path):
    from pathlib import Path

    written = write_docs(tmp_path)
    assert len(written) == len(DOCS) <= 10
    assert sum(path.stat().st_size for path in written) <= 2 * 1024 * 1024
    committed = Path(__file__).parent.parent / "docs" / "screenshots"
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for path in written:
        _not_blank(path)
        assert (committed / path.name).exists(), path.name  # committed, and shown:
        assert f"docs/screenshots/{path.name}" in readme, path.name
