"""The PII guard's known words (fieldapp.store.services.known): the names of the places, areas,
partners, categories and staff the data file knows and the team's allow-list are never taken
for a person's name; they are cached per database and read again when any of them changes.
Every always-shared text (a place's name, a meeting's title, a flag's reason, an action's
note) is refused at save when the gate finds something, with a Swedish message that says what;
the window marks findings in those fields as the user types, and the allow-list is edited
under Inställningar → Dataskydd."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import insert

from fieldapp.domain.records import FlaggedPlace
from fieldapp.domain.shareable import may_leave
from fieldapp.domain.validation import ValidationError
from fieldapp.store.models import Partner
from fieldapp.store.services import Services
from fieldapp.store.services.known import allow_list, known_words, set_allow_list
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.place_form import PlaceFormDialog
from fieldapp.ui.views.allow_list import AllowListBox
from ui_helpers import save_dialog

NOW = dt.datetime(2024, 11, 23, 10, 0, tzinfo=dt.timezone.utc)


def services_of(session, database) -> Services:
    return Services(session, database.device_id(), clock=lambda: NOW)


def area_id(database):
    with database.session() as session:
        return services_of(session, database).reference.areas()[0].id


def test_known_words_hold_the_names_the_app_knows_and_follow_every_change(database):
    with database.session() as session:
        services = services_of(session, database)
        services.staff.create(initials="KH", name="Kalle Holm")
    with database.session() as session:
        words = known_words(session)
        services = services_of(session, database)
        for name in (services.reference.areas()[0].name, services.reference.partners()[0].name,
                     services.reference.categories()[0].name_sv, services.places.list()[0].name,
                     "Kalle Holm"):
            assert {w.casefold() for w in name.split()} & words, name
        assert known_words(session) is words  # cached
    text = "Såg Elias vid kiosken"
    assert not may_leave(text, known=words)
    with database.session() as session:  # a bulk insert (the sync's way) drops the cache
        session.execute(insert(Partner.__table__).values(
            id=uuid.uuid4(), device_id=database.device_id(), revision=1, created_at=NOW,
            updated_at=NOW, name="Elias fritidsgård", kind="annat"))
    with database.session() as session:
        assert "elias" in known_words(session)
        assert may_leave(text, known=known_words(session))
    with database.session() as session:  # a rolled-back write leaves no word behind
        set_allow_list(session, ["Mohammed"])
        assert "mohammed" in known_words(session)
        session.rollback()
    with database.session() as session:
        assert "mohammed" not in known_words(session)
        assert allow_list(session) == []


def test_a_place_name_the_gate_refuses_is_not_saved_until_the_allow_list_has_it(database):
    area = area_id(database)
    with database.session() as session:
        places = services_of(session, database).places
        with pytest.raises(ValidationError) as raised:
            places.create(name="Ring 070-123 45 67", area_id=area)
        message = str(raised.value)
        assert "telefonnummer" in message and "070-123 45 67" in message
        with pytest.raises(ValidationError) as raised:
            places.create(name="Elias plan", area_id=area)
        assert "namn" in str(raised.value) and "Elias" in str(raised.value)
        assert "Dataskydd" in str(raised.value)  # it says where to allow the word
        with pytest.raises(ValidationError):
            set_allow_list(session, ["070-123"])  # not a word
        assert set_allow_list(session, [" Elias ", "elias", ""]) == ["Elias"]
        place = places.create(name="Elias plan", area_id=area)
        with pytest.raises(ValidationError):
            places.update(place.id, name="Elias plan, kalle@example.se")


def test_meeting_titles_flag_reasons_and_action_notes_are_refused_at_save(database):
    with database.session() as session:
        services = services_of(session, database)
        place = services.places.list()[0]
        for values, field in (
            (dict(title="Möte om Ahmed"), "title"),
            (dict(title="Möte", flags=[FlaggedPlace(place.id, "ring 070-123 45 67")]), "flags"),
        ):
            with pytest.raises(ValidationError) as raised:
                services.meetings.create(kind="utsattningsmote", held_at=NOW, **values)
            assert [e.field for e in raised.value.errors] == [field]
        # The situation picture is saved private; shared only through the gate.
        meeting = services.meetings.create(kind="utsattningsmote", held_at=NOW, title="Möte",
                                           situation="Ahmed 811218-9876")
        with pytest.raises(ValidationError):
            services.meetings.update(meeting.id, situation_shareable=True)
        with pytest.raises(ValidationError) as raised:
            services.actions.create(meeting_id=meeting.id, starts_at=NOW,
                                    ends_at=NOW + dt.timedelta(hours=2), place_id=place.id,
                                    note="mejla kalle at example dot se")
        assert "e-postadress" in str(raised.value)


@pytest.fixture
def ui_ctx(qapp, database):
    return AppContext.open(database, synchronous=True, clock=lambda: NOW)


def test_the_place_form_marks_findings_as_typed_and_refuses_to_save(qtbot, ui_ctx, database):
    dialog = PlaceFormDialog(ui_ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.name.setText("Kiosken, ring 070-123 45 67")
    assert [f.kind for f in dialog.name.findings] == ["phone"]
    dialog.area.setCurrentIndex(1)
    save_dialog(qtbot, dialog)
    assert dialog.isVisible()
    assert "telefonnummer" in " ".join(dialog.errors.messages().values())
    with database.session() as session:  # a word the app knows is no name in the field
        set_allow_list(session, ["Elias"])
    ui_ctx.refresh_known_words()
    dialog.name.setText("Elias torg")
    assert dialog.name.findings == []
    dialog.name.setText("Ahmed torg")
    assert [f.kind for f in dialog.name.findings] == ["name"]


def test_the_meeting_form_marks_the_title_and_the_flag_reason(qtbot, ui_ctx):
    from fieldapp.ui.dialogs.meeting_form import MeetingFormDialog

    dialog = MeetingFormDialog(ui_ctx)
    qtbot.addWidget(dialog)
    dialog.title.setText("Möte om Elias")
    assert [f.kind for f in dialog.title.findings] == ["name"]
    dialog.situation.setPlainText("Lugnt, Elias var där")
    assert [f.kind for f in dialog.situation.findings] == ["name"]
    row = dialog.add_flag()
    row.reason.setText("ring 070-123 45 67")
    assert [f.kind for f in row.reason.findings] == ["phone"]


def test_the_allow_list_editor_saves_and_the_fields_follow(qtbot, ui_ctx, database):
    box = AllowListBox(ui_ctx)
    qtbot.addWidget(box)
    assert box.current() == []
    box.new_word.setText("Elias")
    box.add_button.click()
    assert box.current() == ["Elias"] and box.new_word.text() == ""
    with database.session() as session:
        assert allow_list(session) == ["Elias"]
    assert "elias" in ui_ctx.known_words  # re-read after the "settings" event
    box.new_word.setText("070 123")
    box.add_button.click()
    assert box.current() == ["Elias"] and "070 123" in " ".join(box.errors.messages().values())
    box.words.item(0).setSelected(True)
    box.remove_button.click()
    assert box.current() == [] and "elias" not in ui_ctx.known_words


def test_a_place_name_saved_before_the_gate_makes_no_name_known(database):
    """An old version saved a place named after the youths it met; its words must not make
    their names known (every note naming them would pass). The reference places still count."""
    from fieldapp.store.models import Place

    text = "Såg Ahmed vid kiosken"
    with database.session() as session:
        assert not may_leave(text, known=known_words(session))
        place = session.get(Place, services_of(session, database).places.list()[0].id)
        session.execute(insert(Place.__table__).values(
            id=uuid.uuid4(), device_id=database.device_id(), revision=1, created_at=NOW,
            updated_at=NOW, name="Såg Ahmed och Elias", area_id=place.area_id,
            kind=place.kind))
    with database.session() as session:
        words = known_words(session)
        assert "ahmed" not in words and "elias" not in words
        assert not may_leave(text, known=words)
        assert {w.casefold() for w in place.name.split()} <= words  # a reference place counts
        session.execute(insert(Place.__table__).values(
            id=uuid.uuid4(), device_id=database.device_id(), revision=1, created_at=NOW,
            updated_at=NOW, name="Trekanten vid Nybohov", area_id=place.area_id, kind=place.kind))
    with database.session() as session:
        assert "nybohov" in known_words(session)  # a worker's clean place name counts
