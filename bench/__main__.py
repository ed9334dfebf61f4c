"""`make bench`: run every benchmark, print progress, write figures to bench/results/latest.json."""

from __future__ import annotations

import importlib
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

from smefin.db import utcnow

# Each module exposes run() -> dict of figures, with its own same-run ceiling where one applies.
BENCHMARKS = [
    "bench.credit_info_rating",
    "bench.loan_matching",
    "bench.outbox_relay",
    "bench.fairs",
    "bench.gateway",
]
RESULTS = Path(__file__).parent / "results"


def main() -> int:
    """Run the benchmarks named on the command line, or all of them."""
    wanted = sys.argv[1:] or BENCHMARKS
    report: dict[str, Any] = {
        "at": utcnow().isoformat(),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "results": {},
    }
    failed = False
    for name in wanted:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            print(f"   skipped: {exc}")
            continue
        try:
            figures = module.run()
        except Exception as exc:
            print(f"   FAILED: {exc!r}")
            report["results"][name] = {"error": repr(exc)}
            failed = True
            continue
        figures["wall_seconds"] = round(time.perf_counter() - started, 2)
        report["results"][name] = figures
        print(json.dumps(figures, indent=2, default=str))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"figures written to {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
