"""The 高考 forecast backtested on the simulated district, in both regimes (issue 15).

Simulates the district (profile ``full``: every year's 高三 mocks and 高考, 2019–2026) and imports
it, or opens a district already built (``--db``), then backtests every 三诊 whose cohort's 高考 is
known: the cohort forecast from its 三诊, calibrated on the cohort before it, and compared with
its 高考 — 2020–2024 文科/理科 (一本/二本), 2025 物理类/历史类 calibrated on 2024 across the bridge
(物理类 ← 理科, 历史类 ← 文科, 特控线 ← 一本, 本科批 ← 二本), 2026 calibrated on 2025. Each backtest
twice: the intervals with the model's uncertainty (the default) and with the students' chance
only (``draws=0``, the model taken as known: the former method). Reports Brier score, the
coverage of the 95 % intervals of the schools' and the district's counts, and the calibration
table pooled over the backtests of each regime.

Usage: ``python bench/bench_forecast.py [--students N] [--db DISTRICT.duckdb] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, write_result
from eduquality.analysis.demo import import_manifest
from eduquality.analysis.forecast import backtest
from eduquality.errors import EduQualityError
from eduquality.measures.forecast import calibration_table, interval_coverage
from eduquality.simulate import simulate_district
from eduquality.store import open_database


def _cal_lines(frame: pd.DataFrame) -> list[str]:
    cal = calibration_table(frame["probability"], frame["outcome"])
    return ["| bin | n | mean predicted | observed | observed 95 % CI |", "|---|---|---|---|---|",
            *[f"| {r.bin_low:.1f}–{r.bin_high:.1f} | {r.n} | {r.mean_predicted:.3f} | "
              f"{r.observed:.3f} | {r.observed_low:.3f}–{r.observed_high:.3f} |"
              for r in cal.itertuples()]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=12_000)
    ap.add_argument("--db", default=None, help="an imported simulated district (profile full)")
    ap.add_argument("--out", default=None, help="keep the simulated district here")
    args = ap.parse_args()
    tmp = None
    t0 = time.perf_counter()
    if args.db:
        db = open_database(args.db, read_only=True)
        built = f"district read from {Path(args.db).name}"
    else:
        tmp = None if args.out else tempfile.TemporaryDirectory()
        out = Path(args.out or tmp.name)  # type: ignore[union-attr]
        manifest = simulate_district(out / "files", students=args.students, profile="full")
        db = open_database(out / "district.duckdb")
        import_manifest(db, manifest, lambda key, **params: None)
        built = (f"{manifest.counts['students']:,} students, {manifest.counts['exams']} exams "
                 f"(profile full); simulate + import {time.perf_counter() - t0:.0f} s")
    mocks = db.sql("SELECT exam_id FROM exam WHERE exam_type = 'diag3' AND grade = 12 "
                   "ORDER BY year_code").exam_id
    rows, pooled = [], {"文科/理科": [], "物理类/历史类": []}
    units_all = {"文科/理科": [], "物理类/历史类": []}
    for exam_id in mocks:
        t1 = time.perf_counter()
        try:
            bt = backtest(db, exam_id)
            known = backtest(db, exam_id, draws=0)
        except EduQualityError:
            continue
        regime = "物理类/历史类" if bt.units["track"].isin(["物理类", "历史类"]).any() \
            else "文科/理科"
        pooled[regime].append(bt.students)
        units_all[regime].append(bt.units)
        u = bt.uncertainty
        bridge = "yes" if regime == "物理类/历史类" and str(exam_id).startswith("2025") else ""
        d = bt.units[bt.units.unit == "district"]
        rows.append(
            f"| {exam_id} | {regime}{' (bridge from 2024)' if bridge else ''} | "
            f"{bt.brier:.4f} | {known.brier:.4f} | {bt.coverage:.0%} | {known.coverage:.0%} | "
            f"{len(bt.units)} | {u['shift_sd']:.2f} ({int(u['history_shifts'])}) | "
            f"{u['unit_sd']:.2f} | "
            + "; ".join(f"{r.track} {r.line}: {r.actual:.0f} in [{r.count_low:.0f}, "
                        f"{r.count_high:.0f}]" for r in d.itertuples())
            + f" | {time.perf_counter() - t1:.0f} s |")
    lines = [
        "### 高考 forecast backtests in both regimes",
        "",
        machine_line(),
        "",
        f"Simulated district: {built}. Each 三诊 cohort forecast from its 三诊, calibrated on the "
        "cohort before it, compared with its 高考. 'Drawn': the 95 % intervals carry the model's "
        "uncertainty (coefficients from the fit's covariance, a yearly shift τ from the earlier "
        "cohorts' shifts and a prior τ₀ = 0.3 worth 2 shifts, the schools' own deviation τᵤ; "
        "400 draws); 'known': the students' chance only (the former method). Coverage: share "
        "of the schools' and the district's counts (by track and line) inside their intervals.",
        "",
        "| mock | regime | Brier (drawn) | Brier (known) | coverage (drawn) | coverage (known) "
        "| units | τ (shifts) | τᵤ | district: actual in interval (drawn) | time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    for regime, frames in pooled.items():
        if not frames:
            continue
        units = pd.concat(units_all[regime], ignore_index=True)
        cov = interval_coverage(units["actual"], units["count_low"], units["count_high"])
        lines += ["", f"{regime}: coverage over all backtests {cov:.1%} of {len(units)} "
                      "unit × line intervals. Calibration pooled over its backtests "
                      "(student × line forecasts, with the model drawn):", "",
                  *_cal_lines(pd.concat(frames, ignore_index=True))]
    write_result("forecast", "\n".join(lines))
    db.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
