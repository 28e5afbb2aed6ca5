"""The task runner's lanes, with the threaded runner the app uses: a job waiting on the IO
lane holds up nothing on the DB lane, and a job whose page is gone reports to no one."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import threading

import shiboken6
from PySide6.QtWidgets import QLabel

from fieldapp.ui.tasks import DB, IO, TaskRunner


def test_the_db_lane_runs_while_an_io_job_waits(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    done: list[str] = []
    try:
        runner.run(lambda _p: release.wait(30) and "io", on_success=done.append, lane=IO)
        runner.run(lambda _p: "db", on_success=done.append, lane=DB)
        qtbot.waitUntil(lambda: done == ["db"], timeout=5000)
        assert runner.busy(IO) and not runner.busy(DB) and runner.busy()
    finally:
        release.set()
    qtbot.waitUntil(lambda: done == ["db", "io"], timeout=5000)
    assert not runner.busy()


def test_a_job_whose_owner_is_gone_calls_nothing_back(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    owner = QLabel("Väntar")
    called: list[object] = []
    try:
        runner.run(lambda _p: release.wait(30), on_success=lambda r: owner.setText("klar"),
                   on_failure=lambda exc, trace: called.append(exc), lane=IO, owner=owner)
        runner.run(lambda _p: release.wait(30) and 1 / 0, on_success=called.append,
                   on_failure=lambda exc, trace: called.append(exc), lane=IO, owner=owner)
        shiboken6.delete(owner)  # the page was rebuilt (a language switch) meanwhile
    finally:
        release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)
    assert called == []


def test_a_widgets_own_method_makes_it_the_owner(qtbot):
    """A page's reload that reports back to its own method (Idag's snapshot) after the page
    was deleted calls nothing: the method's widget is the owner without being named."""
    runner = TaskRunner()
    release = threading.Event()

    class Page(QLabel):
        def show_result(self, result):
            self.setText(str(result))

    page = Page("Väntar")
    try:
        runner.run(lambda _p: release.wait(30) and "klar", on_success=page.show_result, lane=IO)
        shiboken6.delete(page)
    finally:
        release.set()
    qtbot.waitUntil(lambda: not runner.busy(), timeout=5000)  # no RuntimeError in the loop


def test_drain_waits_for_the_jobs_that_reports_start(qtbot):
    """At the end of the process every job reports back, also one that another job's
    report started (a page reloading after the start's work)."""
    runner = TaskRunner()
    done: list[str] = []

    def first(_result):
        done.append("first")
        runner.run(lambda _p: threading.Event().wait(0.2) or "second", on_success=done.append,
                   lane=IO)

    runner.run(lambda _p: "first", on_success=first, lane=DB)
    assert runner.drain()
    assert done == ["first", "second"] and not runner.busy()


def test_the_window_closing_itself_leaves_no_error_in_the_log(tmp_path):
    """The installer's smoke test (the window closes after 1.5 s, the start's work still
    running): nothing of it may raise in a worker thread, where the error reaches only
    the log."""
    import subprocess
    import sys

    env = dict(os.environ, HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), QT_QPA_PLATFORM="offscreen")
    env.pop("FIELDAPP_PASSPHRASE", None)
    result = subprocess.run([sys.executable, "-m", "fieldapp", "--db", str(tmp_path / "x.sqlite"),
                             "--smoke-test"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    logs = list(tmp_path.rglob("faltlogg.log"))
    assert logs, "the app wrote no log"
    text = logs[0].read_text(encoding="utf-8")
    assert "ERROR" not in text and "Traceback" not in text, text
