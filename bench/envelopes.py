"""Envelopes for the sync measures, made from a data set's own records.

The records of the first devices of a data set are turned into envelopes with
``fieldapp.sync.envelope.to_envelope`` and given new ids (UUIDv5 of the old ones, parents
mapped the same way), so that applied to a copy of the same data set they are new records:
shifts, meetings, actions and observations of devices the copy has never seen. Staff, places,
areas, partners and categories keep their ids (the copy has them).

For the raw baselines the same records are also read as table rows (sqlite3, every column)
with the same new ids: "the same rows" the app ends up writing.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import defaultdict
from pathlib import Path

NAMESPACE = uuid.UUID("6f1d2f5e-3c1b-4d7e-9a51-0b6f4c1a7e21")
OWNED = ("shift", "meeting", "action", "observation")
# uuid columns that refer to an owned record (remapped); every other id is kept.
OWNED_REFS = {"shift_id", "meeting_id", "carried_out_shift_id"}
LINKS = {"shift": ("shift_staff", "shift_area", "shift_partner"),
         "meeting": ("meeting_staff", "meeting_partner", "meeting_flag")}


def new_id(old: uuid.UUID | str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, uuid.UUID(str(old)).hex)


def _hex(value: str | None) -> str | None:
    return None if value is None else new_id(value).hex


def pick_records(path: Path, count: int) -> dict[str, list[str]]:
    """Ids (hex, as stored) of owned records of the first devices, parents first, ``count``
    in all: whole devices while they fit, then the last device's parents and as many of its
    observations as are left."""
    con = sqlite3.connect(path)
    try:
        devices = [r[0] for r in con.execute(
            "SELECT DISTINCT device_id FROM shift ORDER BY device_id")]
        picked: dict[str, list[str]] = defaultdict(list)
        left = count
        for device in devices:
            if left <= 0:
                break
            for table in OWNED:
                order = {"shift": "starts_at", "meeting": "held_at", "action": "starts_at",
                         "observation": "observed_at"}[table]
                ids = [r[0] for r in con.execute(
                    f"SELECT id FROM {table} WHERE device_id = ? AND deleted_at IS NULL "
                    f"ORDER BY {order}, id", (device,))]
                ids = ids[:left]
                picked[table] += ids
                left -= len(ids)
        return dict(picked)
    finally:
        con.close()


def make_envelopes(path: Path, picked: dict[str, list[str]], *,
                   owner: uuid.UUID | None = None) -> list[dict]:
    """Envelopes of the picked records with new ids, parents first. ``owner``: give every
    record this device (one device pushing them all); else each keeps its device (mapped)."""
    from sqlalchemy import select

    from fieldapp.store.database import open_database
    from fieldapp.store.models import Action, Meeting, Observation, Shift
    from fieldapp.sync.envelope import to_envelope

    models = {"shift": Shift, "meeting": Meeting, "action": Action, "observation": Observation}
    database = open_database(path, upgrade=False)
    envelopes = []
    try:
        for name in OWNED:
            ids = [uuid.UUID(h) for h in picked.get(name, [])]
            model = models[name]
            for start in range(0, len(ids), 5000):
                with database.session() as session:
                    rows = session.scalars(select(model).where(model.id.in_(ids[start:start + 5000])))
                    for row in rows:
                        env = to_envelope(row)
                        env["id"] = str(new_id(env["id"]))
                        env["device_id"] = str(owner or new_id(env["device_id"]))
                        for key in OWNED_REFS & env["data"].keys():
                            if env["data"][key] is not None:
                                env["data"][key] = str(new_id(env["data"][key]))
                        envelopes.append(env)
    finally:
        database.close()
    return envelopes


def raw_rows(path: Path, picked: dict[str, list[str]], *,
             owner: uuid.UUID | None = None) -> list[tuple[str, list[str], list[tuple]]]:
    """``(table, columns, rows)`` of the same records (and their link rows), new ids."""
    con = sqlite3.connect(path)
    out = []
    try:
        for name in OWNED:
            ids = picked.get(name, [])
            tables = [(name, "id")] + [(link, f"{name}_id") for link in LINKS.get(name, ())]
            for table, key in tables:
                columns = [r[1] for r in con.execute(f"PRAGMA table_info({table})")]
                rows = []
                for start in range(0, len(ids), 900):
                    chunk = ids[start:start + 900]
                    marks = ",".join("?" * len(chunk))
                    rows += con.execute(f"SELECT * FROM {table} WHERE {key} IN ({marks})",
                                        chunk).fetchall()
                fixed = []
                for row in rows:
                    row = list(row)
                    for i, column in enumerate(columns):
                        if column == "id" or column in OWNED_REFS:
                            row[i] = _hex(row[i])
                        elif column == "device_id":
                            row[i] = owner.hex if owner else _hex(row[i])
                        elif column == "acked_revision":
                            row[i] = row[columns.index("revision")]
                    fixed.append(tuple(row))
                out.append((table, columns, fixed))
    finally:
        con.close()
    return out


def week_of(env: dict, shift_weeks: dict[str, str]) -> str:
    """The ISO week a record's bundle belongs to (an observation goes with its shift)."""
    import datetime as dt

    data = env["data"]
    if env["type"] == "observation" and data.get("shift_id") in shift_weeks:
        return shift_weeks[data["shift_id"]]
    moment = data.get("starts_at") or data.get("held_at") or data.get("observed_at")
    year, week, _day = dt.datetime.fromisoformat(moment).isocalendar()
    return f"{year}-W{week:02d}"


def write_folder_hub(hub: Path, key: bytes, envelopes: list[dict], created_at) -> int:
    """Write ``envelopes`` into a folder hub as each device's weekly bundles (as if every
    device had pushed once a week). Returns the number of bundles."""
    from fieldapp.sync.bundle import bundle_name, encode_bundle
    from fieldapp.sync.apply import sort_for_apply
    from fieldapp.sync.folder import write_once

    shift_weeks: dict[str, str] = {}
    for env in envelopes:
        if env["type"] == "shift":
            shift_weeks[env["id"]] = week_of(env, {})
    grouped: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for env in envelopes:
        grouped[env["device_id"]][week_of(env, shift_weeks)].append(env)
    bundles = 0
    for device, weeks in grouped.items():
        folder = hub / "devices" / device
        folder.mkdir(parents=True, exist_ok=True)
        for seq, week in enumerate(sorted(weeks), start=1):
            data = encode_bundle(sort_for_apply(weeks[week]), device_id=uuid.UUID(device),
                                 seq=seq, key=key, created_at=created_at)
            write_once(folder / bundle_name(seq), data)
            bundles += 1
    return bundles
