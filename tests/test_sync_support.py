"""Helpers for the sync tests (imported by the other test_sync_* modules; no tests here).

Each simulated laptop is a real SQLite file opened with ``open_database``; the hub is a real
folder (or a real PostgreSQL server). Fresh databases are copied from templates made once per
process, so a property-based example costs milliseconds instead of three migrations.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import select

from fieldapp.domain.ids import reference_id
from fieldapp.store.database import Database, open_database
from fieldapp.store.models import REFERENCE_DEVICE_ID
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync.envelope import SPECS, TYPE_ORDER, to_envelope
from fieldapp.sync.team_key import format_code

# A key made as the app makes them (a chosen one would add a warning to every sync report).
TEAM_KEY = format_code(bytes(range(16))).encode("ascii")
ALVSJO = reference_id("area", "alvsjo")
ALVSJO_CENTRUM = reference_id("place", "alvsjo-centrum")
LPO = reference_id("partner", "lpo-skarholmen")

_templates: dict[int, Path] = {}
_template_dir = None


def template(index: int) -> Path:
    """A migrated database with its own device id (one per index, made once)."""
    global _template_dir
    if _template_dir is None:
        _template_dir = tempfile.TemporaryDirectory(prefix="fieldapp-sync-templates-")
    if index not in _templates:
        path = Path(_template_dir.name) / f"device{index}.sqlite"
        open_database(path).close()
        _templates[index] = path
    return _templates[index]


def fresh_database(folder: Path, index: int, name: str | None = None) -> Database:
    path = folder / (name or f"device{index}.sqlite")
    shutil.copyfile(template(index), path)
    return open_database(path)


def category_id(database: Database) -> uuid.UUID:
    with database.session() as session:
        return Services(session, database.device_id()).reference.categories()[0].id


def snapshot(database: Database) -> dict[tuple[str, str], dict]:
    """Every synced record as its envelope. Reference rows as loaded (never sent) differ only
    in their load time, so that is left out for them."""
    found = {}
    with database.session() as session:
        for name in TYPE_ORDER:
            for row in session.scalars(select(SPECS[name].model)):
                env = to_envelope(row)
                if row.device_id == REFERENCE_DEVICE_ID and row.revision == 1:
                    env["updated_at"] = None
                found[(name, env["id"])] = env
    return found


def add_shift(database: Database, *, summary: str = "", shareable: bool = False,
              private: str = "", clock=utcnow, **extra):
    with database.session() as session:
        services = Services(session, database.device_id(), clock)
        return services.shifts.create(
            kind="nattvandring", starts_at=clock() - dt.timedelta(hours=3),
            summary=summary, summary_shareable=shareable, private_notes=private,
            area_ids=[ALVSJO], partner_ids=[LPO], youth_counts={"13-15|flicka": 3},
            adults_met=2, **extra)
