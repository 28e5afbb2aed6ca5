"""Make the PII guard's name data (a development tool; the app only reads its output).

    .venv/bin/python scripts/pii_names.py names   # rewrite fieldapp/domain/first_names.txt
    .venv/bin/python scripts/pii_names.py words   # print names that are also Swedish words

``names``: the first names of the Faker package's person providers for the locales in
``NAME_LOCALES`` (fieldapp/domain/pii_names.py), case-folded and sorted. Faker (MIT licence)
is a test dependency: tests/test_pii.py checks that the committed file is what this makes.
``words``: the names that are also lower-case Swedish words in Debian's wswedish word list
(``apt-get install wswedish``), for ``SWEDISH_WORDS`` in pii_names.py.
"""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldapp.domain.pii_names import (  # noqa: E402 - after the path above
    NAME_FILE,
    NAME_LOCALES,
    NEVER_NAMES,
    first_names,
    is_name_word,
)

HEADER = """\
# First names for the PII guard (fieldapp/domain/pii_names.py), one per line, case-folded.
# Made by scripts/pii_names.py from the person providers of the Faker package (MIT licence,
# Copyright (c) 2012 Daniele Faraglia) for these locales:
# {locales}.
"""


def faker_names() -> list[str]:
    names: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            value = provider.__dict__.get(attribute)
            if isinstance(value, (list, tuple, set, frozenset, dict)):
                names.update(name.casefold() for name in value if is_name_word(name))
    return sorted(names)


def name_file_text() -> str:
    return HEADER.format(locales=", ".join(NAME_LOCALES)) + "\n".join(faker_names()) + "\n"


def main(argv: list[str]) -> int:
    if argv[1:] == ["names"]:
        NAME_FILE.write_text(name_file_text(), encoding="utf-8")
        return 0
    if argv[1:] == ["words"]:
        words_file = Path("/usr/share/dict/swedish")
        if not words_file.is_file():
            print("Install Debian's wswedish first (apt-get install wswedish).", file=sys.stderr)
            return 1
        words = {line.strip() for line in words_file.read_text(encoding="latin-1").splitlines()}
        lower = {word for word in words if word[:1].islower()}
        common = sorted(name for name in first_names() | NEVER_NAMES if name in lower)
        print(textwrap.fill(" ".join(common), width=95))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
