"""The settings page's "Karta" box: the basemap of the Karta page, a raster MBTiles file on
this computer. A chosen file is checked (on the IO lane: it may be on a slow drive) before it
is saved; a file that cannot be used is refused with the reason, and the old choice stays.
"Remove" goes back to the plain ground. Saved at once and logged, like the language."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from fieldapp.i18n import _
from fieldapp.store.mbtiles import MBTiles, MBTilesError
from fieldapp.store.services.settings import MAP_MBTILES
from fieldapp.ui.context import AppContext
from fieldapp.ui.tasks import DB, IO
from fieldapp.ui.widgets.messages import show_unexpected_error


def check_basemap(path: str) -> str:
    """"" when ``path`` is a usable MBTiles file, else what is wrong (in words)."""
    try:
        MBTiles.open(path).close()
    except MBTilesError as exc:
        return str(exc)
    return ""


class BasemapBox(QGroupBox):
    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(_("Map"), parent)
        self.setObjectName("basemapBox")
        self.ctx = ctx
        note = QLabel(_("The basemap of the Map page: an MBTiles file of your district's area "
                        "(the README says how to make one). Without one the places are drawn "
                        "on a plain ground."))
        note.setWordWrap(True)
        self.path = QLineEdit(self)
        self.path.setObjectName("basemapPath")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(_("No basemap chosen"))
        self.choose_button = QPushButton(_("Choose file…"), self)
        self.remove_button = QPushButton(_("Remove"), self)
        self.status = QLabel(self)
        self.status.setObjectName("basemapStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.hide()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self.choose_button.clicked.connect(self.choose)
        self.remove_button.clicked.connect(lambda: self.use(""))
        self.reload()

    def reload(self) -> None:
        def job(_progress):
            with self.ctx.services() as services:
                return services.settings.get(MAP_MBTILES)

        self.ctx.tasks.run(job, on_success=self._show, lane=DB, owner=self,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

    def _show(self, path: str) -> None:
        self.path.setText(path)
        self.path.setToolTip(path)
        self.remove_button.setEnabled(bool(path))

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))

    def choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the basemap (MBTiles file)"), self.path.text(),
            _("MBTiles map files (*.mbtiles);;All files (*)"))
        if path:
            self.use(path)

    def use(self, path: str) -> None:
        """Check ``path`` ("" = no basemap) and save it; a bad file is refused with why."""
        self._say("")

        def checked(problem: str) -> None:
            if problem:
                self._say(problem)
                return

            def job(_progress):
                with self.ctx.services() as services:
                    services.settings.set(MAP_MBTILES, path)
                    services.audit.record("settings", {"keys": [MAP_MBTILES.name],
                                                       "values": {MAP_MBTILES.name: path}})

            def saved(_result) -> None:
                self._show(path)
                self._say(_("Saved: the Map page uses this basemap.") if path
                          else _("Saved: the Map page has no basemap."))
                self.ctx.events.changed.emit("settings")

            self.ctx.tasks.run(job, on_success=saved, lane=DB, owner=self,
                               on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))

        self.ctx.tasks.run(lambda _progress: check_basemap(path) if path else "",
                           on_success=checked, lane=IO, owner=self,
                           on_failure=lambda exc, trace: show_unexpected_error(self, exc, trace))
