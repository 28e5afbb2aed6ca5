"""The weekly PDF's later sections (places and areas, the trend, meetings, notable
observations, the shifts) and the small text helpers the whole report uses; the report itself
is :mod:`fieldapp.reports.pdf`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    Spacer,
)

from fieldapp.i18n import _, format_date, format_number
# The margins are also read from here (bench).
from fieldapp.reports.pdf_layout import (
    CONTENT_W,
    GREEN,
    GREY,
    RED,
    Coloured,
    Wrap,
)
from fieldapp.reports.rules import p_text
from fieldapp.reports.tables import weekday_name

Progress = Callable[[int, int, str], None]


# -- building blocks --------------------------------------------------------------------------

def _n(value: int | float) -> str:
    if isinstance(value, float):
        return format_number(round(value, 1))
    return format_number(value)


def _signed(value: int) -> str:
    if value > 0:
        return "+" + format_number(value)
    if value < 0:
        return "\u2212" + format_number(-value)
    return "±0"


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text or ""), style)


def _clip(text: str, limit: int = 1200) -> str:
    """Long free text shortened for a table cell, so a row always fits on a page (the
    spreadsheet export has it in full)."""
    return text if len(text) <= limit else text[:limit].rstrip() + " […]"


def _hhmm(moment: dt.datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else "…"


def _span(start: dt.datetime, end: dt.datetime | None) -> str:
    return f"{_hhmm(start)}\u2013{_hhmm(end)}"


def _carried(action) -> str:
    """When an action was carried out, and by which laptop ("" while it is not)."""
    if action.carried_out_on is None:
        return ""
    day = format_date(action.carried_out_on, "EEE d MMM")
    return f"{day}, {action.carried_out_by}" if action.carried_out_by else day


class ReportSections:
    """Sections of :class:`fieldapp.reports.pdf._Report` (a mixin: ``self.add``,
    ``self.heading``, ``self.simple_table``, ``self.summary`` are the report's)."""

    def areas_and_places(self) -> None:
        s = self.s
        previous = s.week.previous().label()
        if s.areas:
            self.heading(_("Areas"))
            rows = [[a.name, self.n(a.shifts), self.n(a.observations), self.n(a.previous),
                     self._change(a.change)] for a in s.areas]
            self.add(self.simple_table(
                [_("Area"), _("Shifts"), _("Observations"), previous, _("Change")],
                rows, [64 * mm, 24 * mm, 28 * mm, 28 * mm, 24 * mm], right=range(1, 5)))
        if s.places:
            self.heading(_("Places: observations compared with the previous week"))
            rows = [[Wrap(p.name), Wrap(p.area), self.n(p.observations), self.n(p.previous),
                     self._change(p.change), self.n(p.high_severity), self.n(p.people)]
                    for p in s.places]
            self.add(self.simple_table(
                [_("Place"), _("Area"), _("Observations"), previous, _("Change"),
                 _("of which high"), _("People seen")],
                rows, [54 * mm, 30 * mm, 22 * mm, 20 * mm, 16 * mm, 16 * mm, 16 * mm],
                right=range(2, 7), paged=True))

    @staticmethod
    def _change(value: int) -> Coloured:
        return Coloured(_signed(value), RED if value > 0 else GREEN if value < 0 else GREY)

    def trend(self) -> None:
        trend = self.s.trend
        self.heading(_("Situation picture: places where observations are rising"))
        if trend.rows:
            rows = [[Wrap(t.name), Wrap(t.area), self.n(t.baseline), self.n(t.recent),
                     format_number(round(t.expected, 1)), p_text(t.p_value)] for t in trend.rows]
            self.add(self.simple_table(
                [_("Place"), _("Area"), _("Baseline (8 weeks)"), _("Recent (2 weeks)"),
                 _("Expected"), _("p value")], rows,
                [54 * mm, 32 * mm, 24 * mm, 24 * mm, 18 * mm, 18 * mm], right=range(2, 6)))
        else:
            self.add(_p(_("No place had rising observations over these weeks."),
                        self.st["body"]))
        self.add(Spacer(1, 2 * mm), _p(trend.sources, self.st["note"]))

    def meetings(self) -> None:
        if not self.s.meetings:
            return
        self.heading(_("Meetings and agreed actions"))
        titles = [_("Place or area"), _("When"), _("Responsible"), _("Status"),
                  _("Carried out"), _("Note")]
        widths = [34 * mm, 32 * mm, 24 * mm, 20 * mm, 26 * mm, 38 * mm]
        for meeting in self.s.meetings:
            block = [_p(f"{format_date(meeting.held_at.date(), 'EEEE d MMMM')} "
                        f"{_hhmm(meeting.held_at)} · {meeting.kind_label}"
                        + (f" · {meeting.title}" if meeting.title else ""), self.st["h3"])]
            facts = []
            if meeting.partners:
                facts.append(_("Partners: {names}").format(names=meeting.partners))
            if meeting.staff:
                facts.append(_("Staff: {initials}").format(initials=meeting.staff))
            if facts:
                block.append(_p(" · ".join(facts), self.st["body"]))
            if meeting.situation:
                block.append(_p(_("Situation picture: {text}").format(text=meeting.situation),
                                self.st["body"]))
            if meeting.flags:
                flagged = "; ".join(f.place + (f" ({f.reason})" if f.reason else "")
                                    for f in meeting.flags)
                block.append(_p(_("Flagged places: {places}").format(places=flagged),
                                self.st["body"]))
            if meeting.actions:
                rows = [[Wrap(a.where),
                         Wrap(f"{format_date(a.starts_at.date(), 'EEE d MMM')} "
                              f"{_span(a.starts_at, a.ends_at)}"),
                         Wrap(a.responsible), a.status_label,
                         Wrap(_carried(a)),
                         Wrap(a.note)]
                        for a in meeting.actions]
                block += [Spacer(1, 1.5 * mm), self.simple_table(titles, rows, widths)]
            self.add(KeepTogether(block), Spacer(1, 3 * mm))

    def notable(self) -> None:
        if not self.s.notable:
            return
        self.heading(_("High-severity observations"))
        rows = [[format_date(o.observed_at.date(), "EEE d MMM") + " " + _hhmm(o.observed_at),
                 Wrap(o.place), Wrap(o.category), self.n(o.people), Wrap(o.action_taken),
                 Wrap(_clip(o.details))]
                for o in self.s.notable]
        self.add(self.simple_table(
            [_("When"), _("Place"), _("Category"), _("People"), _("Action taken"),
             _("Details")], rows,
            [26 * mm, 34 * mm, 32 * mm, 16 * mm, 26 * mm, 40 * mm], right=[3], paged=True))
        hidden = self.s.notable_total - len(self.s.notable)
        if hidden > 0:
            self.add(_p(_("{count} more are in the spreadsheet export.").format(
                count=_n(hidden)), self.st["note"]))

    def shifts(self, progress: Progress | None) -> None:
        if not self.s.shifts:
            return
        self.heading(_("Shifts day by day"))
        self.add(_p(_("Summaries appear only when marked as shareable; private notes are never "
                      "included."), self.st["note"]))
        by_day: dict[dt.date, list] = {}
        for line in self.s.shifts:
            by_day.setdefault(line.day, []).append(line)
        titles = [_("Time"), _("Kind"), _("Areas"), _("Staff"), _("Young people"), _("Adults"),
                  _("Obs."), _("Summary")]
        widths = [19 * mm, 21 * mm, 30 * mm, 14 * mm, 17 * mm, 12 * mm, 15 * mm]
        widths.append(CONTENT_W - sum(widths))
        n = self.n
        for index, (day, lines) in enumerate(sorted(by_day.items())):
            count = _("Shifts: {count}").format(count=_n(len(lines)))
            heading = f"{weekday_name(day).capitalize()} {format_date(day, 'd MMMM')} · {count}"
            self.add(CondPageBreak(25 * mm), _p(heading, self.st["h3"]))
            # Kinds and initials short enough are plain text: they size their columns.
            rows = [[_span(s.starts_at, s.ends_at),
                     Wrap(s.kind_label) if len(s.kind_label) > 14 else s.kind_label,
                     Wrap(s.areas), s.staff if len(s.staff) <= 12 else Wrap(s.staff),
                     n(s.youths_met), n(s.adults_met), n(s.observations),
                     Wrap(_clip(s.summary))] for s in lines]
            self.add(self.simple_table(titles, rows, widths, right=range(4, 7), paged=True))
            if progress:
                progress(index + 1, len(by_day), _("Laying out the shifts"))
