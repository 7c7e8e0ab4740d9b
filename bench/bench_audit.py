"""Benchmark: one audit row (a page view) on a demo district's database.

Times, interleaved (so that the load of the shared machine falls on all alike), on a copy of
the database: ``audit()``; the same INSERT in ``Database.write(check_scores=False)`` (a
transaction of its own) and in ``Database.write()`` (with the cross-table integrity check, the
old cost of a page view's row); and a plain autocommit INSERT, the floor (DuckDB's commit).

``PYTHONPATH=src python bench/bench_audit.py --db out/demo/district.duckdb [--label TEXT]``;
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

from common import machine_line, write_result
from eduquality.store import open_database
from eduquality.store.audit import audit
from eduquality.store.principals import Principal

ROW = ("INSERT INTO audit_log (username, role, action, object) "
       "VALUES ('jiaoyan', 'researcher', 'view', 'bench')")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True)
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    who = Principal("jiaoyan", "researcher")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.duckdb"
        shutil.copy(args.db, path)
        db = open_database(path)

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
    lines = [f"### One audit row {args.label} ({n_items:,} item scores in the database)", "",
             machine_line() + " Shared machine: other sessions were loading the cores.", "",
             f"| way | median ms ({args.repeats} interleaved) | 10th percentile ms |",
             "|---|---|---|"]
    for name, ts in times.items():
        ts.sort()
        lines.append(f"| {name} | {statistics.median(ts) * 1000:.1f} | "
                     f"{ts[len(ts) // 10] * 1000:.1f} |")
    write_result("audit" + (f"_{args.label.strip('()').split(':')[0]}" if args.label else ""),
                 "\n".join(lines))


if __name__ == "__main__":
    main()
