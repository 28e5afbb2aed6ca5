"""Auto-lock: after some minutes without input the window hides every record until the
passphrase is entered again. And the banner a plain (not encrypted) data file shows.

:class:`IdleWatcher` is an application-wide event filter: any key, mouse or wheel input
restarts its timer, and ``idle`` fires when it runs out. :class:`LockPage` is what the window
shows while locked: no record data, only the passphrase field. The lock controller
(:mod:`fieldapp.ui.lock_controller`) hides the window's open dialogs and has the window swap
its pages for the lock page, and brings them back after a right passphrase.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.i18n import _
from fieldapp.store.encryption import forgotten_passphrase_text
from fieldapp.ui.dialogs.passphrase import password_field
from fieldapp.ui.widgets.forms import FieldErrorLabel

DEFAULT_LOCK_MINUTES = 10
LOCK_SETTING = "lock_minutes"

INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick, QEvent.Type.MouseMove,
    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress, QEvent.Type.Shortcut,
})


class IdleWatcher(QObject):
    """Emits ``idle`` after ``minutes`` without user input (0: never)."""

    idle = Signal()

    def __init__(self, minutes: float = DEFAULT_LOCK_MINUTES, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_minutes(self, minutes: float) -> None:
        self.minutes = minutes
        if minutes and minutes > 0:
            self.timer.setInterval(int(minutes * 60_000))
            self.timer.start()
        else:
            self.timer.stop()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in INPUT_EVENTS and self.minutes and self.minutes > 0:
            self.timer.start()
        return False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class LockPage(QWidget):
    """Shown instead of the pages while the window is locked."""

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lockPage")
        title = QLabel(_("Fältlogg is locked"))
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        text = QLabel(_("The window was locked to protect the records. Enter the passphrase "
                        "of the data file to go on."))
        text.setWordWrap(True)
        self.passphrase = password_field("unlockPassphrase")
        self.passphrase.returnPressed.connect(self._submit)
        self.unlock_button = QPushButton(_("Unlock"))
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(self._submit)
        self.error = FieldErrorLabel()
        forgot = QLabel(forgotten_passphrase_text())
        forgot.setWordWrap(True)
        forgot.setObjectName("hint")
        row = QHBoxLayout()
        row.addWidget(self.passphrase, 1)
        row.addWidget(self.unlock_button)
        box = QWidget()
        # A fixed width between stretches (not an alignment flag), so the layout asks the
        # word-wrapped texts for their height at that width and nothing is clipped.
        box.setFixedWidth(520)
        inner = QVBoxLayout(box)
        inner.addWidget(title)
        inner.addWidget(text)
        inner.addLayout(row)
        inner.addWidget(self.error)
        inner.addWidget(forgot)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(box)
        centred.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(centred)
        layout.addStretch(2)

    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text())

    def reset(self) -> None:
        self.passphrase.clear()
        self.error.clear_message()
        self.passphrase.setFocus()

    def refuse(self) -> None:
        self.error.set_messages([_("Wrong passphrase. Try again; check Caps Lock and the "
                                   "keyboard layout.")])
        self.passphrase.selectAll()
        self.passphrase.setFocus()


class EncryptBanner(QFrame):
    """Across the top of the window while the data file is not encrypted."""

    encrypt_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("encryptBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName("encryptButton")
        self.button.clicked.connect(self.encrypt_requested)
        row = QHBoxLayout(self)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.retranslate()

    def retranslate(self) -> None:
        self.label.setText(_("This data file is not encrypted: anyone who gets hold of this "
                             "laptop or the file can read the records."))
        self.button.setText(_("Encrypt…"))
