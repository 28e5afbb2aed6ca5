"""Write a period report (PDF, XLSX, CSV or JSON) to a file: the command line's and the
Rapporter view's one way in. A period of one ISO week is the weekly log itself
(:func:`fieldapp.reports.export.export_week`), byte for byte what ``--week`` writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path

from fieldapp.domain.periods import Period, PeriodKind
from fieldapp.i18n import _
from fieldapp.reports.export import (
    Progress,
    ReportError,
    check_format,
    check_writable,
    creation_time,
    default_filename,
    export_week,
    write_atomically,
)
from fieldapp.reports.period_data import PeriodSummary
from fieldapp.reports.period_summary import build_period_summary
from fieldapp.reports.rules import Scope


def parse_period(text: str) -> Period:
    """A period as :meth:`Period.parse` reads it; bad input is a ReportError."""
    try:
        return Period.parse(text or "")
    except (ValueError, TypeError) as exc:
        raise ReportError(_("Unknown period: {error}").format(error=exc)) from None


def default_period_filename(period: Period, fmt: str) -> str:
    """"verksamhetsrapport-2026-T3.pdf"; a week keeps the weekly log's name."""
    if period.kind is PeriodKind.WEEK:
        return default_filename(period.week, fmt)
    stem = _("activity-report")  # a file name: lower case, no spaces
    return f"{stem}-{period.slug()}.{fmt}"


def render_period(summary: PeriodSummary, fmt: str, progress=None) -> bytes:
    fmt = check_format(fmt)
    if fmt == "pdf":
        from fieldapp.reports.period_pdf import render_pdf
        return render_pdf(summary, progress)
    from fieldapp.reports import period_files
    return {"xlsx": period_files.render_xlsx, "csv": period_files.render_csv,
            "json": period_files.render_json}[fmt](summary, progress)


def export_period(database, period: Period, scope: Scope | str, fmt: str, path: Path, *,
                  device_id: uuid.UUID | None = None, created_at: dt.datetime | None = None,
                  progress: Progress | None = None, summary=None):
    """Summarise ``period`` from ``database`` and write it to ``path`` as ``fmt``. Returns
    the PeriodSummary, or the WeekSummary for a period of one ISO week. ``summary``: the
    period already summarised (the Rapporter page holds it), written as it is, with the
    report's creation time."""
    if period.kind is PeriodKind.WEEK:
        return export_week(database, period.week, scope, fmt, path, device_id=device_id,
                           created_at=created_at, progress=progress,
                           summary=summary if not isinstance(summary, PeriodSummary) else None)
    fmt = check_format(fmt)
    path = Path(path)
    check_writable(path)
    created = creation_time(created_at)
    if (isinstance(summary, PeriodSummary)
            and (summary.period, summary.scope) == (period, Scope(scope))):
        summary = dataclasses.replace(summary, generated_at=created)
    else:
        if progress:
            progress(0, 100, _("Summarising the period"))
        with database.session() as session:
            summary = build_period_summary(session, period, scope,
                                           device_id or database.device_id(),
                                           generated_at=created)

    def step(done: int, total: int, message: str = "") -> None:
        if progress and total:
            progress(10 + int(80 * min(done, total) / total), 100,
                     message or _("Writing the report"))

    data = render_period(summary, fmt, step if progress else None)
    write_atomically(path, data)
    from fieldapp.store.services.audit import AuditService

    with database.session() as session:
        AuditService(session).record("export", {
            "period": str(period), "scope": summary.scope.value, "format": fmt,
            "file": str(path.resolve())})
    if progress:
        progress(100, 100, _("Done"))
    return summary


__all__ = ["default_period_filename", "export_period", "parse_period", "render_period"]
