"""The guide's mapping pages: which column is what, and which old name is which place,
category, partner or kind. Both show the core's proposal (:func:`fieldapp.imports.service.
propose`) and let a person change and confirm it; nothing here guesses on its own."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout

from fieldapp.i18n import N_, _
from fieldapp.imports import service
from fieldapp.imports.mapping import NAME_DOMAINS, ROLES, Guess, Mapping
from fieldapp.imports.matching import load_vocabulary
from fieldapp.ui.dialogs.import_table import GuessTable
from fieldapp.ui.dialogs.import_parts import ErrorLabel, ImportPage, copy_mapping

ROLE_LABELS = {
    "date": N_("Date"), "time": N_("Time (19-23, kl 22)"), "place": N_("Place"),
    "category": N_("Category"), "count": N_("Number of people"),
    "youths": N_("Number of youths"), "kind": N_("Kind of shift or meeting"),
    "partners": N_("Partners"), "note": N_("Note (stays private)"),
    "sheet": N_("Sheet (the year of dates like 12/5)"),
}
DOMAIN_LABELS = {"places": N_("Place"), "categories": N_("Category"),
                 "partners": N_("Partner"), "kinds": N_("Kind")}
EXAMPLES = 3


def _shown(value) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()  # an Excel date
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value)


def _examples(layouts, header: str) -> str:
    """The first few values of the column ``header`` (for a person to judge the guess)."""
    found = []
    for layout in layouts:
        for index, text in layout.headers.items():
            if text != header:
                continue
            for _number, cells in layout.data_rows():
                value = cells[index] if index < len(cells) else None
                if value is not None and _shown(value) not in found:
                    found.append(_shown(value))
                if len(found) >= EXAMPLES:
                    return ", ".join(found)
    return ", ".join(found)


def _propose(database, path, base: Mapping):
    """The core's proposal for ``path`` from ``base``, and the names the app knows."""
    proposal = service.propose(database, path, base)
    with database.session() as session:
        vocabulary = load_vocabulary(session)
    return proposal, vocabulary


class ColumnsPage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("Which column is what?"))
        self.setSubTitle(_("The proposal is guessed from the header words and the values. "
                           "Highlighted guesses are uncertain: check them and confirm."))
        self.table = GuessTable([_("Column in the file"), _("Examples")], "importColumns")
        self.table.changed.connect(self.completeChanged)
        self.status = QLabel()
        self.status.setObjectName("importColumnsStatus")
        self.status.setWordWrap(True)
        self.errors = ErrorLabel("importColumnsError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.errors)

    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        guide = self.guide()
        self.table.clear_rows()
        base = copy_mapping(guide.profile) if guide.profile is not None else Mapping()
        base.sheets = guide.sheets
        path, database = guide.source.path, guide.ctx.database
        self.status.setText(_("Reading the file…"))

        def done(result) -> None:
            guide.proposal, guide.vocabulary = result
            self._fill()

        guide.run_job(lambda _progress: _propose(database, path, base), done, self.errors)

    def _fill(self) -> None:
        proposal = self.guide().proposal
        choices = [(_("(not read)"), None)] + [(_(ROLE_LABELS[r]), r) for r in ROLES]
        shown = []
        for layout in proposal.layouts:
            for text in layout.headers.values():
                if text not in shown:
                    shown.append(text)
        for text in shown:
            self.table.add([text, _examples(proposal.layouts, text)],
                           proposal.mapping.columns[text], choices)
        skipped = [layout.sheet.name for layout in proposal.layouts if layout.header_row is None]
        self.status.setText(_("Sheets without a header row are skipped: {sheets}.").format(
            sheets=", ".join(skipped)) if skipped else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - QWizardPage override
        return self.guide() is not None and self.guide().proposal is not None \
            and self.table.rowCount() > 0 and not self.table.unconfirmed()


class NamesPage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("Which place, category, partner and kind?"))
        self.setSubTitle(_("Each old name is matched to the app's. Highlighted matches are "
                           "uncertain: choose the right one (type to search) and confirm."))
        self.table = GuessTable([_("Is a"), _("Name in the file")], "importNames",
                                searchable=True, action_header="")
        self.table.changed.connect(self.completeChanged)
        self.status = QLabel()
        self.status.setObjectName("importNamesStatus")
        self.status.setWordWrap(True)
        self.errors = ErrorLabel("importNamesError")
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.errors)
        self.place_dialog = None

    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        """Propose the names again for the columns as confirmed: a column that became the
        place column brings its names. A name confirmed earlier (or in the profile) keeps its
        answer."""
        guide = self.guide()
        self.table.clear_rows()
        current = guide.proposal.mapping
        kept = {domain: {text: guess for text, guess in current.names(domain).items()
                         if guess.certain} for domain in NAME_DOMAINS}
        if guide.profile is not None:
            for domain in NAME_DOMAINS:
                kept[domain] = {**guide.profile.names(domain), **kept[domain]}
        base = copy_mapping(current)
        for domain in NAME_DOMAINS:
            base.names(domain).clear()
        path, database = guide.source.path, guide.ctx.database
        self.status.setText(_("Matching the names…"))

        def done(result) -> None:
            proposal, guide.vocabulary = result
            for domain in NAME_DOMAINS:
                table = proposal.mapping.names(domain)
                for text in table:
                    if text in kept[domain]:
                        old = kept[domain][text]
                        table[text] = Guess(old.to, old.certainty, old.certain, old.name,
                                            list(old.alternatives))
            guide.proposal = proposal
            self._fill()

        guide.run_job(lambda _progress: _propose(database, path, base), done, self.errors)

    def _choices(self, domain: str) -> list[tuple[str, object]]:
        labels = self.guide().vocabulary.labels.get(domain, {})
        if domain == "kinds":
            def label(target: str, text: str) -> str:
                return (_("Shift: {kind}") if target.startswith("shift:")
                        else _("Meeting: {kind}")).format(kind=text)
        else:
            def label(target: str, text: str) -> str:
                return text
        items = sorted(((label(t, text), t) for t, text in labels.items()), key=lambda i: i[0])
        return [(_("(not imported: its rows are refused)"), None)] + items

    def _fill(self) -> None:
        mapping = self.guide().proposal.mapping
        for domain in NAME_DOMAINS:
            choices = self._choices(domain)
            # The questions first, then the sure matches, each in the file's order.
            names = sorted(mapping.names(domain).items(), key=lambda item: item[1].certain)
            for text, guess in names:
                action = None
                if domain == "places":
                    action = QPushButton(_("New place…"))
                    action.setObjectName("importNewPlace")
                    action.setAutoDefault(False)
                row = self.table.add([_(DOMAIN_LABELS[domain]), text], guess, choices, action)
                if action is not None:
                    action.clicked.connect(lambda _c=False, r=row, t=text: self.new_place(r, t))
        count = len(self.table.unconfirmed())
        self.status.setText(_("{count} names to confirm.").format(count=count) if count
                            else _("Every name is matched."))
        self.completeChanged.emit()

    def new_place(self, row: int, text: str):
        """Add the place in the register (the ordinary place form, its name filled in) and
        choose it for ``row``; returns the form (not blocking)."""
        from fieldapp.ui.dialogs.place_form import PlaceFormDialog

        dialog = PlaceFormDialog(self.guide().ctx, None, self)
        dialog.setObjectName("importPlaceForm")
        dialog.name.setText(text)

        def saved() -> None:
            record = dialog.saved
            target = record.key or str(record.id)
            self.guide().vocabulary.add("places", target, record.name, record.name)
            self.table.add_choice(record.name, target)
            self.table.choose(row, target)

        dialog.accepted.connect(saved)
        dialog.open()
        self.place_dialog = dialog
        return dialog

    def isComplete(self) -> bool:  # noqa: N802 - QWizardPage override
        return self.guide() is not None and self.guide().proposal is not None \
            and not self.table.unconfirmed()

