"""The notice shown while an older data file is backed up and upgraded at start: the work
runs before the window exists and holds the event loop (a city's year takes some 20 s, a
team's year a few), so the notice is painted once before it starts and says that a large
file takes a while; it closes when the file is at the newest revision."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QVBoxLayout

from fieldapp.i18n import _
from fieldapp.store.opening import upgrading_text


class UpgradeNotice(QDialog):
    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("upgradeNotice")
        self.setWindowTitle(_("Fältlogg is upgrading the data file"))
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        text = QLabel(upgrading_text(path))
        text.setObjectName("upgradeText")
        text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        self.resize(460, self.sizeHint().height())

    def show_now(self) -> None:
        """Show and paint it before the caller blocks the event loop."""
        self.show()
        self.raise_()
        for _round in range(3):  # mapped, exposed, painted
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
            self.repaint()
