"""The installer bundle: build it with installer/build.py (PyInstaller) and run the result.

Linux only (the Windows setup program is built on Windows, see README). One build per test
run, into a temporary folder; CI installs PyInstaller through ``scripts/test``
(``scripts/install --test --installer``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

import pytest

pytestmark = [pytest.mark.installer, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
MAX_BUNDLE_BYTES = 200 * 1024 * 1024
RUN_TIMEOUT = 120


def _version() -> str:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def _tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(bundle folder, archive, build seconds) from one run of installer/build.py."""
    if not sys.platform.startswith("linux"):
        pytest.skip("the bundle test runs on Linux; on Windows build with installer/build.py")
    # In CI these tools are installed by scripts/test: missing there is a failure, not a skip.
    missing = pytest.fail if os.environ.get("CI") else pytest.skip
    try:
        import PyInstaller  # noqa: F401 - only whether it is installed
    except ImportError:
        missing("PyInstaller is not installed: scripts/install --installer "
                    "(scripts/test does this)")
    if shutil.which("objdump") is None:
        missing("objdump is missing (PyInstaller needs binutils): scripts/install --installer")
    base = tmp_path_factory.mktemp("installer")
    dist, work = base / "dist", base / "work"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "installer" / "build.py"), "--dist", str(dist),
         "--work", str(work)],
        cwd=ROOT, capture_output=True, text=True, timeout=30 * 60)
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}"
    shutil.rmtree(work, ignore_errors=True)  # the bundle and archive are all that is needed
    bundle = dist / "Faltlogg"
    archives = list(dist.glob(f"Faltlogg-{_version()}-linux-*.tar.gz"))
    assert len(archives) == 1, f"expected one archive in {dist}: {list(dist.iterdir())}"
    return bundle, archives[0], seconds


@pytest.fixture()
def run(built, tmp_path):
    """Run the bundled program with a private HOME (its user data and settings stay in
    tmp_path) and Qt offscreen; returns the CompletedProcess."""
    bundle = built[0]
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("FIELDAPP_", "XDG_", "QT_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "home/.local/share"),
               XDG_CONFIG_HOME=str(tmp_path / "home/.config"), QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(tmp_path / "runtime"))
    (tmp_path / "runtime").mkdir(mode=0o700)

    def _run(*args: str, program: Path | None = None, timeout: int = RUN_TIMEOUT):
        return subprocess.run([str(program or bundle / "Faltlogg"), *args], cwd=tmp_path,
                              env=env, capture_output=True, text=True, timeout=timeout)

    _run.env = env
    return _run


def test_bundle_size_and_layout(built, capsys):
    bundle, archive, seconds = built
    size = _tree_size(bundle)
    with capsys.disabled():
        print(f"\n[installer] bundle {bundle.name}/: {size / 1e6:.1f} MB, archive "
              f"{archive.name}: {archive.stat().st_size / 1e6:.1f} MB, build {seconds:.0f} s")
    assert size <= MAX_BUNDLE_BYTES, f"bundle is {size / 1e6:.1f} MB, over 200 MB"

    internal = bundle / "_internal"
    # Data files where fieldapp/paths.py and fieldapp/i18n.py look for them.
    for name in ("env.py", "script.py.mako"):
        assert (internal / "migrations" / name).is_file()
    versions = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("0*.py"))
    assert versions and versions == sorted(
        p.name for p in (internal / "migrations" / "versions").glob("0*.py"))
    assert sorted(p.name for p in (ROOT / "resources").glob("*.toml")) == sorted(
        p.name for p in (internal / "resources").glob("*.toml"))
    mo_files = sorted(p.relative_to(ROOT).as_posix()
                      for p in (ROOT / "fieldapp" / "locale").glob("*/LC_MESSAGES/*.mo"))
    assert mo_files and mo_files == sorted(
        p.relative_to(internal).as_posix()
        for p in (internal / "fieldapp" / "locale").glob("*/LC_MESSAGES/*.mo"))
    assert sorted(p.name for p in (ROOT / "fieldapp" / "fonts").glob("*.ttf")) == sorted(
        p.name for p in (internal / "fieldapp" / "fonts").glob("*.ttf"))
    for dat in ("root.dat", "sv_SE.dat", "en_GB.dat"):
        assert (internal / "babel" / "locale-data" / dat).is_file()
    # Only the Qt the app uses.
    qt_libs = {p.name.split(".")[0] for p in (internal / "PySide6" / "Qt" / "lib").iterdir()}
    assert {"libQt6Core", "libQt6Gui", "libQt6Widgets"} <= qt_libs
    assert not qt_libs & {"libQt6Network", "libQt6Qml", "libQt6Quick", "libQt6Pdf"}
    assert (internal / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so").is_file()
    assert not [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()], \
        "dangling symlinks in the bundle"

    with tarfile.open(archive) as tf:
        names = set(tf.getnames())
    for name in ("Faltlogg/Faltlogg", "Faltlogg/install.sh", "Faltlogg/faltlogg.desktop",
                 "Faltlogg/icons/faltlogg.png"):
        assert name in names, f"{name} missing from {archive.name}"


def test_version(run):
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"fieldapp {_version()}"


def test_demo_status_and_report(run, tmp_path):
    db = "tmp/x.sqlite"
    (tmp_path / "tmp").mkdir()
    demo = run("--db", db, "demo")
    assert demo.returncode == 0, demo.stderr
    status = run("--db", db, "db", "status", "--json")
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)["counts"]
    assert counts["shifts"] > 0 and counts["observations"] > 0

    report = run("--db", db, "report", "--week", "last", "-o", "v.pdf")
    assert report.returncode == 0, f"{report.stdout}\n{report.stderr}"
    from pypdf import PdfReader

    reader = PdfReader(str(tmp_path / "v.pdf"))
    assert len(reader.pages) >= 1
    assert reader.pages[0].extract_text().strip()


def test_window_opens_and_closes(run, tmp_path):
    (tmp_path / "tmp").mkdir()
    assert run("--db", "tmp/x.sqlite", "demo").returncode == 0
    result = run("--db", "tmp/x.sqlite", "--smoke-test", timeout=90)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr


def test_linux_install_update_keeps_data(built, run, tmp_path):
    """install.sh from the archive: program, menu entry, launcher; an update replaces the
    program folder and leaves the user's data alone."""
    _bundle, archive, _seconds = built
    home = Path(run.env["HOME"])
    data = Path(run.env["XDG_DATA_HOME"])
    (data / "Faltlogg").mkdir(parents=True)
    user_file = data / "Faltlogg" / "faltlogg.sqlite"
    user_file.write_bytes(b"the user's data")

    unpacked = tmp_path / "unpacked"
    unpacked.mkdir()
    with tarfile.open(archive) as tf:
        tf.extract("Faltlogg/install.sh", unpacked)
    install = unpacked / "Faltlogg" / "install.sh"
    appdir = data / "faltlogg-app"
    for round_ in ("install", "update"):
        result = subprocess.run(["sh", str(install), str(archive)], env=run.env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{round_}:\n{result.stdout}\n{result.stderr}"
        if round_ == "install":
            (appdir / "left-over-from-old-version").write_text("x")
    assert not (appdir / "left-over-from-old-version").exists(), "update kept old files"
    assert (appdir / "Faltlogg").is_file()
    desktop = (data / "applications" / "faltlogg.desktop").read_text(encoding="utf-8")
    assert f"Exec={appdir}/Faltlogg" in desktop and f"Icon={appdir}/icons/faltlogg.png" in desktop
    launcher = home / ".local" / "bin" / "faltlogg"
    assert launcher.is_symlink()
    version = run("--version", program=launcher)
    assert version.returncode == 0 and _version() in version.stdout, version.stderr
    assert user_file.read_bytes() == b"the user's data"

    result = subprocess.run(["sh", str(install)], env=run.env, capture_output=True, text=True,
                            timeout=300)  # from the unpacked folder without _internal: refused
    assert result.returncode != 0 and "not a Fältlogg bundle" in result.stderr

    result = subprocess.run(["sh", str(appdir / "install.sh"), "--uninstall"], env=run.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not appdir.exists() and not launcher.exists()
    assert user_file.read_bytes() == b"the user's data"
