"""fieldapp.files: one atomic write for every file the app writes."""

from __future__ import annotations

import os
import stat
import sys

import pytest

from fieldapp import files

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_a_new_file_is_for_its_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = files.write_bytes(tmp_path / "report.csv", b"a;b\n")
    finally:
        os.umask(old)
    assert target.read_bytes() == b"a;b\n"
    assert _mode(target) == 0o600


@posix_only
def test_a_stricter_umask_is_respected(tmp_path):
    old = os.umask(0o277)
    try:
        target = files.write_bytes(tmp_path / "report.csv", b"x")
    finally:
        os.umask(old)
    assert _mode(target) == 0o400


@posix_only
def test_mode_none_leaves_the_mode_to_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        target = files.write_bytes(tmp_path / "bundle", b"x", mode=None)
    finally:
        os.umask(old)
    assert _mode(target) == 0o644


def test_a_replaced_file_gets_the_new_content_and_no_temporary_file_stays(tmp_path):
    target = tmp_path / "week.pdf"
    target.write_bytes(b"old")
    files.write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["week.pdf"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "year.xlsx"
    target.write_bytes(b"old")

    def writer(fh):
        fh.write(b"half of it")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        files.write_with(target, writer)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["year.xlsx"]


def test_a_failing_step_before_the_replace_leaves_the_old_file(tmp_path):
    target = tmp_path / "data.sqlite"
    target.write_bytes(b"old")

    def refuse():
        raise OSError("cannot set the old file aside")

    with pytest.raises(OSError):
        files.write_with(target, lambda fh: fh.write(b"new"), before_replace=refuse)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.sqlite"]


def test_exclusive_never_replaces_an_existing_file(tmp_path):
    target = tmp_path / "00000001.bundle"
    files.write_bytes(target, b"first", exclusive=True)
    with pytest.raises(FileExistsError):
        files.write_bytes(target, b"second", exclusive=True)
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["00000001.bundle"]


def test_a_missing_folder_is_an_os_error_and_leaves_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        files.write_bytes(tmp_path / "missing" / "x.csv", b"x")
    assert list(tmp_path.iterdir()) == []
