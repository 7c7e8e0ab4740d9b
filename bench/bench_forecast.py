"""The 高考 forecast backtested on the simulated district, in both regimes (issue 15).

Simulates the district (profile ``full``: every year's 高三 mocks and 高考, 2019–2026) and imports
it, or opens a district already built (``--db``), then backtests every 三诊 whose cohort's 高考 is
known: the cohort forecast from its 三诊, calibrated on the cohort before it, and compared with
its 高考 — 2020–2024 文科/理科 (一本/二本), 2025 物理类/历史类 calibrated on 2024 across the bridge
(物理类 ← 理科, 历史类 ← 文科, 特控线 ← 一本, 本科批 ← 二本; the students placed by their rank
in the track's mock, each line with the bridge's heavy-tailed shift), 2026 calibrated on 2025.
Each backtest twice: the intervals with the model's uncertainty (the default) and with the
students' chance only (``draws=0``, the model taken as known: the former method). Reports Brier score, the
coverage of the 95 % intervals of the schools' and the district's counts, and the calibration
table pooled over the backtests of each regime.

Usage: ``python bench/bench_forecast.py [--students N] [--seed S] [--db DISTRICT.duckdb ...]
[--out DIR]``
(``--db`` more than once: each district in turn, e.g. the demo district and a full one).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Goal, machine_line, write_goals, write_result
from eduquality.analysis.demo import import_manifest
from eduquality.analysis.forecast import backtest
from eduquality.errors import EduQualityError
from eduquality.measures.forecast import calibration_table, interval_coverage
from eduquality.simulate import simulate_district
from eduquality.simulate.core import DEFAULT_SEED
from eduquality.simulate.manifest import Manifest, ManifestEntry
from eduquality.store import Database, open_database

COVERAGE_GOAL = 0.93
"""Issue 15: the 95 % intervals cover at least 93 % of the actual counts, in each regime."""
BRIER_SLACK = 0.005
"""Drawing the model may not make the probabilities worse: Brier (drawn) ≤ Brier (known) + this."""
MIN_BIN = 30
"""Calibration bins with at least this many forecasts are checked."""


def _cal_lines(frame: pd.DataFrame) -> list[str]:
    cal = calibration_table(frame["probability"], frame["outcome"])
    return ["| bin | n | mean predicted | observed | observed 95 % CI |", "|---|---|---|---|---|",
            *[f"| {r.bin_low:.1f}–{r.bin_high:.1f} | {r.n} | {r.mean_predicted:.3f} | "
              f"{r.observed:.3f} | {r.observed_low:.3f}–{r.observed_high:.3f} |"
              for r in cal.itertuples()]]


def _bins_inside(frame: pd.DataFrame) -> tuple[int, int]:
    """(bins of ≥ MIN_BIN forecasts whose mean prediction lies in the observed rate's Wilson
    95 % interval, bins of ≥ MIN_BIN forecasts)."""
    cal = calibration_table(frame["probability"], frame["outcome"])
    cal = cal[cal["n"] >= MIN_BIN]
    inside = (cal["observed_low"] <= cal["mean_predicted"]) & \
        (cal["mean_predicted"] <= cal["observed_high"])
    return int(inside.sum()), len(cal)


def backtest_files(manifest: Manifest) -> Manifest:
    """The part of a simulated district the backtests read: the rosters, the 高三 三诊 and 高考
    papers and scores, the lines and 一分一段 tables (the full profile's other exams and
    registers would take most of the import's time)."""
    def wanted(e: ManifestEntry) -> bool:
        where = e.exam_id or e.path
        return e.kind in ("roster", "cut_lines", "score_distribution") or (
            e.kind in ("paper", "scores") and ("G12-D3" in where or "G12-GK" in where))
    return replace(manifest, files=[e for e in manifest.files if wanted(e)])


def _open(args: argparse.Namespace) -> list[tuple[str, Database, Callable[[], None]]]:
    """The districts to backtest: each ``--db`` (read-only), or one simulated here."""
    if args.db:
        labels = args.label or []
        out = []
        for i, path in enumerate(args.db):
            db = open_database(path, read_only=True)
            name = labels[i] if i < len(labels) else f"district read from {Path(path).name}"
            out.append((name, db, db.close))
        return out
    t0 = time.perf_counter()
    tmp = None if args.out else tempfile.TemporaryDirectory()
    where = Path(args.out or tmp.name)  # type: ignore[union-attr]
    manifest = simulate_district(where / "files", students=args.students, profile="full",
                                 seed=args.seed)
    db = open_database(where / "district.duckdb")
    import_manifest(db, backtest_files(manifest), lambda key, **params: None)
    built = (f"simulated: {manifest.counts['students']:,} students (profile full, seed "
             f"{args.seed}; the rosters, "
             f"高三 三诊/高考 and lines imported); simulate + import "
             f"{time.perf_counter() - t0:.0f} s")

    def close() -> None:
        db.close()
        if tmp is not None:
            tmp.cleanup()

    return [(built, db, close)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=12_000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED,
                    help="the simulation's seed (another seed: another district, another bridge)")
    ap.add_argument("--db", action="append", default=None,
                    help="an imported simulated district (profile full or demo); may be given "
                         "more than once")
    ap.add_argument("--label", action="append", default=None,
                    help="how the results name the district of the --db of the same position")
    ap.add_argument("--out", default=None, help="keep the simulated district here")
    args = ap.parse_args()
    rows: list[str] = []
    pooled: dict[tuple[str, str], list[pd.DataFrame]] = {}
    units_all: dict[tuple[str, str], list[pd.DataFrame]] = {}
    briers: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    districts = _open(args)
    for built, db, _ in districts:
        mocks = db.sql("SELECT exam_id FROM exam WHERE exam_type = 'diag3' AND grade = 12 "
                       "ORDER BY year_code").exam_id
        for exam_id in mocks:
            t1 = time.perf_counter()
            try:
                bt = backtest(db, exam_id)
                known = backtest(db, exam_id, draws=0)
            except EduQualityError:
                continue
            regime = "物理类/历史类" if bt.units["track"].isin(["物理类", "历史类"]).any() \
                else "文科/理科"
            key = (built, regime)
            pooled.setdefault(key, []).append(bt.students)
            units_all.setdefault(key, []).append(bt.units)
            briers.setdefault(key, []).append((bt.brier, known.brier, len(bt.students)))
            u = bt.uncertainty
            bridge = regime == "物理类/历史类" and str(exam_id).startswith("2025")
            d = bt.units[bt.units.unit == "district"]
            rows.append(
                f"| {exam_id} | {regime}{' (bridge from 2024)' if bridge else ''} | "
                f"{bt.brier:.4f} | {known.brier:.4f} | {bt.coverage:.0%} | "
                f"{known.coverage:.0%} | {len(bt.units)} | "
                f"{u['shift_sd']:.2f} ({int(u['history_shifts'])}) | {u['unit_sd']:.2f} | "
                + "; ".join(f"{r.track} {r.line}: {r.actual:.0f} in [{r.count_low:.0f}, "
                            f"{r.count_high:.0f}]" for r in d.itertuples())
                + f" | {time.perf_counter() - t1:.0f} s |")
        rows.append(f"| *above: {built}* | | | | | | | | | | |")
    lines = [
        "### 高考 forecast backtests in both regimes",
        "",
        machine_line(),
        "",
        "Each 三诊 cohort forecast from its 三诊, calibrated on the cohort before it, compared "
        "with its 高考. The per-line model is a logistic regression fitted by Firth's penalised "
        "likelihood (finite under separation); a line that every calibration student reached "
        "(or none) is its share with the Jeffreys posterior Beta(k + ½, n − k + ½). 'Drawn': the "
        "95 % intervals carry the model's uncertainty (coefficients from the fit's covariance or "
        "the share from its Beta posterior, a yearly shift τ from the earlier cohorts' shifts "
        "and a prior τ₀ = 0.3 worth 2 shifts, the schools' own deviation τᵤ; 400 draws), and "
        "each student's probability is the mean over the draws (the one the Brier score and the "
        "calibration tables evaluate); 'known': the students' chance only, the point estimate "
        "(the former method). Across the bridge (2025 from 2024's 文科/理科) the students are "
        "placed by their rank in their track's mock (rank-based normal scores) instead of its "
        "score, the two regimes' mocks being on different scales, and each line carries the "
        "bridge's own shift, a stated prior of scale σ_b = 1 log-odds drawn from a t with ν₀ = 2 "
        "degrees of freedom. Coverage: share of the schools' and the district's counts (by "
        "track and line) inside their intervals.",
        "",
        "| mock | regime | Brier (drawn) | Brier (known) | coverage (drawn) | coverage (known) "
        "| units | τ (shifts) | τᵤ | district: actual in interval (drawn) | time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
    ]
    goals = []
    for (built, regime), frames in pooled.items():
        units = pd.concat(units_all[(built, regime)], ignore_index=True)
        cov = interval_coverage(units["actual"], units["count_low"], units["count_high"])
        b = briers[(built, regime)]
        n = sum(k for _, _, k in b)
        drawn = sum(x * k for x, _, k in b) / n
        known = sum(y * k for _, y, k in b) / n
        students = pd.concat(frames, ignore_index=True)
        inside, checked = _bins_inside(students)
        where = built.split(":")[0]
        goals += [
            Goal(f"{regime} 95 % interval coverage, {where}", cov, "", f"≥ {COVERAGE_GOAL:.0%}",
                 cov >= COVERAGE_GOAL),
            Goal(f"{regime} Brier drawn vs known, {where}", drawn, "",
                 f"≤ known + {BRIER_SLACK}", drawn <= known + BRIER_SLACK, known, "known"),
            Goal(f"{regime} calibration bins (n ≥ {MIN_BIN}) with the mean prediction in the "
                 f"observed 95 % CI, {where}", inside, "bins", f"all {checked}",
                 inside == checked),
        ]
        lines += ["", f"{built}, {regime}: coverage over all backtests {cov:.1%} of "
                      f"{len(units)} unit × line intervals; Brier {drawn:.4f} drawn, "
                      f"{known:.4f} known; {inside} of {checked} bins with ≥ {MIN_BIN} "
                      "forecasts have their mean prediction inside the observed rate's 95 % "
                      "CI. Calibration pooled over its backtests (student × line forecasts, "
                      "with the model drawn):", "",
                  *_cal_lines(students)]
    write_result("forecast", "\n".join(lines))
    write_goals("forecast", goals)
    for _, _, close in districts:
        close()


if __name__ == "__main__":
    main()
