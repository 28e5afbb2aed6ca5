"""Numbers that identify a person, for the PII guard (:mod:`fieldapp.domain.pii`).

Every function here reads a *normalised* text (:func:`fieldapp.domain.pii.normalise`: every
kind of dash is ``-``, every kind of space a space, full-width and other Unicode digits are
ASCII digits), of the same length as the original, so the offsets found are the original's.

- **personnummer / samordningsnummer**: ten or twelve digits with or without a separator
  (``-``, ``+``, ``.``, a space, with spaces around a dash: ``811218 - 9876``), checked by the
  maintained `personnummer <https://github.com/personnummer/python>`_ package (a real date,
  the day + 60 of a samordningsnummer, the Luhn digit), so an order number is not flagged.
- **phone numbers**: Google's libphonenumber matcher (the ``phonenumbers`` package) for region
  SE at its "valid" level: every grouping and punctuation people write, ``(08) 123 456 78``,
  ``076 - 555 12 34``, ``070.123.45.67``, ``+46 (0)70…``; and the app's own patterns for the
  forms it already knew (bare mobile numbers, landlines with an area code), so nothing found
  before is lost.
"""

from __future__ import annotations

import re

import phonenumbers
from personnummer.personnummer import Personnummer, PersonnummerException

KIND_PERSONNUMMER = "personnummer"
KIND_SAMORDNINGSNUMMER = "samordningsnummer"
KIND_PHONE = "phone"

_ID_NUMBER = re.compile(
    r"""
    (?<![0-9])                    # not the tail of a longer number
    (?P<century>18|19|20)?        # optional century (12-digit form)
    (?P<yy>[0-9]{2})(?P<dash>-?)(?P<mm>[0-9]{2})(?P=dash)(?P<dd>[0-9]{2})   # YYMMDD, YY-MM-DD
    (?:[ ]?(?P<sep>[-+.])[ ]?|[ ])?    # a separator, with a space around it or not
    (?P<serial>[0-9]{4})          # three-digit serial number + Luhn check digit
    (?![0-9])                     # not the head of a longer number
    """,
    re.VERBOSE,
)


def id_number_kind(century: str | None, date: str, sep: str | None, serial: str) -> str | None:
    """``personnummer``, ``samordningsnummer`` or None when the number is not valid."""
    mark = "+" if sep == "+" else "-"
    try:
        number = Personnummer(f"{century or ''}{date}{mark}{serial}")
    except PersonnummerException:
        return None
    except ValueError:  # an impossible date inside the package
        return None
    return KIND_SAMORDNINGSNUMMER if number.is_coordination_number() else KIND_PERSONNUMMER


def find_id_numbers(text: str) -> list[tuple[str, int, int]]:
    found = []
    for match in _ID_NUMBER.finditer(text):
        date = match["yy"] + match["mm"] + match["dd"]
        kind = id_number_kind(match["century"], date, match["sep"], match["serial"])
        if kind is not None:
            found.append((kind, match.start(), match.end()))
    return found


# The app's own patterns (the forms the guard knew before libphonenumber did the work).
_SEP = r"[ \-]"
_BEFORE = r"(?<![\w+\-/.])"
_AFTER = r"(?![0-9]|[.,:/][0-9])"

_PHONE = re.compile(
    rf"""
    {_BEFORE}
    (?:
        (?:\+|00) {_SEP}? 46 {_SEP}? (?:\(0\) {_SEP}? | 0 {_SEP}?)?
        [1-9] (?:{_SEP}?[0-9]){{6,8}}
    |
        \+ [1-9][0-9]{{0,2}} (?:{_SEP}?[0-9]){{6,12}}
    |
        07[0-9] (?:{_SEP}?[0-9]){{7}}
    |
        (?P<area>0[1-689][0-9]{{0,2}}) (?P<area_sep>{_SEP}?)
        (?P<subscriber>[0-9]{{2,8}}(?:[ ][0-9]{{2,4}}){{0,3}})
    )
    {_AFTER}
    """,
    re.VERBOSE,
)


def _landline_length_ok(area: str, area_sep: str, subscriber_digits: int) -> bool:
    """A plausible Swedish landline: 5-8 subscriber digits and 8-10 digits in all (7 only
    with the area code set apart, since a bare 7-digit run is more likely a case number)."""
    total = len(area) + subscriber_digits
    if not 5 <= subscriber_digits <= 8:
        return False
    if total == 7:
        return bool(area_sep)
    return 8 <= total <= 10


def _landline_end(match: re.Match) -> int | None:
    """Where a plausible landline in ``match`` ends (trailing groups such as "… 14
    ungdomar" are dropped until the length fits), or None."""
    subscriber = match["subscriber"]
    groups = subscriber.split()
    while groups:
        if _landline_length_ok(match["area"], match["area_sep"], sum(map(len, groups))):
            kept_end = 0
            for group in groups:
                kept_end = subscriber.index(group, kept_end) + len(group)
            return match.start("subscriber") + kept_end
        groups.pop()
    return None


# What libphonenumber takes for a number but a field note means otherwise: time ranges
# ("kl 08-10 09-11", "19.00-23.30") and the shape of a personnummer whose check digit is
# wrong (an order or case number, YYMMDD-NNNN).
_TIMES = re.compile(r"[0-9]{1,2}(?:[-.:][0-9]{2}){1,2}(?:[ ]*-[ ]*[0-9]{1,2}(?:[.:][0-9]{2})?)?"
                    r"(?:[ ]+[0-9]{1,2}[-.:][0-9]{2}(?:[-.:][0-9]{2})?)*")
_ID_SHAPE = re.compile(r"(?:[0-9]{2})?[0-9]{6}[ ]?[-+.][ ]?[0-9]{4}")
_TIME_CUE = re.compile(r"(?i:\bkl\.?|\bklockan|\bmellan|\btid(?:en|er)?)[ ]*$")


def _libphonenumber_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    matcher = phonenumbers.PhoneNumberMatcher(text, "SE", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        raw = match.raw_string
        if _TIMES.fullmatch(raw) or _ID_SHAPE.fullmatch(raw):
            continue
        if _TIME_CUE.search(text[max(0, match.start - 10):match.start]):
            continue
        spans.append((match.start, match.end))
    return spans


def find_phones(text: str) -> list[tuple[int, int]]:
    spans = _libphonenumber_spans(text)
    for match in _PHONE.finditer(text):
        start, end = match.span()
        if match["area"] is not None:
            end = _landline_end(match)
            if end is None:
                continue
        spans.append((start, end))
    return spans
