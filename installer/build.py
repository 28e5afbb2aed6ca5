"""Build the Fältlogg bundle and an archive of it for this OS.

    python installer/build.py [--dist DIR] [--work DIR] [--no-archive]

Makes DIST/Faltlogg/ (default: dist/ at the top of the repository) with PyInstaller and
installer/faltlogg.spec, then DIST/Faltlogg-<version>-<os>-<arch>.tar.gz on Linux or .zip on
Windows, and prints the bundle size. Needs the ``installer`` extra
(``scripts/install --installer`` or ``pip install -e ".[installer]"``).
On Windows, then run ``iscc installer\\windows\\faltlogg.iss`` for the setup program.
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "installer" / "faltlogg.spec"
APP_NAME = "Faltlogg"


def project_version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def os_tag() -> str:
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    if system.startswith("linux"):
        system = "linux"
    machine = platform.machine().lower().replace("amd64", "x86_64")
    return f"{system}-{machine}"


def run_pyinstaller(dist: Path, work: Path) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        raise SystemExit("build.py: PyInstaller is not installed; run scripts/install --installer "
                         "(or pip install -e \".[installer]\")") from None
    command = [sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm", "--clean",
               "--log-level", "WARN", "--distpath", str(dist), "--workpath", str(work)]
    subprocess.run(command, check=True, cwd=ROOT)


def make_archive(bundle: Path, version: str) -> Path:
    base = bundle.parent / f"{APP_NAME}-{version}-{os_tag()}"
    if sys.platform == "win32":
        archive = base.with_name(base.name + ".zip")
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
            for path in sorted(bundle.rglob("*")):
                zf.write(path, Path(APP_NAME) / path.relative_to(bundle))
    else:
        archive = base.with_name(base.name + ".tar.gz")
        with tarfile.open(archive, "w:gz", compresslevel=6) as tf:
            tf.add(bundle, arcname=APP_NAME)  # keeps the executable bits
    return archive


def build(dist: Path, work: Path, archive: bool = True) -> tuple[Path, Path | None]:
    """Build DIST/Faltlogg (and the archive); returns (bundle, archive or None)."""
    dist, work = dist.resolve(), work.resolve()
    version = project_version()
    started = time.monotonic()
    run_pyinstaller(dist, work)
    bundle = dist / APP_NAME
    print(f"Bundle: {bundle} ({tree_size(bundle) / 1e6:.1f} MB, "
          f"built in {time.monotonic() - started:.0f} s)")
    made = None
    if archive:
        made = make_archive(bundle, version)
        print(f"Archive: {made} ({made.stat().st_size / 1e6:.1f} MB)")
    return bundle, made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder")
    parser.add_argument("--no-archive", action="store_true", help="only the bundle folder")
    args = parser.parse_args(argv)
    bundle, _archive = build(args.dist, args.work, archive=not args.no_archive)
    if sys.platform == "win32":
        print("Windows setup program: iscc installer\\windows\\faltlogg.iss")
    elif sys.platform.startswith("linux"):
        print(f"Install for this user: {bundle / 'install.sh'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
