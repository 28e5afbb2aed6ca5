"""The team key page of the first-start guide: make a new key or type in the one a colleague
gave, and keep it in the keyring as the settings page does (never in the data file).

The key is made and checked by :mod:`fieldapp.sync.team_key` (``new_team_key``,
``parse_team_key``: a typo in a pasted key is caught by its check characters). When the hub
folder chosen on the page before already holds a team's hub, a key is checked against the
hub's stored check as well, so a wrong key is said here and not at the first sync."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.validation import FieldError
from fieldapp.i18n import _
from fieldapp.store import secrets
from fieldapp.sync import key_check
from fieldapp.sync.safe_read import read_regular_file
from fieldapp.sync.team_key import TeamKeyCodeError, new_team_key, parse_team_key
from fieldapp.ui.context import AppContext
from fieldapp.ui.dialogs.first_start_pages import CheckedPage, Done, note
from fieldapp.ui.tasks import IO

KEEP, NEW, PASTE, LATER = "keep", "new", "paste", "later"


def key_matches_hub(folder: str, key: str) -> bool | None:
    """Whether ``key`` is the key of the hub in ``folder``; None when the folder holds no hub
    whose check can be read (a new hub takes the key at the first sync). For the IO lane."""
    if not folder:
        return None
    path = Path(folder).expanduser() / "hub.json"
    try:
        info = json.loads(read_regular_file(path, 64 * 1024).decode("utf-8"))
        verdict = key_check.verify(key.encode("utf-8"), str(info.get("hub_id", "")),
                                   info.get("key_check", ""))
    except Exception:  # noqa: BLE001 - no hub there, or not one this check can read
        return None
    return verdict.matches


def store_key(choice: str, typed: str, made: str, hub_folder: str) -> list[FieldError]:
    """Check the chosen key and keep it in the keyring; the problems found (nothing is kept
    then). For the IO lane: the keyring and the hub folder can keep their caller waiting."""
    if choice in (KEEP, LATER):
        return []
    if choice == NEW:
        key = made
    else:
        try:
            key = parse_team_key(typed)
        except TeamKeyCodeError as exc:
            if typed.strip() and key_matches_hub(hub_folder, typed.strip()):
                key = typed.strip()  # a key a person chose earlier, and the hub's: it works
            else:
                return [FieldError("pasted", str(exc))]
    if key_matches_hub(hub_folder, key) is False:
        field = "pasted" if choice == PASTE else "choice"
        return [FieldError(field, _(
            "The hub folder already belongs to a team with another key. Type in the key a "
            "colleague in that team gives you, or choose another folder."))]
    try:
        secrets.set_secret(secrets.TEAM_KEY, key)
    except secrets.NoKeyringError as exc:
        return [FieldError("choice", str(exc))]
    return []


class KeyPage(CheckedPage):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("firstStartKey")
        self.setTitle(_("The team key"))
        self.setSubTitle(_("The team key lets this laptop into the team's hub. One person in "
                           "the team makes it; the others type it in."))
        self.hub_folder = ""  # set by the guide from the hub page
        self.has_key = False
        self.made = new_team_key()
        self.keep = QRadioButton(_("&Keep the team key saved on this laptop"))
        self.new = QRadioButton(_("Make a &new team key (the first laptop of the team)"))
        self.paste = QRadioButton(_("&Type in the key a colleague gave you"))
        self.later = QRadioButton(_("&Later (a PostgreSQL server needs no team key)"))
        self.group = QButtonGroup(self)
        for button, name in ((self.keep, KEEP), (self.new, NEW), (self.paste, PASTE),
                             (self.later, LATER)):
            button.setObjectName(f"firstStartKey_{name}")
            self.group.addButton(button)
        self.keep.setVisible(False)
        self.code = QLineEdit(self.made)
        self.code.setObjectName("firstStartNewKey")
        self.code.setReadOnly(True)
        copy = QPushButton(_("&Copy"))
        copy.setAutoDefault(False)
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.made))
        code_row = QWidget()
        row = QHBoxLayout(code_row)
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.code, 1)
        row.addWidget(copy)
        self.pasted = QLineEdit()
        self.pasted.setObjectName("firstStartPastedKey")
        self.pasted.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.pasted.textEdited.connect(lambda _text: self.paste.setChecked(True))
        paste_row = QWidget()
        row = QHBoxLayout(paste_row)
        row.setContentsMargins(24, 0, 0, 0)
        row.addWidget(self.form.add("pasted", self.pasted), 1)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.form.general)
        layout.addLayout(form)
        layout.addWidget(self.keep)
        layout.addWidget(self.new)
        layout.addWidget(code_row)
        layout.addWidget(note(_("Hand the key on in person (read it aloud, or on a note that is "
                                "destroyed afterwards), never by e-mail. Fältlogg keeps it in "
                                "this computer's keyring, never in the data file.")))
        layout.addWidget(self.paste)
        layout.addWidget(paste_row)
        layout.addWidget(self.later)
        layout.addStretch(1)
        self.setTabOrder(self.keep, self.new)
        self.setTabOrder(self.new, self.code)
        self.setTabOrder(self.code, copy)
        self.setTabOrder(copy, self.paste)
        self.setTabOrder(self.paste, self.pasted)
        self.setTabOrder(self.pasted, self.later)
        self.new.setChecked(True)

    def initializePage(self) -> None:  # noqa: N802 - the QWizardPage method it overrides
        """Ask the keyring (on the IO lane) whether a key is saved; choose the likely answer."""
        existing_hub = bool(getattr(self.wizard(), "hub_page", None)
                            and self.wizard().hub_page.existing_hub)

        def shown(has_key: bool) -> None:
            self.has_key = has_key
            self.keep.setVisible(has_key)
            default = self.keep if has_key else self.paste if existing_hub else self.new
            default.setChecked(True)
            default.setFocus()

        self.ctx.tasks.run(lambda _progress: bool(secrets.get_secret(secrets.TEAM_KEY)),
                           on_success=shown, on_failure=lambda _exc, _trace: shown(False),
                           lane=IO, owner=self)

    def choice(self) -> str:
        for button, name in ((self.keep, KEEP), (self.new, NEW), (self.paste, PASTE)):
            if button.isChecked():
                return name
        return LATER

    def values(self) -> tuple:
        return (self.choice(), self.pasted.text().strip(), self.made, self.hub_folder)

    def check_and_save(self, values: tuple, done: Done) -> None:
        self.form.clear()

        def checked(errors: list[FieldError]) -> None:
            if errors:
                self.form.show(errors)
                done(False)
            else:
                done(True)

        def failed(exc: BaseException, trace: str) -> None:
            done(False)
            self.failed(exc, trace)

        self.ctx.tasks.run(lambda _progress: store_key(*values), on_success=checked,
                           on_failure=failed, lane=IO, owner=self)
