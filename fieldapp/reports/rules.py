"""What every week report applies alike: the scope (this device or the whole team), an enum
value's label, the rule for free text that may be shared, and the names of areas and
categories. Used by the week summary (:mod:`fieldapp.reports.summary`) and the redacted log.
Qt-free."""

from __future__ import annotations

from enum import StrEnum

from fieldapp.domain.pii import is_shareable
from fieldapp.i18n import _, format_number
from fieldapp.reports.week_queries import Names


class Scope(StrEnum):
    DEVICE = "device"
    TEAM = "team"

    @property
    def label(self) -> str:
        return {
            Scope.DEVICE: _("This device"),
            Scope.TEAM: _("Whole team (every record in this database)"),
        }[self]

    @property
    def short_label(self) -> str:
        """For use inside a sentence: "this device", "the whole team"."""
        return {Scope.DEVICE: _("this device"), Scope.TEAM: _("the whole team")}[self]


def label_of(enum_cls, value: str) -> str:
    """The translated label of an enum value; the raw value if it is unknown (newer app)."""
    try:
        return enum_cls(value).label
    except ValueError:
        return value


def shareable_text(text: str | None, marked: bool, known: frozenset[str] = frozenset()) -> str:
    """``text`` if the user marked it shareable and the PII guard passes it, else "".
    ``known``: the data file's known words (:func:`fieldapp.store.services.known.known_words`)."""
    if not text or not marked or not is_shareable(text, known):
        return ""
    return text


def area_names(names: Names, area_ids) -> str:
    """The names of ``area_ids`` (a shift's areas), sorted and joined with commas."""
    return ", ".join(sorted(names.areas.get(a, "?") for a in area_ids))


def category_name(names: Names, category_id) -> str:
    """A category's name in the current language; "?" if it is unknown."""
    return names.categories.get(category_id, ("?", "?", 0))[1]


def p_text(p_value: float) -> str:
    """A rising place's p value as shown in reports: three decimals, "< 0.001" below that."""
    if p_value < 0.001:
        return "< " + format_number(0.001)
    return format_number(round(p_value, 3))
