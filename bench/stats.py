"""Timing helpers: median with min and max over repeats, the first run of the process beside
them; app and baseline interleaved run by run; percentiles of many samples; peak memory."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    median: float  # of the warm runs (the first run of the process left out when there are more)
    low: float
    high: float
    runs: int
    first: float | None = None  # the first run in this process (cold caches, first imports)

    def ms(self) -> str:
        text = f"{self.median * 1000:.1f} ms ({self.low * 1000:.1f}–{self.high * 1000:.1f})"
        return text + (f"; first {self.first * 1000:.1f} ms" if self.first is not None else "")

    def s(self) -> str:
        text = f"{self.median:.2f} s ({self.low:.2f}–{self.high:.2f})"
        return text + (f"; first {self.first:.2f} s" if self.first is not None else "")

    def auto(self) -> str:
        return self.s() if self.median >= 1 else self.ms()


def timing(samples: list[float], *, first: bool = True) -> Timing:
    """The warm runs' median, min and max; with ``first`` the first sample is the process's
    first run, reported beside them (and left out of the median when there are others)."""
    first_run = samples[0] if first else None
    warm = samples[1:] if first and len(samples) > 1 else samples
    return Timing(statistics.median(warm), min(warm), max(warm), len(warm), first_run)


def timed(fn: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None) -> Timing:
    """``repeat`` warm runs after the process's first one (reported as ``first``)."""
    samples = []
    for _ in range(repeat + 1):
        if setup:
            setup()
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return timing(samples)


def interleaved(app: Callable[[], object], base: Callable[[], object], repeat: int, *,
                setup_app: Callable[[], object] | None = None,
                setup_base: Callable[[], object] | None = None) -> tuple[Timing, Timing]:
    """App and baseline run by run (B A B A …), so a change of the machine's load hits both
    alike; each with its first run of the process beside the warm median."""
    a, b = [], []
    for _ in range(repeat + 1):
        for fn, setup, samples in ((base, setup_base, b), (app, setup_app, a)):
            if setup:
                setup()
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
    return timing(a), timing(b)


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def peak_mb() -> float:
    """This process's own peak resident size (VmHWM): not a forked child's ru_maxrss, which
    starts at its parent's size."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")
