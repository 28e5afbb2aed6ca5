"""Every user-facing string goes through `_()` and has a Swedish translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file

import fieldapp
from fieldapp.i18n import _, catalog, set_language

PACKAGE = Path(fieldapp.__file__).parent
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")


def all_msgids() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for lineno, message, _comments, _context in extract_from_file("python", str(path)):
            if isinstance(message, str) and message.strip():
                found.setdefault(message, f"{path.relative_to(PACKAGE.parent)}:{lineno}")
    return found


def test_every_message_has_a_swedish_translation():
    swedish = catalog("sv")
    missing = [f"{where}: {msgid!r}" for msgid, where in all_msgids().items() if msgid not in swedish]
    assert not missing, "untranslated:\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    swedish = catalog("sv")
    wrong = [msgid for msgid, text in swedish.items()
             if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(text))]
    assert not wrong, wrong


def test_no_message_is_translated_two_ways():
    """The .po files of the parts are merged into one catalogue: a msgid in two files with
    different translations would make one of them say the other's word (a "Change" button
    reading "Förändring")."""
    from babel.messages.pofile import read_po

    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for po_file in sorted((PACKAGE / "locale" / "sv" / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as fh:
            for message in read_po(fh):
                if not message.id or not message.string:
                    continue
                earlier = seen.setdefault(str(message.id), (po_file.name, str(message.string)))
                if earlier[1] != str(message.string):
                    clashes.append(f"{message.id!r}: {earlier} vs ({po_file.name}, "
                                   f"{message.string!r})")
    assert not clashes, "\n".join(clashes)


def test_switching_language_changes_text():
    assert _("Choose a category.") == "Välj en kategori."
    set_language("en")
    assert _("Choose a category.") == "Choose a category."


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        set_language("xx")
