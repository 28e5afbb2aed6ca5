"""The team's allow-list under Inställningar → Dataskydd: words the PII guard never takes for
a person's name (:func:`fieldapp.store.services.known.allow_list`)."""

from __future__ import annotations


from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
)

from fieldapp.i18n import _
from fieldapp.store.services.known import allow_list, set_allow_list
from fieldapp.ui.context import AppContext
from fieldapp.ui.widgets.forms import FieldErrorLabel, FormErrors
from fieldapp.ui.widgets.messages import show_unexpected_error
from fieldapp.ui.widgets.saving import save_with


class AllowListBox(QGroupBox):
    """The team's allow-list: words the PII guard never takes for a person's name here (a
    street or a youth club named after a person). Saved at once on add and remove."""

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(_("Words that are not names"), parent)
        self.ctx = ctx
        self.errors = FormErrors(FieldErrorLabel())
        hint = QLabel(_("The guard marks first names in shared text. Words here are never taken "
                        "for a person's name: a street, a place or a club named after a person "
                        "(the app's places, partners and staff are known already)."))
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.words = QListWidget()
        self.words.setObjectName("allowList")
        self.words.setMaximumHeight(120)
        self.new_word = QLineEdit()
        self.new_word.setObjectName("allowWord")
        self.new_word.setPlaceholderText(_("e.g. Oskar (Oskarsgården)"))
        self.new_word.returnPressed.connect(self.add_word)
        self.add_button = QPushButton(_("&Add word"))
        self.add_button.clicked.connect(self.add_word)
        self.remove_button = QPushButton(_("Remove &word"))
        self.remove_button.clicked.connect(self.remove_word)
        row = QHBoxLayout()
        row.addWidget(self.errors.add("allow_list", self.new_word), 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.words)
        layout.addLayout(row)
        layout.addWidget(self.errors.general)
        self.reload()

    def current(self) -> list[str]:
        return [self.words.item(n).text() for n in range(self.words.count())]

    def show_words(self, words: list[str]) -> None:
        self.words.clear()
        self.words.addItems(words)

    def reload(self) -> None:
        def job(_progress):
            with self.ctx.database.session() as session:
                return allow_list(session)

        self.ctx.tasks.run(job, on_success=self.show_words,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def _save(self, words: list[str], after=None) -> None:
        def saved(result: list[str]) -> None:
            self.show_words(result)
            if after is not None:
                after()

        save_with(self.ctx, self, self.errors,
                  lambda services: set_allow_list(services.session, words), saved,
                  changed=("settings",))

    def add_word(self) -> None:
        word = self.new_word.text().strip()
        if word:
            self._save([*self.current(), word], after=self.new_word.clear)

    def remove_word(self) -> None:
        selected = {item.text() for item in self.words.selectedItems()}
        if selected:
            self._save([word for word in self.current() if word not in selected])
