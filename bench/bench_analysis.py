"""Benchmark: full analysis of a city-scale exam (issue 3 §4).

200,000 students × 9 subjects × 25 items (45 M item scores) in a DuckDB file; times
``analyse_exam`` (every level, every subject and the total, student scores, item analysis)
and, in the same run, one plain DuckDB scan of the item_score table (a GROUP BY over all
45 M rows) to give the ratio. Usage: ``python bench/bench_analysis.py [--students N]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Goal, best_of, load_line, machine_line, write_goals, write_result
from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.store import open_database
from synth_exam import build_exam

SCAN_GOAL = 10.0
"""The full analysis within this many times one plain scan of the item scores (issue 12)."""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        exam = build_exam(db, n_students=args.students)
        build_s = time.perf_counter() - t0
        n_items = db.scalar("SELECT count(*) FROM item_score")
        scan_s, _ = best_of(args.repeats, lambda: db.sql(
            "SELECT paper_id, seq, avg(score) AS m, stddev_samp(score) AS s, count(*) AS n "
            "FROM item_score GROUP BY ALL"))
        full_s, analysis = best_of(args.repeats, lambda: analyse_exam(db, exam, Settings()))
        db.close()
    lines = [
        f"### Full exam analysis — {args.students:,} students × 9 subjects × 25 items "
        f"({n_items:,} item scores)",
        "",
        machine_line(),
        "",
        f"| step | seconds (best of {args.repeats}) |",
        "|---|---|",
        f"| build the database (not part of the goal) | {build_s:.1f} |",
        f"| one plain DuckDB scan: GROUP BY paper, item over item_score | {scan_s:.2f} |",
        f"| `analyse_exam` (all levels, subjects + total, students, items) | {full_s:.2f} |",
        f"| ratio analysis / scan | {full_s / scan_s:.1f} |",
        "",
        load_line() + ". "
        f"Goal ≤ 20 s: {'met' if full_s <= 20 else 'NOT met'}; goal ≤ {SCAN_GOAL:g}× the plain "
        f"scan (issue 12): {'met' if full_s / scan_s <= SCAN_GOAL else 'NOT met'}. Frames produced: "
        + ", ".join(f"{k} {len(v):,}" for k, v in analysis.summaries.items()) + ".",
    ]
    write_result("analysis", "\n".join(lines))
    write_goals("analysis", [Goal(
        f"`analyse_exam`, {args.students:,} students × 9 subjects × 25 items", full_s, "s",
        f"≤ {SCAN_GOAL:g}× the scan", full_s / scan_s <= SCAN_GOAL, scan_s,
        "one DuckDB GROUP BY scan", full_s / scan_s)])


if __name__ == "__main__":
    main()
