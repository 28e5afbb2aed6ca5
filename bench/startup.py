"""One cold start, in a fresh process: ``python -m bench.startup bare|app LAUNCHED [DB]``.

``LAUNCHED`` is the parent's ``time.time()`` just before it started this process, so the
figures include the interpreter's start and every import. Printed (seconds since LAUNCHED):

- ``DIALOG``: the passphrase dialog painted (``app`` on an encrypted file without
  FIELDAPP_PASSPHRASE). The process then "types" the passphrase (``BENCH_PASSPHRASE``)
  after ``TYPING_S`` — a short passphrase typed fast — and presses Open: ``PASSPHRASE``;
- ``STARTUP``: the window painted and usable: for ``app`` the first page is built, the jobs
  on the database lane (its data, the running shift) have reported back and the page painted
  again after that, so the user's first save would not wait;
- ``PRELOADED``: when the start's background imports (fieldapp.ui.app.preload) ended;
- ``BACKGROUND``: the start's background work (retention, sync page, integrity check, daily
  backup), which the user never waits for, ended;
- ``PEAK``: this process's own peak resident size (VmHWM), MB.

- ``bare``: a PySide6 QMainWindow of the same size, nothing else (the baseline);
- ``app``: ``fieldapp.ui.app.run_gui`` on ``DB``, the real start-up path.

Nothing from ``fieldapp`` or ``bench`` is imported at module level (the watcher finds the app's
widgets by their object names).
"""

from __future__ import annotations

import os
import sys
import time

TYPING_S = 1.0
PERF_ORIGIN, WALL_ORIGIN = time.perf_counter(), time.time()


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _watch(app, find_window, launched: float, tasks_of=lambda window: None) -> None:
    """Poll from the event loop (the dialog's too): answer the passphrase dialog, then once
    the window is exposed and painted, its database lane idle and a paint happened after
    that, record the time; then wait for the background work and quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QWidget

    state = {"painted": {}, "idle_since": None}

    def say(name: str, value: float) -> None:
        print(f"{name} {value:.6f}", flush=True)

    class PaintSpy(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
                state["painted"][obj.window().objectName()] = time.perf_counter()
            return False

    spy = PaintSpy()
    app.installEventFilter(spy)
    timer = QTimer()
    timer.setInterval(1)

    def answer_dialog() -> bool:
        dialog = next((w for w in app.topLevelWidgets()
                       if w.objectName() == "passphraseDialog" and w.isVisible()), None)
        if dialog is None:
            return False
        if "dialog" not in state:
            handle = dialog.windowHandle()
            if handle is None or not handle.isExposed() or "passphraseDialog" not in state["painted"]:
                return True
            state["dialog"] = time.perf_counter()
            say("DIALOG", time.time() - launched)
        elif time.perf_counter() - state["dialog"] >= TYPING_S and "passphrase" not in state:
            state["passphrase"] = True
            dialog.first.setText(os.environ["BENCH_PASSPHRASE"])
            say("PASSPHRASE", time.time() - launched)
            dialog.try_accept()
        return True

    def poll() -> None:
        if "usable" not in state and answer_dialog():
            return
        window = find_window()
        if window is None or not window.isVisible():
            return
        handle = window.windowHandle()
        painted = state["painted"].get(window.objectName(), 0.0)
        if handle is None or not handle.isExposed() or not painted:
            return
        tasks = tasks_of(window)
        if "usable" in state:  # then wait for the background work of the start
            started = getattr(window, "_after_first_paint", None) is None
            if tasks is None or (started and not tasks.busy()):
                timer.stop()
                say("BACKGROUND", time.time() - launched)
                preloaded = getattr(sys.modules.get("fieldapp.ui.app"), "preloaded_at", None)
                if preloaded is not None:
                    say("PRELOADED", WALL_ORIGIN + (preloaded - PERF_ORIGIN) - launched)
                say("PEAK", _peak_mb())
                window.close()
                app.quit()
            return
        if tasks is not None and tasks.busy("db"):
            state["idle_since"] = None
            return
        if state["idle_since"] is None:
            state["idle_since"] = time.perf_counter()
            window.update()  # the page as it looks with its data: paint it once more
            return
        if painted < state["idle_since"]:
            return
        state["usable"] = time.time() - launched
        say("STARTUP", state["usable"])

    timer.timeout.connect(poll)
    timer.start()
    app._bench_keep = (spy, timer)


def bare(launched: float) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setObjectName("bare")
    window.setWindowTitle("bare")
    window.resize(1180, 760)
    window.show()
    _watch(app, lambda: window, launched)
    return app.exec()


def fieldapp(launched: float, db: str) -> int:
    from fieldapp.cli.gui import prepare_start

    prepare_start(db)  # as `fieldapp gui` starts, before PySide6
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def find_window():
        for widget in app.topLevelWidgets():
            if widget.objectName() == "mainWindow":
                return widget
        return None

    _watch(app, find_window, launched, tasks_of=lambda window: window.ctx.tasks)
    from fieldapp.ui.app import run_gui

    return run_gui(db, language="sv")


def main() -> int:
    mode, launched = sys.argv[1], float(sys.argv[2])
    if mode == "bare":
        return bare(launched)
    return fieldapp(launched, sys.argv[3])


if __name__ == "__main__":
    raise SystemExit(main())
