"""Benchmark: full analysis of a city-scale exam (issue 3 §4).

200,000 students × 9 subjects × 25 items (45 M item scores) in a DuckDB file; times
``analyse_exam`` (every level, every subject and the total, student scores, item analysis)
and, in the same run, one plain DuckDB scan of the item_score table (a GROUP BY over all
45 M rows), the two timed in turn round after round, to give the ratio; with
``--postgresql`` the same exam copied into a throw-away PostgreSQL cluster and analysed
there too. Usage: ``python bench/bench_analysis.py [--students N] [--postgresql]``.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.pgcluster

import numpy as np

from common import Goal, best_of, interleaved, load_line, machine_line, write_goals, write_result
from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.store import open_database
from synth_exam import build_exam

SCAN_GOAL = 10.0
"""The full analysis within this many times one plain scan of the item scores (issue 12)."""


def on_postgresql(db: Any, exam: str, repeats: int, duck: Any) -> list[str]:
    """The same exam copied into a throw-away PostgreSQL cluster (``tests/pgcluster.py``:
    loopback, fsync off) and analysed there (its tables read through ADBC into an in-process
    DuckDB): the table rows of the copy and of the analysis, which must give DuckDB's students."""
    from tests.pgcluster import start_cluster

    from eduquality.store.transfer import copy_database

    cluster = start_cluster()
    try:
        pg = open_database(cluster.create_database("bench"))
        t0 = time.perf_counter()
        copy_database(db, pg)
        copy_s = time.perf_counter() - t0
        pg_s, analysis = best_of(repeats, lambda: analyse_exam(pg, exam, Settings()))
        pg.close()
    finally:
        cluster.stop()
    same = len(analysis.students) == len(duck.students) and bool(np.allclose(
        analysis.students.sort_values(["student_id", "subject_code"])["z"].to_numpy(float),
        duck.students.sort_values(["student_id", "subject_code"])["z"].to_numpy(float),
        equal_nan=True))
    return [f"| copy the database into PostgreSQL (`store copy`; not part of the goal) | "
            f"{copy_s:.1f} |",
            f"| `analyse_exam` on PostgreSQL (rows read through ADBC into an in-process DuckDB)"
            f"{'' if same else ' — DIFFERENT student scores'} | {pg_s:.2f} |"]


def reset_peak_memory() -> None:
    """Start the process's peak resident memory (VmHWM) afresh (Linux: ``clear_refs`` 5)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def memory_mib(field: str) -> float:
    """``field`` (VmRSS: now; VmHWM: the peak since :func:`reset_peak_memory`) of this
    process in MiB, from /proc/self/status (NaN elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--postgresql", action="store_true",
                    help="also copy the exam into a throw-away PostgreSQL cluster and analyse "
                         "it there (issue 10: both stores side by side)")
    args = ap.parse_args()
    pg_rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.duckdb")
        t0 = time.perf_counter()
        exam = build_exam(db, n_students=args.students)
        build_s = time.perf_counter() - t0
        db.close()      # both timed on the file opened afresh, as a command opens it
        db = open_database(Path(tmp) / "bench.duckdb")
        n_items = db.scalar("SELECT count(*) FROM item_score")
        before_mib = memory_mib("VmRSS")
        reset_peak_memory()
        (scans, fulls), (_, analysis) = interleaved(args.repeats, lambda: db.sql(
            "SELECT paper_id, seq, avg(score) AS m, stddev_samp(score) AS s, count(*) AS n "
            "FROM item_score GROUP BY ALL"), lambda: analyse_exam(db, exam, Settings()))
        peak_mib = memory_mib("VmHWM")
        scan_s, full_s = min(scans), min(fulls)
        paired = sorted(f / s for s, f in zip(scans, fulls, strict=True))
        if args.postgresql:
            pg_rows = on_postgresql(db, exam, args.repeats, analysis)
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
        f"| ratio of each round (the scan, then the analysis; {args.repeats} rounds) | "
        f"{paired[0]:.1f}–{paired[-1]:.1f} (median {paired[len(paired) // 2]:.1f}) |",
        f"| peak resident memory during the analyses (MiB; {before_mib:,.0f} before them, the "
        f"database built and open) | {peak_mib:,.0f} |",
        *pg_rows,
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
