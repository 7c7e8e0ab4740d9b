"""Benchmark: the exam analysis on DuckDB and on Spark in the same run (issue 16 §bench).

Simulates an exam (``synth_exam.build_exam``: N students × 9 subjects × 25 items) into a DuckDB
file, exports it as the Parquet exchange (``eduquality export parquet``), then times in the same
process: ``analyse_exam`` on DuckDB, the same analysis with its aggregations on Spark reading
the exchange (``--engine spark``), and one paper's 2PL/graded IRT calibration on one machine
and with the E-step on Spark. Peak memory: this process's (DuckDB and NumPy run in it) before
Spark starts, and the Spark JVM's (VmHWM). ``--sizes`` runs several sizes and names the
crossover (the smallest size at which Spark is faster), if any.

Usage: ``python bench/bench_spark.py`` (scaled down: 20,000 students); the issue's size:
``python bench/bench_spark.py --students 2000000`` (about 450 M item scores: a large machine or
a cluster — set ``EDUQUALITY_SPARK_MASTER``; docs/spark.md). ``--master local[8]`` picks the
local master.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, write_result
from eduquality.analysis.exam import analyse_exam
from eduquality.analysis.spark.engine import analyse_on_spark
from eduquality.analysis.spark.irt import calibrate_spark, wide_item_scores
from eduquality.analysis.spark.session import spark_session
from eduquality.config import Settings
from eduquality.measures.irt import IRT
from eduquality.store import open_database
from eduquality.store.parquet import export_parquet
from synth_exam import build_exam


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mib(spark) -> float:
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def run_size(n: int, spark, irt: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.duckdb")
        build_s, exam = _timed(lambda: build_exam(db, n_students=n))
        rows = db.scalar("SELECT count(*) FROM item_score")
        export_s, _ = _timed(lambda: export_parquet(db, Path(tmp) / "exchange"))
        duck_s, _ = _timed(lambda: analyse_exam(db, exam, Settings()))
        duck_mib = _peak_mib()
        settings = replace(Settings(), spark=replace(Settings().spark,
                                                     exchange=str(Path(tmp) / "exchange")))
        spark_s, _ = _timed(lambda: analyse_on_spark(db, exam, settings, spark))
        out = {"students": n, "item_scores": rows, "build_s": build_s, "export_s": export_s,
               "duckdb_s": duck_s, "duckdb_mib": duck_mib, "spark_s": spark_s}
        if irt:
            paper = f"{exam}/math"
            scores = spark.read.option("recursiveFileLookup", "true").parquet(
                str(Path(tmp) / "exchange" / "item_score"))
            wide, items = wide_item_scores(spark, scores, paper)
            local = wide.toPandas()[items]
            out["irt_local_s"], _ = _timed(lambda: IRT("2pl", se=False).fit(local))
            out["irt_spark_s"], _ = _timed(lambda: calibrate_spark(wide, items, "2pl",
                                                                   se=False))
        out["jvm_mib"] = _jvm_peak_mib(spark)
        db.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=20_000)
    ap.add_argument("--sizes", type=str, default="",
                    help="comma-separated sizes (students) instead of --students")
    ap.add_argument("--master", default=None, help="Spark master (default: the settings')")
    ap.add_argument("--no-irt", action="store_true", help="leave out the IRT calibration")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s] or [args.students]
    settings = Settings()
    spark = spark_session(args.master or settings.spark.master, dict(settings.spark.options),
                          app_name="eduquality-bench")
    results = [run_size(n, spark, not args.no_irt) for n in sizes]
    master = spark.sparkContext.master
    spark.stop()
    lines = [f"### DuckDB and Spark ({master}) — 9 subjects × 25 items", "", machine_line(), "",
             "| students | item scores | export s | DuckDB s | Spark s | IRT 1 paper local s "
             "| IRT 1 paper Spark s | peak MiB Python | peak MiB JVM |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['students']:,} | {r['item_scores']:,} | {r['export_s']:.1f} | "
            f"{r['duckdb_s']:.1f} | {r['spark_s']:.1f} | {r.get('irt_local_s', float('nan')):.1f}"
            f" | {r.get('irt_spark_s', float('nan')):.1f} | {r['duckdb_mib']:.0f} | "
            f"{r['jvm_mib']:.0f} |")
    faster = [r["students"] for r in results if r["spark_s"] < r["duckdb_s"]]
    lines += ["", f"Crossover (smallest size where Spark is faster): "
              f"{f'{min(faster):,} students' if faster else 'not reached at these sizes'}."]
    write_result("spark", "\n".join(lines))


if __name__ == "__main__":
    main()
