"""Where the app's files are: bundled data (resources/, migrations/) and the user's data.

One helper serves a source checkout, an installed wheel and the PyInstaller bundle.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "Faltlogg"
APP_AUTHOR = "Faltlogg"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    candidates = []
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / name)
    candidates.append(_PACKAGE_DIR / name)  # installed wheel: fieldapp/<name>
    candidates.append(_PACKAGE_DIR.parent / name)  # source checkout / editable install
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ not found; looked in {', '.join(map(str, candidates))}")


def resources_dir() -> Path:
    return _data_dir("resources")


def migrations_dir() -> Path:
    return _data_dir("migrations")


def user_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def user_log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def default_db_path() -> Path:
    """``FIELDAPP_DB`` if set, else ``faltlogg.sqlite`` in the user data directory."""
    env = os.environ.get("FIELDAPP_DB")
    if env:
        return Path(env).expanduser()
    return user_data_dir() / "faltlogg.sqlite"
