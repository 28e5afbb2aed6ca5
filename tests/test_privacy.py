"""Private vs shareable text: the envelope (fieldapp.sync.envelope.to_envelope, the one place
that decides what leaves the laptop) carries no private note, no text the user did not mark
shareable and no shareable-marked text with personal data; and every shareable text field in
the window refuses to be marked shareable while the PII guard finds something."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from fieldapp.domain.records import FlaggedPlace
from fieldapp.store.models import Meeting, Observation, Shift
from fieldapp.store.services import Services
from fieldapp.sync.envelope import canonical_json, to_envelope
from ui_helpers import *  # noqa: F403 - the window fixtures pytest finds by name
from ui_helpers import ALVSJO, ALVSJO_CENTRUM, FRIDAY_EVENING

CATEGORY = __import__("fieldapp.domain.ids", fromlist=["reference_id"]).reference_id(
    "category", "narkotikaforsaljning")

PRIVATE = "Privat: Kalle mår dåligt hemma"
UNSHARED = "Inte delad: såg Lisa vid kiosken"
PNR = "Pojken har personnummer 811218-9876"
PHONE = "ring mamman på 070-123 45 67"
SHARED_OK = "Lugn kväll vid centrum"
SECRETS = (PRIVATE, UNSHARED, "811218-9876", "070-123 45 67", "Kalle", "Lisa")


def _envelope_text(session, model, record_id) -> str:
    row = session.get(model, record_id)
    return canonical_json(to_envelope(row)).decode("utf-8")


def test_envelopes_carry_no_private_unshared_or_pii_text(database):
    now = FRIDAY_EVENING
    with database.session() as session:
        s = Services(session, database.device_id(), lambda: now + dt.timedelta(hours=5))
        private = s.shifts.create(kind="nattvandring", starts_at=now, private_notes=PRIVATE,
                                  summary=UNSHARED, summary_shareable=False)
        shared = s.shifts.create(kind="faltpass", starts_at=now, summary=SHARED_OK,
                                 summary_shareable=True, weather=PHONE)
        obs_unshared = s.observations.create(place_id=ALVSJO_CENTRUM, category_id=CATEGORY,
                                             observed_at=now, details=UNSHARED)
        meeting = s.meetings.create(kind="utsattningsmote", held_at=now, title=SHARED_OK,
                                    situation=UNSHARED, situation_shareable=False,
                                    flags=(FlaggedPlace(ALVSJO_CENTRUM, SHARED_OK),))
        action = s.actions.create(meeting_id=meeting.id, starts_at=now,
                                  ends_at=now + dt.timedelta(hours=2), area_id=ALVSJO,
                                  note=SHARED_OK)
    # Text marked shareable (or always shared) that the PII guard refuses: written past the
    # services, which refuse it, as a received or older record could hold it; the envelope
    # must still drop it.
    with database.session() as session:
        from fieldapp.store.models import Action as ActionRow
        old_meeting = session.get(Meeting, meeting.id)
        old_meeting.title = PHONE
        old_meeting.flags[0].reason = PNR
        session.get(ActionRow, action.id).note = PHONE
        pii_shift = Shift(device_id=database.device_id(), kind="nattvandring", starts_at=now,
                          summary=PNR, summary_shareable=True, private_notes=PRIVATE)
        pii_obs = Observation(device_id=database.device_id(), place_id=ALVSJO_CENTRUM,
                              category_id=CATEGORY, severity="high", observed_at=now,
                              details=PHONE, details_shareable=True)
        pii_meeting = Meeting(device_id=database.device_id(), kind="platssamverkan",
                              held_at=now, situation=PNR, situation_shareable=True)
        session.add_all([pii_shift, pii_obs, pii_meeting])
        session.flush()
        ids = [(Shift, private.id), (Shift, shared.id), (Observation, obs_unshared.id),
               (Meeting, meeting.id), (Shift, pii_shift.id), (Observation, pii_obs.id),
               (Meeting, pii_meeting.id)]
        from fieldapp.store.models import Action
        ids += [(Action, a.id) for a in session.query(Action)]
        texts = {str(record_id): _envelope_text(session, model, record_id)
                 for model, record_id in ids}
    everything = "\n".join(texts.values())
    for secret in SECRETS:
        assert secret not in everything, secret
    assert "private_notes" not in everything
    assert SHARED_OK in texts[str(shared.id)]  # what was shared and clean does go


@pytest.mark.parametrize("text", [PNR, PHONE, "mejla kalle.k@skolan.se"])
def test_quick_observation_details_cannot_be_shared_with_pii(qtbot, window, text):
    dialog = window.new_observation()
    assert dialog.details_shareable.checkbox.isEnabled()
    dialog.details.setText(text)
    share = dialog.details_shareable
    assert not share.checkbox.isEnabled() and not share.is_checked()
    assert share.reason_label.isVisibleTo(dialog) and "Kan inte delas" in share.reason_label.text()
    assert dialog.details.findings
    dialog.details.setText(SHARED_OK)
    assert share.checkbox.isEnabled() and not share.reason_label.isVisibleTo(dialog)
    share.checkbox.setChecked(True)
    assert dialog.values()["details_shareable"] is True
    dialog.close()


def test_every_shareable_text_field_refuses_pii(qtbot, window, ctx, staff_ids, clock):
    from fieldapp.ui.dialogs.edit_observation import EditObservationDialog
    from fieldapp.ui.dialogs.edit_shift import EditShiftDialog
    from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog

    start = window.start_shift()
    start.staff.set_checked(staff_ids)
    qtbot.mouseClick(start.start_button, Qt.MouseButton.LeftButton)
    clock.advance(minutes=30)
    with ctx.services() as services:
        obs = services.observations.create(place_id=ALVSJO_CENTRUM, category_id=CATEGORY,
                                           observed_at=clock(), shift_id=window.running.id)
    clock.advance(hours=2)
    end = window.end_shift()
    end.summary.setPlainText(PNR)
    assert not end.share.isEnabled() and not end.share.isChecked()
    assert "personnummer" in end.share_reason.text()
    end.summary.setPlainText(SHARED_OK)
    assert end.share.isEnabled()
    end.close()

    checks = []
    edit_shift = EditShiftDialog(ctx, window.running.id, window)
    checks.append((edit_shift.summary, edit_shift.summary_shareable))
    edit_obs = EditObservationDialog(ctx, obs.id, window)
    checks.append((edit_obs.details, edit_obs.details_shareable))
    meeting = MeetingFormDialog(ctx, None, window)
    checks.append((meeting.situation, meeting.situation_shareable))
    for field, share in checks:
        field.setPlainText(PHONE)
        assert not share.checkbox.isEnabled() and not share.is_checked()
        assert "telefonnummer" in share.reason_label.text()
        field.setPlainText(SHARED_OK)
        assert share.checkbox.isEnabled()
    for dialog in (edit_shift, edit_obs, meeting):
        dialog.close()
