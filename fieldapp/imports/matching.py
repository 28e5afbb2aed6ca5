"""Old names to the app's places, categories, partners and kinds, with a certainty.

Matching uses rapidfuzz (``WRatio``), the maintained fuzzy-matching library, over the app's
names and the words in ``resources/import_aliases.toml``. A name is matched for certain when,
after normalising (lower case, words in brackets dropped, "C" read as "centrum"), it is one
of the names or aliases exactly, or when the best score is at least :data:`CERTAIN_SCORE`
and the next-best different target scores at least :data:`CERTAIN_MARGIN` lower. Anything
else is a question for a person: a suggestion (when the score reaches
:data:`SUGGEST_SCORE`) but never applied without confirmation. A cell naming two places
with "/" ("Liljeholmstorget/torget") is matched by its best-matching part.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.domain.enums import MeetingKind, ShiftKind
from fieldapp.paths import resources_dir
from fieldapp.store.models import Category, Partner, Place

CERTAIN_SCORE = 92.0
CERTAIN_MARGIN = 8.0
SUGGEST_SCORE = 70.0

DOMAINS = ("places", "categories", "partners", "kinds")
_BRACKETS = re.compile(r"\([^)]*\)")
_SPACES = re.compile(r"\s+")
_ABBREVIATIONS = {"c": "centrum", "c:": "centrum", "ctr": "centrum", "ctrm": "centrum",
                  "stn": "station", "st": "station"}


def normalise(text: str) -> str:
    """Lower case, words in brackets dropped, punctuation at the ends of words dropped, and
    common abbreviations written out ("Älvsjö C" -> "älvsjö centrum")."""
    text = _BRACKETS.sub(" ", str(text).lower())
    words = [w.strip(".,:;!?\"'") for w in _SPACES.split(text)]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words if w)


@dataclass(frozen=True)
class Match:
    """The answer for one old name: ``target`` (a key, or for a kind "shift:<kind>" /
    "meeting:<kind>") with its label, the score 0–100, whether it is certain, and the
    runners-up a person may choose instead."""

    text: str
    target: str | None
    label: str
    score: float
    certain: bool
    alternatives: tuple[str, ...] = ()

    @property
    def certainty(self) -> float:
        return round(self.score / 100, 2)


@dataclass
class Vocabulary:
    """For each domain, the normalised names and aliases -> target, and target -> label."""

    names: dict[str, dict[str, str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, domain: str, target: str, label: str, *names: str) -> None:
        self.labels.setdefault(domain, {})[target] = label
        for name in names:
            if name:
                self.names.setdefault(domain, {}).setdefault(normalise(name), target)

    def knows(self, domain: str, target: str) -> bool:
        return target in self.labels.get(domain, {})

    def label(self, domain: str, target: str | None) -> str:
        return self.labels.get(domain, {}).get(target or "", "")

    def match(self, domain: str, text: str) -> Match:
        names = self.names.get(domain, {})
        query = normalise(text)
        parts = [query] + ([normalise(p) for p in str(text).split("/")] if "/" in str(text) else [])
        best_by_target: dict[str, float] = {}
        for part in filter(None, dict.fromkeys(parts)):
            if part in names:
                target = names[part]
                return Match(text, target, self.label(domain, target), 100.0, True)
            for name, score, _index in process.extract(part, list(names), scorer=fuzz.WRatio,
                                                       limit=8):
                target = names[name]
                best_by_target[target] = max(best_by_target.get(target, 0.0), score)
        ranked = sorted(best_by_target.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] < SUGGEST_SCORE:
            return Match(text, None, "", ranked[0][1] if ranked else 0.0, False)
        target, score = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        certain = score >= CERTAIN_SCORE and score - second >= CERTAIN_MARGIN
        alternatives = tuple(t for t, s in ranked[1:4] if s >= SUGGEST_SCORE)
        return Match(text, target, self.label(domain, target), round(score, 1), certain,
                     alternatives)


def _aliases() -> dict:
    path = resources_dir() / "import_aliases.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def place_target(row) -> str:
    """How a mapping names a place or partner: its key, or its id when it has none (one a
    user added)."""
    return row.key or str(row.id)


def load_vocabulary(session: Session) -> Vocabulary:
    """The names the app knows now: places, categories and partners from the database,
    shift and meeting kinds, and the aliases."""
    vocabulary = Vocabulary()
    for row in session.scalars(select(Place).where(Place.deleted_at.is_(None))):
        vocabulary.add("places", place_target(row), row.name, row.name, row.key or "")
    for row in session.scalars(select(Category).where(Category.deleted_at.is_(None))):
        vocabulary.add("categories", row.key, row.name_sv, row.name_sv, row.name_en, row.key)
    for row in session.scalars(select(Partner).where(Partner.deleted_at.is_(None))):
        vocabulary.add("partners", place_target(row), row.name, row.name, row.key or "")
    for kind in ShiftKind:
        vocabulary.add("kinds", f"shift:{kind.value}", kind.label, kind.value, kind.label)
    for kind in MeetingKind:
        vocabulary.add("kinds", f"meeting:{kind.value}", kind.label, kind.value, kind.label)
    for domain, table in _aliases().items():
        if domain not in DOMAINS:
            continue
        for alias, target in table.items():
            if vocabulary.knows(domain, target):
                vocabulary.add(domain, target, vocabulary.label(domain, target), alias)
    return vocabulary


_PARTNER_SPLIT = re.compile(r"\s*(?:,|\+|&|;|\boch\b)\s*", re.IGNORECASE)


def split_partners(text: str) -> list[str]:
    """The partner names in one cell: "Polis, nattvandrare och OV" -> three names."""
    return [p.strip() for p in _PARTNER_SPLIT.split(str(text)) if p and p.strip()]
