"""The PII guard: find identifiers of people in free text before it leaves the laptop.

DESIGN.md ("What leaves the laptop"): free text is shared only if the user marks it
shareable *and* it passes this guard. The UI also calls :func:`find_pii` while the user types
to mark the offending spans, so the function must be fast, must never raise, and must return
exact character offsets.

What is found (``Finding.kind``):

``personnummer`` / ``samordningsnummer``
    Swedish personal identity and co-ordination numbers in every common written form:
    ``YYMMDD-NNNN``, ``YYMMDD+NNNN``, ``YYMMDDNNNN``, ``YYMMDD NNNN``, ``YYYYMMDD-NNNN`` and
    ``YYYYMMDDNNNN``. A candidate counts only if its date part is a real date (day + 60 for a
    samordningsnummer) and the 10-digit form passes the Luhn check, so an arbitrary
    10- or 12-digit number is not flagged.
``phone``
    Swedish mobile numbers (07x), landlines (08-…, 031-…, 0xxx-…), ``+46``/``0046`` forms,
    and other international numbers written with a leading ``+``.
``email``
    E-mail addresses, including the common obfuscations ``[at]`` / ``(at)``.
``name``
    Names introduced by a cue word: "heter X", "kallas X", "kallad X", "kallar sig X",
    "namnet X", … followed by one or two capitalised words. Names without a cue are not
    found: that would need a name list and would flag every place and partner.

The module is pure Python (no Qt, no database) and compiles its patterns once, at import.
Only ASCII digits count as digits, so exotic Unicode digits never reach ``int()``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from fieldapp.i18n import _

KIND_PERSONNUMMER = "personnummer"
KIND_SAMORDNINGSNUMMER = "samordningsnummer"
KIND_PHONE = "phone"
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
# Personnummer and samordningsnummer
# --------------------------------------------------------------------------------------------

# Separators people type between the date part and the last four digits. "+" means the
# person is 100 years or older; a dash (also en dash) or a space is a plain separator.
_ID_NUMBER = re.compile(
    r"""
    (?<![0-9])                    # not the tail of a longer number
    (?P<century>18|19|20)?        # optional century (12-digit form)
    (?P<date>[0-9]{6})            # YYMMDD (day + 60 for a samordningsnummer)
    (?P<sep>[-+\u2013 \u00a0]?)   # optional separator
    (?P<serial>[0-9]{4})          # three-digit serial number + Luhn check digit
    (?![0-9])                     # not the head of a longer number
    """,
    re.VERBOSE,
)


def _luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check used by Skatteverket, over the 10-digit form YYMMDDNNNN."""
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _id_number_kind(century: str | None, date: str, serial: str) -> str | None:
    """``personnummer``, ``samordningsnummer`` or None if the date or check digit is wrong."""
    if not _luhn_ok(date + serial):
        return None
    yy, month, day = int(date[0:2]), int(date[2:4]), int(date[4:6])
    kind = KIND_PERSONNUMMER
    if day > 60:  # samordningsnummer: the day of birth plus 60
        day -= 60
        kind = KIND_SAMORDNINGSNUMMER
    # Without a century any year will do for the validity check; 2000 + yy is a leap year
    # exactly when yy % 4 == 0, so 29 February is accepted for every such year.
    year = int(century) * 100 + yy if century else 2000 + yy
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return kind


def _find_id_numbers(text: str) -> list[Finding]:
    findings = []
    for match in _ID_NUMBER.finditer(text):
        kind = _id_number_kind(match["century"], match["date"], match["serial"])
        if kind is not None:
            findings.append(Finding(kind, match.start(), match.end(), match.group()))
    return findings


# --------------------------------------------------------------------------------------------
# Phone numbers
# --------------------------------------------------------------------------------------------

# A single optional separator between digit groups: space, no-break space, dash, en dash.
_SEP = r"[ \u00a0\-\u2013]"
# A number may not be glued to a word or another number, nor continue a date (2024-08-11),
# a case number (2024/081234) or a decimal (3.0812345).
_BEFORE = r"(?<![\w+\-\u2013/.])"
_AFTER = r"(?![0-9]|[.,:/][0-9])"

_PHONE = re.compile(
    rf"""
    {_BEFORE}
    (?:
        # Swedish number in international form: +46 / 0046, an optional "(0)" or "0"
        # that people write by mistake, then the national number without its 0
        # (7 to 9 digits: 70 123 45 67, 8 123 456 78, 31 12 34 56).
        (?:\+|00) {_SEP}? 46 {_SEP}? (?:\(0\) {_SEP}? | 0 {_SEP}?)?
        [1-9] (?:{_SEP}?[0-9]){{6,8}}
    |
        # Other international numbers: a "+" country code and 6 to 12 more digits.
        \+ [1-9][0-9]{{0,2}} (?:{_SEP}?[0-9]){{6,12}}
    |
        # Swedish mobile: 07x and seven more digits, grouped any way
        # (070-123 45 67, 0701234567, 070 123 45 67, 070-1234567).
        07[0-9] (?:{_SEP}?[0-9]){{7}}
    |
        # Swedish landline: area code 0 + 1..3 digits (08, 031, 0480), an optional
        # separator, then the subscriber number in space-separated groups of 2-4 digits
        # (08-123 456 78, 08-12345678, 031-123456, 08 508 233 26). The subscriber part may
        # not contain dashes, so "kl 08-10 09-11" is not read as a phone number.
        (?P<area>0[1-689][0-9]{{0,2}}) (?P<area_sep>{_SEP}?)
        (?P<subscriber>[0-9]{{2,8}}(?:[ \u00a0][0-9]{{2,4}}){{0,3}})
    )
    {_AFTER}
    """,
    re.VERBOSE,
)


def _landline_length_ok(area: str, area_sep: str, subscriber_digits: int) -> bool:
    """Plausible Swedish landline: 5-8 subscriber digits and 8-10 digits in all.

    A 7-digit number (08-123 45) is accepted only when the area code is set apart by a
    separator, since a bare 7-digit run is more likely an order or case number.
    """
    total = len(area) + subscriber_digits
    if not 5 <= subscriber_digits <= 8:
        return False
    if total == 7:
        return bool(area_sep)
    return 8 <= total <= 10


def _landline_end(match: re.Match) -> int | None:
    """End offset of a plausible landline in ``match``, or None.

    The subscriber pattern may swallow a following number ("08-123 456 78 14 ungdomar"),
    so drop trailing digit groups until the length fits.
    """
    subscriber = match["subscriber"]
    groups = subscriber.split()
    while groups:
        if _landline_length_ok(match["area"], match["area_sep"], sum(map(len, groups))):
            # The kept groups are a prefix of the subscriber text; find where it ends.
            kept_end = 0
            for group in groups:
                kept_end = subscriber.index(group, kept_end) + len(group)
            return match.start("subscriber") + kept_end
        groups.pop()
    return None


def _find_phones(text: str) -> list[Finding]:
    findings = []
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if match["area"] is not None:
            end = _landline_end(match)
            if end is None:
                continue
        findings.append(Finding(KIND_PHONE, start, end, text[start:end]))
    return findings


# --------------------------------------------------------------------------------------------
# E-mail addresses
# --------------------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"""
    (?<![\w.+\-])                         # start of the local part (keeps matching linear)
    [\w+\-]+(?:\.[\w+\-]+)*               # local part: anna.svensson, kalle+spam, sara_07
    (?:@|\s?[\[(]\s?(?i:at)\s?[\])]\s?)   # "@", or an obfuscated "[at]" / "(at)"
    [\w\-]+(?:\.[\w\-]+)*                 # domain labels (Unicode letters allowed)
    \.[^\W\d_]{2,24}                      # top-level domain
    (?![\w\-])
    """,
    re.VERBOSE,
)


def _find_emails(text: str) -> list[Finding]:
    return [Finding(KIND_EMAIL, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]


# --------------------------------------------------------------------------------------------
# Names after a cue word
# --------------------------------------------------------------------------------------------

# A capitalised word: an upper-case letter (Swedish ÅÄÖ and other Latin letters included)
# and any further letters ("J" is a nickname too); an inner hyphen or apostrophe is allowed
# (Anna-Karin, O'Neil).
_NAME_WORD = r"[A-ZÅÄÖÆØÜÉÈÁÀÍÓÚÇ][^\W\d_]*(?:['\u2019\-][^\W\d_]+)*"

_NAME = re.compile(
    rf"""
    (?<![\w])                             # start at a word boundary
    (?P<subject>[^\W\d_]+\s+)?            # the word before the cue (filtered below)
    (?i:                                  # cue words, any case ("Heter", "KALLAS")
        heter | hette | kallas | kallades | kallad | kallade\s+sig | kallar\s+sig
        | kallar\s+(?:honom|henne|hen) | namnet(?:\s+är)? | vid\s+namn
    )
    \s+
    ["'\u201d\u201c\u00bb\u00ab\u2018\u2019]?    # an optional opening quote: kallas "Mo"
    (?P<name>{_NAME_WORD}(?:[ \u00a0]{_NAME_WORD})?)
    (?![\w])
    """,
    re.VERBOSE,
)

# Words before the cue that show it names a place, an organisation or a thing, not a
# person: "platsen kallas Gropen", "föreningen heter Älvsjö AIK", "appen heter Snapchat".
# Groups of young people ("gruppen", "gänget") are deliberately not here: "ledaren för
# gruppen kallas X" names a person, and a gang's name is not for sharing either.
_NON_PERSON_SUBJECTS = frozenset(
    """
    platsen parken området stället gatan torget vägen skolan gården fritidsgården
    klubben föreningen butiken kiosken affären restaurangen
    appen spelet låten filmen programmet projektet insatsen verksamheten stationen
    hållplatsen backen berget skogen planen bron tunneln huset
    """.split()
)

# Capitalised words after a cue that are not names: pronouns, small words that start a
# clause ("vad han heter Och …" is rare, but "heter Han" after a line break is not), and
# authorities ("kallas Polisen").
_NOT_NAMES = frozenset(
    """
    jag du han hon hen vi ni de dem den det man någon ingen inget vad vem
    och men eller så sedan då där här inte
    polisen polis väktare väktarna ordningsvakt ordningsvakter socialtjänsten
    """.split()
)


def _find_names(text: str) -> list[Finding]:
    findings = []
    for match in _NAME.finditer(text):
        subject = (match["subject"] or "").strip().lower()
        if subject in _NON_PERSON_SUBJECTS:
            continue
        start, end = match.span("name")
        words = match["name"].split()  # one or two words, split on a single space
        if words[0].lower() in _NOT_NAMES:
            continue
        if len(words) == 2 and words[1].lower() in _NOT_NAMES:
            end = start + len(words[0])  # "heter Ali Och …": keep only the first word
        findings.append(Finding(KIND_NAME, start, end, text[start:end]))
    return findings


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

# When two detectors claim overlapping text, the earlier one here wins: an e-mail address
# may contain digits, and a bare "0701234567" that passes the personnummer checks is more
# sensitive read as one.
_DETECTORS = (_find_emails, _find_id_numbers, _find_phones, _find_names)


def find_pii(text: str) -> list[Finding]:
    """Every suspected identifier in ``text``, sorted by start and never overlapping."""
    if not text:
        return []
    # ``starts``/``kept`` stay sorted by start; each detector's findings are checked against
    # their neighbours only, so long texts with many findings stay fast.
    starts: list[int] = []
    kept: list[Finding] = []
    for detector in _DETECTORS:
        for finding in detector(text):
            index = bisect.bisect_left(starts, finding.start)
            if index > 0 and kept[index - 1].end > finding.start:
                continue  # overlaps the finding before it
            if index < len(kept) and kept[index].start < finding.end:
                continue  # overlaps the finding after it
            starts.insert(index, finding.start)
            kept.insert(index, finding)
    return kept


def is_shareable(text: str | None) -> bool:
    """True if ``text`` may leave the laptop: empty, or nothing in it looks like PII."""
    return not text or not find_pii(text)
