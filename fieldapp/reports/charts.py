"""The two charts of the weekly PDF, drawn with reportlab.graphics: observations by category
(stacked by severity) and contacts per day (young people and adults)."""

from __future__ import annotations

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

from fieldapp.domain.enums import Severity
from fieldapp.i18n import _, format_date
from fieldapp.reports.fonts import BOLD, REGULAR, register_fonts
from fieldapp.reports.summary import WeekSummary

SEVERITY_COLOURS = {
    Severity.LOW.value: colors.HexColor("#9DC3E6"),
    Severity.MEDIUM.value: colors.HexColor("#2E75B6"),
    Severity.HIGH.value: colors.HexColor("#C00000"),
}
YOUTH_COLOUR = colors.HexColor("#2E75B6")
ADULT_COLOUR = colors.HexColor("#A9D18E")
MAX_CATEGORIES = 8


def _shorten(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


def _title(drawing: Drawing, text: str, width: float, height: float) -> None:
    drawing.add(String(0, height - 10, text, fontName=BOLD, fontSize=9,
                       fillColor=colors.HexColor("#1F4E79")))


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 5:
            return max(step * 5, step * ((value + step - 1) // step)), step
    step = 10 ** len(str(value))
    return step, step // 5


def category_chart(summary: WeekSummary, width: float, height: float) -> Drawing:
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, _("Observations by category"), width, height)
    categories = list(summary.categories[:MAX_CATEGORIES])
    if not categories:
        return drawing
    severities = list(Severity)
    chart = HorizontalBarChart()
    label_space = width * 0.46
    chart.x, chart.y = label_space, 40
    chart.width, chart.height = width - label_space - 10, height - 40 - 20
    chart.data = [[c.by_severity.get(s.value, 0) for c in categories] for s in severities]
    chart.categoryAxis.categoryNames = [_shorten(c.name) for c in categories]
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = colors.HexColor("#808080")
    top, step = _nice_max(max(c.total for c in categories))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = colors.HexColor("#808080")
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
    chart.barSpacing = 1
    chart.groupSpacing = 4
    for index, severity in enumerate(severities):
        chart.bars[index].fillColor = SEVERITY_COLOURS[severity.value]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    drawing.add(_legend([(SEVERITY_COLOURS[s.value], s.label) for s in severities],
                        8, 2))
    return drawing


def contacts_chart(summary: WeekSummary, width: float, height: float) -> Drawing:
    register_fonts()
    drawing = Drawing(width, height)
    _title(drawing, _("Contacts per day"), width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 26, 40
    chart.width, chart.height = width - 34, height - 40 - 20
    chart.data = [[d.youths_met for d in summary.days], [d.adults_met for d in summary.days]]
    chart.categoryAxis.categoryNames = [format_date(d.day, "EEE") for d in summary.days]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.dy = -2
    chart.categoryAxis.strokeColor = colors.HexColor("#808080")
    top, step = _nice_max(max((d.contacts for d in summary.days), default=0))
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, top, step
    chart.valueAxis.labels.fontName = REGULAR
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.strokeColor = colors.HexColor("#808080")
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#E0E0E0")
    chart.barWidth = 10
    chart.groupSpacing = 8
    chart.bars[0].fillColor, chart.bars[0].strokeColor = YOUTH_COLOUR, None
    chart.bars[1].fillColor, chart.bars[1].strokeColor = ADULT_COLOUR, None
    drawing.add(chart)
    drawing.add(_legend([(YOUTH_COLOUR, _("Young people")), (ADULT_COLOUR, _("Adults"))],
                        8, 2))
    return drawing


def _legend(items, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.boxAnchor = "sw"
    legend.columnMaximum = 1
    legend.deltax = 60
    legend.dx = legend.dy = 6
    legend.fontName = REGULAR
    legend.fontSize = 7
    legend.strokeWidth = 0
    legend.strokeColor = None
    legend.colorNamePairs = items
    return legend
