"""Run every benchmark module and write `bench/results.json`.

Each `bench/bench_<name>.py` exposes `run() -> dict[str, Metric]`, where a metric is
`{"value": number, "unit": str, "target": number}`; lower is better unless the unit ends in "/s".
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    results: dict[str, dict[str, object]] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules([str(HERE)])):
        if not module.startswith("bench_"):
            continue
        print(f"running {module} …", flush=True)
        results.update(importlib.import_module(f"bench.{module}").run())
    missed = []
    for name, metric in results.items():
        value, target, unit = metric["value"], metric["target"], str(metric["unit"])
        if target is None:
            verdict = "(for comparison)"
        else:
            ok = value >= target if unit.endswith("/s") else value <= target
            missed += [] if ok else [name]
            verdict = f"target {target} {'ok' if ok else 'MISSED'}"
        extra = {k: v for k, v in metric.items() if k not in {"value", "unit", "target"}}
        print(f"  {name:<40} {value:>12} {unit:<10} {verdict} {extra or ''}")
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {HERE / 'results.json'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
