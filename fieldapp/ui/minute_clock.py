"""One tick at each whole minute of the app's clock. Every label that shows how long a shift
has run (the status bar, Idag's heading) follows it, so they never disagree by a minute, and
the minute they show changes when the clock's minute does."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QTimer, Signal


class MinuteClock(QObject):
    tick = Signal()

    def __init__(self, clock, parent: QObject | None = None):
        super().__init__(parent)
        self.clock = clock
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may be 3 s late
        self.timer.timeout.connect(self._fire)
        self._arm()

    def _arm(self) -> None:
        now = self.clock()
        into_minute = now.second * 1000 + now.microsecond // 1000
        self.timer.start(max(60_000 - into_minute, 50))

    def _fire(self) -> None:
        self._arm()
        self.tick.emit()
