"""The measures. Each runs in its own process (bench.one) so its peak memory is its own,
and returns a Row: the figure, its bare baseline from the same run, ratio and target."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.datasets import NOW, copy_of
from bench.stats import percentile


@dataclass
class Row:
    measure: str
    data: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    met: bool | None
    peak_mb: float | None = None
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


MEASURES: dict[str, Callable[..., Row]] = {}


def measure(name: str):
    def register(fn):
        MEASURES[name] = fn
        return fn
    return register


@measure("save-observation")
def save_observation(data: dict[str, Path], work: Path, repeat: int) -> Row:
    """Save one observation through the service (validation, revision, own transaction)
    against a raw sqlite3 INSERT + COMMIT of one row into the same table."""
    from fieldapp.domain.ids import reference_id
    from fieldapp.store.database import open_database
    from fieldapp.store.services import Services

    count = max(50, repeat * 100)
    path = copy_of(data["team-week"], work / "save.sqlite")
    database = open_database(path)
    place = reference_id("place", "alvsjo-centrum")
    category = reference_id("category", "ungdomssamling")
    device_id = database.device_id()
    when = NOW - dt.timedelta(hours=1)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        with database.session() as session:
            Services(session, device_id, clock=lambda: NOW).observations.create(
                place_id=place, category_id=category, observed_at=when, people_count=4, youths_present=3)
        samples.append(time.perf_counter() - start)
    database.close()

    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    stamp = when.replace(tzinfo=None).isoformat(sep=" ")
    base = []
    for _ in range(count):
        start = time.perf_counter()
        con.execute("BEGIN")
        con.execute(
            "INSERT INTO observation (id, device_id, revision, created_at, updated_at, acked_revision, "
            "shift_id, place_id, category_id, severity, observed_at, people_count, youths_present, "
            "action_taken, details, details_shareable) VALUES (?,?,1,?,?,0,NULL,?,?,'low',?,4,3,'none','',0)",
            (uuid.uuid4().hex, device_id.hex, stamp, stamp, place.hex, category.hex, stamp))
        con.execute("COMMIT")
        base.append(time.perf_counter() - start)
    con.close()
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    b50, b99 = percentile(base, 50), percentile(base, 99)
    ratio = p99 / b99 if b99 else None
    return Row("save one observation (p50 / p99)", f"team-week, {count} saves",
               f"{p50 * 1000:.2f} / {p99 * 1000:.2f} ms", f"{b50 * 1000:.2f} / {b99 * 1000:.2f} ms",
               ratio, "p99 ≤ 10×", ratio is not None and ratio <= 10)
