"""A tiny run of every benchmark, so the benchmarks cannot rot (issue 8).

The PostgreSQL measure uses FIELDAPP_TEST_PG_URL when it is set (as in CI); without it, its
row says "skipped: no server" and the run still passes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.measures import MEASURES

ROOT = Path(__file__).resolve().parent.parent


def test_every_measure_runs_on_tiny_data(tmp_path):
    out = tmp_path / "results.md"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--scale", "smoke", "--repeat", "1",
         "--data", str(tmp_path / "data"), "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.returncode == 0, result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert "cores" in text and "SQLite" in text and "PySide6" in text  # the machine
    assert "bare PySide6 window" in text and " ms: compare runs" in text  # its bare window
    assert "ENCRYPTED" in text and "interleaved" in text and "VmHWM" in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(MEASURES)  # header, rule, one row per measure
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] and cells[3], line  # a figure and its baseline
        assert cells[7].endswith("MB"), line  # peak memory reported
        if cells[2].startswith("skipped"):
            assert cells[0].startswith("push envelopes to PostgreSQL"), line
            assert not os.environ.get("FIELDAPP_TEST_PG_URL"), "the server was given: measure it"
        elif cells[3] != "–":
            assert cells[4].endswith("×"), line  # a ratio beside every baseline
            assert "first" in cells[2] and "first" in cells[3], line  # first runs beside
    names = [line.split("|")[1].strip() for line in table[2:]]
    assert any(name.startswith("Idag refresh") for name in names)
    assert any(name.startswith("encrypted read") for name in names)
