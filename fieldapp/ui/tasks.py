"""One task runner for everything slow (STYLE.md): jobs run on a QThreadPool, never touch
widgets, and return plain data; success and failure callbacks run on the UI thread.

Two lanes, named by every caller (``lane=DB`` or ``lane=IO``):

- :data:`DB`: the user's reads and saves, one at a time (a pool with one thread), so they
  stay in order and are never queued behind a slow network;
- :data:`IO`: work that waits on something outside the data file (the team hub's network
  folder or server, the OS keyring, a report or backup written to disk) and the start's
  background work the user never waits for (retention, the integrity check), two at a time.
  Such a job opens its own session through the database's session factory when it needs the
  data: SQLite in WAL mode (with a busy timeout, see :mod:`fieldapp.store.database`) lets a
  save on the DB lane commit while it reads.

While the window is locked the runner is *held* (:meth:`TaskRunner.hold`): new jobs wait in
order until :meth:`TaskRunner.release`, so no timer reaches the closed data file;
:meth:`TaskRunner.when_idle` says when the jobs already running have reported back.

Tests build the runner with ``synchronous=True`` and every job runs at once, in order.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from enum import Enum
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, QThreadPool, Signal, Slot


log = logging.getLogger("fieldapp.ui")


class Lane(str, Enum):
    DB = "db"
    IO = "io"


DB = Lane.DB
IO = Lane.IO


class Progress:
    """Handed to a job: report progress and check for cancellation (thread-safe enough:
    it only emits signals and reads a flag)."""

    def __init__(self, emit: Callable[[int, int, str], None]):
        self._emit = emit
        self.cancelled = False

    def __call__(self, done: int, total: int, message: str = "") -> None:
        self._emit(done, total, message)


class _Signals(QObject):
    succeeded = Signal(object)
    failed = Signal(object, str)
    progressed = Signal(int, int, str)


class _Job(QRunnable):
    def __init__(self, fn, signals: _Signals, progress: Progress):
        super().__init__()
        self.fn, self.signals, self.progress = fn, signals, progress
        self.setAutoDelete(True)

    @Slot()
    def run(self) -> None:
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # noqa: BLE001 - reported to the UI thread
            self.signals.failed.emit(exc, traceback.format_exc())
        else:
            self.signals.succeeded.emit(result)


class TaskHandle:
    def __init__(self, progress: Progress, signals: _Signals | None = None):
        self._progress = progress
        self.signals = signals

    def cancel(self) -> None:
        self._progress.cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._progress.cancelled


class TaskRunner(QObject):
    """Run ``job(progress) -> result`` off the UI thread, on ``lane`` (see the module)."""

    busy_changed = Signal(bool)

    def __init__(self, *, synchronous: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.synchronous = synchronous
        self._pools = {DB: QThreadPool(self), IO: QThreadPool(self)}
        self._pools[DB].setMaxThreadCount(1)
        self._pools[IO].setMaxThreadCount(2)
        self._running = dict.fromkeys(self._pools, 0)  # jobs not reported back, per lane
        self._keep: set[_Signals] = set()
        self._held: list[tuple[tuple, dict]] | None = None  # jobs waiting for release()
        self._idle_waiters: list[Callable[[], None]] = []

    def run(self, job: Callable[[Progress], Any], on_success: Callable[[Any], None] | None = None,
            on_failure: Callable[[BaseException, str], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None,
            lane: Lane | str = DB, owner: QObject | None = None, *,
            while_held: bool = False) -> TaskHandle:
        """``owner``: the widget the callbacks update; when it is gone by the time the job
        reports back (a page rebuilt after a language switch), they are skipped.
        Without one, a callback that is a widget's method has that widget as its owner, so a
        page closed or rebuilt meanwhile is never called back (its C++ side is gone).
        ``while_held``: run even while the runner is held (the unlock's own check)."""
        lane = Lane(lane)
        if owner is None and isinstance(getattr(on_success, "__self__", None), QObject):
            owner = on_success.__self__
        if self._held is not None and not while_held:
            handle = TaskHandle(Progress(lambda *_args: None))
            self._held.append(((job, on_success, on_failure, on_progress, lane, owner),
                               {"_handle": handle}))
            return handle
        return self._start(job, on_success, on_failure, on_progress, lane, owner)

    def _start(self, job, on_success, on_failure, on_progress, lane, owner, *,
               _handle: TaskHandle | None = None) -> TaskHandle:
        if _handle is not None and _handle.cancelled:
            return _handle
        if self.synchronous:
            progress = Progress(lambda d, t, m: on_progress and on_progress(d, t, m))
            if _handle is not None:
                _handle._progress = progress
            try:
                result = job(progress)
            except BaseException as exc:
                if on_failure is None:
                    raise
                on_failure(exc, traceback.format_exc())
            else:
                if on_success:
                    on_success(result)
            return TaskHandle(progress)

        signals = _Signals()
        self._keep.add(signals)
        progress = Progress(signals.progressed.emit)
        if _handle is not None:
            _handle._progress = progress

        def finished() -> None:
            self._keep.discard(signals)
            self._running[lane] -= 1
            if not self.busy():
                self.busy_changed.emit(False)
                self._call_idle_waiters()

        def gone() -> bool:
            return owner is not None and not shiboken6.isValid(owner)

        def succeeded(result) -> None:
            try:
                if on_success and not gone():
                    on_success(result)
            finally:
                finished()

        def failed(exc, trace) -> None:
            try:
                if gone():
                    log.error("a task failed after its page was closed: %s\n%s", exc, trace)
                elif on_failure:
                    on_failure(exc, trace)
                else:
                    raise exc
            finally:
                finished()

        signals.succeeded.connect(succeeded)
        signals.failed.connect(failed)
        if on_progress:
            signals.progressed.connect(on_progress)
        was_busy = self.busy()
        self._running[lane] += 1
        if not was_busy:
            self.busy_changed.emit(True)
        self._pools[lane].start(_Job(job, signals, progress))
        if _handle is not None:
            _handle.signals = signals
            return _handle
        return TaskHandle(progress, signals)

    def hold(self) -> None:
        """Keep new jobs waiting (in order) until :meth:`release` (the window is locked)."""
        if self._held is None:
            self._held = []

    @property
    def held(self) -> bool:
        return self._held is not None

    def release(self) -> None:
        """Start the jobs that waited while the runner was held, in the order they came."""
        pending, self._held = self._held or [], None
        for args, kwargs in pending:
            self._start(*args, **kwargs)

    def when_idle(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once every running job has reported back (at once when none runs)."""
        self._idle_waiters.append(fn)
        if not self.busy():
            self._call_idle_waiters()

    def _call_idle_waiters(self) -> None:
        waiters, self._idle_waiters = self._idle_waiters, []
        for fn in waiters:
            fn()

    def busy(self, lane: Lane | str | None = None) -> bool:
        """Whether a job (on ``lane``, or on any lane) has not reported back yet. The DB
        lane is what the user's next save waits for; IO work never holds it up."""
        return (self._running[Lane(lane)] if lane else sum(self._running.values())) > 0

    def wait(self, msecs: int = 30000) -> bool:
        return all(pool.waitForDone(msecs) for pool in self._pools.values())

    def drain(self, msecs: int = 30000, rounds: int = 20) -> bool:
        """Before the process ends: wait for every job and deliver its report, again while
        the reports start new jobs (a page's reload after the start's work), so no job is
        still running when the runner and its signals are gone (its report would raise in
        the worker thread). False when jobs still run after ``rounds``."""
        for _round in range(rounds):
            if not self.wait(msecs):
                return False
            QCoreApplication.processEvents()
            if not self.busy():
                return True
        return False
