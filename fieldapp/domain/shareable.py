"""The one gate that decides whether a text may leave the laptop.

Every text that can reach the team hub goes through :func:`gate`: when a service saves it as
shareable (a shift's summary, an observation's details, a meeting's situation picture), when
:func:`fieldapp.sync.envelope.to_envelope` builds what is sent (also the texts sent without a
shareable mark: weather, meeting titles, flag reasons, action notes), and when a received
envelope is stored (:mod:`fieldapp.sync.validate`): a receiver keeps what its own gate
refuses off its disk.

``gate(text, kind, known)`` returns None when the text may leave, else the findings that stop
it (:class:`fieldapp.domain.pii.Finding`: kind, span, reason). ``kind`` says which field the
text is (:class:`TextKind`); today every kind is checked by the same PII guard
(:mod:`fieldapp.domain.pii`). ``known``: the case-folded words that are not people's names
here (the places, areas, partners, categories and staff the data file knows and the team's
allow-list); every caller passes them, read by :func:`fieldapp.store.services.known.known_words`.
Qt-free, no database.
"""

from __future__ import annotations

from enum import StrEnum

from fieldapp.domain.pii import KIND_NAME, Finding, find_pii
from fieldapp.domain.validation import FieldError
from fieldapp.i18n import _


class TextKind(StrEnum):
    SUMMARY = "summary"  # a shift's summary
    DETAILS = "details"  # an observation's details
    SITUATION = "situation"  # a meeting's situation picture (lägesbild)
    TITLE = "title"  # a meeting's title
    PLACE_NAME = "place_name"  # a place's name
    PLACE_DESCRIPTION = "place_description"  # a place's description
    WEATHER = "weather"  # a shift's weather
    FLAG_REASON = "flag_reason"  # why a meeting flagged a place
    NOTE = "note"  # an agreed action's note
    TEXT = "text"  # any other shareable text


def gate(text: str | None, kind: TextKind | str = TextKind.TEXT,
         known: frozenset[str] = frozenset()) -> list[Finding] | None:
    """None when ``text`` may leave the laptop (empty, or nothing in it identifies a person);
    otherwise what was found, in order."""
    if not text:
        return None
    findings = find_pii(text, known)
    return findings or None


def may_leave(text: str | None, kind: TextKind | str = TextKind.TEXT,
              known: frozenset[str] = frozenset()) -> bool:
    return gate(text, kind, known) is None


def gate_errors(field: str, text: str | None, kind: TextKind | str, *,
                label: str, known: frozenset[str] = frozenset(),
                always_shared: bool = False) -> list[FieldError]:
    """For a service saving ``text`` as shareable: the FieldError that says what to remove,
    or [] when it may be shared. ``label`` names the field ("The summary");
    ``always_shared``: the text cannot be kept private (a place's name, a meeting's title),
    so the message does not offer that."""
    findings = gate(text, kind, known) if isinstance(text, str) else None  # not text: check_text
    if findings is None:
        return []
    first = findings[0]
    if always_shared and first.kind == KIND_NAME:
        message = _("{label} is shared with the team and cannot contain this: {reason} "
                    "(\"{text}\"). Remove it. If it is not a person (a street or a club named "
                    "after one), add the word to the allow-list under Settings → Data protection.")
    elif always_shared:
        message = _("{label} is shared with the team and cannot contain this: {reason} "
                    "(\"{text}\"). Remove it.")
    else:
        message = _("{label} cannot be shared: {reason} (\"{text}\"). Remove it or keep the "
                    "text private.")
    return [FieldError(field, message.format(label=label, reason=first.reason, text=first.text))]


def refusal_reason(findings: list[Finding]) -> str:
    """Why a text was refused, without repeating what was found (for reports and logs)."""
    return "; ".join(dict.fromkeys(finding.reason for finding in findings))
