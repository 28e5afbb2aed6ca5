"""A receiver holds what it is sent to its own rules (fieldapp.sync.validate.screen_envelope):
a text its shareable-text gate refuses or that is longer than a local save allows is stored
empty, the rest of the record kept; a record with an impossible count is refused whole; the
sync goes on and its report says what happened."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select

from fieldapp.domain.enums import MeetingKind
from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.shareable import TextKind, gate, may_leave
from fieldapp.store.models import Meeting, Shift
from fieldapp.store.services import Services
from fieldapp.store.types import utcnow
from fieldapp.sync.engine import sync
from fieldapp.sync.envelope import to_envelope
from fieldapp.sync.folder import FolderHub
from test_sync_folder import write_bundles
from test_sync_support import ALVSJO_CENTRUM, TEAM_KEY, add_shift

PERSONNUMMER = "811218-9876"


def shift_envelope(database, **data) -> dict:
    """The envelope of a new shift of ``database``, its data changed as a modified sender
    would."""
    shift = add_shift(database, summary="Lugnt vid stationen.", shareable=True)
    with database.session() as session:
        env = to_envelope(session.get(Shift, shift.id))
    return dict(env, data=dict(env["data"], **data))


def stored(database, record_id: str) -> Shift | None:
    with database.session() as session:
        row = session.scalar(select(Shift).where(Shift.id == uuid.UUID(record_id)))
        if row is not None:
            session.expunge(row)
        return row


def test_the_gate_says_what_may_leave():
    assert gate("", TextKind.SUMMARY) is None and may_leave(None)
    assert gate("Lugnt vid stationen, sex ungdomar.", TextKind.SUMMARY) is None
    (finding,) = gate(f"Pojken {PERSONNUMMER} sågs", TextKind.SUMMARY)
    assert finding.text == PERSONNUMMER


def test_a_personnummer_or_an_over_long_text_is_stored_empty_and_the_rest_kept(
        laptops, hub_path):
    a, b = laptops[:2]
    env = shift_envelope(b, summary=f"Pojken {PERSONNUMMER} sågs vid kiosken",
                         weather="regn " * 30)
    write_bundles(hub_path, b.device_id(), [[env]])

    report = sync(a, FolderHub(hub_path, TEAM_KEY))

    assert report.pulled == {"shift": 1} and report.refused == [] and not report.records_refused
    assert {(t.id, t.field) for t in report.texts_refused} == {(env["id"], "summary"),
                                                              (env["id"], "weather")}
    reasons = {t.field: t.reason for t in report.texts_refused}
    assert "personnummer" in reasons["summary"] and PERSONNUMMER not in reasons["summary"]
    assert "100" in reasons["weather"]  # the local limit
    row = stored(a, env["id"])
    assert row.summary == "" and row.summary_shareable is False and row.weather == ""
    assert row.adults_met == env["data"]["adults_met"]
    assert row.youth_counts == env["data"]["youth_counts"]
    assert row.kind == env["data"]["kind"]
    with a.session() as session:
        texts = session.scalars(select(Shift.summary)).all()
    assert not any(PERSONNUMMER in text for text in texts)

    # The same envelope again (a re-sent bundle): nothing new is stored or reported.
    write_bundles(hub_path, b.device_id(), [[env]], first=2)
    again = sync(a, FolderHub(hub_path, TEAM_KEY))
    assert again.pulled == {} and again.texts_refused == []


@pytest.mark.parametrize("data, field", [
    ({"adults_met": -3}, "adults_met"),
    ({"concern_reports": 10**9}, "concern_reports"),
    ({"referrals": -1}, "referrals"),
    ({"youth_counts": {"13-15|flicka": 100_000}}, "13-15|flicka"),
    ({"youth_counts": {"99-100|robot": 2}}, "99-100|robot"),
])
def test_a_record_with_an_impossible_count_is_refused_and_the_sync_goes_on(
        laptops, hub_path, data, field):
    a, b = laptops[:2]
    bad = shift_envelope(b, **data)
    good = shift_envelope(b)
    write_bundles(hub_path, b.device_id(), [[bad, good]])

    report = sync(a, FolderHub(hub_path, TEAM_KEY))

    assert report.pulled == {"shift": 1} and report.refused == []
    (refusal,) = report.records_refused
    assert bad["id"] in refusal.file and field in refusal.reason
    assert stored(a, bad["id"]) is None
    assert stored(a, good["id"]) is not None


def test_a_received_flag_reason_with_a_phone_number_is_left_out(laptops, hub_path):
    a, b = laptops[:2]
    with b.session() as session:
        meeting = Services(session, b.device_id()).meetings.create(
            kind=MeetingKind.PLATSSAMVERKAN.value, held_at=utcnow() - dt.timedelta(hours=1),
            title="Samverkansmöte",
            flags=[FlaggedPlace(place_id=ALVSJO_CENTRUM, reason="Stökigt på kvällarna")])
        env = to_envelope(session.get(Meeting, meeting.id))
    env["data"]["flags"][0]["reason"] = "Ring Kalles mamma på 070-123 45 67"
    write_bundles(hub_path, b.device_id(), [[env]])

    report = sync(a, FolderHub(hub_path, TEAM_KEY))

    assert report.pulled == {"meeting": 1}
    assert [(t.type, t.field) for t in report.texts_refused] == [("meeting", "flags.reason")]
    with a.session() as session:
        row = session.get(Meeting, uuid.UUID(env["id"]))
        assert [flag.reason for flag in row.flags] == [""]
        assert row.title == "Samverkansmöte"
