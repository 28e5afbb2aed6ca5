"""Run one measure in this process and print its Row as JSON (with the peak memory)."""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from bench.measures import MEASURES


def main() -> None:
    name, data_json, work, repeat = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    data = {k: Path(v) for k, v in json.loads(data_json).items()}
    work.mkdir(parents=True, exist_ok=True)
    row = MEASURES[name](data, work, repeat)
    row.peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("BENCH-ROW " + json.dumps(row.as_dict(), ensure_ascii=False))


if __name__ == "__main__":
    main()
