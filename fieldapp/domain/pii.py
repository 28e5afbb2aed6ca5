"""The PII guard: find identifiers of people in free text before it leaves the laptop.

DESIGN.md ("What leaves the laptop"): free text is shared only if the user marks it
shareable *and* it passes this guard (through the one gate, :mod:`fieldapp.domain.shareable`).
The UI also calls :func:`find_pii` while the user types to mark the offending spans, so the
function must be fast, must never raise, and must return exact character offsets.

What is found (``Finding.kind``):

``personnummer`` / ``samordningsnummer``
    Swedish personal identity and co-ordination numbers in every written form: with or
    without the century, with a dash of any kind, a plus, a dot, a space or spaces around
    the dash, in full-width or other Unicode digits; checked by the ``personnummer``
    package (real date, Luhn digit), so an arbitrary 10- or 12-digit number is not flagged
    (:mod:`fieldapp.domain.pii_numbers`).
``phone``
    Every way people write a phone number: Google's libphonenumber (``phonenumbers``) for
    region SE, brackets, dots, dashes, spaces in any grouping, ``+46``/``0046``, and other
    countries' numbers written with a ``+``.
``email``
    E-mail addresses, also obfuscated: ``[at]``, ``(at)``, ``[snabel-a]``, "kalle at example
    dot se", "(punkt)".
``name``
    A name after a cue word ("heter X", "kallas X", …), and first names from a maintained
    list without a cue ("Såg Ahmed och Elias vid kiosken"), minus the words of the places,
    partners and staff the app knows (``known``) and Swedish words that are also names
    (:mod:`fieldapp.domain.pii_names` says exactly what it finds and what it cannot).

What it cannot find: a nickname without a cue word, a surname alone, a street address of a
home, a description that identifies a person without a name ("the tall boy in the red
jacket from the 9th grade"), a number written in words. The guard is a safety net, not a
licence: a worker decides what is shareable.

Pure Python (no Qt, no database); the name list is read once, on first use.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from fieldapp.domain import pii_names, pii_numbers
from fieldapp.i18n import _

KIND_PERSONNUMMER = pii_numbers.KIND_PERSONNUMMER
KIND_SAMORDNINGSNUMMER = pii_numbers.KIND_SAMORDNINGSNUMMER
KIND_PHONE = pii_numbers.KIND_PHONE
KIND_EMAIL = "email"
KIND_NAME = "name"

KINDS = (KIND_PERSONNUMMER, KIND_SAMORDNINGSNUMMER, KIND_PHONE, KIND_EMAIL, KIND_NAME)


@dataclass(frozen=True)
class Finding:
    """One suspected identifier: ``text == source[start:end]``."""

    kind: str
    start: int
    end: int
    text: str

    @property
    def reason(self) -> str:
        """Why this span may not be shared, in the current UI language."""
        # Literal _() calls so that message extraction finds every msgid.
        reasons = {
            KIND_PERSONNUMMER: _("Looks like a personal identity number (personnummer)"),
            KIND_SAMORDNINGSNUMMER: _("Looks like a co-ordination number (samordningsnummer)"),
            KIND_PHONE: _("Looks like a phone number"),
            KIND_EMAIL: _("Looks like an e-mail address"),
            KIND_NAME: _("Looks like a person's name"),
        }
        return reasons.get(self.kind) or _("Looks like information that identifies a person")


# --------------------------------------------------------------------------------------------
# E-mail addresses
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"""
    (?<![\w.+\-])                         # start of the local part (keeps matching linear)
    [\w+\-]+(?:\.[\w+\-]+)*               # local part: anna.svensson, kalle+spam, sara_07
    (?:@|\s?[\[({]\s?(?i:at|snabel-?a)\s?[\])}]\s?)   # "@", "[at]", "(at)", "[snabel-a]"
    [\w\-]+(?:\.[\w\-]+)*                 # domain labels (Unicode letters allowed)
    \.[^\W\d_]{2,24}                      # top-level domain
    (?![\w\-])
    """,
    re.VERBOSE,
)

# Spelled out: "kalle at example dot se", "kalle snabel-a gmail punkt com", "(dot)". Only
# with a spelled-out or bracketed dot and a real top-level domain, so "vi var at dot" or
# "kl 8 at ..." in a mixed-language note is not an address.
_TOP_LEVEL = r"(?i:se|com|nu|net|org|eu|io|me|info|fi|no|dk|de|uk|co|biz|app|gov|edu)"
_WORD_AT = r"(?:\s+(?i:at|snabel-?a)\s+|\s?[\[({]\s?(?i:at|snabel-?a)\s?[\])}]\s?)"
_WORD_DOT = r"(?:\s+(?i:dot|punkt)\s+|\s?[\[({]\s?(?i:dot|punkt)\s?[\])}]\s?|\.)"
_SPELLED_EMAIL = re.compile(
    rf"""
    (?<![\w.+\-])
    [\w+\-]+(?:\.[\w+\-]+)*
    {_WORD_AT}
    [\w\-]+(?:{_WORD_DOT}[\w\-]+)*?
    (?:\s+(?i:dot|punkt)\s+|\s?[\[({{]\s?(?i:dot|punkt)\s?[\])}}]\s?)
    {_TOP_LEVEL}
    (?![\w\-])
    """,
    re.VERBOSE,
)


def _find_emails(text: str, _known) -> list[tuple[str, int, int]]:
    found = [(KIND_EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
    found += [(KIND_EMAIL, m.start(), m.end()) for m in _SPELLED_EMAIL.finditer(text)]
    return found


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


def _normal_char(char: str) -> str:
    """One character as the detectors read it (always one character, so offsets hold)."""
    if char.isascii():
        return char
    if char in _DASHES:
        return "-"
    if char.isdecimal():
        return str(unicodedata.decimal(char))
    if unicodedata.category(char) == "Zs":
        return " "
    if "\uff01" <= char <= "\uff5e":  # full-width ASCII: ＠ ． ＋ （ ）
        return chr(ord(char) - 0xFEE0)
    return char


def normalise(text: str) -> str:
    """``text`` with every dash ``-``, every space `` ``, every digit ASCII: the same length,
    so a finding's offsets are the original text's."""
    if text.isascii():
        return text
    return "".join(_normal_char(char) for char in text)


def _find_id_numbers(text: str, _known) -> list[tuple[str, int, int]]:
    return pii_numbers.find_id_numbers(text)


def _find_phones(text: str, _known) -> list[tuple[str, int, int]]:
    return [(KIND_PHONE, start, end) for start, end in pii_numbers.find_phones(text)]


def _find_names(text: str, known) -> list[tuple[str, int, int]]:
    spans = pii_names.find_cued_names(text) + pii_names.find_listed_names(text, known)
    return [(KIND_NAME, start, end) for start, end in spans]


# When two detectors claim overlapping text, the earlier one here wins: an e-mail address
# may contain digits, a bare "0701234567" that passes the personnummer checks is more
# sensitive read as one, and a cued name ("heter Ali Hassan") is longer than a listed one.
_DETECTORS = (_find_emails, _find_id_numbers, _find_phones, _find_names)


def find_pii(text: str, known: frozenset[str] = frozenset()) -> list[Finding]:
    """Every suspected identifier in ``text``, sorted by start and never overlapping.

    ``known``: case-folded words that are not people's names here (the places, areas,
    partners, categories and staff the app knows, a team's allow-list), as
    :func:`fieldapp.domain.pii_names.known_words` makes them.
    """
    if not text:
        return []
    normal = normalise(text)
    starts: list[int] = []
    kept: list[Finding] = []
    for detector in _DETECTORS:
        for kind, start, end in detector(normal, known):
            index = bisect.bisect_left(starts, start)
            if index > 0 and kept[index - 1].end > start:
                continue  # overlaps the finding before it
            if index < len(kept) and kept[index].start < end:
                continue  # overlaps the finding after it
            starts.insert(index, start)
            kept.insert(index, Finding(kind, start, end, text[start:end]))
    return kept


def is_shareable(text: str | None, known: frozenset[str] = frozenset()) -> bool:
    """True if ``text`` may leave the laptop: empty, or nothing in it looks like PII."""
    return not text or not find_pii(text, known)
