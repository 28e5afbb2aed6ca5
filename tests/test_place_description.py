"""A place's description (migration 0007_place_description): shared with the team like the
place's name, so the shareable-text gate refuses a personnummer, a phone number, an e-mail or
a youth's name in it when it is saved, and a receiver stores it empty (the rest of the place
kept) when a modified sender put one there. The migration adds and drops the column on a real
file; the place form marks findings as they are typed and shows the refusal beside the field."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
from PySide6.QtCore import Qt

from fieldapp.domain.validation import ValidationError
from fieldapp.store import migrate
from fieldapp.store.database import make_engine, open_database
from fieldapp.store.models import Place
from fieldapp.store.queries import ListFilter
from fieldapp.store.services import Services
from fieldapp.sync.engine import sync
from fieldapp.sync.envelope import to_envelope
from fieldapp.sync.folder import FolderHub
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.form_parts import select_data
from fieldapp.ui.views.places import PlacesView
from test_sync_folder import write_bundles
from test_sync_support import ALVSJO, ALVSJO_CENTRUM, TEAM_KEY
from ui_helpers import save_dialog

CLEAN = "Gångtunneln under spåren, tänd till 22. Samlingsplats fredagar."
PLANTED = ("ring Elias 070-123 45 67", "811218-9876 brukar stå här",
           "mejla kalle.k@skolan.se", "kontakt (08) 123 456 78")


def test_the_migration_adds_and_drops_the_column_on_a_real_file(tmp_path):
    path = tmp_path / "old.sqlite"
    migrate.upgrade(make_engine(path), "0006")
    con = sqlite3.connect(path)
    area, place = uuid.uuid4().hex, uuid.uuid4().hex
    now = "2024-11-18 19:00:00"
    con.execute("INSERT INTO area (id, device_id, revision, created_at, updated_at, key, name) "
                "VALUES (?, ?, 1, ?, ?, 'x-area', 'Älvsjö')", (area, area, now, now))
    con.execute("INSERT INTO place (id, device_id, revision, created_at, updated_at, name, "
                "area_id, kind) VALUES (?, ?, 1, ?, ?, 'Kiosken', ?, 'annat')",
                (place, area, now, now, area))
    con.commit()
    assert "description" not in [c[1] for c in con.execute("PRAGMA table_info(place)")]
    con.close()

    db = open_database(path, load_reference=False)  # upgrades to head, backup first
    try:
        assert db.revision() == migrate.head_revision()
        with db.session() as session:
            row = session.get(Place, uuid.UUID(place))
            assert row.description == ""  # existing places: an empty description
            row.description = CLEAN
        migrate.downgrade(db.engine, "0006")
        con = sqlite3.connect(path)
        assert "description" not in [c[1] for c in con.execute("PRAGMA table_info(place)")]
        assert con.execute("SELECT name FROM place WHERE id = ?", (place,)).fetchone() == (
            "Kiosken",)
        con.close()
        migrate.upgrade(db.engine)
        con = sqlite3.connect(path)
        assert con.execute("SELECT name, description FROM place WHERE id = ?",
                           (place,)).fetchone() == ("Kiosken", "")
        con.close()
    finally:
        db.close()


@pytest.mark.parametrize("planted", PLANTED)
def test_the_gate_refuses_a_description_with_a_persons_identifiers_on_save(database, planted):
    with database.session() as session:
        s = Services(session, database.device_id())
        with pytest.raises(ValidationError) as refused:
            s.places.create(name="Kiosken vid spåret", area_id=ALVSJO, description=planted)
        (error,) = refused.value.errors
        assert error.field == "description"
        assert error.message.startswith("Platsens beskrivning delas med teamet")
        assert "Ta bort det" in error.message
        with pytest.raises(ValidationError) as refused:
            s.places.update(ALVSJO_CENTRUM, description=planted)
        assert [e.field for e in refused.value.errors] == ["description"]
        saved = s.places.create(name="Kiosken vid spåret", area_id=ALVSJO,
                                description=f"  {CLEAN}\n")
        assert saved.description == CLEAN
        assert s.places.update(ALVSJO_CENTRUM, description="Torget").description == "Torget"


def test_a_description_syncs_and_a_planted_one_is_stored_empty_on_receipt(laptops, tmp_path):
    a, b, c = laptops
    hub = tmp_path / "hub"
    hub.mkdir()
    with a.session() as session:
        place = Services(session, a.device_id()).places.create(
            name="Kiosken vid spåret", area_id=ALVSJO, description=CLEAN)
    sync(a, FolderHub(hub, TEAM_KEY))
    sync(b, FolderHub(hub, TEAM_KEY))
    with b.session() as session:
        assert session.get(Place, place.id).description == CLEAN

    # A modified sender (c) puts identifiers in two descriptions; an older one sends none.
    with c.session() as session:
        s = Services(session, c.device_id())
        rows = [session.get(Place, s.places.create(name=name, area_id=ALVSJO).id)
                for name in ("Skateparken", "Bollplanen", "Fritidsgården")]
        envelopes = [to_envelope(row) for row in rows]
    envelopes[0]["data"]["description"] = PLANTED[0]
    envelopes[1]["data"]["description"] = PLANTED[1]
    del envelopes[2]["data"]["description"]  # an app from before 0007
    write_bundles(hub, c.device_id(), [envelopes])
    report = sync(b, FolderHub(hub, TEAM_KEY))

    assert report.refused == [] and not report.records_refused
    assert {(t.id, t.type, t.field) for t in report.texts_refused} == {
        (envelopes[0]["id"], "place", "description"), (envelopes[1]["id"], "place", "description")}
    assert all("070" not in t.reason and "Elias" not in t.reason for t in report.texts_refused)
    with b.session() as session:
        for env, name in zip(envelopes, ("Skateparken", "Bollplanen", "Fritidsgården")):
            row = session.get(Place, uuid.UUID(env["id"]))
            assert (row.name, row.description, row.area_id) == (name, "", ALVSJO)


def test_the_place_form_marks_findings_and_shows_the_refusal_beside_the_description(
        qtbot, database):
    ctx = AppContext.open(database, synchronous=True)
    view = PlacesView(ctx)
    qtbot.addWidget(view)
    view.new_button.click()
    dialog = view.editor
    qtbot.keyClicks(dialog.name, "Gångtunneln")
    select_data(dialog.area, ALVSJO)
    qtbot.keyClicks(dialog.description, "ring 070-123 45 67 efter 22")
    assert [f.text for f in dialog.description.findings] == ["070-123 45 67"]
    assert dialog.description.extraSelections()  # underlined as typed
    save_dialog(qtbot, dialog)
    assert dialog.isVisible()
    assert list(dialog.errors.messages()) == ["description"]
    assert "Platsens beskrivning" in dialog.errors.messages()["description"]
    assert dialog.errors.label("description").isVisible()

    dialog.description.selectAll()
    qtbot.keyClick(dialog.description, Qt.Key.Key_Delete)
    assert dialog.description.findings == [] and not dialog.description.extraSelections()
    dialog.description.setPlainText(CLEAN)  # (QTest cannot type "ä")
    assert dialog.description.findings == []
    save_dialog(qtbot, dialog)
    assert not dialog.isVisible(), dialog.errors.messages()
    assert dialog.saved.description == CLEAN
    # The places list shows the description's first line and finds a place by it.
    view.filter_bar.set_filter(ListFilter(text="Samlingsplats"))
    assert view.model.rowCount() == 1 and view.model.row_at(0).name == "Gångtunneln"
    column = [c.header for c in view.model.columns].index("Description")
    assert view.model.index(0, column).data() == CLEAN
