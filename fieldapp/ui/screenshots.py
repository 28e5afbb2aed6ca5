"""Screenshots of every page and dialog with demo data, drawn offscreen at 1366×768:

    python -m fieldapp.ui.screenshots OUTDIR [--lang sv|en] [--no-dark] [--only NAME ...]
    python -m fieldapp.ui.screenshots --docs docs/screenshots   # the README's small set

Builds a throw-away demo database, encrypted as a real user's file is (four weeks, plus a
nattvandring running now with a few observations), opens the window in a temporary
QSettings, and writes one PNG per page and dialog (:data:`SHOTS`), in the light palette and
(unless --no-dark) a dark one: the pages, the shift and observation dialogs, the meeting form,
the lock screen and the passphrase dialog. ``inspect`` lets a test look at each widget before
it is photographed (the overflow test does). Nothing is written outside OUTDIR and a
temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

WINDOW_SIZE = QSize(1366, 768)
DEMO_PASSPHRASE = "demo-lösenfras-2026"


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


def build_demo(folder: Path, passphrase: str | None = DEMO_PASSPHRASE):
    """An encrypted demo database with a shift running now; returns the open Database."""
    from fieldapp.demo import generate_demo
    from fieldapp.domain.ids import reference_id
    from fieldapp.store.database import open_database
    from fieldapp.store.services import Services
    from fieldapp.store.types import utcnow

    database = open_database(folder / "demo.sqlite", passphrase)
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


# -- the shots: each makes the widget to photograph (the window, or a dialog it opens) -------
@dataclass(frozen=True)
class Shot:
    name: str  # the file's name: "01-today", "dialog-meeting"
    make: Callable[[object, QWidget], QWidget | None]  # (ctx, window) -> widget; None: skip
    dark: bool = False  # also in the dark palette

    @property
    def key(self) -> str:
        """The name without a page's number: "today", "dialog-meeting"."""
        head, _sep, rest = self.name.partition("-")
        return rest if head.isdigit() else self.name


def _page(key: str) -> Callable:
    def make(_ctx, window):
        window.show_page(key)
        return window
    return make


def _start_shift(ctx, window):
    from fieldapp.ui.dialogs.start_shift import StartShiftDialog
    return StartShiftDialog(ctx, window)


def _quick_observation(ctx, window):
    from fieldapp.ui.dialogs.quick_observation import QuickObservationDialog
    quick = QuickObservationDialog(ctx, window)
    quick.place.setText("Älvsjö centrum")
    quick._place_edited(quick.place.text())
    return quick


def _end_shift(ctx, window, errors: bool = False):
    from fieldapp.ui.dialogs.end_shift import EndShiftDialog
    running = window.running
    if running is None:
        return None
    dialog = EndShiftDialog(ctx, running.id, window)
    if errors:
        dialog.ends_at.set_moment(running.starts_at)
        dialog.save()  # shows "end time must be after the start time"
    else:
        dialog.summary.setPlainText("Lugnt vid centrum. Samtal med en grupp unga vid "
                                    "stationen, ring 070-123 45 67 om uppföljning.")
    return dialog


def _meeting(ctx, window):
    from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog
    dialog = MeetingFormDialog(ctx, None, window)
    dialog.title.setText("Utsättningsmöte med polisen")
    dialog.add_flag()
    dialog.add_action()
    return dialog


def _passphrase(ctx, window):
    from fieldapp.ui.dialogs.passphrase import PassphraseDialog
    return PassphraseDialog(ctx.database.path, new=False, check=lambda _text: True, parent=window)


def _lock(_ctx, window):
    window.lock()
    return window


def _place_page(ctx, window):
    from fieldapp.domain.ids import reference_id
    from fieldapp.ui.views.place_page import PlacePage
    return PlacePage(ctx, reference_id("place", "alvsjo-centrum"), window)


def _first_start(ctx, window):
    from fieldapp.ui.dialogs.first_start import FirstStartGuide
    return FirstStartGuide(ctx, window)


def _import_wizard(ctx, window):
    from fieldapp.ui.dialogs.import_wizard import ImportWizard
    return ImportWizard(ctx, window.settings, window)


def _shortcuts(_ctx, window):
    from fieldapp.ui.help_menu import ShortcutListDialog
    return ShortcutListDialog(window)


def _shots() -> tuple[Shot, ...]:
    from fieldapp.ui.pages import PAGES
    pages = tuple(Shot(f"{number:02d}-{spec.key}", _page(spec.key), dark=spec.key in ("today", "settings"))
                  for number, spec in enumerate(PAGES, start=1))
    return pages + (
        Shot("dialog-start-shift", _start_shift),
        Shot("dialog-quick-observation", _quick_observation, dark=True),
        Shot("dialog-end-shift", _end_shift),
        Shot("dialog-end-shift-errors", lambda ctx, window: _end_shift(ctx, window, errors=True)),
        Shot("dialog-meeting", _meeting),
        Shot("dialog-passphrase", _passphrase),
        Shot("dialog-shortcuts", _shortcuts),
        Shot("place-page", _place_page),
        Shot("dialog-first-start", _first_start),
        Shot("dialog-import", _import_wizard),
        Shot("lock-screen", _lock),  # last: the window stays locked
    )


def take_screenshots(outdir: Path, *, language: str = "sv", dark: bool = True,
                     only: set[str] | None = None,
                     inspect: Callable[[str, QWidget], None] | None = None) -> list[Path]:
    """Write the shots (``only`` those named) to ``outdir`` as NAME-THEME.png; ``inspect``
    gets each widget, shown at its size, just before it is photographed."""
    from fieldapp.i18n import set_language
    from fieldapp.ui.context import AppContext
    from fieldapp.ui.main_window import MainWindow

    outdir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    set_language(language)
    written: list[Path] = []
    shots = [shot for shot in _shots() if only is None or shot.name in only or shot.key in only]
    with tempfile.TemporaryDirectory(prefix="faltlogg-shots-") as temp:
        folder = Path(temp)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
        database = build_demo(folder)
        try:
            themes = [("light", app.style().standardPalette())]
            if dark:
                themes.append(("dark", dark_palette()))
            for theme, palette in themes:
                app.setPalette(palette)
                ctx = AppContext.open(database, synchronous=True)
                settings = QSettings(str(folder / f"window-{theme}.ini"), QSettings.Format.IniFormat)
                window = MainWindow(ctx, settings)
                window.resize(WINDOW_SIZE)
                window.show()
                for shot in shots:
                    if theme == "dark" and not shot.dark:
                        continue
                    window.show_page("today")
                    widget = shot.make(ctx, window)
                    if widget is None:
                        continue
                    widget.show()
                    _settle(app, widget)
                    if inspect is not None:
                        inspect(shot.name, widget)
                    path = outdir / f"{shot.name}-{theme}.png"
                    widget.grab().save(str(path))
                    written.append(path)
                    if widget is not window:
                        widget.close()
                if window.locked:
                    window.unlock(DEMO_PASSPHRASE)
                window.close()
                # Deleted now: its Synk page's automatic sync timer would otherwise fire
                # minutes later, on a data file that is gone by then.
                shiboken6.delete(window)
        finally:
            database.close()
    return written


# The README's pictures: what a person deciding whether to use the app wants to see.
DOCS = (("today", "sv"), ("dialog-quick-observation", "sv"), ("dialog-end-shift", "sv"),
        ("dialog-meeting", "sv"), ("places", "sv"), ("map", "sv"), ("reports", "sv"),
        ("lock-screen", "sv"), ("dialog-first-start", "sv"), ("observations", "en"))


def write_docs(outdir: Path) -> list[Path]:
    """The README's small set (light palette), named by language and key: ``sv-today.png``."""
    written = []
    outdir.mkdir(parents=True, exist_ok=True)
    for language in ("sv", "en"):
        keys = {key for key, lang in DOCS if lang == language}
        with tempfile.TemporaryDirectory() as temp:
            for path in take_screenshots(Path(temp), language=language, dark=False, only=keys):
                name = path.name.removesuffix("-light.png")
                head, _sep, rest = name.partition("-")
                target = outdir / f"{language}-{rest if head.isdigit() else name}.png"
                target.write_bytes(path.read_bytes())
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fieldapp.ui.screenshots",
                                     description="Write PNG screenshots of every page.")
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lang", choices=("sv", "en"), default="sv")
    parser.add_argument("--no-dark", action="store_true", help="only the light palette")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these shots")
    parser.add_argument("--docs", action="store_true",
                        help="write the README's small set (both languages) to OUTDIR")
    args = parser.parse_args(argv)
    if args.docs:
        written = write_docs(args.outdir)
    else:
        written = take_screenshots(args.outdir, language=args.lang, dark=not args.no_dark,
                                   only=set(args.only) if args.only else None)
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
