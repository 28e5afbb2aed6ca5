"""Where files are saved and how they are opened afterwards, the same on every page.

A save dialog opens in the folder last used for the same purpose ("report", "log", …),
remembered in the window's settings, and the first time in the user's Documents folder, never
in the program's working folder. Opening a saved file with the computer's own program says so
when no program can (a laptop without a PDF viewer), and where the file is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from fieldapp.i18n import _
from fieldapp.ui import APPLICATION, ORGANIZATION


def folder_key(purpose: str) -> str:
    """Where the folder for ``purpose`` is kept in the window's settings."""
    return f"folders/{purpose}"


def _settings(settings: QSettings | None) -> QSettings:
    return settings if settings is not None else QSettings(ORGANIZATION, APPLICATION)


def start_folder(purpose: str, settings: QSettings | None = None) -> Path:
    """The folder a file dialog for ``purpose`` opens in (``settings``: the window's, which in
    the app are the application's)."""
    remembered = _settings(settings).value(folder_key(purpose), "")
    if remembered and Path(str(remembered)).is_dir():
        return Path(str(remembered))
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()


def remember_folder(purpose: str, chosen: Path | str, settings: QSettings | None = None) -> None:
    """Remember the folder of the file ``chosen`` for the next dialog for ``purpose``."""
    store = _settings(settings)
    store.setValue(folder_key(purpose), str(Path(chosen).parent))
    store.sync()


def ask_save_path(parent: QWidget | None, purpose: str, title: str, file_name: str,
                  file_filter: str, settings: QSettings | None = None) -> Path | None:
    """Ask where to save ``file_name``; None when the user cancels. The folder is remembered
    for the next save with the same ``purpose``."""
    chosen, _selected = QFileDialog.getSaveFileName(
        parent, title, str(start_folder(purpose, settings) / file_name), file_filter)
    if not chosen:
        return None
    remember_folder(purpose, chosen, settings)
    return Path(chosen)


def open_saved_file(parent: QWidget | None, path: Path) -> QMessageBox | None:
    """Open ``path`` with the computer's program for it; when none can, say so (not
    blocking) and return the message box."""
    if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return None
    box = QMessageBox(parent)
    box.setObjectName("noViewer")
    box.setIcon(QMessageBox.Icon.Information)
    box.setWindowTitle(_("The file was saved"))
    box.setText(_("No program on this computer could open {name}.").format(name=path.name))
    box.setInformativeText(_("The file is saved in {folder}. Open it from there, or ask your "
                             "IT support for a program that opens {suffix} files.").format(
        folder=path.parent, suffix=path.suffix.lstrip(".").upper() or path.name))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.open()
    return box


__all__ = ["ask_save_path", "folder_key", "open_saved_file", "remember_folder", "start_folder"]
