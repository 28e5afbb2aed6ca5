"""The data-protection parts of the settings page: encryption and auto-lock, where the hub's
secrets are kept, retention (gallring) with a preview, and the audit log ("Logg") with its
CSV export. Each box talks to the services through the task runner."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from fieldapp.i18n import _
from fieldapp.store import secrets
from fieldapp.store.services import retention
from fieldapp.store.services.audit import AuditRecord, kind_label
from fieldapp.store.services.settings import LOCK_MINUTES
from fieldapp.ui.context import AppContext
from fieldapp.ui.lock import DEFAULT_LOCK_MINUTES
from fieldapp.ui.tasks import DB, IO
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.formatting import day_and_time
from fieldapp.ui.widgets.file_dialogs import ask_save_path
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.saving import save_with
from fieldapp.ui.views.allow_list import AllowListBox

AUDIT_ROWS = 200


@dataclass(frozen=True)
class ProtectionSnapshot:
    lock_minutes: int
    rules: retention.RetentionRules


class ProtectionBox(QGroupBox):
    """Encryption status, idle lock, keyring secrets and retention rules."""

    change_passphrase_requested = Signal()  # the window swaps the file: it does the change

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(_("Data protection"), parent)
        self.ctx = ctx
        self.form = FormErrors(FieldErrorLabel())
        self.encryption_label = QLabel()
        self.encryption_label.setWordWrap(True)
        self.encryption_label.setObjectName("encryptionStatus")
        self.passphrase_button = QPushButton(_("Change passphrase…"))
        self.passphrase_button.setObjectName("changePassphrase")
        self.passphrase_button.clicked.connect(self.change_passphrase_requested)
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setObjectName("lockMinutes")
        self.lock_minutes.setRange(0, 240)
        self.lock_minutes.setSuffix(_(" min"))
        self.lock_minutes.setSpecialValueText(_("never"))
        self.notes_days = QSpinBox()
        self.notes_days.setObjectName("privateNotesDays")
        self.notes_days.setRange(0, retention.MAX_DAYS)
        self.notes_days.setSuffix(_(" days"))
        self.notes_days.setSpecialValueText(_("keep"))
        self.records_months = QSpinBox()
        self.records_months.setObjectName("recordsMonths")
        self.records_months.setRange(0, retention.MAX_MONTHS)
        self.records_months.setSuffix(_(" months"))
        self.records_months.setSpecialValueText(_("keep"))
        retention_note = QLabel(_("Private notes are emptied this long after the shift; "
                                  "shifts, observations and meetings older than the limit are "
                                  "removed from this laptop. Records not yet synced to the "
                                  "team hub are never removed."))
        retention_note.setWordWrap(True)
        retention_note.setObjectName("hint")
        self.save_button = QPushButton(_("Save protection settings"))
        self.save_button.setObjectName("saveProtection")
        self.save_button.clicked.connect(self.save)
        self.preview_button = QPushButton(_("Preview retention"))
        self.preview_button.setObjectName("previewRetention")
        self.preview_button.clicked.connect(self.preview)
        self.run_button = QPushButton(_("Remove now"))
        self.run_button.setObjectName("runRetention")
        self.run_button.clicked.connect(self.run_now)
        self.result_label = QLabel()
        self.result_label.setObjectName("retentionResult")
        self.result_label.setWordWrap(True)

        # Secrets of the hub: the OS keyring, never the data file.
        self.keyring_label = QLabel()
        self.keyring_label.setWordWrap(True)
        self.keyring_label.setObjectName("keyringStatus")
        self.team_key = QLineEdit()
        self.team_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.team_key.setObjectName("teamKey")
        self.pg_password = QLineEdit()
        self.pg_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.pg_password.setObjectName("pgPassword")
        self.secrets_button = QPushButton(_("Save in the keyring"))
        self.secrets_button.clicked.connect(self.save_secrets)
        self.secrets_label = FieldErrorLabel()

        form = QFormLayout(self)
        form.addRow(self.encryption_label)
        passphrase_row = QHBoxLayout()
        passphrase_row.addWidget(self.passphrase_button)
        passphrase_row.addStretch(1)
        form.addRow(passphrase_row)
        form.addRow(self.form.general)
        form.addRow(_("Lock after &idle time"), self.form.add("lock_minutes", self.lock_minutes))
        form.addRow(_("Keep &private notes"), self.form.add("private_notes_days", self.notes_days))
        form.addRow(_("Keep &records"), self.form.add("records_months", self.records_months))
        form.addRow(retention_note)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.preview_button, self.run_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        form.addRow(buttons)
        form.addRow(self.result_label)
        form.addRow(self.keyring_label)
        form.addRow(_("Team &key"), self.team_key)
        form.addRow(_("PostgreSQL pass&word"), self.pg_password)
        form.addRow(self.secrets_button)
        form.addRow(self.secrets_label)
        self.allow_list = AllowListBox(ctx)
        form.addRow(self.allow_list)
        self.reload()

    def reload(self) -> None:
        encrypted = self.ctx.database.encrypted
        self.encryption_label.setText(
            _("The data file is encrypted (SQLCipher). There is no back door: without the "
              "passphrase the data cannot be read.") if encrypted else
            _("The data file is NOT encrypted. Encrypt it from the banner at the top of the "
              "window."))
        self.lock_minutes.setEnabled(encrypted)
        self.passphrase_button.setVisible(encrypted)
        for widget in (self.team_key, self.pg_password, self.secrets_button):
            widget.setEnabled(False)  # until the keyring has answered
        # The keyring can keep its caller waiting (a locked wallet, a slow D-Bus): asked on
        # the IO lane, never the UI thread.
        self.ctx.tasks.run(lambda _progress: secrets.keyring_name(),
                           on_success=self.show_keyring,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=IO, owner=self)

        def job(_progress) -> ProtectionSnapshot:
            with self.ctx.services() as services:
                minutes = services.settings.get(LOCK_MINUTES)
                rules = retention.load_rules(services.session)
            try:
                minutes = int(minutes)
            except (TypeError, ValueError):
                minutes = DEFAULT_LOCK_MINUTES
            return ProtectionSnapshot(lock_minutes=minutes, rules=rules)

        self.ctx.tasks.run(job, on_success=self.show_snapshot,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=DB)

    def show_keyring(self, name: str | None) -> None:
        self.keyring_label.setText(
            _("The team key and the server password are kept in the computer's keyring "
              "({name}), never in the data file.").format(name=name) if name else
            secrets.no_keyring_message())
        for widget in (self.team_key, self.pg_password, self.secrets_button):
            widget.setEnabled(name is not None)

    def show_snapshot(self, snapshot: ProtectionSnapshot) -> None:
        self.lock_minutes.setValue(snapshot.lock_minutes)
        self.notes_days.setValue(snapshot.rules.private_notes_days)
        self.records_months.setValue(snapshot.rules.records_months)

    def rules(self) -> retention.RetentionRules:
        return retention.RetentionRules(private_notes_days=self.notes_days.value(),
                                        records_months=self.records_months.value())

    def save(self) -> None:
        rules, minutes = self.rules(), self.lock_minutes.value()

        def work(services):
            before = retention.load_rules(services.session)
            old_minutes = services.settings.get(LOCK_MINUTES)
            retention.save_rules(services.session, rules)
            services.settings.set(LOCK_MINUTES, minutes)
            changed = {}
            if before != rules:
                changed["retention"] = {"private_notes_days": rules.private_notes_days,
                                        "records_months": rules.records_months}
            if old_minutes != minutes:
                changed[LOCK_MINUTES.name] = minutes
            if changed:
                services.audit.record("settings", {"keys": sorted(changed), "values": changed})
            return rules

        save_with(self.ctx, self, self.form, work,
                  lambda _rules: self.result_label.setText(_("Saved.")), changed=("settings",))

    def _describe(self, counts: list[retention.PurgeCount], done: bool) -> str:
        lines = [_("Removed:") if done else _("Would be removed now:")]
        for item in counts:
            line = f"{item.label}: {item.count}"
            if item.held_back:
                line += " " + _("({count} kept: not yet synced to the hub)").format(
                    count=item.held_back)
            lines.append(line)
        return "\n".join(lines)

    def preview(self) -> None:
        rules = self.rules()

        def job(_progress):
            with self.ctx.database.session() as session:
                return retention.preview(session, rules, now=self.ctx.clock())

        self.ctx.tasks.run(job, on_success=lambda counts: self.result_label.setText(
            self._describe(counts, done=False)),
            on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace), lane=DB)

    def run_now(self) -> None:
        rules = self.rules()

        def job(_progress):
            with self.ctx.database.session() as session:
                return retention.run(session, rules, now=self.ctx.clock())

        def done(counts) -> None:
            self.result_label.setText(self._describe(counts, done=True))
            for kind in ("retention", "audit"):
                self.ctx.events.changed.emit(kind)

        self.ctx.tasks.run(job, on_success=done,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=DB)

    def save_secrets(self) -> None:
        """Save the typed secrets in the keyring (on the IO lane); the fields are emptied
        once they are saved."""
        typed = [(name, field) for name, field in ((secrets.TEAM_KEY, self.team_key),
                                                    (secrets.POSTGRES_PASSWORD, self.pg_password))
                 if field.text()]
        values = [(name, field.text()) for name, field in typed]

        def job(_progress) -> None:
            for name, value in values:
                secrets.set_secret(name, value)

        def saved(_result) -> None:
            for _name, field in typed:
                field.clear()
            self.secrets_button.setEnabled(True)
            self.secrets_label.clear_message()
            self.result_label.setText(_("Saved in the keyring."))

        def failed(exc: BaseException, trace: str) -> None:
            self.secrets_button.setEnabled(True)
            if isinstance(exc, secrets.NoKeyringError):
                self.secrets_label.set_messages([str(exc)])
            else:
                show_unexpected_error(self, exc, trace)

        self.secrets_button.setEnabled(False)
        self.ctx.tasks.run(job, on_success=saved, on_failure=failed, lane=IO, owner=self)


class AuditLogBox(QGroupBox):
    """Logg: the newest entries of the audit log, and the whole log as CSV."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(_("Log"), parent)
        self.ctx = ctx
        self.entries: list[AuditRecord] = []
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("auditTable")
        self.table.setHorizontalHeaderLabels([_("When"), _("What"), _("Details")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(160)
        note = QLabel(_("Exports, disclosures, syncs, removals, settings changes and unlocks "
                        "on this laptop. The log holds what was done, never the records."))
        note.setWordWrap(True)
        note.setObjectName("hint")
        self.export_button = QPushButton(_("Export the log as CSV…"))
        self.export_button.setObjectName("exportAudit")
        self.export_button.clicked.connect(lambda _checked=False: self.export_csv())
        self.status = QLabel()
        self.status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addLayout(row)
        ctx.events.changed.connect(self._changed)
        self.reload()

    def _changed(self, _kind: str) -> None:
        self.reload()

    def reload(self) -> None:
        def job(_progress):
            with self.ctx.services() as services:
                return services.audit.list(limit=AUDIT_ROWS)

        self.ctx.tasks.run(job, on_success=self.show_entries,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
                           lane=DB)

    def show_entries(self, entries: list[AuditRecord]) -> None:
        self.entries = list(entries)
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for column, text in enumerate((day_and_time(entry.at), kind_label(entry.kind),
                                           entry.summary)):
                self.table.setItem(row, column, QTableWidgetItem(text))

    def export_csv(self, path: Path | str | None = None) -> None:
        if path is None:
            path = ask_save_path(self, "log", _("Export the log"), _("faltlogg-log.csv"),
                                 _("CSV file (*.csv)"))
            if path is None:
                return
        target = Path(path)

        def job(_progress):
            with self.ctx.services() as services:
                return services.audit.export_csv(target)

        self.ctx.tasks.run(job, on_success=lambda written: self.status.setText(
            _("Saved: {path}").format(path=written)),
            on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace),
            lane=IO)  # a file, maybe on a slow drive
