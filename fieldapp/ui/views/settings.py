"""Inställningar: this device, the team and its staff, the data file, the team hub (used by
the sync) and the language. Language applies at once; the rest is saved with "Save".
Data protection (encryption status, idle lock, retention, the keyring) and the audit log
("Logg") are boxes from :mod:`fieldapp.ui.views.protection`. Every saved change is logged."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fieldapp.domain.enums import StaffRole
from fieldapp.domain.records import StaffRecord
from fieldapp.domain.validation import FieldError
from fieldapp.i18n import LANGUAGES, _, current_language, set_language
from fieldapp.store.services.settings import HUB_PATH, HUB_URL, LANGUAGE, TEAM_NAME
from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import DB, IO
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.views.protection import AuditLogBox, ProtectionBox
from fieldapp.ui.views.settings_map import BasemapBox
from fieldapp.ui.views.settings_values import (
    SettingsSnapshot,
    check_device_settings,
    without_password,
)
from fieldapp.ui.widgets.saving import save_with

class SettingsView(QWidget):
    loads_when_built = True  # the window does not reload it when first shown
    language_changed = Signal(str)
    passphrase_change_requested = Signal()

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.staff_records: list[StaffRecord] = []

        title = QLabel(_("Settings"))
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)

        # This device and team
        self.form = FormErrors(FieldErrorLabel())
        self.device_name = QLineEdit()
        self.device_name.setPlaceholderText(_("e.g. Laptop fältgruppen 2"))
        self.team_name = QLineEdit()
        self.team_name.setPlaceholderText(_("e.g. Fältgruppen Hägersten-Älvsjö"))
        device_box = QGroupBox(_("This device and team"))
        device_form = QFormLayout(device_box)
        device_form.addRow(self.form.general)
        device_form.addRow(_("&Device name"), self.form.add("device_name", self.device_name))
        device_form.addRow(_("&Team name"), self.form.add("team_name", self.team_name))

        # Language
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(current_language()))
        self.language.currentIndexChanged.connect(self._language_chosen)
        device_form.addRow(_("&Language"), self.language)

        # Team hub
        self.hub_path = QLineEdit()
        self.hub_path.setPlaceholderText(_("A shared folder, e.g. a network drive"))
        browse = QPushButton(_("Choose folder…"))
        browse.clicked.connect(self._choose_hub_folder)
        path_row = QWidget()
        path_layout = QHBoxLayout(path_row)
        path_layout.setContentsMargins(0, 0, 0, 0)
        path_layout.addWidget(self.hub_path, 1)
        path_layout.addWidget(browse)
        self.hub_url = QLineEdit()
        self.hub_url.setPlaceholderText("postgresql://user@server/faltlogg")
        hub_box = QGroupBox(_("Team hub (for sync)"))
        hub_form = QFormLayout(hub_box)
        hub_note = QLabel(_("Where the summaries of every laptop in the team meet. Give a shared "
                            "folder, or the address of the city's PostgreSQL server."))
        hub_note.setWordWrap(True)
        hub_form.addRow(hub_note)
        hub_form.addRow(_("Shared &folder"), self.form.add("hub_path", path_row))
        hub_form.addRow(_("PostgreSQL &server"), self.form.add("hub_url", self.hub_url))
        self.save_button = QPushButton(_("Save settings"))
        self.save_button.setObjectName("saveSettings")
        self.save_button.clicked.connect(self.save)
        self.saved_label = QLabel()
        save_row = QHBoxLayout()
        save_row.addWidget(self.save_button)
        save_row.addWidget(self.saved_label, 1)

        # Staff
        staff_box = QGroupBox(_("Staff"))
        self.staff_table = QTableWidget(0, 4)
        self.staff_table.setObjectName("staffTable")
        self.staff_table.setHorizontalHeaderLabels([_("Initials"), _("Name"), _("Role"), _("Status")])
        self.staff_table.verticalHeader().hide()
        self.staff_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.staff_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.staff_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.staff_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.staff_table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.staff_table.setMinimumHeight(140)
        self.staff_table.itemSelectionChanged.connect(self._staff_selected)
        self.staff_form = FormErrors(FieldErrorLabel())
        self.initials = QLineEdit()
        self.initials.setMaxLength(12)
        self.staff_name = QLineEdit()
        self.role = QComboBox()
        for role in StaffRole:
            self.role.addItem(role.label, role.value)
        self.add_staff_button = QPushButton(_("Add"))
        self.add_staff_button.setObjectName("addStaff")
        self.update_staff_button = QPushButton(_("Save changes"))
        self.toggle_staff_button = QPushButton(_("Deactivate"))
        self.add_staff_button.clicked.connect(self.add_staff)
        self.update_staff_button.clicked.connect(self.update_staff)
        self.toggle_staff_button.clicked.connect(self.toggle_staff)
        staff_form = QFormLayout()
        staff_form.addRow(self.staff_form.general)
        staff_form.addRow(_("&Initials"), self.staff_form.add("initials", self.initials))
        staff_form.addRow(_("Na&me"), self.staff_form.add("name", self.staff_name))
        staff_form.addRow(_("&Role"), self.staff_form.add("role", self.role))
        staff_buttons = QHBoxLayout()
        for button in (self.add_staff_button, self.update_staff_button, self.toggle_staff_button):
            staff_buttons.addWidget(button)
        staff_buttons.addStretch(1)
        staff_layout = QVBoxLayout(staff_box)
        staff_layout.addWidget(self.staff_table)
        staff_layout.addLayout(staff_form)
        staff_layout.addLayout(staff_buttons)

        # Data file
        data_box = QGroupBox(_("Data file"))
        self.data_path = QLabel(str(ctx.database.path))
        self.data_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_path.setWordWrap(True)
        open_folder = QPushButton(_("Open folder"))
        open_folder.clicked.connect(self.open_data_folder)
        data_layout = QHBoxLayout(data_box)
        data_layout.addWidget(self.data_path, 1)
        data_layout.addWidget(open_folder)

        self.protection_box = ProtectionBox(ctx)
        self.protection_box.change_passphrase_requested.connect(self.passphrase_change_requested)
        self.audit_box = AuditLogBox(ctx)
        self.basemap_box = BasemapBox(ctx)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(title)
        columns = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(device_box)
        left.addWidget(hub_box)
        left.addLayout(save_row)
        left.addWidget(data_box)
        left.addWidget(self.basemap_box)
        left.addWidget(self.protection_box)
        left.addStretch(1)
        columns.addLayout(left, 1)
        right = QVBoxLayout()
        right.addWidget(staff_box)
        right.addWidget(self.audit_box, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        order = [self.device_name, self.team_name, self.language, self.hub_path, browse,
                 self.hub_url, self.save_button, open_folder, self.staff_table, self.initials,
                 self.staff_name, self.role, self.add_staff_button, self.update_staff_button,
                 self.toggle_staff_button]
        for first, second in zip(order, order[1:]):
            self.setTabOrder(first, second)
        self._staff_selected()
        self.reload()

    # -- loading ----------------------------------------------------------------------------
    def reload(self) -> None:
        def job(_progress) -> SettingsSnapshot:
            with self.ctx.services() as services:
                values = services.settings.all()
                return SettingsSnapshot(
                    device_name=services.settings.device_name(),
                    team_name=str(values.get("team_name") or ""),
                    hub_path=str(values.get("hub_path") or ""),
                    hub_url=str(values.get("hub_url") or ""),
                    language=str(values.get("language") or "sv"),
                    staff=services.staff.list())

        self.ctx.tasks.run(job, on_success=self.show_snapshot,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=DB)

    def show_snapshot(self, snapshot: SettingsSnapshot) -> None:
        self.device_name.setText(snapshot.device_name)
        self.team_name.setText(snapshot.team_name)
        self.hub_path.setText(snapshot.hub_path)
        self.hub_url.setText(snapshot.hub_url)
        self.show_staff(snapshot.staff)

    def show_staff(self, staff: list[StaffRecord]) -> None:
        selected = self.selected_staff()
        self.staff_records = list(staff)
        self.staff_table.blockSignals(True)
        self.staff_table.setRowCount(len(staff))
        for row, person in enumerate(staff):
            try:
                role = StaffRole(person.role).label
            except ValueError:
                role = person.role
            status = _("Active") if person.active else _("Inactive")
            for column, text in enumerate((person.initials, person.name, role, status)):
                self.staff_table.setItem(row, column, QTableWidgetItem(text))
        self.staff_table.blockSignals(False)
        if selected is not None:
            for row, person in enumerate(staff):
                if person.id == selected.id:
                    self.staff_table.selectRow(row)
        self._staff_selected()

    # -- device, team, hub ------------------------------------------------------------------
    def save(self) -> None:
        values = dict(device_name=self.device_name.text().strip(),
                      team_name=self.team_name.text().strip(),
                      hub_path=self.hub_path.text().strip(),
                      hub_url=self.hub_url.text().strip())
        self.saved_label.setText("")
        self.form.clear()

        def work(services):
            changed = {}
            if services.settings.device_name() != values["device_name"]:
                changed["device_name"] = values["device_name"]
            services.settings.set_device_name(values["device_name"])
            for key in (TEAM_NAME, HUB_PATH, HUB_URL):
                if services.settings.get(key) != values[key.name]:
                    changed[key.name] = values[key.name]
                services.settings.set(key, values[key.name])
            if "hub_url" in changed:
                changed["hub_url"] = without_password(changed["hub_url"])
            if changed:
                services.audit.record("settings", {"keys": sorted(changed), "values": changed})
            return values

        def checked(errors: list[FieldError]) -> None:
            if errors:
                self.save_button.setEnabled(True)
                self.form.show(errors)
                return
            save_with(self.ctx, self, self.form, work, saved, changed=("settings",))

        def saved(_values) -> None:
            self.save_button.setEnabled(True)
            self.saved_label.setText(_("Saved."))

        def failed(exc: BaseException, trace: str) -> None:
            self.save_button.setEnabled(True)
            show_unexpected_error(self, exc, trace)

        # The hub folder may be on a network drive that answers slowly: it is checked on
        # the IO lane, then the settings are saved on the DB lane.
        self.save_button.setEnabled(False)
        self.ctx.tasks.run(lambda _progress: check_device_settings(**values),
                           on_success=checked, on_failure=failed, lane=IO, owner=self)

    def _choose_hub_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Choose the team's shared folder"),
                                                  self.hub_path.text())
        if folder:
            self.hub_path.setText(folder)

    def open_data_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(self.ctx.database.path).parent)))

    # -- language ---------------------------------------------------------------------------
    def _language_chosen(self, _index: int) -> None:
        self.set_language(self.language.currentData())

    def set_language(self, language: str) -> None:
        """Switch the app's language now and remember it on this device."""
        if language == current_language():
            return
        set_language(language)

        def job(_progress):
            with self.ctx.services() as services:
                services.settings.set(LANGUAGE, language)
                services.audit.record("settings", {"keys": ["language"],
                                                   "values": {"language": language}})

        self.ctx.tasks.run(job, on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))
        self.language_changed.emit(language)

    # -- staff ------------------------------------------------------------------------------
    def selected_staff(self) -> StaffRecord | None:
        rows = self.staff_table.selectionModel().selectedRows() if self.staff_table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.staff_records):
            return None
        return self.staff_records[rows[0].row()]

    def _staff_selected(self) -> None:
        person = self.selected_staff()
        self.update_staff_button.setEnabled(person is not None)
        self.toggle_staff_button.setEnabled(person is not None)
        self.staff_form.clear()
        if person is None:
            self.toggle_staff_button.setText(_("Deactivate"))
            return
        self.initials.setText(person.initials)
        self.staff_name.setText(person.name)
        index = self.role.findData(person.role)
        if index >= 0:
            self.role.setCurrentIndex(index)
        self.toggle_staff_button.setText(_("Deactivate") if person.active else _("Activate"))

    def _staff_values(self) -> dict:
        return dict(initials=self.initials.text().strip(), name=self.staff_name.text().strip(),
                    role=self.role.currentData())

    def _after_staff_change(self, _record) -> None:
        def job(_progress):
            with self.ctx.services() as services:
                return services.staff.list()

        self.ctx.tasks.run(job, on_success=self.show_staff,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def add_staff(self) -> None:
        values = self._staff_values()

        def added(record) -> None:
            self.staff_table.clearSelection()
            self.initials.clear()
            self.staff_name.clear()
            self._after_staff_change(record)

        save_with(self.ctx, self, self.staff_form,
                  lambda services: services.staff.create(**values), added, changed=("staff",))

    def update_staff(self) -> None:
        person = self.selected_staff()
        if person is None:
            return
        values = self._staff_values()
        save_with(self.ctx, self, self.staff_form,
                  lambda services: services.staff.update(person.id, **values),
                  self._after_staff_change, changed=("staff",))

    def toggle_staff(self) -> None:
        person = self.selected_staff()
        if person is None:
            return
        save_with(self.ctx, self, self.staff_form,
                  lambda services: services.staff.update(person.id, active=not person.active),
                  self._after_staff_change, changed=("staff",))
