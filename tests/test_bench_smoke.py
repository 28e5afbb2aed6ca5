"""A tiny run of every benchmark, so the benchmarks cannot rot (issue 8)."""

from __future__ import annotations

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
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = [line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    assert len(table) == 2 + len(MEASURES)  # header, rule, one row per measure
    for line in table[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[2] and cells[3], line  # a figure and its baseline
        assert cells[7].endswith("MB"), line  # peak memory reported
