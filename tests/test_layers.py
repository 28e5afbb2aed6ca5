"""The layers hold (DESIGN.md "Architecture"), and the core never imports Qt (STYLE.md: write
the rule down and test it).

The layer, circle and Qt contracts are in pyproject.toml ([tool.importlinter]); import-linter
reads the imports statically, so a lazy import inside a function counts too. The last test
imports every core module for real and looks at what got loaded.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import fieldapp

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = (
    "import sys\n"
    "from importlinter.cli import lint_imports_command\n"
    "sys.exit(lint_imports_command())\n"
)


def test_import_contracts_are_kept():
    # --no-cache: no cache folder left in the checkout.
    result = subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"import contracts broken:\n{result.stdout}\n{result.stderr}"
    assert "0 broken" in result.stdout, result.stdout


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(fieldapp.__path__, prefix="fieldapp."):
        if info.name == "fieldapp.ui" or info.name.startswith("fieldapp.ui."):
            continue
        if info.name == "fieldapp.__main__":
            continue
        names.append(info.name)
    return names


def test_core_modules_found():
    names = core_modules()
    for expected in ("fieldapp.domain.weeks", "fieldapp.store.database", "fieldapp.cli", "fieldapp.demo"):
        assert expected in names


def test_no_core_module_loads_pyside6():
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"Qt loaded by the core: {result.stdout}"
