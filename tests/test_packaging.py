"""The wheel carries every package, the migrations, the reference data and the catalogues,
and declares every third-party module the code imports."""

from __future__ import annotations

import ast
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {"PySide6": "pyside6-essentials", "shiboken6": "pyside6-essentials",  # comes with it
                 "yaml": "pyyaml", "babel": "babel",
                 "phonenumbers": "phonenumberslite"}  # the matcher without geodata


def declared() -> set[str]:
    names = set()
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = requirement.split(";")[0]
        for stop in "<>=![ ":
            name = name.split(stop)[0]
        names.add(name.strip().lower().replace("_", "-"))
    return names


def imported_top_level() -> set[str]:
    found = set()
    for path in (ROOT / "fieldapp").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_third_party_import_is_a_declared_dependency():
    stdlib = set(sys.stdlib_module_names)
    third_party = {name for name in imported_top_level() if name not in stdlib and name != "fieldapp"}
    missing = sorted(n for n in third_party
                     if DISTRIBUTIONS.get(n, n).lower().replace("_", "-") not in declared())
    assert missing == [], f"imported but not in [project.dependencies]: {missing}"


def test_every_package_folder_is_listed():
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "fieldapp").rglob("__init__.py")}
    assert on_disk <= listed, sorted(on_disk - listed)


@pytest.mark.slow
def test_the_wheel_holds_migrations_resources_and_catalogues(tmp_path):
    import subprocess

    # The build backend (setuptools, wheel) comes from the package index, as for any build.
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                             "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    wheel = next(tmp_path.glob("faltlogg-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in ("fieldapp/migrations/env.py", "fieldapp/migrations/script.py.mako",
                     "fieldapp/migrations/versions/0001_initial_schema.py",
                     "fieldapp/resources/places.toml", "fieldapp/locale/sv/LC_MESSAGES/messages.mo",
                     "fieldapp/fonts/DejaVuSans.ttf", "fieldapp/ui/views/today.py",
                     "fieldapp/help/manual_sv.md", "fieldapp/help/manual_en.md",
                     "fieldapp/store/services/shifts.py"):
        assert expected in names, expected
