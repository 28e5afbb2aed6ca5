"""Run one measure (or its preparation) in this process and print its Row as JSON, with the
peak memory of this process (its own VmHWM).

    python -m bench.one NAME DATA_JSON WORK REPEAT SCALE [prepare]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from bench.measures import MEASURES, Ctx
from bench.stats import peak_mb


def main() -> None:
    name, data_json, work, repeat, scale = sys.argv[1:6]
    prepare = sys.argv[6:] == ["prepare"]
    ctx = Ctx(data={k: Path(v) for k, v in json.loads(data_json).items()}, work=Path(work),
              repeat=int(repeat), scale=scale)
    ctx.work.mkdir(parents=True, exist_ok=True)
    measure = MEASURES[name]
    if prepare:
        if measure.prepare is not None:
            measure.prepare(ctx)
        print("BENCH-PREPARED")
        return
    row = measure.run(ctx)
    if row.peak_mb is None:
        row.peak_mb = peak_mb()
    print("BENCH-ROW " + json.dumps(row.as_dict(), ensure_ascii=False))


if __name__ == "__main__":
    main()
