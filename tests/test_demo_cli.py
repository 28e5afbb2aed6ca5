"""The demo generator and the command-line contract."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys

import pytest

from fieldapp.cli import main
from fieldapp.demo import generate_demo
from fieldapp.domain.weeks import IsoWeek, to_stockholm
from fieldapp.store.database import open_database

NOW = dt.datetime(2024, 11, 27, 12, 0, tzinfo=dt.timezone.utc)  # Wednesday of 2024-W48


def content(path) -> dict[str, list]:
    """Everything the demo wrote, without the ids that differ between devices."""
    con = sqlite3.connect(path)
    staff = dict(con.execute("SELECT id, initials FROM staff"))
    shifts = {}
    for sid, *row in con.execute(
            "SELECT id, kind, starts_at, ends_at, weather, summary, youth_counts, adults_met, "
            "concern_reports, referrals FROM shift"):
        members = sorted(staff[s] for (s,) in
                         con.execute("SELECT staff_id FROM shift_staff WHERE shift_id=?", (sid,)))
        areas = sorted(a for (a,) in con.execute("SELECT area_id FROM shift_area WHERE shift_id=?", (sid,)))
        shifts[sid] = (*row, members, areas)
    result = {
        "shifts": sorted(map(repr, shifts.values())),
        "observations": sorted(map(repr, con.execute(
            "SELECT s.starts_at, o.place_id, o.category_id, o.severity, o.observed_at, o.people_count, "
            "o.youths_present, o.action_taken FROM observation o JOIN shift s ON s.id = o.shift_id"))),
        "meetings": sorted(map(repr, con.execute("SELECT kind, held_at, title, situation FROM meeting"))),
        "actions": sorted(map(repr, con.execute(
            "SELECT a.place_id, a.starts_at, a.ends_at, a.status, s.starts_at FROM action a "
            "LEFT JOIN action_carried_out c ON c.action_id = a.id AND c.deleted_at IS NULL "
            "LEFT JOIN shift s ON s.id = c.shift_id"))),
    }
    con.close()
    return result


def test_demo_has_the_promised_shape(database):
    result = generate_demo(database, seed=7, weeks=4, now=NOW)
    assert [str(w) for w in result.weeks] == ["2024-W44", "2024-W45", "2024-W46", "2024-W47"]
    con = sqlite3.connect(database.path)
    assert con.execute("SELECT COUNT(*) FROM staff").fetchone()[0] == 3
    kinds_by_weekday: dict[str, set[int]] = {}
    for kind, starts_at in con.execute("SELECT kind, starts_at FROM shift"):
        start = to_stockholm(dt.datetime.fromisoformat(starts_at).replace(tzinfo=dt.timezone.utc))
        kinds_by_weekday.setdefault(kind, set()).add(start.weekday())
        assert IsoWeek.of(start) in result.weeks
    assert kinds_by_weekday["nattvandring"] == {4, 5}  # Friday and Saturday evenings
    assert kinds_by_weekday["faltpass"] <= {0, 1, 2, 3}
    meetings = [to_stockholm(dt.datetime.fromisoformat(h).replace(tzinfo=dt.timezone.utc))
                for (h,) in con.execute("SELECT held_at FROM meeting WHERE kind='utsattningsmote'")]
    assert len(meetings) == 4 and {m.weekday() for m in meetings} == {3}
    done = con.execute(
        "SELECT COUNT(*) FROM action_carried_out WHERE shift_id IS NOT NULL").fetchone()[0]
    assert done >= 1
    # Observations concentrate at the hotspots.
    at_hotspots, total = con.execute(
        "SELECT SUM(p.hotspot_status IS NOT NULL), COUNT(*) "
        "FROM observation o JOIN place p ON p.id = o.place_id").fetchone()
    assert at_hotspots / total > 0.7
    con.close()


def test_same_seed_gives_the_same_content(tmp_path):
    paths = []
    for name in ("a.sqlite", "b.sqlite"):
        db = open_database(tmp_path / name)
        generate_demo(db, seed=3, weeks=4, now=NOW)
        db.close()
        paths.append(tmp_path / name)
    assert content(paths[0]) == content(paths[1])
    other = tmp_path / "c.sqlite"
    db = open_database(other)
    generate_demo(db, seed=4, weeks=4, now=NOW)
    db.close()
    assert content(other) != content(paths[0])


def test_cli_demo_then_status_json_shows_the_counts(db_path, capsys):
    assert main(["--db", str(db_path), "demo", "--seed", "2"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "db", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["revision"] == status["head"]
    con = sqlite3.connect(db_path)
    for key, table in (("shifts", "shift"), ("observations", "observation"), ("meetings", "meeting"),
                       ("actions", "action"), ("staff", "staff"), ("places", "place"),
                       ("areas", "area"), ("partners", "partner")):
        assert status["counts"][key] == con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    con.close()
    assert status["counts"]["shifts"] > 0 and status["counts"]["observations"] > 0


def test_cli_db_upgrade_on_a_current_file(db_path, capsys):
    assert main(["--db", str(db_path), "db", "upgrade"]) == 0
    assert main(["--lang", "en", "--db", str(db_path), "db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_cli_environment_variable_chooses_the_file(tmp_path, monkeypatch, capsys):
    path = tmp_path / "from-env.sqlite"
    monkeypatch.setenv("FIELDAPP_DB", str(path))
    assert main(["db", "upgrade"]) == 0
    assert path.exists()


def test_cli_refuses_a_non_database_with_exit_1(tmp_path, capsys):
    path = tmp_path / "letter.txt"
    path.write_text("Hej!")
    assert main(["--db", str(path), "db", "status"]) == 1
    assert "inte en Fältlogg-databas" in capsys.readouterr().err
    assert path.read_text() == "Hej!"


@pytest.mark.parametrize("argv", [["frobnicate"], ["db"], ["demo", "--weeks", "zero"],
                                  ["--lang", "fi", "db", "status"]])
def test_cli_bad_usage_exits_2(db_path, argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--db", str(db_path), *argv])
    assert info.value.code == 2


def test_cli_bad_weeks_exit_2_and_leaves_no_file(db_path, capsys):
    assert main(["--db", str(db_path), "demo", "--weeks", "0"]) == 2
    assert "--weeks" in capsys.readouterr().err
    assert not db_path.exists()


def test_module_entry_point_prints_the_version():
    result = subprocess.run([sys.executable, "-m", "fieldapp", "--version"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0
    assert result.stdout.startswith("fieldapp ")


def test_argparse_speaks_the_apps_language(capsys):
    """argparse's own words (usage, options, its error lines) are translated too."""
    with pytest.raises(SystemExit) as info:
        main(["report", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("användning: fieldapp report") and "\nflaggor:\n" in out
    assert "visa den här hjälpen och avsluta" in out
    with pytest.raises(SystemExit) as info:
        main(["--bogus"])
    assert info.value.code == 2
    assert "fieldapp: fel: okända argument: --bogus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--lang", "en", "report", "--help"])
    assert capsys.readouterr().out.startswith("usage: fieldapp report")
