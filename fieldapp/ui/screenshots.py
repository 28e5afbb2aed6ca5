"""Screenshots of every page and dialog with demo data, drawn offscreen:

    python -m fieldapp.ui.screenshots OUTDIR [--lang sv|en] [--no-dark]

Builds a throw-away demo database (four weeks, plus a nattvandring running now with a few
observations), opens the window in a temporary QSettings, and writes one PNG per page and
dialog, in the light palette and (unless --no-dark) a dark one. For reviewing the layout and
for the user guide; nothing is written outside OUTDIR and a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

WINDOW_SIZE = QSize(1280, 800)


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#2b2b2e", QPalette.ColorRole.WindowText: "#e6e6e6",
        QPalette.ColorRole.Base: "#1e1e20", QPalette.ColorRole.AlternateBase: "#26262a",
        QPalette.ColorRole.ToolTipBase: "#3a3a3f", QPalette.ColorRole.ToolTipText: "#e6e6e6",
        QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#35353a",
        QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d7bd9", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a8a90", QPalette.ColorRole.Link: "#7fb0ff",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText,
                 QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#77777d"))
    return palette


def build_demo(folder: Path):
    """A demo database with a shift running now; returns the open Database."""
    from fieldapp.demo import generate_demo
    from fieldapp.domain.ids import reference_id
    from fieldapp.store.database import open_database
    from fieldapp.store.services import Services
    from fieldapp.store.types import utcnow

    database = open_database(folder / "demo.sqlite")
    now = utcnow().replace(second=0, microsecond=0)
    generate_demo(database, seed=7, weeks=4, now=now)
    with database.session() as session:
        services = Services(session, database.device_id(), clock=lambda: now)
        staff = services.staff.list()
        categories = {c.key: c.id for c in services.reference.categories()}
        places = {p.key: p.id for p in services.places.list() if p.key}
        start = now - dt.timedelta(hours=2, minutes=10)
        services.settings.set("team_name", "Fältgruppen Hägersten-Älvsjö")
        services.settings.set_device_name("Laptop fältgruppen 2")
        shift = services.shifts.create(
            kind="nattvandring", starts_at=start, staff_ids=[s.id for s in staff[:2]],
            partner_ids=[reference_id("partner", "alvsjo-aik-nattvandrare")],
            area_ids=[reference_id("area", "alvsjo"), reference_id("area", "solberga")])
        for minutes, place, category, people, severity in (
            (25, "alvsjo-centrum", "ungdomssamling", 12, "low"),
            (70, "alvsjo-resecentrum", "narkotikaforsaljning", 3, "medium"),
            (110, "solberga-bp", "skadegorelse-klotter", 0, "low"),
        ):
            if place in places and category in categories:
                services.observations.create(
                    shift_id=shift.id, place_id=places[place], category_id=categories[category],
                    observed_at=start + dt.timedelta(minutes=minutes), people_count=people,
                    youths_present=min(people, 8), severity=severity,
                    action_taken="samtal" if people else "felanmalan")
    return database


def _settle(app: QApplication, widget: QWidget) -> None:
    for _round in range(3):
        app.processEvents()
    widget.repaint()


def _save(app: QApplication, widget: QWidget, path: Path, written: list[Path]) -> None:
    _settle(app, widget)
    widget.grab().save(str(path))
    written.append(path)


def take_screenshots(outdir: Path, *, language: str = "sv", dark: bool = True) -> list[Path]:
    from fieldapp.i18n import set_language
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.dialogs.end_shift import EndShiftDialog
    from fieldapp.ui.dialogs.quick_observation import QuickObservationDialog
    from fieldapp.ui.dialogs.start_shift import StartShiftDialog
    from fieldapp.ui.main_window import PAGE_KEYS, MainWindow

    outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    set_language(language)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="faltlogg-shots-") as temp:
        folder = Path(temp)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        database = build_demo(folder)
        try:
            ctx = AppContext.open(database, synchronous=True)
            themes = [("light", app.style().standardPalette())]
            if dark:
                themes.append(("dark", dark_palette()))
            for theme, palette in themes:
                app.setPalette(palette)
                settings = QSettings(str(folder / f"window-{theme}.ini"), QSettings.Format.IniFormat)
                window = MainWindow(ctx, settings)
                window.resize(WINDOW_SIZE)
                window.show()
                keys = PAGE_KEYS if theme == "light" else ("today", "settings")
                for number, key in enumerate(PAGE_KEYS, start=1):
                    if key not in keys:
                        continue
                    window.show_page(key)
                    _save(app, window, outdir / f"{number:02d}-{key}-{theme}.png", written)
                window.show_page("today")
                running = window.running
                dialogs = [("start-shift", StartShiftDialog(ctx, window))]
                quick = QuickObservationDialog(ctx, window)
                quick.place.setText("Älvsjö centrum")
                quick._place_edited(quick.place.text())
                dialogs.append(("quick-observation", quick))
                if running is not None:
                    end = EndShiftDialog(ctx, running.id, window)
                    end.summary.setPlainText("Lugnt vid centrum. Samtal med en grupp unga vid "
                                             "stationen, ring 070-123 45 67 om uppföljning.")
                    dialogs.append(("end-shift", end))
                if running is not None:
                    errors = EndShiftDialog(ctx, running.id, window)
                    errors.ends_at.set_moment(running.starts_at)
                    errors.save()  # shows "end time must be after the start time"
                    dialogs.append(("end-shift-errors", errors))
                for name, dialog in dialogs:
                    dialog.show()
                    _save(app, dialog, outdir / f"dialog-{name}-{theme}.png", written)
                    dialog.close()
                window.close()
                # Deleted now: its Synk page's automatic sync timer would otherwise fire
                # minutes later, on a data file that is gone by then.
                shiboken6.delete(window)
        finally:
            database.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldapp.ui.screenshots",
                                     description="Write PNG screenshots of every page.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", choices=("sv", "en"), default="sv")
    parser.add_argument("--no-dark", action="store_true", help="only the light palette")
    args = parser.parse_args(argv)
    written = take_screenshots(args.outdir, language=args.lang, dark=not args.no_dark)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
