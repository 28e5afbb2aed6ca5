"""The one gate that decides whether a text may leave the laptop.

Every text that can reach the team hub goes through :func:`gate`: when a service saves it as
shareable (a shift's summary, an observation's details, a meeting's situation picture), when
:func:`fieldapp.sync.envelope.to_envelope` builds what is sent (also the texts sent without a
shareable mark: weather, meeting titles, flag reasons, action notes), and when a received
envelope is stored (:mod:`fieldapp.sync.validate`): a receiver keeps what its own gate
refuses off its disk.

``gate(text, kind)`` returns None when the text may leave, else the findings that stop it
(:class:`fieldapp.domain.pii.Finding`: kind, span, reason). ``kind`` says which field the
text is (:class:`TextKind`); today every kind is checked by the same PII guard
(:mod:`fieldapp.domain.pii`), and the guard may later treat kinds differently (e.g. the
names of known places in a place name). Qt-free, no database.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.domain.pii import Finding, find_pii
from fieldapp.domain.validation import FieldError
from fieldapp.i18n import _


class TextKind(StrEnum):
    SUMMARY = "summary"  # a shift's summary
    DETAILS = "details"  # an observation's details
    SITUATION = "situation"  # a meeting's situation picture (lägesbild)
    TITLE = "title"  # a meeting's title
    WEATHER = "weather"  # a shift's weather
    FLAG_REASON = "flag_reason"  # why a meeting flagged a place
    NOTE = "note"  # an agreed action's note
    TEXT = "text"  # any other shareable text


def gate(text: str | None, kind: TextKind | str = TextKind.TEXT) -> list[Finding] | None:
    """None when ``text`` may leave the laptop (empty, or nothing in it identifies a person);
    otherwise what was found, in order."""
    if not text:
        return None
    findings = find_pii(text)
    return findings or None


def may_leave(text: str | None, kind: TextKind | str = TextKind.TEXT) -> bool:
    return gate(text, kind) is None


def gate_errors(field: str, text: str | None, kind: TextKind | str, *,
                label: str) -> list[FieldError]:
    """For a service saving ``text`` as shareable: the FieldError that says what to remove,
    or [] when it may be shared. ``label`` names the field ("The summary")."""
    findings = gate(text, kind) if isinstance(text, str) else None  # not text: check_text says so
    if findings is None:
        return []
    first = findings[0]
    return [FieldError(field, _(
        "{label} cannot be shared: {reason} (\"{text}\"). Remove it or keep the text private."
    ).format(label=label, reason=first.reason, text=first.text))]


def refusal_reason(findings: list[Finding]) -> str:
    """Why a text was refused, without repeating what was found (for reports and logs)."""
    return "; ".join(dict.fromkeys(finding.reason for finding in findings))
