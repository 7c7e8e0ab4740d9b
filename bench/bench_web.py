"""Benchmark: the web platform on a district-scale exam.

Builds an exam of N students × 9 subjects × 25 items (bench/synth_exam.py), serves it with the
app factory through Starlette's TestClient (in-process HTTP, no network), and times:

- the exam page cold (includes ``analyse_exam``) and warm (analysis cached in-process);
- a principal's class page (student list with masked IDs + one audit row) and its Excel export;
- one audit row through the single write path (``audit``: transaction + integrity check over
  the item scores) beside a plain DuckDB INSERT of the same row, the baseline.

Usage: ``python bench/bench_web.py [--students N]`` (default 40,000).
"""

from __future__ import annotations

import argparse
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
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from synth_exam import build_exam

PASSWORD = "bench-password-1"


def best_of(repeats: int, fn):  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def signed_in(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=40_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "bench.duckdb")
        exam = build_exam(db, n_students=args.students)
        n_items = db.scalar("SELECT count(*) FROM item_score")
        add_user(db, "res", "researcher", PASSWORD)
        add_user(db, "head", "principal", PASSWORD, school_code="B000")
        app = create_app(db, Settings(), secret="bench")
        res, head = signed_in(app, "res"), signed_in(app, "head")
        t0 = time.perf_counter()
        assert res.get(f"/exams/{exam}").status_code == 200
        cold = time.perf_counter() - t0
        warm = best_of(args.repeats, lambda: res.get(f"/exams/{exam}?subject=math"))
        klass = f"/exams/{exam}/classes/B000-1"
        class_page = best_of(args.repeats, lambda: head.get(klass))
        class_xlsx = best_of(args.repeats, lambda: head.get(klass, params={"format": "xlsx"}))
        p = load_principal(db, "res")
        audit_s = best_of(20, lambda: audit(db, p, "view", "bench", None))
        plain_s = best_of(20, lambda: db.con.execute(
            "INSERT INTO audit_log (username, role, action, object, detail) "
            "VALUES ('res', 'researcher', 'view', 'bench', NULL)"))
        n_students_class = db.scalar(
            "SELECT count(*) FROM exam_registration WHERE class_id = 'B000-1'")
        db.close()
    lines = [
        f"### Web platform — {args.students:,} students × 9 subjects × 25 items "
        f"({n_items:,} item scores)",
        "",
        machine_line() + " Other helpers were loading the two cores during the run.",
        "",
        f"| request | seconds (best of {args.repeats}) |",
        "|---|---|",
        f"| exam page, cold (includes `analyse_exam`) | {cold:.2f} |",
        f"| exam page, warm (analysis cached in-process) | {warm:.3f} |",
        f"| principal's class page ({n_students_class} students, masked IDs, audit row) "
        f"| {class_page:.3f} |",
        f"| the same page as an Excel download (audit row) | {class_xlsx:.3f} |",
        "",
        "| one audit row | seconds (best of 20) |",
        "|---|---|",
        f"| `audit()` through `Database.write` (transaction + integrity check) | {audit_s:.4f} |",
        f"| plain DuckDB INSERT, the baseline | {plain_s:.4f} |",
        f"| ratio | {audit_s / plain_s:.0f} |",
    ]
    write_result("web", "\n".join(lines))


if __name__ == "__main__":
    main()
