"""The one object built at start-up and passed to every window and view (STYLE.md):
the database, this device's id, the clock, the task runner and the PII guard's known words.
Tests build their own."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from fieldapp.store.database import Database
from fieldapp.store.services import Services
from fieldapp.store.services.known import known_words as read_known_words
from fieldapp.store.types import utcnow
from fieldapp.ui.tasks import TaskRunner


class DataEvents(QObject):
    """Tells open views that records changed, so they reload. Owned by the context (not a
    module-level bus): ``changed`` carries the kind ("shift", "observation", "meeting",
    "action", "place", "staff", "settings")."""

    changed = Signal(str)


# The data events after which the known words may have changed (a sync emits the kinds it
# pulled; the allow-list editor emits "settings").
KNOWN_WORD_EVENTS = frozenset({"place", "staff", "settings", "area", "partner", "category"})


@dataclass
class AppContext:
    database: Database
    device_id: uuid.UUID
    tasks: TaskRunner
    clock: Callable[[], dt.datetime] = utcnow
    events: DataEvents = field(default_factory=DataEvents)
    # The words the PII guard never takes for a name here (places, areas, partners,
    # categories, staff, the allow-list): read off the UI thread at start and again when
    # places, staff or settings change; the text fields that mark findings read them.
    known_words: frozenset[str] = frozenset()
    _minute_clock: QObject | None = field(default=None, repr=False)
    # Idag's snapshot read while the window is built (fieldapp.ui.views.today.FirstSnapshot),
    # until the page takes it.
    first_today: object | None = field(default=None, repr=False)

    @property
    def minute_clock(self):
        """The tick at each whole minute that the elapsed-time labels follow (made on first
        use: it needs the QApplication)."""
        if self._minute_clock is None:
            from fieldapp.ui.minute_clock import MinuteClock

            self._minute_clock = MinuteClock(self.clock)
        return self._minute_clock

    def known(self) -> frozenset[str]:
        return self.known_words

    def refresh_known_words(self) -> None:
        """Read the known words in the background; they replace the old ones when read."""
        def job(_progress):
            with self.database.session() as session:
                return read_known_words(session)

        def done(words: frozenset[str]) -> None:
            self.known_words = words

        self.tasks.run(job, on_success=done, on_failure=lambda _exc, _trace: None)

    def _on_changed(self, kind: str) -> None:
        if kind in KNOWN_WORD_EVENTS:
            self.refresh_known_words()

    @contextlib.contextmanager
    def services(self) -> Iterator[Services]:
        """Services on a session in one transaction (committed when the block ends)."""
        with self.database.session() as session:
            yield Services(session, self.device_id, self.clock)

    @classmethod
    def open(cls, database: Database, *, synchronous: bool = False,
             clock: Callable[[], dt.datetime] = utcnow) -> AppContext:
        ctx = cls(database=database, device_id=database.device_id(),
                  tasks=TaskRunner(synchronous=synchronous), clock=clock)
        ctx.events.changed.connect(ctx._on_changed)
        ctx.refresh_known_words()
        return ctx
