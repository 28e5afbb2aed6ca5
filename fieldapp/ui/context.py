"""The one object built at start-up and passed to every window and view (STYLE.md):
the database, this device's id, the clock and the task runner. Tests build their own."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from fieldapp.store.database import Database
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.ui.tasks import TaskRunner


class DataEvents(QObject):
    """Tells open views that records changed, so they reload. Owned by the context (not a
    module-level bus): ``changed`` carries the kind ("shift", "observation", "meeting",
    "action", "place", "staff", "settings")."""

    changed = Signal(str)


@dataclass
class AppContext:
    database: Database
    device_id: uuid.UUID
    tasks: TaskRunner
    clock: Callable[[], dt.datetime] = utcnow
    events: DataEvents = field(default_factory=DataEvents)

    @contextlib.contextmanager
    def services(self) -> Iterator[Services]:
        """Services on a session in one transaction (committed when the block ends)."""
        with self.database.session() as session:
            yield Services(session, self.device_id, self.clock)

    @classmethod
    def open(cls, database: Database, *, synchronous: bool = False,
             clock: Callable[[], dt.datetime] = utcnow) -> AppContext:
        return cls(database=database, device_id=database.device_id(),
                   tasks=TaskRunner(synchronous=synchronous), clock=clock)
