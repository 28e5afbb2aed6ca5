"""Synk view: two laptops and one hub folder; "Synka nu" on each brings the other's shift, and
Cancel stops a running sync between bundles."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from fieldapp.store.models import Observation, Shift
from fieldapp.store.services import Services
from fieldapp.sync import engine, folder
from fieldapp.sync.bundle import bundle_name
from fieldapp.sync.folder import FolderHub
from fieldapp.ui.context import AppContext
from fieldapp.ui.views.sync import SyncView
from test_sync_support import ALVSJO_CENTRUM, TEAM_KEY, add_shift, category_id, fresh_database





def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_synka_nu_on_two_laptops_brings_each_the_others_shift(qtbot, hub_contexts):
    views = [SyncView(ctx) for ctx in hub_contexts]
    for view in views:
        qtbot.addWidget(view)
    shifts = [add_shift(ctx.database) for ctx in hub_contexts]
    assert views[0].sync_button.text() == "Synka nu"
    views[0].refresh()
    assert "1" in views[0].pending_label.text()

    for view in (views[0], views[1], views[0]):
        click(qtbot, view.sync_button)
        assert view.sync_button.isEnabled()

    for ctx, other in ((hub_contexts[0], shifts[1]), (hub_contexts[1], shifts[0])):
        with ctx.database.session() as session:
            ids = set(session.scalars(select(Shift.id)))
        assert other.id in ids
    assert "Allt på den här datorn" in views[0].pending_label.text()
    assert views[1].devices_table.rowCount() == 2
    assert "aldrig" not in views[1].last_label.text()
    # Every run is in the audit log, with counts and never contents.
    from fieldapp.store.services.audit import AuditService

    with hub_contexts[0].database.session() as session:
        runs = AuditService(session).list(kinds=["sync"])
    assert len(runs) == 2
    assert runs[-1].details["pushed"] == {"shift": 1}


def test_without_a_team_key_the_view_says_so(qtbot, hub_contexts, monkeypatch):
    monkeypatch.delenv("FIELDAPP_TEAM_KEY")
    view = SyncView(hub_contexts[0])
    qtbot.addWidget(view)
    click(qtbot, view.sync_button)
    assert "FIELDAPP_TEAM_KEY" in view.message_label.text()


def test_refused_bundles_are_listed_with_their_reason(qtbot, hub_contexts, hub_path):
    views = [SyncView(ctx) for ctx in hub_contexts]
    for view in views:
        qtbot.addWidget(view)
    add_shift(hub_contexts[0].database)
    click(qtbot, views[0].sync_button)
    bundle = next(hub_path.glob("devices/*/00000001.bundle"))
    bundle.write_bytes(bundle.read_bytes()[:-5])
    click(qtbot, views[1].sync_button)
    assert views[1].refused_table.rowCount() == 1
    assert views[1].refused_table.item(0, 0).text() == str(bundle)
    assert views[1].refused_table.item(0, 1).text()


def test_automatic_sync_runs_while_the_hub_folder_exists(qtbot, hub_contexts, hub_path):
    view = SyncView(hub_contexts[0], interval_ms=10)
    qtbot.addWidget(view)
    add_shift(hub_contexts[0].database)
    qtbot.waitUntil(lambda: bool(list(hub_path.glob("devices/*/00000001.bundle"))), timeout=5000)
    assert view.timer.isActive()


BUNDLES = 6
SLOW = 3  # the bundle the reader is on when the user presses Cancel


def _bundle_ids(path) -> set[str]:
    # The body as written (the bundle is checked by the sync itself; reading it here needs
    # no key).
    return {env["id"] for env in json.loads(path.read_bytes().partition(b"\n")[2])}


def _stored_ids(database) -> set[str]:
    with database.session() as session:
        return {str(i) for i in session.scalars(select(Shift.id))} | {
            str(i) for i in session.scalars(select(Observation.id))}


def test_cancel_stops_a_running_sync_after_the_current_bundle(qtbot, tmp_path, hub_path, monkeypatch):
    """A real sync on the real (threaded) task runner, cancelled with the Cancel button while
    it reads bundle 3 of 6: bundles 1-3 are applied whole, 4-6 not at all, the user is told
    it stopped, and the next sync brings exactly the rest."""
    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY.decode())
    writer, reader = fresh_database(tmp_path, 0), fresh_database(tmp_path, 1)
    category = category_id(writer)
    for _n in range(BUNDLES):  # each bundle: a shift and an observation on it
        shift = add_shift(writer)
        with writer.session() as session:
            Services(session, writer.device_id()).observations.create(
                shift_id=shift.id, place_id=ALVSJO_CENTRUM, category_id=category,
                observed_at=shift.starts_at)
        engine.sync(writer, FolderHub(hub_path, TEAM_KEY))
    own = hub_path / "devices" / str(writer.device_id())
    bundles = [own / bundle_name(seq) for seq in range(1, BUNDLES + 1)]
    ids = [_bundle_ids(path) for path in bundles]
    assert all(len(i) == 2 for i in ids)
    # Bundle 3 arrives slowly, as over a slow network share: reading it waits until the test
    # lets it through, after pressing Cancel. (A named pipe did this before; the reader now
    # refuses anything but a regular file, so the wait is put in front of the real read.)
    slow = bundles[SLOW - 1]
    arrived = threading.Event()
    real_read = folder.read_regular_file

    def slow_read(path, *args):
        if Path(path) == slow:
            assert arrived.wait(60), "the test never let bundle 3 through"
        return real_read(path, *args)

    monkeypatch.setattr(folder, "read_regular_file", slow_read)

    ctx = AppContext.open(reader)  # threaded, as in the app
    with ctx.services() as services:
        services.settings.set("hub_path", str(hub_path))
    view = SyncView(ctx)
    qtbot.addWidget(view)
    try:
        click(qtbot, view.sync_button)
        assert view.cancel_button.isEnabled() and not view.sync_button.isEnabled()
        qtbot.waitUntil(lambda: slow.name in view.progress.format(), timeout=20000)
        assert view.progress.format().startswith("Läser ") and view.progress.isVisibleTo(view)
        click(qtbot, view.cancel_button)
        assert view.message_label.text() == "Stoppar efter den pågående bunten…"
        arrived.set()
        qtbot.waitUntil(lambda: not view.is_running(), timeout=20000)

        # What the user sees: stopped, what came in, the buttons back as they were.
        report = view.last_report
        assert report.cancelled and report.pulled == {"shift": SLOW, "observation": SLOW}
        assert view.message_label.text() == (
            f"Synken stoppades; nästa synk fortsätter där den slutade. "
            f"Skickade 0 och tog emot {2 * SLOW} poster.")
        assert view.sync_button.isEnabled() and not view.cancel_button.isEnabled()
        assert not view.progress.isVisibleTo(view)
        # Nothing half-applied: each bundle is in the store whole or not at all.
        stored = _stored_ids(reader)
        assert [i <= stored for i in ids] == [True] * SLOW + [False] * (BUNDLES - SLOW)
        assert all(not (i & stored) for i in ids[SLOW:])

        click(qtbot, view.sync_button)
        qtbot.waitUntil(lambda: not view.is_running(), timeout=20000)
        report = view.last_report
        rest = BUNDLES - SLOW
        assert not report.cancelled and report.refused == [] and report.waiting == 0
        assert report.pulled == {"shift": rest, "observation": rest}
        assert _stored_ids(reader) == set().union(*ids)
        assert view.message_label.text() == f"Skickade 0 och tog emot {2 * rest} poster."
    finally:
        ctx.tasks.wait()
        writer.close()
        reader.close()


def test_the_main_window_syncs_from_the_start_and_shows_the_state(qtbot, hub_contexts, tmp_path):
    from PySide6.QtCore import QSettings

    from fieldapp.ui.main_window import MainWindow

    add_shift(hub_contexts[0].database)
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    window = MainWindow(hub_contexts[0], settings=settings)
    qtbot.addWidget(window)
    # The Synk page is built after the first paint (never holding it up), before anyone
    # opens it, so its automatic sync timer runs.
    assert "sync" not in window.pages
    window.start_background_work()
    assert "sync" in window.pages
    assert window.sync_status.text() == "Synk: 1 väntar, senast aldrig"
    window.pages["sync"].sync_now()
    assert window.sync_status.text().startswith("Synk: allt skickat, senast ")


def test_a_slow_hub_never_holds_up_the_users_next_save(qtbot, tmp_path, hub_path, monkeypatch):
    """The sync waits on a slow network folder (its hub call blocks until the test lets it
    go) on the IO lane, while an observation is saved through the real dialog on the DB lane:
    the save is done, and in the data file, before the sync goes on; the sync then sends it."""
    import threading

    from PySide6.QtWidgets import QListWidgetItem

    from fieldapp.sync.folder import FolderHub
    from fieldapp.ui.dialogs.quick_observation import open_quick_observation

    monkeypatch.setenv("FIELDAPP_TEAM_KEY", TEAM_KEY.decode())
    database = fresh_database(tmp_path, 0)
    ctx = AppContext.open(database)  # the threaded runner, as in the app
    with ctx.services() as services:
        services.settings.set("hub_path", str(hub_path))
    reached, release = threading.Event(), threading.Event()
    connect = FolderHub.connect

    def slow_connect(self, device_id):
        reached.set()
        release.wait(30)  # a network folder that answers slowly
        connect(self, device_id)

    monkeypatch.setattr(FolderHub, "connect", slow_connect)
    view = SyncView(ctx)
    qtbot.addWidget(view)
    try:
        click(qtbot, view.sync_button)
        qtbot.waitUntil(reached.is_set, timeout=5000)
        dialog = open_quick_observation(ctx, None)
        dialog.place.setText("Älvsjö centrum")
        dialog.accept_place()
        item: QListWidgetItem = dialog.category.item(0)
        dialog.category.setCurrentItem(item)
        with qtbot.waitSignal(dialog.saved, timeout=5000) as saved:
            click(qtbot, dialog.save_button)
        assert saved.args[0].place_id == ALVSJO_CENTRUM
        with database.session() as session:
            assert session.scalar(select(func.count()).select_from(Observation)) == 1
        assert view.is_running() and not view.sync_button.isEnabled()  # still waiting
    finally:
        release.set()
    qtbot.waitUntil(lambda: not view.is_running(), timeout=10_000)
    assert view.last_report.pushed == {"observation": 1}
    assert "Skickade 1" in view.message_label.text()
    ctx.tasks.wait()
    database.close()
