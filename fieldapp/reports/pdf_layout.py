"""The building blocks of the weekly PDF's layout (and the redacted log's): page geometry,
colours, paragraph styles, the numbered canvas, and the tables.

Tables are where the time goes in a city's week (a thousand rows), so they are built the
cheap way ReportLab offers:

- A cell is a plain string, drawn by the table in its cell style's font, unless it needs
  more than one line: :class:`Wrap` marks text that *may* wrap, and it becomes a Paragraph
  only when it does not fit its column on one line. (A Paragraph is parsed, wrapped and
  measured again at every split and draw.)
- Every cell of a kind (header, body, right-aligned, bold total row, a coloured change)
  shares one ReportLab ``CellStyle``, handed to the Table as ``cellStyles``; the TableStyle
  holds only backgrounds and rules. (Style commands such as FONT or ALIGN are applied cell
  by cell, to a style object of its own per cell, in every table and every page's chunk.)
- Long tables are laid out once and cut into page-sized chunks (:class:`PagedTable`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Collection, Sequence
from itertools import accumulate
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from fieldapp.i18n import _
from fieldapp.reports.fonts import BOLD, REGULAR

BLUE = colors.HexColor("#1F4E79")
MID_BLUE = colors.HexColor("#2E75B6")
PALE = colors.HexColor("#EEF3F8")
RULE = colors.HexColor("#BFBFBF")
GREY = colors.HexColor("#595959")
RED = colors.HexColor("#C00000")
GREEN = colors.HexColor("#38761D")

PAGE_W, PAGE_H = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 20 * mm, 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X

CELL_FONT_SIZE, CELL_LEADING = 7.5, 9
CELL_PAD_X, CELL_PAD_Y = 3, 2.2


# -- styles -----------------------------------------------------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=9, leading=12, textColor=colors.black)
    return {
        "title": ParagraphStyle("title", base, fontName=BOLD, fontSize=17, leading=21,
                                textColor=BLUE, spaceAfter=3),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=9, leading=12, textColor=GREY),
        # Headings follow a CondPageBreak instead of keepWithNext: keepWithNext moves a long
        # table whole to the next page with its heading, leaving the page before half empty
        # (or, first in the story, a title page with nothing else on it).
        "h2": ParagraphStyle("h2", base, fontName=BOLD, fontSize=12, leading=15, textColor=BLUE,
                             spaceBefore=10, spaceAfter=4),
        "h3": ParagraphStyle("h3", base, fontName=BOLD, fontSize=9.5, leading=12,
                             spaceBefore=6, spaceAfter=2),
        "body": base,
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=9.5, textColor=GREY),
        "cell": ParagraphStyle("cell", base, fontSize=CELL_FONT_SIZE, leading=CELL_LEADING),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=BOLD, fontSize=CELL_FONT_SIZE,
                                    leading=CELL_LEADING),
        "head": ParagraphStyle("head", base, fontName=BOLD, fontSize=CELL_FONT_SIZE,
                               leading=CELL_LEADING, textColor=colors.white),
        "head_right": ParagraphStyle("head_right", base, fontName=BOLD, fontSize=CELL_FONT_SIZE,
                                     leading=CELL_LEADING, textColor=colors.white,
                                     alignment=TA_RIGHT),
        "tile_value": ParagraphStyle("tile_value", base, fontName=BOLD, fontSize=18, leading=21,
                                     textColor=BLUE),
        "tile_label": ParagraphStyle("tile_label", base, fontSize=7.5, leading=9, textColor=GREY),
        "empty": ParagraphStyle("empty", base, fontName=BOLD, fontSize=10, leading=14,
                                textColor=BLUE, alignment=TA_LEFT),
    }


def _rules_style(*, header: bool, total_row: bool) -> TableStyle:
    """A table's backgrounds and rules: a blue header row, rows alternately white and pale,
    a rule below; a white total row under a blue rule. (The cells' fonts, colours, paddings
    and alignment are the shared CellStyles of :class:`TableBuilder`.)"""
    commands = [("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE)]
    if header:
        commands += [("BACKGROUND", (0, 0), (-1, 0), BLUE),
                     ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE])]
    else:
        commands.append(("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, PALE]))
    if total_row:
        commands += [("LINEABOVE", (0, -1), (-1, -1), 0.6, BLUE),
                     ("BACKGROUND", (0, -1), (-1, -1), colors.white)]
    return TableStyle(commands)


# -- tables -----------------------------------------------------------------------------------

class Wrap:
    """Table cell text that may need more than one line in its column."""

    __slots__ = ("text",)

    def __init__(self, text: str | None):
        self.text = text or ""


class Coloured:
    """A short table cell drawn in ``colour``."""

    __slots__ = ("text", "colour")

    def __init__(self, text: str, colour):
        self.text, self.colour = text, colour


class PagedTable(Flowable):
    """A long table cut at page breaks into chunks that each repeat the header row.

    The whole table is laid out once (row heights), then every split only slices rows, so
    the cost is linear in the number of rows. (One huge ``Table`` re-measures the rest of
    itself at every page break: quadratic.) ``cell_styles``, when given, are the Table's
    ``cellStyles`` (one row of CellStyles per data row), sliced with the rows.
    """

    def __init__(self, data: Sequence[Sequence], col_widths: Sequence[float], style: TableStyle,
                 *, cell_styles: Sequence[Sequence[CellStyle]] | None = None,
                 _heights: list[float] | None = None, _start: int = 1):
        super().__init__()
        self.data, self.col_widths, self.style = data, list(col_widths), style
        self.cell_styles = cell_styles
        self._heights = _heights
        self._start = _start
        self._prefix: list[float] | None = None

    def _measure(self, avail_width: float, avail_height: float) -> None:
        if self._heights is None:
            table = Table(self.data, colWidths=self.col_widths, style=self.style,
                          cellStyles=self._styles_of(range(len(self.data))))
            table.wrap(avail_width, avail_height)
            self._heights = list(table._rowHeights)
        if self._prefix is None:
            self._prefix = [0.0, *accumulate(self._heights)]

    def _styles_of(self, rows: Sequence[int]) -> list | None:
        if self.cell_styles is None:
            return None
        return [self.cell_styles[i] for i in rows]

    def _height(self, start: int, end: int) -> float:
        return self._heights[0] + self._prefix[end] - self._prefix[start]

    def _table(self, start: int, end: int) -> Table:
        rows = [self.data[0], *self.data[start:end]]
        heights = [self._heights[0], *self._heights[start:end]]
        return Table(rows, colWidths=self.col_widths, rowHeights=heights, style=self.style,
                     repeatRows=1, cellStyles=self._styles_of([0, *range(start, end)]))

    def wrap(self, avail_width, avail_height):
        self._measure(avail_width, avail_height)
        self.width = sum(self.col_widths)
        self.height = self._height(self._start, len(self.data))
        return self.width, self.height

    def split(self, avail_width, avail_height):
        self._measure(avail_width, avail_height)
        end = self._start
        while end < len(self.data) and self._height(self._start, end + 1) <= avail_height:
            end += 1
        if end == self._start:
            return []  # not even one row fits here: move to the next frame
        rest = PagedTable(self.data, self.col_widths, self.style, cell_styles=self.cell_styles,
                          _heights=self._heights, _start=end)
        return [self._table(self._start, end), rest]

    def draw(self):
        table = self._table(self._start, len(self.data))
        table.wrapOn(self.canv, self.width, self.height)
        table.drawOn(self.canv, 0, 0)


class TableBuilder:
    """Builds the report's tables (see the module's notes), remembering text widths, cell
    styles and table styles while one report is laid out."""

    def __init__(self, styles: dict[str, ParagraphStyle]):
        self.st = styles
        self._widths: dict[tuple[str, str], float] = {}
        self._looks: dict[tuple, CellStyle] = {}
        self._rules: dict[tuple[bool, bool], TableStyle] = {}

    def text_width(self, text: str, font: str) -> float:
        key = (text, font)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = stringWidth(text, font, CELL_FONT_SIZE)
        return width

    def look(self, *, bold: bool = False, colour=colors.black, align: str = "LEFT",
             valign: str = "TOP") -> CellStyle:
        """The shared CellStyle of a kind of cell."""
        key = (bold, colour, align, valign)
        look = self._looks.get(key)
        if look is None:
            look = self._looks[key] = CellStyle(repr(key))
            look.fontname, look.fontsize, look.leading = (
                BOLD if bold else REGULAR, CELL_FONT_SIZE, CELL_LEADING)
            look.leftPadding = look.rightPadding = CELL_PAD_X
            look.topPadding = look.bottomPadding = CELL_PAD_Y
            look.color, look.alignment, look.valign = colour, align, valign
        return look

    def _rules_style(self, header: bool, total_row: bool) -> TableStyle:
        key = (header, total_row)
        if key not in self._rules:
            self._rules[key] = _rules_style(header=header, total_row=total_row)
        return self._rules[key]

    def fit_widths(self, titles: Sequence[str], widths: Sequence[float],
                   rows: Sequence[Sequence] = ()) -> list[float]:
        """Widen columns whose heading has a word longer than the column (ReportLab would
        break it mid-word) or whose plain-text cells do not fit, taking the room from the
        columns with the most to spare."""
        widths = list(widths)
        total = sum(widths)
        pad = 2 * CELL_PAD_X + 1
        needs = [max((self.text_width(word, BOLD) for word in str(title).split()), default=0)
                 + pad for title in titles]
        for row in rows:
            for i, cell in enumerate(row[:len(needs)]):
                if isinstance(cell, str):
                    needs[i] = max(needs[i], self.text_width(cell, BOLD) + pad)
        widths = [max(w, need) for w, need in zip(widths, needs)]
        excess = sum(widths) - total
        while excess > 0.01:
            roomiest = max(range(len(widths)), key=lambda i: widths[i] - needs[i])
            take = min(excess, max(widths[roomiest] - needs[roomiest], 0))
            if take <= 0:
                break
            widths[roomiest] -= take
            excess -= take
        return widths

    def _fits(self, text: str, font: str, width: float) -> bool:
        return "\n" not in text and self.text_width(text, font) <= width - 2 * CELL_PAD_X

    def _header(self, titles: Sequence[str], widths: Sequence[float],
                right: Collection[int]) -> tuple[list, list]:
        cells, looks = [], []
        for i, (title, width) in enumerate(zip(titles, widths)):
            align = "RIGHT" if i in right else "LEFT"
            text = " ".join(str(title).split())
            cells.append(text if self._fits(text, BOLD, width) else Paragraph(
                escape(text), self.st["head_right" if i in right else "head"]))
            looks.append(self.look(bold=True, colour=colors.white, align=align,
                                   valign="BOTTOM"))
        return cells, looks

    def _body(self, row: Sequence, widths: Sequence[float], right: Collection[int],
              bold: bool) -> tuple[list, list]:
        cells, looks = [], []
        for i, (cell, width) in enumerate(zip(row, widths)):
            colour = colors.black
            if isinstance(cell, Wrap):
                text = " ".join(cell.text.split())
                cell = text if self._fits(text, REGULAR, width) else Paragraph(
                    escape(text), self.st["cell"])
            elif isinstance(cell, Coloured):
                cell, colour = cell.text, cell.colour
            cells.append(cell)
            looks.append(self.look(bold=bold, colour=colour,
                                   align="RIGHT" if i in right else "LEFT"))
        return cells, looks

    def table(self, titles: Sequence[str] | None, rows: Sequence[Sequence],
              widths: Sequence[float], *, right: Collection[int] = (), total_row: bool = False,
              paged: bool = False) -> Flowable:
        """A table of ``rows`` (cells: str, :class:`Wrap`, :class:`Coloured` or a flowable)
        under ``titles`` (None: no header row); columns in ``right`` are right-aligned; the
        last row in bold when ``total_row``; :class:`PagedTable` when ``paged``."""
        header = titles is not None
        if header:
            widths = self.fit_widths(titles, widths, rows)
        right = frozenset(right)
        data, looks = [], []
        if header:
            cells, row_looks = self._header(titles, widths, right)
            data.append(cells)
            looks.append(row_looks)
        last = len(rows) - 1
        for index, row in enumerate(rows):
            cells, row_looks = self._body(row, widths, right, total_row and index == last)
            data.append(cells)
            looks.append(row_looks)
        style = self._rules_style(header, total_row)
        if paged and header:
            return PagedTable(data, widths, style, cell_styles=looks)
        return Table(data, colWidths=widths, style=style, repeatRows=1 if header else 0,
                     hAlign="LEFT", cellStyles=looks)


# -- page decoration and reproducibility -----------------------------------------------------

class _FixedTimeStamp:
    """What ReportLab's document reads for /CreationDate and /ModDate: a chosen instant."""

    def __init__(self, moment: dt.datetime):
        utc = moment.astimezone(dt.timezone.utc)
        self.t = utc.timestamp()
        self.lt = time.gmtime(int(self.t))
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"

    @property
    def datetime(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.t, dt.timezone.utc)


def _canvas_maker(created: dt.datetime, footer_left: str, header_text: str):
    class NumberedCanvas(rl_canvas.Canvas):
        """Holds the pages back until the end, then writes "Sida x av y" on each."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # The creation date and the document id come from ``created`` alone, whatever
            # ReportLab read from the clock or SOURCE_DATE_EPOCH.
            stamp = _FixedTimeStamp(created)
            self._doc._timeStamp = stamp
            signature = hashlib.md5(usedforsecurity=False)
            signature.update(b"a reportlab document")
            signature.update(ascii(stamp.t).encode("ascii"))
            self._doc.signature = signature
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN_X, 12 * mm, PAGE_W - MARGIN_X, 12 * mm)
            self.setFont(REGULAR, 7.5)
            self.setFillColor(GREY)
            self.drawString(MARGIN_X, 8 * mm, footer_left)
            self.drawRightString(PAGE_W - MARGIN_X, 8 * mm,
                                 _("Page {page} of {pages}").format(page=number, pages=total))
            if number > 1:
                self.drawString(MARGIN_X, PAGE_H - 12 * mm, header_text)
                self.line(MARGIN_X, PAGE_H - 13.5 * mm, PAGE_W - MARGIN_X, PAGE_H - 13.5 * mm)
            self.restoreState()

    return NumberedCanvas
