"""The guide's rules page: how a count like "ca 15", "10-15" or "många" is read (the rule of
:func:`fieldapp.imports.parse.parse_count`, shown with its own answers), and the defaults a
row may need (the year of "12/5", the kind of a shift whose row names none, the age band of
youths counted on a shift's own row)."""

from __future__ import annotations

from PySide6.QtWidgets import (QButtonGroup, QComboBox, QFormLayout, QLabel, QRadioButton,
                               QSpinBox, QVBoxLayout)

from fieldapp.domain.enums import AgeBand, ShiftKind
from fieldapp.i18n import N_, _
from fieldapp.imports.mapping import Guess
from fieldapp.imports.parse import COUNT_RULES, parse_count
from fieldapp.ui.dialogs.form_parts import find_data
from fieldapp.ui.dialogs.import_parts import ImportPage

RULE_LABELS = {"lower": N_("The lower number: what was surely seen (recommended)"),
               "upper": N_("The upper number"),
               "middle": N_("The middle, rounded down")}
EXAMPLES = ("ca 15", "10-15", "15+", "inga", "många", "")
NO_YEAR = 1899  # the spin box's "none" (a mapping's year is 1900–2100)


def rule_answers(rule: str) -> str:
    """Each example cell as the import reads it under ``rule`` (from the core's own rule)."""
    parts = []
    for text in EXAMPLES:
        value = parse_count(text or None, rule)
        shown = _("unknown") if value is None else str(value)
        parts.append(_("\"{text}\" → {value}").format(text=text, value=shown) if text
                     else _("empty → {value}").format(value=shown))
    return ";  ".join(parts)


class RulesPage(ImportPage):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTitle(_("How counts and missing details are read"))
        self.setSubTitle(_("The import never invents a number: a vague count is kept as "
                           "unknown."))
        rule = QLabel(_("A number is read as written; \"ca 15\", \"~15\" and \"15+\" are 15; "
                        "\"inga\" is 0; \"många\", \"flera\", \"några\", \"?\" and an empty "
                        "cell are unknown; any other text refuses the row. A range such as "
                        "\"10-15\" is read as you choose:"))
        rule.setObjectName("importCountRule")
        rule.setWordWrap(True)
        self.rules = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.addWidget(rule)
        for number, key in enumerate(COUNT_RULES):
            button = QRadioButton(_(RULE_LABELS[key]))
            button.setObjectName(f"importRule_{key}")
            self.rules.addButton(button, number)
            layout.addWidget(button)
        self.rules.idToggled.connect(lambda _id, _on: self._show_answers())
        self.answers = QLabel()
        self.answers.setObjectName("importRuleAnswers")
        self.answers.setWordWrap(True)
        layout.addWidget(self.answers)

        self.year = QSpinBox()
        self.year.setObjectName("importDefaultYear")
        self.year.setRange(NO_YEAR, 2100)
        self.year.setSpecialValueText(_("from the sheet's or file's name"))
        self.shift_kind = QComboBox()
        self.shift_kind.setObjectName("importShiftKind")
        for kind in ShiftKind:
            self.shift_kind.addItem(kind.label, kind.value)
        self.band = QComboBox()
        self.band.setObjectName("importAgeBand")
        for band in AgeBand:
            self.band.addItem(band.label, band.value)
        form = QFormLayout()
        form.addRow(_("&Year of dates without one (12/5)"), self.year)
        form.addRow(_("&Kind of a shift whose row names none"), self.shift_kind)
        form.addRow(_("&Age band of youths counted on a shift's own row"), self.band)
        layout.addSpacing(12)
        layout.addLayout(form)
        layout.addStretch(1)

    def rule(self) -> str:
        return COUNT_RULES[max(self.rules.checkedId(), 0)]

    def _show_answers(self) -> None:
        self.answers.setText(_("So: {answers}").format(answers=rule_answers(self.rule())))

    def initializePage(self) -> None:  # noqa: N802 - QWizardPage override
        mapping = self.guide().proposal.mapping
        self.rules.button(COUNT_RULES.index(mapping.count_rule)).setChecked(True)
        self.year.setValue(mapping.default_year or NO_YEAR)
        self.shift_kind.setCurrentIndex(max(find_data(self.shift_kind,
                                                      mapping.default_shift_kind), 0))
        band = mapping.youth_age_band.to if mapping.youth_age_band else AgeBand.AGE_13_15.value
        self.band.setCurrentIndex(max(find_data(self.band, band), 0))
        self._show_answers()

    def validatePage(self) -> bool:  # noqa: N802 - QWizardPage override
        mapping = self.guide().proposal.mapping
        mapping.count_rule = self.rule()
        mapping.default_year = None if self.year.value() == NO_YEAR else self.year.value()
        mapping.default_shift_kind = self.shift_kind.currentData()
        mapping.youth_age_band = Guess(self.band.currentData(), 1.0, True)
        return True
