"""Benchmark: the reports of one exam in a 100-school district (issue 3 §3).

Builds a bigger variant of ``tests.factories.tiny_exam_db`` here (100 schools in 4 peer groups,
4 classes of 40, grade 9, six subjects — 数学 with 10 items — plus the total: 16,000 students)
and times, in one process:

- the district bulletin as PDF (goal ≤ 15 s), Excel and HTML;
- the reports of all 100 schools as PDF (goal ≤ 3 min) and as Excel;
- the settings the renderer chose against the alternatives: one regular font face vs bold
  headings (a second face), one shared FontConfiguration vs a new one per document, PNG vs
  SVG charts (CJK glyphs as paths).

Usage: ``python bench/bench_reports.py [--schools 100] [--quick]`` (--quick: 10 school reports).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, write_result
from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.reports import charts, pdf
from eduquality.reports.bundle import build_report, make_view, write_report, write_unit_reports
from eduquality.reports.html import render_html
from eduquality.reports.roster import with_identities
from eduquality.store import Database, open_database

SUBJECTS = {"chinese": 120.0, "math": 120.0, "english": 120.0, "physics": 100.0,
            "chemistry": 100.0, "morality": 100.0}


def build_district(db: Database, n_schools: int = 100, classes: int = 4, size: int = 40,
                   seed: int = 3) -> str:
    """Exam 'B' like the factory's, scaled up: school effects, ~3 % absent. Writes."""
    rng = np.random.default_rng(seed)
    n = n_schools * classes * size
    school = np.repeat(np.arange(n_schools), classes * size)
    klass = np.repeat(np.arange(n_schools * classes), size)
    codes = np.array([f"S{s:03d}" for s in range(n_schools)])
    class_ids = np.array([f"S{c // classes:03d}-9-{c % classes + 1}"
                          for c in range(n_schools * classes)])
    ability = rng.normal(0, 0.5, n_schools)[school] + rng.normal(0, 1, n)
    sid = np.arange(1, n + 1, dtype=np.int32)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '基准区', '昆明市', '云南省')")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        con.register("s_in", pa.table({"code": codes, "name": [f"第{s + 1}中学" for s in
                                                                range(n_schools)],
                                       "peer": [f"{'ABCD'[s % 4]}" for s in range(n_schools)]}))
        con.execute("INSERT INTO school SELECT code, name, 'D', 'junior', 'public', 'urban', NULL,"
                    " peer, NULL FROM s_in")
        con.register("c_in", pa.table({"id": class_ids, "school": codes[np.arange(
            n_schools * classes) // classes], "name": [f"{c % classes + 1}班" for c in
                                                       range(n_schools * classes)]}))
        con.execute("INSERT INTO class SELECT id, school, '2021-2022', 9, name, NULL, NULL "
                    "FROM c_in")
        con.execute("INSERT INTO exam VALUES ('B', '期末', 'final', 'district', '2021-2022', 2,"
                    " '2022-06-20', 9)")
        con.register("st_in", pa.table({"sid": sid}))
        con.execute("INSERT INTO student (student_id, national_id, name) SELECT sid, "
                    "'G5301' || lpad(CAST(sid AS VARCHAR), 14, '0'), '学生' || sid FROM st_in")
        con.register("r_in", pa.table({"sid": sid, "school": codes[school],
                                       "class": class_ids[klass]}))
        con.execute("INSERT INTO exam_registration SELECT 'B', sid, 'K' || sid, school, class "
                    "FROM r_in")
        for subject, full in SUBJECTS.items():
            paper = f"B/{subject}"
            con.execute("INSERT INTO paper VALUES (?, 'B', ?, NULL, ?)", [paper, subject, full])
            absent = rng.random(n) < 0.03
            if subject == "math":
                con.executemany("INSERT INTO item VALUES (?, ?, ?, 'subjective', 12, NULL, NULL,"
                                " NULL)", [(paper, k + 1, str(k + 1)) for k in range(10)])
                p = 1 / (1 + np.exp(-(ability[:, None] - rng.normal(0, 1, 10)[None, :])))
                items = rng.binomial(12, p).astype(float)
                score = items.sum(axis=1)
                keep = ~absent
                con.register("i_in", pa.table({
                    "sid": np.repeat(sid[keep], 10), "seq": np.tile(np.arange(1, 11), keep.sum()),
                    "score": items[keep].ravel()}))
                con.execute("INSERT INTO item_score SELECT ?, sid, seq, score, NULL FROM i_in",
                            [paper])
            else:
                score = np.clip(np.round(full * (0.68 + 0.13 * ability + rng.normal(0, 0.05, n))),
                                0, full)
            con.register("res_in", pa.table({
                "sid": sid, "status": np.where(absent, "absent", "present"),
                "score": pa.array(np.where(absent, np.nan, score), from_pandas=True)}))
            con.execute("INSERT INTO subject_result SELECT ?, sid, status, score FROM res_in",
                        [paper])
    return "B"


CPU: dict[str, float] = {}
"""CPU seconds (this process and its children) of the steps timed with ``cpu=`` a name."""


NOTE = ("Chosen: one regular CJK face (headings not bold), PNG charts, one FontConfiguration "
        "per process, and above 40 schools the per-subject school tables in the workbook only "
        "(the printed bulletin keeps a schools × subjects table with bands). WeasyPrint 70 "
        "subsets the CJK face in about 0.2 s per document; the shared FontConfiguration's gain "
        "is within the noise of this loaded machine. `workers=2` does not help on two busy "
        "cores; it is there for machines with cores to spare.")


def timed(fn: Callable[[], Any], cpu: str = "") -> tuple[float, Any]:
    """Wall-clock seconds of ``fn()`` (and its CPU seconds into CPU[cpu])."""
    c0 = _cpu()
    t0 = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - t0
    if cpu:
        CPU[cpu] = _cpu() - c0
    return wall, out


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--schools", type=int, default=100)
    ap.add_argument("--quick", action="store_true", help="only 10 school reports")
    args = ap.parse_args()
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        db = open_database(out / "bench.duckdb")
        build_s, exam = timed(lambda: build_district(db, args.schools))
        analyse_s, analysis = timed(lambda: with_identities(analyse_exam(db, exam, Settings()),
                                                            db))
        db.close()
        n_students = analysis.students["student_id"].nunique()
        view = make_view(analysis)

        def district_pdf() -> Path:
            return write_report(build_report(view, "district"), out / "d.pdf")

        first_pdf_s, _ = timed(district_pdf)  # includes loading fonts and matplotlib once
        pdf_s, path = timed(district_pdf, "district")
        pages = _pages(path)
        xlsx_s, _ = timed(lambda: write_report(build_report(view, "district"), out / "d.xlsx"))
        html_s, _ = timed(lambda: write_report(build_report(view, "district"), out / "d.html"))

        schools = None if not args.quick else \
            list(dict.fromkeys(analysis.summaries["school"]["school_code"]))[:10]
        n_reports = len(schools) if schools else args.schools
        school_pdf_s, _paths = timed(lambda: write_unit_reports(view, "school", out / "s",
                                                                ["pdf"], schools), "schools")
        par_s, _ = timed(lambda: write_unit_reports(view, "school", out / "p", ["pdf"], schools,
                                                    workers=2), "parallel")
        school_xlsx_s, _ = timed(lambda: write_unit_reports(view, "school", out / "x",
                                                            ["xlsx"], schools))

        # alternatives, on the district bulletin and on 10 school reports
        report = build_report(view, "district")
        html = render_html(report, pdf=True)
        ours_s, _ = timed(lambda: _weasy(html))
        bold = html.replace("</style>", "h1, h2, h3, th { font-weight: bold; }</style>", 1)
        bold_s, _ = timed(lambda: _weasy(bold))
        ten = list(dict.fromkeys(analysis.summaries["school"]["school_code"]))[:10]
        pages10 = [render_html(build_report(view, "school", c), pdf=True) for c in ten]
        shared_s, _ = timed(lambda: [_weasy(h) for h in pages10])
        fresh_s, _ = timed(lambda: [_weasy(h, fresh=True) for h in pages10])
        charts.IMAGE_FORMAT = "svg"
        svg_html = render_html(build_report(view, "district"), pdf=True)
        charts.IMAGE_FORMAT = "png"
        svg_s, _ = timed(lambda: _weasy(svg_html))

    per = school_pdf_s / n_reports
    projected = per * args.schools
    lines = [
        f"### Reports — {args.schools} schools, {n_students:,} students, 6 subjects + total",
        "",
        machine_line() + f" Load average {load[0]:.1f} at the start and "
        f"{os.getloadavg()[0]:.1f} at the end (about 1 = this benchmark alone); the CPU seconds "
        "show the work itself.",
        "",
        "| step | seconds | goal |",
        "|---|---|---|",
        f"| build the database (not part of the goal) | {build_s:.1f} | |",
        f"| `analyse_exam` + identities (not part of the goal) | {analyse_s:.1f} | |",
        f"| district bulletin PDF, first in the process (fonts, matplotlib load) | "
        f"{first_pdf_s:.1f} | |",
        f"| district bulletin PDF ({pages} pages, 7 charts; CPU {CPU['district']:.1f} s) | "
        f"{pdf_s:.1f} | ≤ 15 s: "
        f"{'met' if pdf_s <= 15 and first_pdf_s <= 15 else 'NOT met'} |",
        f"| district bulletin Excel | {xlsx_s:.1f} | |",
        f"| district bulletin HTML | {html_s:.1f} | |",
        f"| {n_reports} school reports PDF, one process ({per:.2f} s each; CPU "
        f"{CPU['schools']:.0f} s) | {school_pdf_s:.1f} "
        f"| {args.schools} in ≤ 180 s: {'met' if projected <= 180 else 'NOT met'}"
        f"{f' (projected {projected:.0f} s)' if n_reports != args.schools else ''} |",
        f"| {n_reports} school reports PDF, `workers=2` (spawned processes; CPU "
        f"{CPU['parallel']:.0f} s) | {par_s:.1f} | "
        f"{'met' if par_s * args.schools / n_reports <= 180 else 'NOT met'} |",
        f"| {n_reports} school reports Excel | {school_xlsx_s:.1f} | |",
        "",
        "Renderer settings against the alternatives (WeasyPrint only, HTML already built):",
        "",
        "| variant | seconds |",
        "|---|---|",
        f"| bulletin: one regular face (ours) | {ours_s:.2f} |",
        f"| bulletin: bold headings (a second face, Noto Sans CJK Bold) | {bold_s:.2f} |",
        f"| bulletin: SVG charts (CJK glyphs as paths) instead of PNG | {svg_s:.2f} |",
        f"| 10 school reports, one shared FontConfiguration (ours) | {shared_s:.2f} |",
        f"| 10 school reports, a new FontConfiguration each | {fresh_s:.2f} |",
        "",
        NOTE,
    ]
    write_result("reports", "\n".join(lines))


def _weasy(html: str, fresh: bool = False) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration() if fresh else pdf.font_configuration()
    data: bytes = HTML(string=html).write_pdf(font_config=config)
    return data


def _pages(path: Path) -> str:
    import re
    import subprocess

    try:
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    except OSError:
        return "?"
    found = re.search(r"Pages:\s+(\d+)", info)
    return found.group(1) if found else "?"


if __name__ == "__main__":
    main()
