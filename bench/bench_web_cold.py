"""Benchmark: the first view of the dashboard and of a school page in a fresh web process.

Takes a demo district's database (``eduquality demo --out DIR --students 600``), works on a copy
of it, and times, in a new app (nothing in memory):

- ``/dashboard`` (warms up to 11 exams) and ``/schools/<code>`` (the school across its exams),
  signed in as the demo's researcher;
- with ``--store``, first the work imports now do after their commit: analyse every exam and
  store it (:func:`eduquality.analysis.stored.refresh_analyses`, timed separately), so the
  pages read stored analyses; without it, the pages analyse what they show (the old way, or a
  database whose analyses are not stored yet);
- one audit row (``audit()``) beside a plain INSERT of the same row.

Runs on older code too (no ``--store`` there), to compare before/after on the same database:
``PYTHONPATH=src python bench/bench_web_cold.py --db out/demo/district.duckdb [--store]``.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient

from common import machine_line, write_result
from eduquality.config import Settings
from eduquality.store import open_database
from eduquality.store.audit import audit
from eduquality.store.principals import load_principal
from eduquality.web.app import create_app

DEMO_USER, DEMO_PASSWORD = "jiaoyan", "wuhua-demo-2019"


def timed(fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--db", required=True, help="a demo district database (copied, not changed)")
    ap.add_argument("--store", action="store_true",
                    help="analyse and store every exam first (what imports now do)")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "district.duckdb"
        shutil.copy(args.db, path)
        db = open_database(path)
        settings = Settings()
        store_s = None
        if args.store:
            from eduquality.analysis.stored import refresh_analyses
            from eduquality.store.settings import effective_settings

            store_s, done = timed(lambda: refresh_analyses(db, effective_settings(db, settings)))
            n_stored = len(done)
        school = db.scalar("SELECT school_code FROM school ORDER BY school_code LIMIT 1")
        app = create_app(db, settings, secret="bench")
        client = TestClient(app, follow_redirects=False)
        r = client.post("/login", data={"username": DEMO_USER, "password": DEMO_PASSWORD})
        assert r.status_code == 303, r.text
        dash_s, r = timed(lambda: client.get("/dashboard"))
        assert r.status_code == 200, r.status_code
        school_s, r = timed(lambda: client.get(f"/schools/{school}"))
        assert r.status_code == 200, r.status_code
        warm_s, _r = timed(lambda: client.get(f"/schools/{school}"))
        misses = app.state.cache.misses
        computed = getattr(app.state.cache, "computed", misses)
        p = load_principal(db, DEMO_USER)
        audit_times, plain_times = [], []
        for _ in range(30):
            audit_times.append(timed(lambda: audit(db, p, "view", "bench", None))[0])
            plain_times.append(timed(lambda: db.con.execute(
                "INSERT INTO audit_log (username, role, action, object, detail) "
                "VALUES ('jiaoyan', 'researcher', 'view', 'bench', NULL)"))[0])
        n_students = db.scalar("SELECT count(*) FROM student")
        db.close()
    audit_times.sort()
    plain_times.sort()
    lines = [
        f"### Cold first views of a demo district ({n_students:,} students) {args.label}",
        "",
        machine_line() + " Shared machine: other sessions were loading the cores.",
        "",
        "| step | seconds |",
        "|---|---|",
    ]
    if store_s is not None:
        lines.append(f"| analyse and store {n_stored} exams (after imports, once) "
                     f"| {store_s:.1f} |")
    lines += [
        f"| `/dashboard`, first view in a new process | {dash_s:.2f} |",
        f"| `/schools/{school}`, first view | {school_s:.2f} |",
        f"| `/schools/{school}`, again (memory) | {warm_s:.3f} |",
        f"| analyses read or computed by the pages / computed | {misses} / {computed} |",
        f"| one audit row `audit()`, median of 30 | {audit_times[15] * 1000:.1f} ms |",
        f"| plain INSERT of the same row, median of 30 | {plain_times[15] * 1000:.1f} ms |",
    ]
    write_result("web_cold" + ("_stored" if args.store else ""), "\n".join(lines))


if __name__ == "__main__":
    main()
