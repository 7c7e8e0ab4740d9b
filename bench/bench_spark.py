"""Benchmark: the full exam analysis on DuckDB and on Spark in the same run (issue 16 §bench).

For each size of the ladder (``--sizes``, students; 9 subjects × 25 items each):

1. simulate the exam straight into the Parquet exchange, ``--chunk`` students at a time
   (``synth_parquet.write_exchange``: never the whole exam in memory);
2. ``import parquet`` it into a new DuckDB file (what a district does);
3. in a child process, ``analyse_exam`` on DuckDB (unit summaries, students' scores, item,
   option, knowledge and 上线 statistics): wall time and the child's peak resident memory;
4. in another child process, the same analysis with its aggregations on Spark reading the
   exchange as it is (``--engine spark`` with ``[spark] exchange``): the session's start, the
   analysis's wall time, the driver's peak memory and the Spark JVM's (VmHWM; in local mode the
   executors run inside it).

The crossover is the smallest size of the ladder at which Spark's analysis (session start
left out) was faster than DuckDB's; none when Spark never was. The load average is recorded
before and after (the machine may be shared).

Usage: ``python bench/bench_spark.py --sizes 20000,50000`` (this machine); the issue's size:
``python bench/bench_spark.py --sizes 200000,1000000,2000000 --master 'local[16]'`` on a large
machine, or a cluster master (docs/spark.md: then ``--exchange`` must be a place the cluster
reads). Results: ``bench/results/spark.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import load_line, machine_line, write_result
from synth_parquet import EXAM, write_exchange


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _jvm_peak_mib(spark) -> float:
    pid = spark.sparkContext._jvm.java.lang.ProcessHandle.current().pid()
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(engine: str, db_path: str, folder: str, master: str | None) -> dict[str, float]:
    """One engine's analysis in this (child) process: seconds and peak memory."""
    from dataclasses import replace

    from eduquality.config import Settings
    from eduquality.store import open_database

    settings = Settings()
    db = open_database(db_path, read_only=True)
    if engine == "duckdb":
        from eduquality.analysis.exam import analyse_exam

        t0 = time.perf_counter()
        analyse_exam(db, EXAM, settings)
        return {"s": time.perf_counter() - t0, "mib": _peak_mib()}
    from eduquality.analysis.spark.engine import analyse_on_spark
    from eduquality.analysis.spark.session import spark_session

    settings = replace(settings, spark=replace(settings.spark, exchange=folder))
    t0 = time.perf_counter()
    spark = spark_session(master or settings.spark.master, dict(settings.spark.options),
                          app_name="eduquality-bench")
    start = time.perf_counter() - t0
    t0 = time.perf_counter()
    analyse_on_spark(db, EXAM, settings, spark)
    out = {"s": time.perf_counter() - t0, "start_s": start, "mib": _peak_mib(),
           "jvm_mib": _jvm_peak_mib(spark), "master": spark.sparkContext.master}
    spark.stop()
    return out


def _run_child(engine: str, db_path: Path, folder: Path, master: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", engine, "--db", str(db_path),
           "--exchange", str(folder)] + (["--master", master] if master else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env={**os.environ, "SPARK_LOCAL_IP":
                               os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")})
    if done.returncode != 0:   # recorded, so that the ladder's other numbers are kept
        print(f"{engine} child failed:\n{done.stderr[-4000:]}", file=sys.stderr, flush=True)
        return {"error": _python_error(done.stderr), "s": float("nan")}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _python_error(stderr: str) -> str:
    """The Python exception that ended a child (the last line naming one: Spark's own Java
    stack traces follow it in the log), else the last line of its log."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    named = [line for line in lines
             if line.split(":", 1)[0].rsplit(".", 1)[-1].endswith(("Error", "Exception"))
             and not line.startswith(("at ", "Caused by", "io.", "java.", "org.", "scala."))]
    found = named[-1] if named else (lines[-1] if lines else "no message")
    if "Py4JJavaError" in found:   # the JVM's cause is on a line of its own after it
        after = lines[lines.index(found) + 1:]
        cause = next((line for line in after if "Exception:" in line or "Error:" in line), "")
        found = f"{found} {cause.lstrip(': ')}"
    return found[:400]


def run_size(n: int, chunk: int, master: str | None, work: Path | None) -> dict:
    from eduquality.store import open_database
    from eduquality.store.parquet import import_parquet

    with tempfile.TemporaryDirectory(dir=work) as tmp:
        folder, db_path = Path(tmp) / "exchange", Path(tmp) / "bench.duckdb"
        t0 = time.perf_counter()
        rows = write_exchange(folder, n, chunk=chunk)
        simulate_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        db = open_database(db_path)
        import_parquet(db, folder)
        db.close()
        import_s = time.perf_counter() - t0
        duck = _run_child("duckdb", db_path, folder, master)
        spark = _run_child("spark", db_path, folder, master)
    return {"students": n, "item_scores": rows["item_score"], "simulate_s": simulate_s,
            "import_s": import_s, "duck": duck, "spark": spark}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20000",
                    help="comma-separated ladder of sizes (students), e.g. 20000,200000,2000000")
    ap.add_argument("--chunk", type=int, default=100_000,
                    help="students simulated and written at a time")
    ap.add_argument("--master", default=None, help="Spark master (default: the settings')")
    ap.add_argument("--workdir", default=None, help="folder for the temporary files")
    ap.add_argument("--child", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    ap.add_argument("--exchange", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.exchange, args.master)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    before = load_line()
    work = Path(args.workdir) if args.workdir else None
    results: list[dict] = []
    for n in sizes:         # the table is rewritten after each size: a long ladder's done part
        results.append(run_size(n, args.chunk, args.master, work))
        write_result("spark", _table(results, before, sizes))


def _table(results: list[dict], before: str, sizes: list[int]) -> str:
    master = next((r["spark"]["master"] for r in results if "master" in r["spark"]),
                  "the settings' master")
    lines = [f"### The exam analysis on DuckDB and on Spark ({master}) — 9 subjects × 25 items",
             "", machine_line(), f"Load before: {before}; after: {load_line()}.", "",
             "| students | item scores | simulate → Parquet s | import s | DuckDB s "
             "| DuckDB peak MiB | Spark start s | Spark s | Spark driver MiB | Spark JVM MiB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    failures = []
    for r in results:
        d, s = r["duck"], r["spark"]
        cells = []
        for name, run, keys in (("DuckDB", d, ("s", "mib")),
                                ("Spark", s, ("start_s", "s", "mib", "jvm_mib"))):
            if "error" in run:
                cells += ["failed (below)"] + [""] * (len(keys) - 1)
                failures.append(f"- {r['students']:,} students, {name}: `{run['error']}`")
            else:
                cells += [f"{run[k]:.1f}" if k.endswith("_s") or k == "s" else f"{run[k]:.0f}"
                          for k in keys]
        lines.append(f"| {r['students']:,} | {r['item_scores']:,} | {r['simulate_s']:.1f} | "
                     f"{r['import_s']:.1f} | " + " | ".join(cells) + " |")
    if failures:
        lines += ["", "Failed runs (the Python exception that ended the child process):",
                  *failures]
    faster = [r["students"] for r in results if r["spark"]["s"] < r["duck"]["s"]]
    done = [r["students"] for r in results]
    lines += ["", "Crossover (smallest size of the ladder at which Spark's analysis was "
              "faster than DuckDB's): "
              f"{f'{min(faster):,} students' if faster else 'not reached at these sizes'}."]
    if len(done) < len(sizes):
        lines.append(f"Ladder {', '.join(f'{n:,}' for n in sizes)}: sizes done so far "
                     f"{', '.join(f'{n:,}' for n in done)}.")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
