"""One cold start, in a fresh process: ``python -m bench.startup bare|app LAUNCHED [DB]``.

``LAUNCHED`` is the parent's ``time.time()`` just before it started this process, so the
figure includes the interpreter's start and every import. The process shows its window,
waits until the window has painted and is usable (for ``app``: the first page is built, the
jobs on the database lane — its data, the running shift, the sync status, retention — have
reported back and the page painted again after that, so the user's first save would not
wait), then prints ``STARTUP <seconds>``. For ``app`` it then waits for the start's
background work on the io lane too (the integrity check of the whole file and the daily
backup, which the user never waits for) and prints ``BACKGROUND <seconds>``, then quits.

- ``bare``: a PySide6 QMainWindow of the same size, nothing else (the baseline);
- ``app``: ``fieldapp.ui.app.run_gui`` on ``DB``, the real start-up path.

Nothing from ``fieldapp`` or ``bench`` is imported here before the clock stops in ``bare``.
"""

from __future__ import annotations

import sys
import time


def _watch(app, find_window, launched: float, tasks_of=lambda window: None) -> None:
    """Poll from the event loop: once the window is exposed and painted, its tasks are done
    and a paint happened after that, record the time and close the window."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    state = {"painted_at": 0.0, "idle_since": None}

    class PaintSpy(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                state["painted_at"] = time.perf_counter()
            return False

    spy = PaintSpy()
    app.installEventFilter(spy)
    timer = QTimer()
    timer.setInterval(1)

    def poll() -> None:
        window = find_window()
        if window is None or not window.isVisible():
            return
        handle = window.windowHandle()
        if handle is None or not handle.isExposed() or not state["painted_at"]:
            return
        tasks = tasks_of(window)
        if "usable" in state:  # then wait for the background work of the start
            if tasks is None or not tasks.busy():
                timer.stop()
                print(f"BACKGROUND {time.time() - launched:.6f}", flush=True)
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
        if state["painted_at"] < state["idle_since"]:
            return
        state["usable"] = time.time() - launched
        app.removeEventFilter(spy)
        print(f"STARTUP {state['usable']:.6f}", flush=True)

    timer.timeout.connect(poll)
    timer.start()
    app._bench_keep = (spy, timer)


def bare(launched: float) -> int:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("bare")
    window.resize(1180, 760)
    window.show()
    _watch(app, lambda: window, launched)
    return app.exec()


def fieldapp(launched: float, db: str) -> int:
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])

    def find_window():
        from fieldapp.ui.main_window import MainWindow

        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow):
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
