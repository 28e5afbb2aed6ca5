"""Device names on the Synk page: each laptop's name (set at first start) travels in the
header of the bundles it writes to the folder hub, so after a sync the team's Synk pages show
"Laptop fältgruppen 1", not a bare UUID; a laptop without a name shows a short id. A name the
text gate refuses stays on its laptop; a bundle without a name (an older app) still reads."""

from __future__ import annotations

import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt

from fieldapp.sync.bundle import decode_bundle, encode_bundle
from fieldapp.sync.team_key import new_team_key
from fieldapp.ui.views.sync import SyncView
from test_sync_support import add_shift





def sync_now(qtbot, view: SyncView) -> None:
    qtbot.mouseClick(view.sync_button, Qt.MouseButton.LeftButton)
    assert view.sync_button.isEnabled(), view.message_label.text()


def names_shown(view: SyncView) -> list[str]:
    view.refresh()
    return [view.devices_table.item(row, 0).text() for row in range(view.devices_table.rowCount())]


def test_each_laptop_shows_the_others_name_after_a_sync(qtbot, hub_contexts):
    a, b = hub_contexts
    with a.services() as services:
        services.settings.set_device_name("Laptop fältgruppen 1")
    views = [SyncView(ctx) for ctx in hub_contexts]
    for view in views:
        qtbot.addWidget(view)
    for ctx in hub_contexts:
        add_shift(ctx.database)
    for view in (views[0], views[1], views[0]):
        sync_now(qtbot, view)

    assert names_shown(views[1]) == ["Namnlös enhet {} (den här datorn)".format(str(b.device_id)[:8]),
                                     "Laptop fältgruppen 1"]
    assert names_shown(views[0]) == ["Laptop fältgruppen 1 (den här datorn)",
                                     "Namnlös enhet {}".format(str(b.device_id)[:8])]
    assert views[0].devices_table.item(1, 0).toolTip() == str(b.device_id)

    # B is named later (Arkiv → Kom igång); its next bundle carries the name.
    with b.services() as services:
        services.settings.set_device_name("Laptop fältgruppen 2")
    add_shift(b.database)
    sync_now(qtbot, views[1])
    sync_now(qtbot, views[0])
    assert names_shown(views[0])[1] == "Laptop fältgruppen 2"


def test_a_name_the_gate_refuses_never_leaves_the_laptop(qtbot, hub_contexts, hub_path):
    a, _b = hub_contexts
    with a.services() as services:
        services.settings.set_device_name("Ring 070-123 45 67")
    add_shift(a.database)
    sync_now(qtbot, SyncView(a))
    bundle = next((hub_path / "devices" / str(a.device_id)).glob("*.bundle"))
    header = json.loads(bundle.read_bytes().split(b"\n", 1)[0])
    assert "name" not in header
    assert b"070" not in bundle.read_bytes()


def test_the_name_is_signed_and_a_bundle_without_one_still_reads(hub_contexts):
    import datetime as dt
    import uuid

    key = new_team_key().encode()
    device = uuid.uuid4()
    at = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)
    older = encode_bundle([], device_id=device, seq=1, key=key, created_at=at)
    assert b'"name"' not in older
    assert decode_bundle(older, key).device_name == ""
    named = encode_bundle([], device_id=device, seq=1, key=key, created_at=at,
                          device_name="Laptop\x07 fältgruppen 3")
    assert decode_bundle(named, key).device_name == "Laptop fältgruppen 3"
    forged = named.replace(b"Laptop f", b"Laptop F")  # changed after it was written
    with pytest.raises(ValueError, match="stämmer inte"):
        decode_bundle(forged, key)
