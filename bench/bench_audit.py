"""Benchmark: one audit row (a page view); issue 12's goal: ≤ 5 ms.

Times, interleaved (so that the load of the shared machine falls on all alike), on a database
file: ``audit()``; the same INSERT in ``Database.write(check_scores=False)`` (a transaction of
its own) and in ``Database.write()`` (with the cross-table integrity check, the old cost of a
page view's row); and a plain autocommit INSERT, the floor (DuckDB's commit).

Without ``--db`` (what ``run_all.py`` runs) the database is a new file holding a synthetic
exam of ``--students`` students (default 20,000 × 9 subjects × 25 items, ``bench/synth_exam.py``:
the integrity check has item scores to read); with ``--db`` a copy of that database (a demo
district's). Results: ``bench/results/audit.md`` and ``audit.goals.json``.

``PYTHONPATH=src python bench/bench_audit.py [--db out/demo/district.duckdb] [--label TEXT]``;
runs on older code too, for a before/after on the same database.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Goal, load_line, machine_line, write_goals, write_result
from eduquality.store import open_database
from eduquality.store.audit import audit
from eduquality.store.principals import Principal

GOAL_MS = 5.0
"""Issue 12: one audit row (a page view's) within 5 ms."""

ROW = ("INSERT INTO audit_log (username, role, action, object) "
       "VALUES ('jiaoyan', 'researcher', 'view', 'bench')")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", help="a database to copy (default: a new one with a synthetic exam)")
    ap.add_argument("--students", type=int, default=20_000,
                    help="without --db: the synthetic exam's students")
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    who = Principal("jiaoyan", "researcher")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.duckdb"
        if args.db:
            shutil.copy(args.db, path)
            db = open_database(path)
        else:
            from synth_exam import build_exam

            db = open_database(path)
            build_exam(db, n_students=args.students)

        def light() -> None:
            with db.write(check_scores=False) as con:
                con.execute(ROW)

        def checked() -> None:
            with db.write() as con:
                con.execute(ROW)

        ways = {"`audit()`": lambda: audit(db, who, "view", "bench"),
                "`Database.write(check_scores=False)`": light,
                "`Database.write()` (integrity check)": checked,
                "plain autocommit INSERT (the floor)": lambda: db.con.execute(ROW)}
        times: dict[str, list[float]] = {k: [] for k in ways}
        for _ in range(args.repeats):
            for name, fn in ways.items():
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
        n_items = db.scalar("SELECT count(*) FROM item_score")
        db.close()
    label = f" {args.label}" if args.label else ""
    lines = [f"### One audit row{label} ({n_items:,} item scores in the database)", "",
             machine_line() + f" Shared machine: {load_line()} at the end.", "",
             f"| way | median ms ({args.repeats} interleaved) | 10th percentile ms |",
             "|---|---|---|"]
    for name, ts in times.items():
        ts.sort()
        lines.append(f"| {name} | {statistics.median(ts) * 1000:.1f} | "
                     f"{ts[len(ts) // 10] * 1000:.1f} |")
    ours = statistics.median(times["`audit()`"]) * 1000
    floor = statistics.median(times["plain autocommit INSERT (the floor)"]) * 1000
    met = ours <= GOAL_MS
    lines += ["", f"Goal (issue 12): one audit row ≤ {GOAL_MS:.0f} ms (median): "
              f"{'met' if met else 'NOT met'}; the floor, DuckDB's own autocommit INSERT, "
              f"takes {floor:.1f} ms here."]
    topic = "audit" + (f"_{args.label.strip('()').split(':')[0]}" if args.label else "")
    write_result(topic, "\n".join(lines))
    write_goals(topic, [Goal(f"one audit row, `audit()` median ({n_items:,} item scores in "
                             "the database)", ours, "ms", f"≤ {GOAL_MS:.0f} ms", met,
                             peer=floor, peer_name="plain autocommit INSERT (the floor)")])


if __name__ == "__main__":
    main()
