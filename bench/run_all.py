"""Run every benchmark in this folder, one after another, collect their results into
BENCHMARKS.md (each script writes <results>/<topic>.md with date, machine and numbers), and
print one table of every measure against its goal (each script writes <topic>.goals.json).

Usage: ``python bench/run_all.py [--quick] [--only import,analysis,…] [--collect-only]``.

``--quick`` runs a small version of each benchmark (the sizes in :data:`QUICK`: a few minutes
in all on an idle machine; ``truth`` is skipped) to check that the scripts work; its results go to out/bench-quick/
(``EDUQUALITY_BENCH_RESULTS``), never over the full-size results in bench/results/. Its
ratios are not the goals' ratios: start-up dominates small files.
Run on an otherwise idle machine: the timings are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = ["import", "cli", "analysis", "irt", "growth", "truth", "early_warning",
         "groups_knowledge", "reports", "simulate", "web", "audit"]
QUICK: dict[str, list[str]] = {
    "import": ["--n", "5000"],
    "cli": ["--n", "5000", "--items", "20", "--repeats", "1"],
    "analysis": ["--students", "5000", "--repeats", "1"],
    "irt": ["--quick"],
    "growth": ["--n-sgp", "5000", "--n-va", "10000", "--units", "50", "--r-methods", "fn"],
    "groups_knowledge": ["--students", "5000", "--repeats", "1"],
    "reports": ["--quick", "--schools", "10"],
    "simulate": ["--quick"],
    "web": ["--students", "3000", "--repeats", "1"],
    "audit": ["--students", "3000", "--repeats", "20"],
    "web_cold": ["--students", "3000"],
}
"""The arguments of each benchmark's small version (``--quick``). ``truth`` is left out: it
checks estimates against a simulated district's ground truth (no timing goal), and simulating,
importing and analysing several years of a district takes minutes of CPU even at 3,000
students."""

NOT_MEASURED = [
]
"""Goals of issue 12 that no benchmark run here measures (listed so that the table shows
them)."""

INTRO = """# Benchmarks

Every number here comes from `bench/` (`make bench`, or one script at a time), run on the machine
named with it; peers are measured in the same run. Timings are wall-clock seconds. The first
table gathers every measure with a goal (`<topic>.goals.json` of each script); each section
below is the results file its script wrote (`bench/results/<topic>.md`), collected by
`bench/run_all.py`.
"""


def _number(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{value:.3f}" if value < 1 else f"{value:.2f}" if value < 100 else f"{value:.0f}"
    return f"{text} {unit}".strip()


def summary(results: Path, topics: list[str]) -> str:
    """The table of every goal written by the benchmarks ``topics`` in ``results``: measure,
    ours, peer, ratio, goal, met."""
    lines = ["## Goals (every measure with its goal)", "",
             "| measure | ours | peer | ratio | goal | met |", "|---|---:|---|---:|---|---|"]
    for topic in topics:
        path = results / f"{topic}.goals.json"
        if not path.is_file():
            continue
        for g in json.loads(path.read_text(encoding="utf-8")):
            peer = f"{g['peer_name']}: {_number(g['peer'], g['unit'])}" if g["peer"] else ""
            ratio = f"{g['ratio']:.1f}×" if g["ratio"] is not None else ""
            lines.append(f"| {g['measure']} ({topic}) | {_number(g['ours'], g['unit'])} | {peer} "
                         f"| {ratio} | {g['goal']} | {'yes' if g['met'] else 'no'} |")
    for measure, goal, why in NOT_MEASURED:
        lines.append(f"| {measure} | | {why} | | {goal} | not measured |")
    return "\n".join(lines)


BY_HAND = ["web_load", "web_load_postgresql", "analysis_postgresql", "import_postgresql",
           "forecast", "web_cold", "spark"]
"""Benchmarks run by hand, collected here (and their goals shown) from their last results and
goals files when present: those that need a demo district (``--db``), the slow PostgreSQL runs
(``bench_analysis.py --postgresql``, ``bench_import.py --postgresql``), ``web_cold``, whose
200,000-student exam is built, analysed and stored first (minutes on a shared machine;
``--quick`` runs it small), and ``spark`` (``bench_spark.py``: the DuckDB/Spark ladder, issue
16; minutes per rung, sized to the machine it runs on)."""


def collect(results: Path, out: Path, topics: list[str]) -> Path:
    parts = [INTRO, summary(results, ORDER + BY_HAND)]
    topics = [*topics, *(t for t in BY_HAND if t not in topics)]
    for topic in topics:
        path = results / f"{topic}.md"
        if path.is_file():
            parts.append(path.read_text(encoding="utf-8").strip())
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", default=",".join(ORDER), help="comma-separated topics")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes (a few minutes), results in out/bench-quick/")
    ap.add_argument("--collect-only", action="store_true", help="only rebuild BENCHMARKS.md")
    args = ap.parse_args()
    topics = [t.strip() for t in args.only.split(",") if t.strip()]
    env = dict(os.environ)
    results, out = HERE / "results", HERE.parent / "BENCHMARKS.md"
    if args.quick:
        results = HERE.parent / "out" / "bench-quick"
        results.mkdir(parents=True, exist_ok=True)
        out = results / "BENCHMARKS.md"
        env["EDUQUALITY_BENCH_RESULTS"] = str(results)
    failed = []
    if not args.collect_only:
        for topic in topics:
            script = HERE / f"bench_{topic}.py"
            if args.quick and topic not in QUICK:
                print(f"== {script.name}: no small version, skipped", flush=True)
                continue
            extra = QUICK.get(topic, []) if args.quick else []
            print(f"== {script.name} {' '.join(extra)}", flush=True)
            t0 = time.perf_counter()
            done = subprocess.run([sys.executable, str(script), *extra], env=env)
            print(f"== {script.name}: {time.perf_counter() - t0:.0f} s"
                  + ("" if done.returncode == 0 else f", FAILED (exit {done.returncode})"),
                  flush=True)
            if done.returncode != 0:
                failed.append(topic)
    print("\n" + summary(results, topics if args.quick else ORDER + BY_HAND))
    print(f"\nwritten: {collect(results, out, ORDER)}")
    load = os.getloadavg()
    print(f"load average now {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
