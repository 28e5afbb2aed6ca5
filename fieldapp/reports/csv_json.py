"""The weekly log as CSV (UTF-8 with BOM, semicolons, decimal comma: what Swedish Excel
expects; written by :func:`fieldapp.reports.tabular.render_csv`) and as JSON (the
WeekSummary itself, for scripts)."""

from __future__ import annotations

import dataclasses
import json

from fieldapp.reports import tabular
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import build_tables, key_figures
from fieldapp.reports.tabular import plain
from fieldapp.reports.texts import document_title, overview_lines


def render_csv(summary: WeekSummary, progress=None) -> bytes:
    """One file with a section per table (:func:`fieldapp.reports.tabular.render_csv`)."""
    return tabular.render_csv(document_title(summary), overview_lines(summary),
                              build_tables(summary), progress)


def summary_to_dict(summary: WeekSummary) -> dict:
    data = {field.name: getattr(summary, field.name) for field in dataclasses.fields(summary)}
    data = {k: (dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v)
            for k, v in data.items()}
    data["meetings"] = [dataclasses.asdict(m) for m in summary.meetings]
    for name in ("categories", "days", "areas", "places", "shifts", "notable"):
        data[name] = [dataclasses.asdict(item) for item in getattr(summary, name)]
    data["week"] = str(summary.week)
    data["week_start"] = summary.week.monday()
    data["week_end"] = summary.week.sunday()
    data["scope"] = summary.scope.value
    data["key_figures"] = [{"key": k.key, "label": k.label, "value": k.value}
                           for k in key_figures(summary)]
    data["rising"] = rising_list(summary)
    return plain(data)


def rising_list(summary: WeekSummary) -> list[dict]:
    """The places rising by fieldapp.domain.rising, with the figures behind each."""
    return [{"place_id": str(t.place_id), "place": t.name, "area": t.area,
             "recent": t.recent, "baseline": t.baseline, "expected": t.expected,
             "p_value": t.p_value, "weeks": list(summary.trend.weeks), "counts": list(t.counts)}
            for t in summary.trend.rows]


def render_json(summary: WeekSummary, progress=None) -> bytes:
    text = json.dumps(summary_to_dict(summary), ensure_ascii=False, indent=2, sort_keys=False)
    if progress:
        progress(1, 1)
    return (text + "\n").encode("utf-8")


__all__ = ["render_csv", "render_json", "rising_list", "summary_to_dict"]
