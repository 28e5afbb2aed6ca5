"""Retention (gallring) while the window is open: at start (after the first paint), then
once a day. The scheduler looks every hour; the store decides whether a run is due
(:func:`fieldapp.store.services.retention.run_if_due`), so a laptop left open for days is
cleaned daily and a restart does not run it twice.

It runs on the IO lane with the start's other background work (the integrity check, the
daily backup), never on the DB lane of the user's reads and saves: on a city's year its
reading takes a few hundred milliseconds, which the first save after the start (the first
start of the day, when it is due) would otherwise wait behind. SQLite lets the two write
in turn; the purge's transaction is short, and one that meets a record saved meanwhile
(an observation added to an old shift) fails as a whole and runs again an hour later."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer

from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import IO

log = logging.getLogger("fieldapp.ui")

CHECK_EVERY_MS = 3_600_000


class RetentionScheduler(QObject):
    def __init__(self, ctx: AppContext, parent: QObject | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.run)

    def start(self) -> None:
        self.timer.start()

    def run(self) -> None:
        """Run retention on the IO lane when it is due; views reload if anything went."""
        ctx = self.ctx

        def job(_progress):
            from fieldapp.store.services import retention

            with ctx.database.session() as session:
                return retention.run_if_due(session, now=ctx.clock())

        def done(counts) -> None:
            if counts and any(item.count for item in counts):
                ctx.events.changed.emit("retention")

        ctx.tasks.run(job, on_success=done, lane=IO,
                      on_failure=lambda exc, trace: log.error("retention failed: %s\n%s",
                                                              exc, trace))
