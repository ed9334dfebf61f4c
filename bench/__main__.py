"""`make bench`: every benchmark beside its ceiling measured in the same run.

Prints progress while it runs, then one table (path, ours, ceiling, ratio, goal, met), and writes
bench/results/latest.json and bench/results/latest.png. Both are ignored by git, so a newcomer's run
never dirties the tree; the figures the README quotes are the committed copies
bench/results/published.json and published.png (`python -m bench --publish` writes those instead).
"""

from __future__ import annotations

import importlib
import json
import math
import platform
import sys
import time
from pathlib import Path
from typing import Any

from smefin.db import utcnow

# Each module's run() returns its figures and "rows": dicts with path, ours, ceiling, unit, goal,
# met and optionally lower_is_better / before.
BENCHMARKS = [
    "bench.loan_matching",
    "bench.credit_info_rating",
    "bench.events",
    "bench.outbox_relay",
    "bench.fairs",
    "bench.gateway",
    "bench.load",
]
RESULTS = Path(__file__).parent / "results"


def ratio(row: dict[str, Any]) -> float | None:
    """Ours as a share of the ceiling (for times: the ceiling's time over ours)."""
    ours, ceiling = row.get("ours"), row.get("ceiling")
    if not isinstance(ours, int | float) or not isinstance(ceiling, int | float) or not ours or not ceiling:
        return None
    return float(ceiling / ours if row.get("lower_is_better") else ours / ceiling)


def _fmt(value: Any, unit: str) -> str:
    if not isinstance(value, int | float):
        return "-"
    if unit == "pairs/s":
        return f"{value / 1e6:.1f}M pairs/s"
    if abs(value) >= 1000:
        return f"{value:,.0f} {unit}"
    return f"{value:g} {unit}"


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table (what the README quotes)."""
    lines = [
        "| path | ours | ceiling (same run) | ratio | goal | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        q = ratio(r)
        lines.append(
            f"| {r['path']} | {_fmt(r.get('ours'), r['unit'])} | {_fmt(r.get('ceiling'), r['unit'])} | "
            f"{'-' if q is None else f'{q:.0%}'} | {r['goal']} | {'yes' if r.get('met') else '**no**'} |"
        )
    return "\n".join(lines)


def chart(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """A bar per row: ours as a share of its same-run ceiling, green where the goal is met."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [(r, q) for r in rows if (q := ratio(r)) is not None]
    fig, ax = plt.subplots(figsize=(10, 0.5 * len(shown) + 1.5))
    labels = [r["path"] for r, _ in shown]
    values = [min(q, 3.0) * 100 for _, q in shown]
    ax.barh(labels, values, color=["#2e7d32" if r.get("met") else "#c62828" for r, _ in shown])
    for i, ((r, q), v) in enumerate(zip(shown, values, strict=True)):
        ax.text(
            v + 1,
            i,
            f"{q:.0%}  ({_fmt(r['ours'], r['unit'])} vs {_fmt(r['ceiling'], r['unit'])})",
            va="center",
            fontsize=8,
        )
    ax.axvline(100, color="grey", linewidth=0.8)
    ax.invert_yaxis()
    ax.set_xlabel("ours as % of the ceiling measured in the same run (green: goal met)")
    ax.set_xlim(0, max([*values, 100]) * 1.6)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main() -> int:
    """Run the benchmarks named on the command line, or all of them."""
    args = sys.argv[1:]
    publish = "--publish" in args
    # `python -m bench gateway events` runs those modules only (short or full names).
    wanted = [
        a if a.startswith("bench.") else f"bench.{a}" for a in args if not a.startswith("--")
    ] or BENCHMARKS
    report: dict[str, Any] = {
        "at": utcnow().isoformat(),
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "results": {},
        "rows": [],
    }
    failed = False
    begun = time.perf_counter()
    for n, name in enumerate(wanted, 1):
        print(f"== [{n}/{len(wanted)}] {name}  ({time.perf_counter() - begun:.0f} s so far)", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(name)
            figures = module.run()
        except Exception as exc:
            print(f"   FAILED: {exc!r}", flush=True)
            report["results"][name] = {"error": repr(exc)}
            failed = True
            continue
        figures["wall_seconds"] = round(time.perf_counter() - started, 2)
        report["rows"] += figures.get("rows", [])
        report["results"][name] = figures
        print(f"   done in {figures['wall_seconds']} s", flush=True)
    for r in report["rows"]:
        q = ratio(r)
        r["ratio"] = None if q is None or math.isnan(q) else round(q, 4)
    print()
    print(table(report["rows"]))
    RESULTS.mkdir(exist_ok=True)
    stem = "published" if publish else "latest"
    out = RESULTS / f"{stem}.json"
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    if report["rows"]:
        chart(
            report["rows"], RESULTS / f"{stem}.png", f"make bench, {report['at'][:16]} UTC, same-run ceilings"
        )
    print(f"\nfigures written to {out} and {out.with_suffix('.png')}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
