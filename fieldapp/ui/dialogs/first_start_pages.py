"""The pages of the first-start guide (:mod:`fieldapp.ui.dialogs.first_start`): this laptop
and the team, the staff list, the team hub. The team key page is
:mod:`fieldapp.ui.dialogs.first_start_key`.

Each page saves what it asks when the user goes on (Nästa), so a guide skipped half-way keeps
what was given. Checks that wait on something outside the data file (the hub folder, the
keyring) run on the IO lane, saves on the database lane (:class:`CheckedPage`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from fieldapp.domain.enums import StaffRole
from fieldapp.domain.records import StaffRecord
from fieldapp.domain.validation import FieldError, raise_if
from fieldapp.i18n import _
from fieldapp.store.services.settings import HUB_PATH, HUB_URL, TEAM_NAME
from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import IO
from fieldapp.ui.settings_checks import check_device_settings, without_password
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.saving import save_with

Done = Callable[[bool], None]


def note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def fill(field: QLineEdit, value: str) -> None:
    """Put a saved value in ``field`` unless the user has typed there already."""
    if not field.text():
        field.setText(value)


class CheckedPage(QWizardPage):
    """A page that checks and saves its values before the guide goes on. The work runs on
    the task runner's lanes, so :meth:`validatePage` starts it and says "not yet"; when it
    has succeeded the guide goes on by itself (with a synchronous runner, at once)."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.form = FormErrors(FieldErrorLabel())
        self._passed: object = None  # the values last checked and saved
        self._inside = False
        self._result: bool | None = None

    def values(self) -> object:
        raise NotImplementedError

    def check_and_save(self, values, done: Done) -> None:
        """Check and save ``values``; call ``done(True)`` when saved, ``done(False)`` (with
        the messages shown) when not."""
        raise NotImplementedError

    def validatePage(self) -> bool:  # noqa: N802 - the QWizardPage method it overrides
        values = self.values()
        if self._passed is not None and self._passed == values:
            return True
        self._passed = None
        self._inside, self._result = True, None
        try:
            self.check_and_save(values, lambda ok: self._done(ok, values))
        finally:
            self._inside = False
        return bool(self._result)

    def _done(self, ok: bool, values) -> None:
        if not ok:
            return
        self._passed = values
        if self._inside:
            self._result = True  # finished before validatePage returned
        elif self.wizard() is not None and self.wizard().currentPage() is self:
            self.wizard().next() if self.wizard().nextId() != -1 else self.wizard().accept()

    def save(self, work, done: Done, changed: tuple[str, ...] = ("settings",)) -> None:
        """``work(services)`` on the database lane; a ValidationError beside the fields (the
        page then stays)."""
        save_with(self.ctx, self, self.form, work, lambda _result: done(True), changed=changed)

    def failed(self, exc: BaseException, trace: str) -> None:
        show_unexpected_error(self, exc, trace)


# -- this laptop and the team ---------------------------------------------------------------

class DevicePage(CheckedPage):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("firstStartDevice")
        self.setTitle(_("Welcome to Fältlogg"))
        self.setSubTitle(_("A few details so that this laptop and the team are ready. You can "
                           "skip the guide and open it later under File → Get started…"))
        self.device_name = QLineEdit()
        self.device_name.setObjectName("firstStartDeviceName")
        self.device_name.setMaxLength(100)
        self.device_name.setPlaceholderText(_("e.g. Laptop fältgruppen 2"))
        self.team_name = QLineEdit()
        self.team_name.setObjectName("firstStartTeamName")
        self.team_name.setMaxLength(100)
        self.team_name.setPlaceholderText(_("e.g. Fältgruppen Hägersten-Älvsjö"))
        form = QFormLayout()
        form.addRow(self.form.general)
        form.addRow(_("This laptop's &name"), self.form.add("device_name", self.device_name))
        form.addRow(_("&Team or district"), self.form.add("team_name", self.team_name))
        layout = QVBoxLayout(self)
        layout.addWidget(note(_("The laptop's name is shown to the team on the Sync page, so "
                                "everyone sees which laptop sent what. Name the laptop, not "
                                "a person.")))
        layout.addLayout(form)
        layout.addStretch(1)

    def load(self, device_name: str, team_name: str) -> None:
        """Show the saved values (a field typed in before they were read is kept)."""
        fill(self.device_name, device_name)
        fill(self.team_name, team_name)

    def values(self) -> dict:
        return dict(device_name=self.device_name.text().strip(),
                    team_name=self.team_name.text().strip())

    def check_and_save(self, values: dict, done: Done) -> None:
        self.form.clear()

        def work(services):
            errors = check_device_settings(hub_path="", hub_url="", **values)
            if not values["device_name"]:
                errors.append(FieldError("device_name", _(
                    "Give this laptop a name, e.g. Laptop fältgruppen 2.")))
            raise_if(errors)
            services.settings.set_device_name(values["device_name"])
            services.settings.set(TEAM_NAME, values["team_name"])
            services.audit.record("settings", {"keys": ["device_name", "team_name"],
                                               "values": values})

        self.save(work, done)


# -- the staff list -------------------------------------------------------------------------

def initials_of(name: str) -> str:
    """Initials made from a name ("Amira Lindqvist" -> "AL"), at most four letters."""
    return "".join(part[0] for part in name.replace("-", " ").split() if part[0].isalpha())[:4].upper()


class _EnterAdds(QObject):
    """Enter in a filled-in staff field adds the person; in an empty one the guide goes on."""

    def __init__(self, page: StaffPage):
        super().__init__(page)
        self.page = page

    def eventFilter(self, obj, event) -> bool:
        if (event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and self.page.staff_name.text().strip()):
            self.page.add_staff()
            return True
        return False


class StaffPage(CheckedPage):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("firstStartStaff")
        self.setTitle(_("The team's staff"))
        self.setSubTitle(_("Everyone who works shifts: a shift is started with the people on "
                           "it. The list is shared with the team's laptops."))
        self.staff_list = QListWidget()
        self.staff_list.setObjectName("firstStartStaffList")
        self.staff_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.staff_name = QLineEdit()
        self.staff_name.setObjectName("firstStartStaffName")
        self.staff_name.setPlaceholderText(_("e.g. Amira Lindqvist"))
        self.initials = QLineEdit()
        self.initials.setObjectName("firstStartInitials")
        self.initials.setMaxLength(8)
        self.initials.setPlaceholderText(_("made from the name if left empty"))
        self.role = QComboBox()
        for role in StaffRole:
            self.role.addItem(role.label, role.value)
        self.add_button = QPushButton(_("&Add"))
        self.add_button.setObjectName("firstStartAddStaff")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_staff)
        enter = _EnterAdds(self)
        for field in (self.staff_name, self.initials):
            field.installEventFilter(enter)
        form = QFormLayout()
        form.addRow(self.form.general)
        form.addRow(_("Na&me"), self.form.add("name", self.staff_name))
        form.addRow(_("&Initials"), self.form.add("initials", self.initials))
        form.addRow(_("&Role"), self.form.add("role", self.role))
        form.addRow("", self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note(_("Type a name and press Enter to add the person; press Enter "
                                "in the empty name field to go on.")))
        columns = QHBoxLayout()
        columns.addLayout(form, 1)
        columns.addWidget(self.staff_list, 1)
        layout.addLayout(columns, 1)
        self.setTabOrder(self.staff_name, self.initials)
        self.setTabOrder(self.initials, self.role)
        self.setTabOrder(self.role, self.add_button)
        self.records: list[StaffRecord] = []

    def show_staff(self, staff: list[StaffRecord]) -> None:
        self.records = list(staff)
        self.staff_list.clear()
        for person in staff:
            role = StaffRole(person.role).label if person.role in StaffRole._value2member_map_ \
                else person.role
            text = f"{person.initials} – {person.name} ({role})"
            if not person.active:
                text += " – " + _("Inactive")
            self.staff_list.addItem(text)

    def add_staff(self) -> None:
        name = self.staff_name.text().strip()
        values = dict(name=name, initials=self.initials.text().strip() or initials_of(name),
                      role=self.role.currentData())

        def added(staff: list[StaffRecord]) -> None:
            self.staff_name.clear()
            self.initials.clear()
            self.show_staff(staff)
            self.staff_name.setFocus()

        def work(services):
            services.staff.create(**values)
            services.audit.record("settings", {"keys": ["staff"], "values": {
                "staff": values["initials"]}})
            return services.staff.list()

        save_with(self.ctx, self, self.form, work, added, changed=("staff",))

    def values(self) -> tuple:
        return tuple(person.id for person in self.records if person.active)

    def check_and_save(self, values: tuple, done: Done) -> None:
        if self.staff_name.text().strip():  # typed but not added: add it first
            self.add_staff()
            done(False)
            return
        if not values:
            self.form.show([FieldError("name", _(
                "Add at least one person: a shift cannot be started with nobody on it."))])
            done(False)
            return
        self.form.clear()
        done(True)


# -- the team hub ---------------------------------------------------------------------------

def check_hub(hub_path: str, hub_url: str) -> tuple[list[FieldError], bool]:
    """The settings page's check of the hub fields, and whether the folder already holds a
    team's hub (for a job on the IO lane: the folder may be on a slow network drive)."""
    errors = check_device_settings(device_name="", team_name="", hub_path=hub_path,
                                   hub_url=hub_url)
    if hub_path and hub_url:
        errors.append(FieldError("hub_url", _(
            "Give either a shared folder or a server, not both: the folder is used when both "
            "are set.")))
    existing = bool(hub_path) and not errors and (
        Path(hub_path).expanduser() / "hub.json").is_file()
    return errors, existing


class HubPage(CheckedPage):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(ctx, parent)
        self.setObjectName("firstStartHub")
        self.setTitle(_("The team hub"))
        self.setSubTitle(_("Where the summaries of every laptop in the team meet: a shared "
                           "folder (a network drive, a synced folder, a USB stick) or the "
                           "city's PostgreSQL server."))
        self.existing_hub = False  # the folder already holds a hub (the key page asks for its key)
        self.hub_path = QLineEdit()
        self.hub_path.setObjectName("firstStartHubPath")
        self.hub_path.setPlaceholderText(_("A shared folder, e.g. a network drive"))
        browse = QPushButton(_("Choose folder…"))
        browse.setAutoDefault(False)
        browse.clicked.connect(self._choose_folder)
        path_row = QWidget()
        row = QHBoxLayout(path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.hub_path, 1)
        row.addWidget(browse)
        path_row.setFocusProxy(self.hub_path)  # an error message focuses the field itself
        self.hub_url = QLineEdit()
        self.hub_url.setObjectName("firstStartHubUrl")
        self.hub_url.setPlaceholderText("postgresql://user@server/faltlogg")
        form = QFormLayout()
        form.addRow(self.form.general)
        form.addRow(_("Shared &folder"), self.form.add("hub_path", path_row))
        form.addRow(_("PostgreSQL &server"), self.form.add("hub_url", self.hub_url))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note(_("Leave both empty to work on this laptop only for now; the hub "
                                "can be set later under Settings.")))
        layout.addStretch(1)
        self.setTabOrder(self.hub_path, browse)
        self.setTabOrder(browse, self.hub_url)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the team's shared folder"),
                                                  self.hub_path.text())
        if folder:
            self.hub_path.setText(folder)

    def load(self, hub_path: str, hub_url: str) -> None:
        fill(self.hub_path, hub_path)
        fill(self.hub_url, hub_url)

    def values(self) -> dict:
        return dict(hub_path=self.hub_path.text().strip(), hub_url=self.hub_url.text().strip())

    def check_and_save(self, values: dict, done: Done) -> None:
        self.form.clear()

        def checked(result: tuple[list[FieldError], bool]) -> None:
            errors, self.existing_hub = result
            if errors:
                self.form.show(errors)
                done(False)
                return

            def work(services):
                for key in (HUB_PATH, HUB_URL):
                    services.settings.set(key, values[key.name])
                services.audit.record("settings", {"keys": ["hub_path", "hub_url"], "values": {
                    "hub_path": values["hub_path"],
                    "hub_url": without_password(values["hub_url"])}})

            self.save(work, done)

        def failed(exc: BaseException, trace: str) -> None:
            done(False)
            self.failed(exc, trace)

        self.ctx.tasks.run(lambda _progress: check_hub(**values), on_success=checked,
                           on_failure=failed, lane=IO, owner=self)


__all__ = ["CheckedPage", "DevicePage", "HubPage", "StaffPage", "check_hub", "initials_of"]
