"""The Qt binding itself must hold up for a day of use: thousands of signals.

PySide6 6.12.0 lost a reference to ``True`` on every ``Signal.emit`` and aborted the
interpreter ("bool_dealloc") after a few hundred signals; pyproject excludes it. This test
runs the same pattern in a child process, so a broken binding fails the suite instead of
crashing it.
"""

from __future__ import annotations

import subprocess
import sys

CHILD = r"""
import sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

app = QCoreApplication([])

class Emitter(QObject):
    number = Signal(int)
    anything = Signal(object)
    flag = Signal(bool)

emitter = Emitter()
received = []
emitter.number.connect(received.append)
emitter.anything.connect(lambda value: None)
emitter.flag.connect(lambda value: None)
before = sys.getrefcount(True), sys.getrefcount(None)
for n in range(20000):
    emitter.number.emit(n)
    emitter.anything.emit(None)
    emitter.flag.emit(True)
    if n % 1000 == 0:
        QTimer.singleShot(0, lambda: None)
        app.processEvents()
received.clear()
after = sys.getrefcount(True), sys.getrefcount(None)
print(before[0] - after[0], before[1] - after[1])
"""


def test_many_signals_do_not_leak_references_or_abort():
    result = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                            timeout=120, env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert result.returncode == 0, f"the Qt binding aborted: {result.stderr[-2000:]}"
    lost_true, lost_none = map(int, result.stdout.split())
    assert abs(lost_true) < 100 and abs(lost_none) < 100, result.stdout
