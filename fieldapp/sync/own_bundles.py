"""What a device finds in its own folder of the folder hub (:class:`fieldapp.sync.folder.
FolderHub.check_own`): its bundles by number, the numbers it set aside, stale temporary files
(removed), other names (reported), and the bundles it wrote that are gone. Bounded by the
entries of the folder and by the number of bundles the device wrote, never by the largest
name found."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from fieldapp.i18n import _
from fieldapp.sync.bundle import bundle_name, parse_bundle_name

DAMAGED = ".damaged"
STALE_TEMP_SECONDS = 600


def scan_own(own: Path, now: float, findings: list[str]) -> tuple[dict[int, Path], set[int]]:
    """This device's bundles and set-aside numbers in ``own``; temporary files older than
    :data:`STALE_TEMP_SECONDS` (left by an interrupted push) are removed, and other names are
    added to ``findings`` (ignored, for the user to remove)."""
    bundles: dict[int, Path] = {}
    damaged: set[int] = set()
    with os.scandir(own) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") and name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    if now - entry.stat(follow_symlinks=False).st_mtime > STALE_TEMP_SECONDS:
                        os.unlink(entry.path)
                continue
            seq = parse_bundle_name(name)
            aside = parse_bundle_name(name[: -len(DAMAGED)]) if name.endswith(DAMAGED) else None
            if seq is not None:
                bundles[seq] = own / name
            elif aside is not None:
                damaged.add(aside)
            else:
                findings.append(_("{file} is not a bundle of this app; it is ignored "
                                  "(remove it)").format(file=own / name))
    return bundles, damaged


def missing_bundles(own: Path, pushed_seq: int, bundles: dict[int, Path],
                    damaged: set[int]) -> list[str]:
    """The bundles up to ``pushed_seq`` that are neither there nor set aside: at most three
    named and the rest counted, without walking every number."""
    present = {seq for seq in (*bundles, *damaged) if seq <= pushed_seq}
    count = pushed_seq - len(present)
    problems: list[str] = []
    seq = 0
    while len(problems) < min(count, 3):
        seq += 1
        if seq not in present:
            problems.append(_("{file} is missing from the hub").format(file=own / bundle_name(seq)))
    if count > len(problems):
        problems.append(_("{count} more bundles are missing from the hub").format(
            count=count - len(problems)))
    return problems
