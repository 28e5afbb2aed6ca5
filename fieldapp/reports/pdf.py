"""The weekly log as an A4 PDF (ReportLab platypus).

Title with ISO week and dates, team and scope; key figures; young people met; observations
by category; two charts; day by day; areas and places with the change from the previous
week; the rising places (lägesbild) with its sources; meetings with flagged places and agreed
actions; high-severity observations; and a table of shifts per day. "Sida x av y" in the
footer, document metadata, DejaVu Sans embedded.

The tables are built the cheap way (plain strings unless a cell must wrap, shared cell
styles, long tables laid out once and cut into page-sized chunks that repeat the header):
see :mod:`fieldapp.reports.pdf_layout`. A week with thousands of shifts renders in linear
time.
Reproducible: with the same summary (including ``generated_at``) the bytes are the same.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from fieldapp.domain.enums import Severity
from fieldapp.i18n import _, format_date
from fieldapp.reports.charts import category_chart, contacts_chart
from fieldapp.reports.fonts import register_fonts
# The margins are also read from here (bench).
from fieldapp.reports.pdf_layout import (
    CONTENT_W,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MID_BLUE,
    PALE,
    TableBuilder,
    Wrap,
    _canvas_maker,
    _styles,
)
from fieldapp.reports.pdf_sections import ReportSections, _n, _p
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import key_figures, youth_rows
from fieldapp.reports.texts import created_local, date_range, document_title, team_label

Progress = Callable[[int, int, str], None]


class _Report(ReportSections):
    def __init__(self, summary: WeekSummary):
        register_fonts()
        self.s = summary
        self.st = _styles()
        self.tables = TableBuilder(self.st)
        self.story: list = []
        self._numbers: dict[tuple[type, int | float], str] = {}

    def add(self, *flowables) -> None:
        self.story.extend(flowables)

    def n(self, value: int | float) -> str:
        """:func:`_n`, formatted once per value (a week repeats the same small numbers)."""
        key = (type(value), value)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = _n(value)
        return text

    def heading(self, text: str) -> None:
        self.add(CondPageBreak(35 * mm), _p(text, self.st["h2"]))

    def simple_table(self, titles, rows, widths, right: Sequence[int] = (), total_row=False,
                     paged=False):
        return self.tables.table(titles, rows, widths, right=right, total_row=total_row,
                                 paged=paged)

    # -- sections ---------------------------------------------------------------------------
    def title(self) -> None:
        s = self.s
        created = created_local(s)
        self.add(_p(document_title(s), self.st["title"]))
        self.add(_p(_("{team} · Scope: {scope}").format(team=team_label(s), scope=s.scope.label),
                    self.st["subtitle"]))
        self.add(_p(_("Created {date} at {time} with Fältlogg").format(
            date=format_date(created.date(), "d MMMM y"), time=created.strftime("%H:%M")),
            self.st["subtitle"]))
        self.add(Spacer(1, 5 * mm))

    def empty_notice(self) -> None:
        notice = Table([[_p(_("Nothing was logged this week: no shifts, observations or "
                              "meetings in {scope}.").format(scope=self.s.scope.short_label),
                            self.st["empty"])]],
                       colWidths=[CONTENT_W],
                       style=TableStyle([("BOX", (0, 0), (-1, -1), 0.8, MID_BLUE),
                                         ("BACKGROUND", (0, 0), (-1, -1), PALE),
                                         ("TOPPADDING", (0, 0), (-1, -1), 8),
                                         ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 8)]))
        self.add(notice, Spacer(1, 4 * mm))

    def tiles(self) -> None:
        key = self.s.key
        items = [
            (_n(key.shifts), _("shifts")),
            (_n(round(key.field_hours, 1)), _("hours in the field")),
            (_n(key.youths_met), _("young people met")),
            (_n(key.observations), _("observations")),
            (_n(key.meetings), _("meetings")),
        ]
        width = CONTENT_W / len(items)
        cells = [[[_p(value, self.st["tile_value"]), _p(label, self.st["tile_label"])]
                  for value, label in items]]
        style = TableStyle([
            ("LINEABOVE", (0, 0), (-1, 0), 2, MID_BLUE),
            ("BACKGROUND", (0, 0), (-1, -1), PALE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("LINEAFTER", (0, 0), (-2, -1), 3, colors.white),
        ])
        self.add(Table(cells, colWidths=[width] * len(items), style=style), Spacer(1, 3 * mm))

    def key_figures(self) -> None:
        self.heading(_("Key figures"))
        figures = key_figures(self.s)
        # Kinds of shift that did not occur are left out here (they are 0 in the spreadsheet).
        figures = [f for f in figures if not (f.key.startswith("shifts.") and f.value == 0)]
        left = [f for f in figures if f.group in ("work", "contacts")]
        right = [f for f in figures if f.group in ("observations", "meetings")]

        def column(items):
            rows = [[Wrap(f.label), self.n(f.value)] for f in items]
            return self.tables.table(None, rows, [58 * mm, 20 * mm], right=[1])

        gap = CONTENT_W - 2 * 78 * mm
        self.add(Table([[column(left), "", column(right)]],
                       colWidths=[78 * mm, gap, 78 * mm],
                       style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("RIGHTPADDING", (0, 0), (-1, -1), 0)]),
                       hAlign="LEFT"))

    def youths_and_categories(self) -> None:
        genders, rows = youth_rows(self.s)
        self.heading(_("Young people met, by age and gender"))
        widths = [40 * mm] + [22 * mm] * (len(genders) + 1)
        numbers = range(1, len(genders) + 2)
        self.add(self.simple_table([_("Age"), *genders, _("Total")],
                                   [[r[0], *(self.n(v) for v in r[1:])] for r in rows],
                                   widths, right=numbers, total_row=True))
        self.add(_p(_("Adults met: {adults}. Reports of concern made: {concern}. Referrals "
                      "made: {referrals}.").format(
            adults=_n(self.s.key.adults_met), concern=_n(self.s.key.concern_reports),
            referrals=_n(self.s.key.referrals)),
            self.st["note"]))
        if not self.s.categories:
            return
        self.heading(_("Observations by category and severity"))
        severities = list(Severity)
        rows = [[Wrap(c.name), *(self.n(c.by_severity.get(s.value, 0)) for s in severities),
                 self.n(c.total)]
                for c in self.s.categories]
        totals = [sum(c.by_severity.get(s.value, 0) for c in self.s.categories)
                  for s in severities]
        rows.append([_("Total"), *(self.n(t) for t in totals), self.n(sum(totals))])
        self.add(self.simple_table([_("Category"), *(s.label for s in severities), _("Total")],
                                   rows, [78 * mm] + [22 * mm] * 4,
                                   right=range(1, len(severities) + 2), total_row=True))

    def charts(self) -> None:
        if self.s.is_empty:
            return
        half = CONTENT_W / 2
        drawings = [category_chart(self.s, half - 4 * mm, 62 * mm),
                    contacts_chart(self.s, half - 4 * mm, 62 * mm)]
        self.add(CondPageBreak(70 * mm), Spacer(1, 4 * mm),
                 Table([drawings], colWidths=[half, half],
                       style=TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0),
                                         ("VALIGN", (0, 0), (-1, -1), "TOP")])))

    def days(self) -> None:
        self.heading(_("Day by day"))
        titles = [_("Day"), _("Shifts"), _("Hours"), _("Staff hours"), _("Young people"),
                  _("Adults"), _("Reports of concern"), _("Referrals"), _("Observations"),
                  _("of which high"),
                  _("Meetings")]
        n = self.n
        rows = [[format_date(d.day, "EEE d MMM"), n(d.shifts), n(round(d.field_hours, 1)),
                 n(round(d.staff_hours, 1)), n(d.youths_met), n(d.adults_met),
                 n(d.concern_reports), n(d.referrals), n(d.observations), n(d.high_severity),
                 n(d.meetings)]
                for d in self.s.days]
        k = self.s.key
        rows.append([_("Week"), n(k.shifts), n(round(k.field_hours, 1)),
                     n(round(k.staff_hours, 1)), n(k.youths_met), n(k.adults_met),
                     n(k.concern_reports), n(k.referrals), n(k.observations),
                     n(k.observations_by_severity.get(Severity.HIGH.value, 0)), n(k.meetings)])
        widths = [22 * mm, 12 * mm, 13 * mm, 15 * mm, 16 * mm, 13 * mm, 18 * mm, 17 * mm,
                  19 * mm, 17 * mm]
        widths.append(CONTENT_W - sum(widths))
        self.add(self.simple_table(titles, rows, widths, right=range(1, len(titles)),
                                   total_row=True))

def render_pdf(summary: WeekSummary, progress: Progress | None = None) -> bytes:
    """The weekly log of ``summary`` as PDF bytes (creation time: ``summary.generated_at``)."""
    report = _Report(summary)
    report.title()
    if summary.is_empty:
        report.empty_notice()
    report.tiles()
    report.key_figures()
    report.youths_and_categories()
    report.charts()
    report.days()
    report.areas_and_places()
    report.trend()
    report.meetings()
    report.notable()
    report.shifts(progress)
    if progress:
        progress(1, 2, _("Writing the PDF"))

    title = document_title(summary)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=team_label(summary),
        subject=_("Weekly log of the field workers, {week} ({dates}), {scope}").format(
            week=summary.week.label(), dates=date_range(summary), scope=summary.scope.short_label),
        creator="Fältlogg", producer="Fältlogg (ReportLab)",
        keywords=[_("weekly log"), str(summary.week), summary.scope.value],
        invariant=1, lang=summary.language,
    )
    footer = f"Fältlogg · {team_label(summary)} · {title}"
    header = f"{title} · {summary.scope.label}"
    doc.build(report.story, canvasmaker=_canvas_maker(summary.generated_at, footer, header))
    if progress:
        progress(2, 2, _("Writing the PDF"))
    return buffer.getvalue()
