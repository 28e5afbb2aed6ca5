"""Write a report file safely: render in memory, write to a temporary name in the target
folder, flush, then ``os.replace``, so a failure never leaves a partial file behind.

Shared by the command line and the Rapporter view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from fieldapp import files
from fieldapp.domain.weeks import IsoWeek
from fieldapp.i18n import _
from fieldapp.reports.summary import Scope, WeekSummary, build_week_summary
from fieldapp.store.types import utcnow

FORMATS = ("pdf", "xlsx", "csv", "json")
Progress = Callable[[int, int, str], None]


class ReportError(Exception):
    """Bad input for a report (week, format, output path); the message says what to do."""


def renderer(fmt: str):
    """The function that renders a summary as ``fmt``: ``(summary, progress) -> bytes``."""
    fmt = check_format(fmt)
    if fmt == "pdf":
        from fieldapp.reports.pdf import render_pdf
        return render_pdf
    if fmt == "xlsx":
        from fieldapp.reports.xlsx import render_xlsx
        return render_xlsx
    from fieldapp.reports.csv_json import render_csv, render_json
    return render_csv if fmt == "csv" else render_json


def check_format(fmt: str) -> str:
    fmt = (fmt or "").strip().lower().lstrip(".")
    if fmt not in FORMATS:
        raise ReportError(_("The format {format} is not offered; choose one of {formats}.")
                          .format(format=fmt or "–", formats=", ".join(FORMATS)))
    return fmt


def format_for(output: Path | None, explicit: str | None) -> str:
    """The explicit format, else the one the output's suffix names, else PDF."""
    if explicit:
        return check_format(explicit)
    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    return suffix if suffix in FORMATS else "pdf"


def default_filename(week: IsoWeek, fmt: str) -> str:
    """"veckologg-2024-W47.pdf" in Swedish, "weekly-log-2024-W47.pdf" in English."""
    return _("weekly-log-{week}.{format}").format(week=week, format=fmt)


def parse_week(text: str, now: dt.datetime) -> IsoWeek:
    """"2024-W47" and the other spellings IsoWeek reads, or "last" (the last complete week)."""
    if text is None or text.strip().lower() in ("last", "senaste"):
        return IsoWeek.last_complete(now)
    try:
        return IsoWeek.parse(text)
    except (ValueError, TypeError) as exc:
        raise ReportError(_("Unknown week: {error}").format(error=exc)) from None


def creation_time(explicit: dt.datetime | None = None) -> dt.datetime:
    """The report's creation time: ``explicit``, else SOURCE_DATE_EPOCH, else now."""
    if explicit is not None:
        if explicit.tzinfo is None:
            raise ReportError(_("Give the creation time with a time zone."))
        return explicit.astimezone(dt.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise ReportError(_("SOURCE_DATE_EPOCH must be a whole number of seconds.")) from None
    return utcnow().replace(microsecond=0)


def check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ReportError(_("{path} is a folder; give a file name.").format(path=path))
    if not folder.is_dir():
        raise ReportError(_("Cannot write {path}: the folder {folder} does not exist.").format(
            path=path, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportError(_("Cannot write {path}: no permission to write in {folder}.").format(
            path=path, folder=folder))


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (:func:`fieldapp.files.write_bytes`: owner-only, all or
    nothing); an OSError becomes a ReportError that says what failed."""
    check_writable(path)
    try:
        files.write_bytes(path, data)
    except OSError as exc:
        raise ReportError(_("Cannot write {path}: {error}").format(
            path=path, error=exc.strerror or exc)) from None


def render(summary: WeekSummary, fmt: str, progress: Progress | None = None) -> bytes:
    return renderer(fmt)(summary, progress)


def record_export(database, kind: str, *, week: IsoWeek, scope: Scope | str, fmt: str,
                  path: Path, **extra) -> None:
    """Write the audit entry of a written report (kind ``export`` or ``disclosure``)."""
    from fieldapp.store.services.audit import AuditService

    details = {"week": str(week), "scope": Scope(scope).value, "format": fmt,
               "file": str(Path(path).resolve()), **extra}
    with database.session() as session:
        AuditService(session).record(kind, details)


def export_week(database, week: IsoWeek, scope: Scope | str, fmt: str, path: Path, *,
                device_id: uuid.UUID | None = None, created_at: dt.datetime | None = None,
                progress: Progress | None = None,
                summary: WeekSummary | None = None) -> WeekSummary:
    """Summarise ``week`` from ``database`` and write it to ``path`` as ``fmt``. ``summary``:
    the week already summarised (the window's Rapporter page holds it), written as it is,
    with the report's creation time."""
    fmt = check_format(fmt)
    path = Path(path)
    check_writable(path)
    created = creation_time(created_at)
    if summary is not None and (summary.week, summary.scope) == (week, Scope(scope)):
        summary = dataclasses.replace(summary, generated_at=created)
    else:
        if progress:
            progress(0, 100, _("Summarising the week"))
        with database.session() as session:
            summary = build_week_summary(session, week, scope, device_id or database.device_id(),
                                         generated_at=created)

    def step(done: int, total: int, message: str = "") -> None:
        if progress and total:
            progress(10 + int(80 * min(done, total) / total), 100,
                     message or _("Writing the report"))

    step(0, 1)
    data = render(summary, fmt, step if progress else None)
    write_atomically(path, data)
    record_export(database, "export", week=week, scope=summary.scope, fmt=fmt, path=path)
    if progress:
        progress(100, 100, _("Done"))
    return summary
