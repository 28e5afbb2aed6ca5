"""The period report as CSV (UTF-8 with BOM, semicolons, decimal comma), XLSX (an overview
sheet, one sheet per table, typed cells) and JSON (the PeriodSummary itself, for scripts).

The CSV and XLSX files are written by the app's one writer (:mod:`fieldapp.reports.tabular`)
from the period's tables (:mod:`fieldapp.reports.period_tables`): the same layout as the
weekly log, every cell data, never a formula.
"""

from __future__ import annotations

import dataclasses
import json

from fieldapp.reports import tabular
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.period_tables import build_tables, document_title, key_figures, overview_lines
from fieldapp.reports.tabular import plain


def render_csv(summary: PeriodSummary, progress=None) -> bytes:
    """One file with a section per table (:func:`fieldapp.reports.tabular.render_csv`)."""
    return tabular.render_csv(document_title(summary), overview_lines(summary),
                              build_tables(summary), progress)


def render_xlsx(summary: PeriodSummary, progress=None) -> bytes:
    """The workbook (:func:`fieldapp.reports.tabular.render_xlsx`)."""
    return tabular.render_xlsx(document_title(summary), overview_lines(summary),
                               build_tables(summary), summary.generated_at, progress)


def summary_to_dict(summary: PeriodSummary) -> dict:
    data = {f.name: plain(getattr(summary, f.name), 2) for f in dataclasses.fields(summary)
            if f.name not in ("period", "year_before")}
    period, before = summary.period, summary.year_before
    data["period"] = {"id": str(period), "kind": period.kind.value, "label": period.label(),
                      "first": period.first.isoformat(), "last": period.last.isoformat()}
    data["year_before"] = {"id": str(before), "label": before.label(),
                           "first": before.first.isoformat(), "last": before.last.isoformat()}
    data["scope"] = summary.scope.value
    data["title"] = document_title(summary)
    data["key_figures"] = [{"key": k.key, "label": k.label, "value": k.value}
                           for k in key_figures(summary)]
    return data


def render_json(summary: PeriodSummary, progress=None) -> bytes:
    text = json.dumps(summary_to_dict(summary), ensure_ascii=False, indent=2)
    if progress:
        progress(1, 1)
    return (text + "\n").encode("utf-8")


__all__ = ["render_csv", "render_json", "render_xlsx", "summary_to_dict"]
