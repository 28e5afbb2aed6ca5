"""Proposing a mapping for a file: find each sheet's header row, guess what each column is
from its header word (Swedish) and its values, and match the old names it contains.

A column's guess is certain when its header is one of the known words (rapidfuzz ratio at
least 90) and, for dates, times and counts, at least 80 % of its filled cells read as such.
A sheet's header is the first of its first ten rows with at least two known column words; a
sheet without one (a summary sheet, an empty sheet) is skipped and said so in the preview.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from fieldapp.i18n import _
from fieldapp.imports.mapping import Guess, Mapping
from fieldapp.imports.matching import Vocabulary, normalise, split_partners
from fieldapp.imports.parse import CellError, parse_count, parse_date, parse_time_range, year_in
from fieldapp.imports.readers import Sheet, SourceFile

HEADER_WORDS = {
    "date": ("datum", "dag", "dat"),
    "time": ("tid", "klockslag", "kl", "tidpunkt", "passtid", "tid för pass"),
    "place": ("plats", "ställe", "var", "hotspot", "adress", "plats/område"),
    "category": ("kategori", "iakttagelse", "händelse", "problem", "typ av iakttagelse"),
    "count": ("antal", "antal personer", "personer", "pers", "antal pers"),
    "youths": ("ungdomar", "unga", "antal ungdomar", "antal unga"),
    "kind": ("pass", "typ", "typ av pass", "passtyp", "aktivitet", "insats"),
    "partners": ("samverkan", "samverkanspart", "samverkansparter", "med", "partner",
                 "tillsammans med"),
    "note": ("anteckning", "anteckningar", "kommentar", "kommentarer", "notering",
             "beskrivning", "övrigt", "händelseförlopp"),
    "sheet": ("blad",),
}
_WORDS = {word: role for role, words in HEADER_WORDS.items() for word in words}
# The refused-rows CSV adds "Rad" (the source row) and "Skäl" (why); "Nr" is a running number.
IGNORED_WORDS = {"rad", "skäl", "nr", "#", "signatur", "sign"}
UNRELATED_BELOW = 60.0
HEADER_CERTAIN = 90.0
HEADER_KNOWN = 85.0
VALUES_CERTAIN = 0.8
HEADER_SEARCH_ROWS = 10


def header_role(text) -> tuple[str | None, float]:
    """The role a header word names and the score 0–100 (rapidfuzz ratio)."""
    if text is None or isinstance(text, (int, float)):
        return None, 0.0
    query = normalise(str(text))
    if not query:
        return None, 0.0
    found = process.extractOne(query, list(_WORDS), scorer=fuzz.ratio)
    if found is None:
        return None, 0.0
    word, score, _index = found
    return _WORDS[word], float(score)


def header_score(row: list) -> int:
    """How many cells of ``row`` are known column words (confirms a CSV's delimiter)."""
    return sum(1 for cell in row if header_role(cell)[1] >= HEADER_KNOWN)


@dataclass
class Layout:
    """Where a sheet's data is: its header row and each column's header text."""

    sheet: Sheet
    header_row: int | None
    headers: dict[int, str] = field(default_factory=dict)  # column index -> header text
    year: int | None = None  # from the sheet's name, else the file's

    def data_rows(self):
        for number, cells in self.sheet.rows:
            if self.header_row is not None and number > self.header_row:
                yield number, cells


def find_layout(sheet: Sheet, file_year: int | None, known: set[str] = frozenset()) -> Layout:
    year = year_in(sheet.name) or file_year
    for number, cells in sheet.rows[:HEADER_SEARCH_ROWS]:
        known_cells = sum(1 for c in cells if c is not None and (
            str(c) in known or header_role(c)[1] >= HEADER_KNOWN))
        if known_cells >= 2:
            headers = {i: str(c) for i, c in enumerate(cells) if c is not None}
            return Layout(sheet, number, headers, year)
    return Layout(sheet, None, {}, year)


def _reads(role: str, value) -> bool:
    try:
        if role == "date":
            parse_date(value, 2000)
        elif role == "time":
            parse_time_range(value)
        else:
            parse_count(value)
        return True
    except CellError:
        return False


def guess_column(header: str, values: list) -> Guess:
    """A column whose header is like no known word is not read (for certain: it is not one
    of ours); one whose header is only somewhat like one is a question."""
    if normalise(header) in IGNORED_WORDS:
        return Guess(None, 1.0, True)
    role, score = header_role(header)
    if role is None or score < UNRELATED_BELOW:
        return Guess(None, round(1 - score / 100, 2), True)
    certainty = score / 100
    filled = [v for v in values if v is not None]
    if role in ("date", "time", "count", "youths") and filled:
        share = sum(1 for v in filled if _reads(role, v)) / len(filled)
        certainty = min(certainty, share)
    certain = score >= HEADER_CERTAIN and certainty >= VALUES_CERTAIN
    return Guess(role, certainty, certain)


def column_roles(layout: Layout, mapping: Mapping) -> dict[int, str]:
    """Column index -> role of one sheet, by the mapping's columns (by header text)."""
    roles = {}
    for index, text in layout.headers.items():
        guess = mapping.columns.get(text)
        if guess is not None and guess.to:
            roles[index] = guess.to
    return roles


def chosen_sheets(source: SourceFile, mapping: Mapping, sheet: str | None) -> list[Sheet]:
    names = [sheet] if sheet else mapping.sheets
    if not names:
        return list(source.sheets)
    by_name = {s.name: s for s in source.sheets}
    missing = [n for n in names if n not in by_name]
    if missing:
        from fieldapp.imports.readers import ImportFileError

        raise ImportFileError(_("No sheet named {names} in {path} (its sheets: {sheets}).")
                              .format(names=", ".join(missing), path=source.path.name,
                                      sheets=", ".join(by_name)))
    return [by_name[n] for n in names]


def propose(source: SourceFile, vocabulary: Vocabulary, base: Mapping | None = None,
            sheet: str | None = None) -> tuple[Mapping, list[Layout]]:
    """The mapping for ``source``: what ``base`` (a confirmed mapping) says, and a guess for
    every column and name it does not cover. Also each chosen sheet's layout."""
    mapping = base or Mapping()
    file_year = year_in(source.path.stem)
    layouts = [find_layout(s, file_year, set(mapping.columns))
               for s in chosen_sheets(source, mapping, sheet)]
    for layout in layouts:
        for index, text in layout.headers.items():
            if text not in mapping.columns:
                values = [cells[index] if index < len(cells) else None
                          for _n, cells in layout.data_rows()]
                mapping.columns[text] = guess_column(text, values)
    _settle_duplicates(mapping)
    domains = {"place": "places", "category": "categories", "kind": "kinds"}
    for layout in layouts:
        roles = column_roles(layout, mapping)
        for _number, cells in layout.data_rows():
            for index, role in roles.items():
                value = cells[index] if index < len(cells) else None
                if value is None or isinstance(value, (int, float)) and role != "partners":
                    continue
                if role == "partners":
                    names = split_partners(str(value))
                    domain = "partners"
                elif role in domains:
                    names, domain = [str(value)], domains[role]
                else:
                    continue
                table = mapping.names(domain)
                for name in names:
                    if name not in table:
                        match = vocabulary.match(domain, name)
                        table[name] = Guess(match.target, match.certainty, match.certain,
                                            match.label, list(match.alternatives))
    return mapping, layouts


def _settle_duplicates(mapping: Mapping) -> None:
    """Two headers guessed as one role ("Tid" and "Tidpunkt"): the weaker is a question."""
    best: dict[str, tuple[float, str]] = {}
    for text, guess in mapping.columns.items():
        if guess.to and guess.certain:
            if guess.to in best and best[guess.to][0] >= guess.certainty:
                guess.certain = False
            else:
                if guess.to in best:
                    mapping.columns[best[guess.to][1]].certain = False
                best[guess.to] = (guess.certainty, text)
