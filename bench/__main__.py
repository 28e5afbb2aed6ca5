"""python -m bench [--scale full|team|smoke] [--only NAME ...] [--repeat N] [--out FILE]"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.datasets import BUSY_NOW, ENCRYPTED, SCALES, build, build_encrypted
from bench.measures import MEASURES, Row


def machine() -> str:
    try:
        import PySide6
        qt = PySide6.__version__
    except ImportError:
        qt = "not installed"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores, {mem:.0f} GiB memory, {platform.platform()}, "
            f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, PySide6 {qt}")


def run_one(name: str, data: dict[str, Path], work: Path, repeat: int, scale: str) -> Row:
    """Prepare (if the measure has a preparation) and run ``name``, each in a fresh process."""
    base = [sys.executable, "-m", "bench.one", name,
            json.dumps({k: str(v) for k, v in data.items()}), str(work / name), str(repeat), scale]
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    if MEASURES[name].prepare is not None:
        result = subprocess.run([*base, "prepare"], capture_output=True, text=True, cwd=root, env=env)
        if "BENCH-PREPARED" not in result.stdout:
            raise RuntimeError(f"preparing {name} failed:\n{result.stderr[-3000:]}")
    result = subprocess.run(base, capture_output=True, text=True, cwd=root, env=env)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-ROW "):
            return Row(**json.loads(line[len("BENCH-ROW "):]))
    raise RuntimeError(f"measure {name} failed:\n{result.stderr[-3000:]}")


SCALE_NOTES = {
    "team": "scale `team`: the team-year set (5 devices, 52 weeks, 150,000 observations) stands "
            "in for the city-year one in every row that names it (a run within minutes; its "
            "busy week has 30 shifts, the city-year's 900: the Idag statement count does not "
            "depend on it, tests/test_today_queries.py); the targets are the city-year's",
    "smoke": "scale `smoke`: tiny data, the figures say nothing",
}


def to_markdown(rows: list[Row], scale: str) -> str:
    bare = next((r.extra["bare_window_ms"] for r in rows if "bare_window_ms" in r.extra), None)
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}; scale `{scale}`.",
        f"This machine's bare PySide6 window (fresh process to painted, offscreen): "
        f"{bare:.1f} ms: compare runs on other machines by it." if bare else
        "The bare-window time was not measured in this run (cold-start not run).",
        "Every measure reads the ENCRYPTED copy of its data set (SQLCipher, as users have "
        f"it) with the app's clock inside the data's last week ({BUSY_NOW:%Y-%m-%d %H:%M} UTC: "
        "a busy current week). Each figure is the median of the warm runs (min–max in "
        "brackets; the process's first run beside it as 'first'), its bare baseline run "
        "interleaved with it run by run (B A B A …) in the same process on the same data. "
        "Peak memory: the measured process's own VmHWM.",
        *([f"Note: {SCALE_NOTES[scale]}."] if scale in SCALE_NOTES else []),
        "",
        "| measure | data | figure | bare baseline | ratio | target | met | peak memory |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r.ratio:.2f}×" if r.ratio is not None else "–"
        met = {True: "yes", False: "**no**", None: "–"}[r.met]
        peak = f"{r.peak_mb:.0f} MB" if r.peak_mb else "–"
        lines.append(f"| {r.measure} | {r.data} | {r.value} | {r.baseline} | {ratio} | {r.target} "
                     f"| {met} | {peak} |")
    notes = [f"- {r.measure}: {r.note}" for r in rows if r.note]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--only", nargs="*", choices=sorted(MEASURES), default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parent / "data")
    parser.add_argument("--fresh", action="store_true", help="rebuild the data sets")
    parser.add_argument("--out", type=Path, default=None,
                        help="Markdown file (default: bench/RESULTS.md for a whole full or team run)")
    args = parser.parse_args(argv)
    specs = SCALES[args.scale]
    data = {}
    for name, spec in specs.items():
        print(f"data set {name}: {spec.devices} devices, {spec.weeks} weeks, "
              f"{spec.observations} observations", flush=True)
        data[name] = build(args.data / args.scale, spec, fresh=args.fresh)
        data[name + ENCRYPTED] = build_encrypted(data[name], fresh=args.fresh)
    rows = []
    with tempfile.TemporaryDirectory(prefix="fieldapp-bench-") as work:
        for name in args.only or list(MEASURES):
            row = run_one(name, data, Path(work), args.repeat, args.scale)
            print(f"{row.measure}: {row.value} vs {row.baseline} ({row.target})", flush=True)
            rows.append(row)
    # RESULTS.md is the whole table: a run of some measures (--only) prints, never overwrites it
    whole = args.scale in ("full", "team") and not args.only
    out = args.out or (Path(__file__).resolve().parent / "RESULTS.md" if whole else None)
    text = to_markdown(rows, args.scale)
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
