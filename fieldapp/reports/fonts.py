"""The embedded TTF font of the PDF (DejaVu Sans, shipped in ``fieldapp/fonts``), so å, ä
and ö render on every machine and copy out of the PDF as text."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf"}


def fonts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "fonts"


@cache
def register_fonts() -> tuple[str, str]:
    """Register the fonts with ReportLab once; returns (regular, bold) font names."""
    for name, filename in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(fonts_dir() / filename)))
    for italic in (0, 1):  # no italic face shipped: fall back to the upright ones
        addMapping(REGULAR, 0, italic, REGULAR)
        addMapping(REGULAR, 1, italic, BOLD)
    return REGULAR, BOLD
