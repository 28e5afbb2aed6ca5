"""Render installer/icons/faltlogg.svg to a 256 px PNG and a multi-size Windows ICO.

Run by the PyInstaller spec at build time (so no generated image is kept in the repo):

    python installer/render_icon.py OUT_DIR

Uses only PySide6 (QtSvg is part of PySide6-Essentials); runs offscreen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).resolve().parent / "icons" / "faltlogg.svg"


def render(out_dir: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (keeps Qt alive)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icon: cannot read {SVG}")
    out_dir.mkdir(parents=True, exist_ok=True)

    def image(size: int) -> QImage:
        img = QImage(size, size, QImage.Format.Format_ARGB32)
        img.fill(Qt.GlobalColor.transparent)
        painter = QPainter(img)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        return img

    png = out_dir / "faltlogg.png"
    if not image(256).save(str(png), "PNG"):
        raise SystemExit(f"render_icon: cannot write {png}")
    # Qt's ICO writer (imageformats/qico) stores one size per file; 256 px is what
    # Windows scales down from for the exe, Start menu and uninstaller entries.
    ico = out_dir / "faltlogg.ico"
    if not image(256).save(str(ico), "ICO"):
        print("render_icon: no ICO writer in this Qt; the exe keeps the default icon",
              file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: render_icon.py OUT_DIR")
    render(Path(sys.argv[1]))
