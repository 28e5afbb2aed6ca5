"""The weekly log as CSV (UTF-8 with BOM, semicolons, decimal comma: what Swedish Excel
expects) and as JSON (the WeekSummary itself, for scripts)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import uuid

from fieldapp.domain.cells import csv_writer
from fieldapp.reports.summary import WeekSummary
from fieldapp.reports.tables import HOURS, build_tables, key_figures
from fieldapp.reports.texts import document_title, overview_lines

BOM = "\ufeff"


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = f"{value:.1f}" if kind == HOURS else f"{value:.2f}"
        if text.endswith("0") and kind != HOURS:
            text = text[:-1]
        return text.replace(".", ",")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def render_csv(summary: WeekSummary, progress=None) -> bytes:
    """One file with a section per table: a title line, a header line, the rows, a blank line."""
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([document_title(summary)])
    for label, value in overview_lines(summary):
        writer.writerow([label, _csv_cell(value, "")])
    writer.writerow([])
    tables = build_tables(summary)
    for index, table in enumerate(tables):
        writer.writerow([table.title])
        writer.writerow([c.title for c in table.columns])
        for row in table.rows:
            writer.writerow([_csv_cell(v, c.kind) for c, v in zip(table.columns, row)])
        writer.writerow([])
        if progress:
            progress(index + 1, len(tables))
    return (BOM + out.getvalue()).encode("utf-8")


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


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
    return _plain(data)


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
