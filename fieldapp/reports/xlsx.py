"""The weekly log as an Excel workbook: its overview lines and tables written by the app's
one workbook writer (:func:`fieldapp.reports.tabular.render_xlsx`: an overview sheet, one
sheet per table, typed cells in Swedish formats, a printable page)."""

from __future__ import annotations

from fieldapp.reports import tabular
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import build_tables
from fieldapp.reports.texts import document_title, overview_lines


def render_xlsx(summary: WeekSummary, progress=None) -> bytes:
    return tabular.render_xlsx(document_title(summary), overview_lines(summary),
                               build_tables(summary), summary.generated_at, progress)


__all__ = ["render_xlsx"]
