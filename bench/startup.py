"""One cold start, in a fresh process: ``python -m bench.startup bare|app LAUNCHED [DB]``.

``LAUNCHED`` is the parent's ``time.time()`` just before it started this process, so the
figure includes the interpreter's start and every import. The process shows its window,
waits until the window has painted and the event loop is idle (for ``app``: the first page
is built, every job it queued has finished and the page painted again after that), then
prints ``STARTUP <seconds>`` and quits.

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
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
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
        if tasks is not None and tasks._running:
            state["idle_since"] = None
            return
        if state["idle_since"] is None:
            state["idle_since"] = time.perf_counter()
            window.update()  # the page as it looks with its data: paint it once more
            return
        if state["painted_at"] < state["idle_since"]:
            return
        elapsed = time.time() - launched
        timer.stop()
        app.removeEventFilter(spy)
        print(f"STARTUP {elapsed:.6f}", flush=True)
        window.close()
        app.quit()

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
