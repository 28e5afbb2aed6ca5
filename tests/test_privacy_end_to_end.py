"""Issue 15, "done when": a personnummer, a phone number, an e-mail address and a youth's first
name planted in every shareable field of every type appear in no byte of the hub's files, the
exports (PDF, XLSX, CSV, JSON, the year XLSX) or the redacted report.

Planted two ways: through the services on an honest laptop (where the gate lets the text be
saved private, and past the services as an older version could have stored it), and as a
modified sender's envelopes written straight into the hub folder, which the receiver's own gate
must refuse: each refused text is reported and the rest of its record kept.
(The PostgreSQL hub: tests/test_privacy_postgres.py, which needs FIELDAPP_TEST_PG_URL.)"""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.validation import ValidationError
from fieldapp.domain.weeks import IsoWeek
from fieldapp.reports.export import export_week
from fieldapp.reports.redacted import export_redacted
from fieldapp.reports.year import export_year_xlsx
from fieldapp.store.models import Action, Meeting, Observation, Place, Shift
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync.engine import sync
from fieldapp.sync.envelope import to_envelope
from fieldapp.sync.folder import FolderHub
from test_sync_folder import write_bundles
from test_sync_support import ALVSJO, ALVSJO_CENTRUM, TEAM_KEY, category_id

PNR, PHONE, EMAIL, NAME = "811218-9876", "070-123 45 67", "kalle.k@skolan.se", "Elias"
PLANTED = f"{NAME} ({PNR}) ring {PHONE} eller {EMAIL}"
SHORT = f"{NAME} {PHONE}"  # fits the short fields (weather: 100 characters)
FORMS = (PNR, PNR.replace("-", ""), PHONE, PHONE.replace(" ", "").replace("-", ""), EMAIL, NAME)


def scan(label: str, data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    for form in FORMS:
        assert form.encode() not in data and form not in text, (label, form)


def scan_export(path) -> None:
    data = path.read_bytes()
    scan(path.name, data)
    if path.suffix == ".pdf":
        scan(path.name + " (text)", "\n".join(
            page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages).encode())
    elif path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                scan(f"{path.name}:{member}", archive.read(member))


def export_everything(database, folder, now) -> list:
    week = IsoWeek.of(now - dt.timedelta(hours=2))
    paths = []
    for fmt in ("pdf", "xlsx", "csv", "json"):
        path = folder / f"vecka.{fmt}"
        export_week(database, week, "team", fmt, path, created_at=now)
        paths.append(path)
    for fmt in ("pdf", "csv"):
        path = folder / f"utdrag.{fmt}"
        export_redacted(database, week, "team", fmt, path, "LPO Skärholmen", created_at=now)
        paths.append(path)
    path = folder / "ar.xlsx"
    with database.session() as session:
        export_year_xlsx(session, week.monday().year, path)
    paths.append(path)
    return paths


def plant_through_the_services(database) -> None:
    now = utcnow()
    with database.session() as session:
        s = Services(session, database.device_id())
        # Always-shared texts: refused at save.
        for attempt in (
            lambda: s.places.create(name=SHORT, area_id=ALVSJO),
            lambda: s.places.create(name="Tunneln", area_id=ALVSJO, description=PLANTED),
            lambda: s.meetings.create(kind="utsattningsmote", held_at=now, title=PLANTED),
            lambda: s.meetings.create(kind="utsattningsmote", held_at=now, title="Möte",
                                      flags=[FlaggedPlace(ALVSJO_CENTRUM, PLANTED)]),
            lambda: s.shifts.create(kind="nattvandring", starts_at=now, summary=PLANTED,
                                    summary_shareable=True),
        ):
            with pytest.raises(ValidationError):
                attempt()
        # Private texts: saved, never sent.
        shift = s.shifts.create(kind="nattvandring", starts_at=now - dt.timedelta(hours=3),
                                ends_at=now - dt.timedelta(hours=1), summary=PLANTED,
                                private_notes=PLANTED, weather=SHORT, area_ids=[ALVSJO],
                                youth_counts={"13-15|flicka": 2})
        s.observations.create(place_id=ALVSJO_CENTRUM, category_id=category_id(database),
                              observed_at=now - dt.timedelta(hours=2), shift_id=shift.id,
                              details=PLANTED)
        meeting = s.meetings.create(kind="utsattningsmote", held_at=now - dt.timedelta(hours=2),
                                    title="Utsättningsmöte", situation=PLANTED,
                                    flags=[FlaggedPlace(ALVSJO_CENTRUM, "Stökigt")])
        action = s.actions.create(meeting_id=meeting.id, starts_at=now - dt.timedelta(hours=2),
                                  ends_at=now + dt.timedelta(hours=2), place_id=ALVSJO_CENTRUM,
                                  note="Gå förbi")
        place = s.places.create(name="Kiosken vid spåret", area_id=ALVSJO)
    # Past the services, as an older version or a bug could have stored it: marked shareable.
    with database.session() as session:
        row = session.get(Shift, shift.id)
        row.summary_shareable = True
        obs = session.scalars(select(Observation).where(Observation.shift_id == shift.id)).one()
        obs.details_shareable = True
        row = session.get(Meeting, meeting.id)
        row.title, row.situation, row.situation_shareable = PLANTED, PLANTED, True
        row.flags[0].reason = PLANTED
        session.get(Action, action.id).note = PLANTED
        row = session.get(Place, place.id)
        row.name, row.description = SHORT, PLANTED


def modified_sender_envelopes(sender) -> list[dict]:
    """Clean records of ``sender`` whose every shareable text a modified app replaced."""
    now = utcnow()
    with sender.session() as session:
        s = Services(session, sender.device_id())
        place = s.places.create(name="Nya kiosken", area_id=ALVSJO)
        shift = s.shifts.create(kind="faltpass", starts_at=now - dt.timedelta(hours=3),
                                ends_at=now - dt.timedelta(hours=1), summary="Lugnt",
                                summary_shareable=True, weather="Regn", area_ids=[ALVSJO],
                                youth_counts={"16-17|pojke": 4})
        obs = s.observations.create(place_id=place.id, category_id=category_id(sender),
                                    observed_at=now - dt.timedelta(hours=2), shift_id=shift.id,
                                    details="Klotter", details_shareable=True)
        meeting = s.meetings.create(kind="platssamverkan", held_at=now - dt.timedelta(hours=2),
                                    title="Samverkan", situation="Lugnt", situation_shareable=True,
                                    flags=[FlaggedPlace(place.id, "Mörkt")])
        action = s.actions.create(meeting_id=meeting.id, starts_at=now - dt.timedelta(hours=1),
                                  ends_at=now + dt.timedelta(hours=2), place_id=place.id,
                                  note="Gå förbi")
        rows = [session.get(Place, place.id), session.get(Shift, shift.id),
                session.get(Observation, obs.id), session.get(Meeting, meeting.id),
                session.get(Action, action.id)]
        envelopes = [to_envelope(row) for row in rows]
    planted = {"place": {"name": SHORT, "description": PLANTED},
               "shift": {"summary": PLANTED, "weather": SHORT},
               "observation": {"details": PLANTED},
               "meeting": {"title": PLANTED, "situation": PLANTED,
                           "flags": [{"place_id": str(place.id), "reason": PLANTED}]},
               "action": {"note": PLANTED}}
    return [dict(env, data={**env["data"], **planted[env["type"]]}) for env in envelopes]


def test_nothing_planted_leaves_a_laptop_or_is_stored_on_receipt(laptops, tmp_path):
    a, b, c = laptops
    hub_path = tmp_path / "hub"
    hub_path.mkdir()
    plant_through_the_services(a)
    assert sum(sync(a, FolderHub(hub_path, TEAM_KEY)).pushed.values()) >= 5
    for path in sorted(p for p in hub_path.rglob("*") if p.is_file()):
        scan(str(path), path.read_bytes())  # the honest laptop's bundles

    envelopes = modified_sender_envelopes(c)
    write_bundles(hub_path, c.device_id(), [envelopes])
    report = sync(b, FolderHub(hub_path, TEAM_KEY))

    refused = {(t.type, t.field) for t in report.texts_refused}
    assert refused == {("place", "name"), ("place", "description"), ("shift", "summary"),
                       ("shift", "weather"),
                       ("observation", "details"), ("meeting", "title"),
                       ("meeting", "situation"), ("meeting", "flags.reason"), ("action", "note")}
    assert all(PNR not in t.reason and NAME not in t.reason for t in report.texts_refused)
    with b.session() as session:  # the rest of every record is kept
        by_id = {env["type"]: uuid.UUID(env["id"]) for env in envelopes}
        assert session.get(Place, by_id["place"]).area_id == ALVSJO
        assert session.get(Shift, by_id["shift"]).youth_counts == {"16-17|pojke": 4}
        meeting = session.get(Meeting, by_id["meeting"])
        assert meeting.kind == "platssamverkan" and len(meeting.flags) == 1
        assert session.get(Action, by_id["action"]).place_id == by_id["place"]
        assert session.get(Observation, by_id["observation"]).category_id == category_id(c)

    for laptop, name in ((a, "a"), (b, "b")):
        folder = tmp_path / f"exports-{name}"
        folder.mkdir()
        for path in export_everything(laptop, folder, utcnow()):
            scan_export(path)
    b.close()  # the receiver's disk: its data file holds none of what it refused
    for path in tmp_path.glob("device1.sqlite*"):
        scan(path.name, path.read_bytes())
