"""Every user-facing string goes through `_()` (or is marked `N_()`), is in the template, and
has a Swedish translation; the compiled catalogue the app reads is the one the .po makes."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import io
import shutil
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

import fieldapp
from fieldapp import i18n
from fieldapp.i18n import _, set_language

PACKAGE = Path(fieldapp.__file__).parent
ROOT = PACKAGE.parent
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "messages.pot"
SWEDISH_PO = LOCALE / "sv" / "LC_MESSAGES" / "messages.po"
SWEDISH_MO = LOCALE / "sv" / "LC_MESSAGES" / "messages.mo"
SCRIPT = ROOT / "scripts" / "translations"
FIX = "run scripts/translations"


def _script():
    """scripts/translations as a module (it has no .py suffix)."""
    loader = importlib.machinery.SourceFileLoader("translations_script", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _read_po(path: Path):
    with path.open("rb") as fh:
        return read_po(fh, locale="sv" if path.suffix == ".po" else None)


def _mo_messages(data: bytes) -> dict[str, str]:
    return {str(m.id): str(m.string) for m in read_mo(io.BytesIO(data))}


def _fields(text: str) -> list[str] | None:
    """The {placeholders} of a format string, or None if it is not one."""
    try:
        return sorted(name for _literal, name, _spec, _conv in string.Formatter().parse(text)
                      if name is not None)
    except ValueError:
        return None


def test_every_string_in_the_code_is_in_the_template():
    extracted = {str(m.id): m.locations for m in _script().extract(PACKAGE) if m.id}
    template = {str(m.id) for m in _read_po(TEMPLATE) if m.id}
    missing = [f"{locs[0][0]}: {msgid!r}" for msgid, locs in extracted.items()
               if msgid not in template]
    assert not missing, f"not in {TEMPLATE.name} ({FIX}):\n" + "\n".join(sorted(missing))
    unused = sorted(template - set(extracted))
    assert not unused, f"in {TEMPLATE.name} but no longer in the code ({FIX}): {unused}"
    assert len(template) > 700


def test_every_template_entry_has_a_swedish_translation():
    template = {str(m.id) for m in _read_po(TEMPLATE) if m.id}
    catalogue = _read_po(SWEDISH_PO)
    problems = []
    for msgid in sorted(template):
        message = catalogue.get(msgid)
        if message is None or message.fuzzy or not message.string:
            state = "missing" if message is None else "fuzzy" if message.fuzzy else "empty"
            problems.append(f"{msgid!r}: {state}")
    assert not problems, f"fill these in {SWEDISH_PO.relative_to(ROOT)}, then {FIX}:\n" \
        + "\n".join(problems)
    assert not catalogue.fuzzy, "the catalogue header is marked fuzzy"


def test_only_one_catalogue_per_language():
    """A branch's extra .po file (its new strings) is absorbed by the script, not shipped."""
    for folder in LOCALE.glob("*/LC_MESSAGES"):
        assert sorted(p.name for p in folder.glob("*.po")) == ["messages.po"], \
            f"{folder}: extra .po files ({FIX} merges them into messages.po)"


def test_the_compiled_catalogue_is_the_po_compiled():
    """The .mo the app reads can never lag behind the .po that is edited (compared message by
    message, so a newer Babel writing another Generated-By header does not matter)."""
    fresh = _script().compile_mo(_read_po(SWEDISH_PO))
    committed = _mo_messages(SWEDISH_MO.read_bytes())
    fresh_messages = _mo_messages(fresh)
    for messages in (committed, fresh_messages):
        messages[""] = "\n".join(line for line in messages.get("", "").splitlines()
                                 if not line.startswith("Generated-By:"))
    stale = sorted(set(committed.items()) ^ set(fresh_messages.items()))
    assert not stale, f"{SWEDISH_MO.name} differs from {SWEDISH_PO.name} ({FIX}): {stale[:10]}"


def test_translations_keep_their_placeholders():
    catalogue = _read_po(SWEDISH_PO)
    wrong = [f"{m.id!r} -> {m.string!r}" for m in catalogue
             if m.id and m.string and _fields(str(m.id)) != _fields(str(m.string))]
    assert not wrong, "\n".join(wrong)
    # %-style placeholders (argparse's own messages), checked by Babel's checkers.
    errors = [f"{m.id!r}: {[str(e) for e in errs]}" for m, errs in catalogue.check()]
    assert not errors, "\n".join(errors)


def test_the_app_reads_the_compiled_catalogue():
    i18n.translations.cache_clear()
    assert _("Choose a category.") == "Välj en kategori."
    assert isinstance(i18n.translations("sv"), i18n.gettext.GNUTranslations)
    assert i18n.catalog("sv")["Choose a category."] == "Välj en kategori."


def test_marked_data_is_translated_where_shown():
    """Enum labels are kept as English msgids marked N_() and translated when read."""
    from fieldapp.domain.enums import Gender, ShiftKind

    assert ShiftKind.NATTVANDRING.label == "Nattvandring"
    assert Gender.GIRL.label == "Flicka"
    set_language("en")
    assert ShiftKind.NATTVANDRING.label == "Night walk"


def test_switching_language_changes_text():
    assert _("Choose a category.") == "Välj en kategori."
    set_language("en")
    assert _("Choose a category.") == "Choose a category."


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        set_language("xx")


# -- scripts/translations on a copy of the checkout -------------------------------------------

@pytest.fixture
def checkout(tmp_path):
    """The code and the catalogues, copied: the script runs on the copy."""
    shutil.copytree(PACKAGE, tmp_path / "fieldapp",
                    ignore=shutil.ignore_patterns("__pycache__", "fonts"))
    return tmp_path


def run_script(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root), *args],
                          capture_output=True, text=True, timeout=120)


def _po_entry(msgid: str, msgstr: str) -> str:
    return f'msgid "{msgid}"\nmsgstr "{msgstr}"\n\n'


def test_the_script_changes_nothing_in_an_up_to_date_checkout(checkout):
    result = run_script(checkout, "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_script_absorbs_a_branchs_extra_po_file(checkout):
    views = checkout / "fieldapp" / "ui" / "views"
    (views / "new_page.py").write_text(
        "from fieldapp.i18n import _\n\n\ndef title():\n"
        "    return _(\"Open another data file\") + _(\"Choose a category.\")\n",
        encoding="utf-8")
    folder = checkout / "fieldapp" / "locale" / "sv" / "LC_MESSAGES"
    extra = folder / "cliopen.po"
    extra.write_text(_po_entry("Open another data file", "Öppna en annan datafil")
                     + _po_entry("Choose a category.", "Välj en kategori.")
                     + _po_entry("Not in the code", "Inte i koden"), encoding="utf-8")

    assert run_script(checkout, "--check").returncode == 1
    result = run_script(checkout)
    assert result.returncode == 0, result.stdout + result.stderr

    assert not extra.exists()
    template = {str(m.id) for m in _read_po(checkout / "fieldapp" / "locale" / "messages.pot")}
    assert "Open another data file" in template
    catalogue = _read_po(folder / "messages.po")
    assert catalogue["Open another data file"].string == "Öppna en annan datafil"
    assert not catalogue["Open another data file"].fuzzy
    assert catalogue.obsolete["Not in the code"].string == "Inte i koden"  # kept, not shipped
    compiled = _mo_messages((folder / "messages.mo").read_bytes())
    assert compiled["Open another data file"] == "Öppna en annan datafil"
    assert "Not in the code" not in compiled
    assert run_script(checkout, "--check").returncode == 0  # a second run has nothing to do


def test_a_new_string_gets_an_empty_entry_not_a_fuzzy_guess_then_an_extra_file_fills_it(
        checkout):
    (checkout / "fieldapp" / "new_words.py").write_text(
        "from fieldapp.i18n import _\n\nTEXT = _(\"Choose a category!\")\n", encoding="utf-8")
    assert run_script(checkout).returncode == 0
    folder = checkout / "fieldapp" / "locale" / "sv" / "LC_MESSAGES"
    message = _read_po(folder / "messages.po")["Choose a category!"]
    assert message.string == "" and not message.fuzzy
    assert "Choose a category!" not in _mo_messages((folder / "messages.mo").read_bytes())

    (folder / "words.po").write_text(_po_entry("Choose a category!", "Välj en kategori!"),
                                     encoding="utf-8")
    assert run_script(checkout).returncode == 0
    assert _read_po(folder / "messages.po")["Choose a category!"].string == "Välj en kategori!"
    assert _mo_messages((folder / "messages.mo").read_bytes())["Choose a category!"] \
        == "Välj en kategori!"


def test_the_script_refuses_two_different_translations_of_one_msgid(checkout):
    folder = checkout / "fieldapp" / "locale" / "sv" / "LC_MESSAGES"
    before = (folder / "messages.po").read_bytes()
    extra = folder / "settings.po"
    extra.write_text(_po_entry("Choose a category.", "Ta en kategori."), encoding="utf-8")
    result = run_script(checkout)
    assert result.returncode == 2
    assert "'Choose a category.'" in result.stderr and "settings.po" in result.stderr
    assert extra.exists() and (folder / "messages.po").read_bytes() == before
