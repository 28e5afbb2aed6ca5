"""``fieldapp report``: a good run in each format, and bad input (week, format, output path)
gives a clear message, exit code 2 and no file left behind."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.domain.weeks import IsoWeek
from fieldapp.store.database import open_database

NOW = dt.datetime(2024, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
CREATED = "2024-11-25T08:00+01:00"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    database = open_database(path)
    generate_demo(database, seed=2, weeks=3, now=NOW)
    database.close()
    return path


def shifts_in_w47(path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM shift WHERE deleted_at IS NULL AND "
                           "starts_at >= '2024-11-17 23:00:00' AND starts_at < '2024-11-24 23:00:00'"
                           ).fetchone()[0]
    finally:
        con.close()


def files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_report_writes_a_pdf(demo_path, tmp_path, capsys):
    target = tmp_path / "v47.pdf"
    code = main(["--db", str(demo_path), "report", "--week", "2024-W47", "--scope", "team",
                 "-o", str(target), "--created", CREATED])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "Veckologg v. 47 2024" in out and str(target) in out
    reader = PdfReader(target)
    assert reader.metadata.title == "Veckologg v. 47 2024 (18–24 november)"
    assert files(tmp_path) == ["v47.pdf"]  # no temporary file left


@pytest.mark.parametrize("suffix", ["xlsx", "csv", "json"])
def test_the_format_follows_the_suffix(demo_path, tmp_path, suffix):
    target = tmp_path / f"v47.{suffix}"
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o", str(target)]) == 0
    data = target.read_bytes()
    expected = shifts_in_w47(demo_path)
    if suffix == "xlsx":
        sheet = load_workbook(target)["Nyckeltal"]
        figures = {row[2]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert figures["shifts"] == expected
    elif suffix == "csv":
        assert data.startswith(b"\xef\xbb\xbf") and b";" in data
    else:
        assert json.loads(data)["key"]["shifts"] == expected


def test_defaults_last_week_pdf_in_the_current_folder(demo_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", str(demo_path), "report", "--week", "2024-w47"]) == 0
    assert files(tmp_path) == ["veckologg-2024-W47.pdf"]
    monkeypatch.setattr("fieldapp.cli.report.utcnow", lambda: NOW)
    assert main(["--db", str(demo_path), "report", "--format", "json"]) == 0
    assert "veckologg-2024-W47.json" in files(tmp_path)  # --week last: the last complete week
    assert json.loads((tmp_path / "veckologg-2024-W47.json").read_text())["week"] == "2024-W47"


def test_the_same_bytes_with_source_date_epoch(demo_path, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1732518000")
    for name in ("a.pdf", "b.pdf"):
        assert main(["--db", str(demo_path), "report", "--week", "2024-W47",
                     "-o", str(tmp_path / name)]) == 0
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()


@pytest.mark.parametrize("week, message", [
    ("2024-W54", "Okänd vecka"),
    ("2025-W53", "Okänd vecka"),  # 2025 has 52 weeks
    ("förra veckan", "Okänd vecka"),
    ("", "Okänd vecka"),
])
def test_a_bad_week_is_refused(demo_path, tmp_path, capsys, week, message):
    code = main(["--db", str(demo_path), "report", "--week", week, "-o", str(tmp_path / "x.pdf")])
    assert code == 2
    assert message in capsys.readouterr().err
    assert files(tmp_path) == []


@pytest.mark.parametrize("args", [["--format", "docx"], ["--format", "html"]])
def test_a_format_not_offered_is_refused(demo_path, tmp_path, capsys, args):
    code = main(["--db", str(demo_path), "report", "--week", "2024-W47", *args,
                 "-o", str(tmp_path / "x.docx")])
    assert code == 2
    err = capsys.readouterr().err
    assert "finns inte" in err and "pdf, xlsx, csv, json" in err
    assert files(tmp_path) == []


def test_an_unwritable_path_is_refused(demo_path, tmp_path, capsys):
    missing = tmp_path / "finns-inte" / "x.pdf"
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o", str(missing)]) == 2
    assert "finns inte" in capsys.readouterr().err
    assert not missing.parent.exists()

    folder = tmp_path / "ro"
    folder.mkdir()
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o", str(folder)]) == 2
    assert "är en mapp" in capsys.readouterr().err

    if os.geteuid() != 0:  # root may write anywhere
        folder.chmod(0o500)
        try:
            assert main(["--db", str(demo_path), "report", "--week", "2024-W47",
                         "-o", str(folder / "x.pdf")]) == 2
            assert files(folder) == []
        finally:
            folder.chmod(0o700)


def test_a_failed_write_leaves_no_partial_file(demo_path, tmp_path, monkeypatch, capsys):
    def fail(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fieldapp.reports.export.os.replace", fail)
    target = tmp_path / "x.pdf"
    assert main(["--db", str(demo_path), "report", "--week", "2024-W47", "-o", str(target)]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert files(tmp_path) == []


def test_a_missing_database_is_not_created(tmp_path, capsys):
    db = tmp_path / "saknas.sqlite"
    assert main(["--db", str(db), "report", "--week", "2024-W47",
                 "-o", str(tmp_path / "x.pdf")]) == 1
    assert "Ingen databas" in capsys.readouterr().err
    assert files(tmp_path) == []


def test_week_53_from_the_command_line(demo_path, tmp_path):
    target = tmp_path / "v53.pdf"
    assert main(["--db", str(demo_path), "report", "--week", "2026-W53", "-o", str(target)]) == 0
    text = "\n".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Veckologg v. 53 2026 (28 december 2026–3 januari 2027)" in text
    assert IsoWeek.parse("2026-W53").sunday() == dt.date(2027, 1, 3)
