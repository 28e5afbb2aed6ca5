"""The key that picks a category in the quick observation, in the UI's language.

In Swedish each category keeps the key the team's reference data gives it (N for
Narkotikaförsäljning: what the workers have learnt). In English the keys follow the English
names, or "N" would pick "Drug dealing": each category gets the first letter of a word of its
name that no category before it (in the list's order) has taken, else any other letter of
its name, else no key. Digits never become keys: 1/2/3 set the severity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fieldapp.domain.records import CategoryRecord
from fieldapp.i18n import current_language

_WORD = re.compile(r"[^\W\d_]+")


def _candidates(name: str):
    words = _WORD.findall(name.lower())
    yield from (word[0] for word in words)
    yield from (letter for word in words for letter in word[1:])


def category_hotkeys(categories: Sequence[CategoryRecord], language: str | None = None
                     ) -> list[str | None]:
    """One lower-case key (or None) for each of ``categories``, in their order."""
    language = language or current_language()
    if language == "sv":
        return [(category.hotkey or "").lower() or None for category in categories]
    taken: set[str] = set()
    keys: list[str | None] = []
    for category in categories:
        key = next((letter for letter in _candidates(category.name_en) if letter not in taken),
                   None)
        if key is not None:
            taken.add(key)
        keys.append(key)
    return keys


__all__ = ["category_hotkeys"]
