"""Checks against the simulated district's ground truth (issue 5): value-added of schools and
classes against the true effects, and the 高考 forecast backtested on the previous cohort.

Simulates the district (profile ``full``: every year's 质量监测, 期末 and 高三 mocks), imports every
file through the importers, then:

- value-added (residual, multilevel, mean SGP) for 数学 and 语文 of each 2021-22 期末 (term 2) of
  grades 4–9 against the same students' 2020-21 期末, compared with the true class effects of
  that year (correlation, and 95 % interval coverage after putting the true effects on the score
  scale with the score-per-logit slope of the current scores on the true abilities);
- the 2022 三诊 forecast and the backtest of 2021's 三诊 (calibrated on 2020's cohort): Brier
  score, calibration and interval coverage against the actual 高考.

Usage: ``python bench/bench_truth.py [--students N] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, write_result
from eduquality.analysis.demo import import_manifest
from eduquality.analysis.forecast import backtest, forecast_gaokao
from eduquality.analysis.value_added import value_added
from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.measures.valueadded import check_against_truth
from eduquality.simulate import load_truth, simulate_district
from eduquality.store import open_database

SUBJECTS = {"math": "数学", "chinese": "语文"}


def class_truth(truth, db, exam_id: str, subject_code: str) -> tuple[pd.Series, float]:
    """True value-added of each class in the exam's year and subject, on the score scale: the
    school's value-added + the class effect + the subject teacher's effect (the simulator adds
    all three to the students' ability that year), times the points-per-logit slope of the
    current scores on the students' true θ."""
    year = db.scalar("SELECT year_code FROM exam WHERE exam_id = ?", [exam_id])
    cls = truth.classes[truth.classes["year"] == year].copy()
    scores = db.sql("""SELECT s.national_id, r.score FROM subject_result r
                       JOIN paper p USING (paper_id) JOIN student s USING (student_id)
                       WHERE p.exam_id = ? AND p.subject_code = ? AND r.status = 'present'""",
                    [exam_id, subject_code])
    ab = truth.abilities[truth.abilities["year"] == year][["national_id", "theta"]]
    both = scores.merge(ab, on="national_id")
    slope = float(np.polyfit(both["theta"], both["score"], 1)[0])
    # class ids of the truth follow the same school/year/grade/class numbering as the files
    ids = db.sql("SELECT class_id, school_code, grade, name FROM class WHERE year_code = ?",
                 [year])
    ids["class_no"] = ids["name"].str.extract(r"(\d+)")[0].astype(int) - 1  # truth: 0-based
    cls = cls.merge(ids, on=["school_code", "grade", "class_no"], suffixes=("_truth", ""))
    va = truth.schools.set_index("school_code")["value_added"]
    teach = db.sql("SELECT class_id, teacher_id FROM teaching_assignment WHERE subject_code = ?",
                   [subject_code])
    t_eff = truth.teachers.set_index("teacher_id")["effect"]
    cls = cls.merge(teach, on="class_id", how="left")
    total = (cls["school_code"].map(va).fillna(0) + cls["effect"]
             + cls["teacher_id"].map(t_eff).fillna(0))
    return pd.Series(total.to_numpy() * slope, index=cls["class_id"]), slope


def _pct(x: float) -> str:
    """A share as a percentage; '—' where it does not apply (SGP estimates are on another scale
    than the true effects, so their intervals are not checked)."""
    return "—" if np.isnan(x) else f"{x:.1%}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--students", type=int, default=12_000)
    ap.add_argument("--out", default=None, help="keep the simulated district here")
    args = ap.parse_args()
    settings = Settings()
    tmp = None if args.out else tempfile.TemporaryDirectory()
    out = Path(args.out or tmp.name)  # type: ignore[union-attr]
    t0 = time.perf_counter()
    manifest = simulate_district(out / "files", students=args.students, profile="full")
    db = open_database(out / "district.duckdb")
    import_manifest(db, manifest, lambda key, **params: None)
    build_s = time.perf_counter() - t0
    truth = load_truth(out / "files")

    va_rows = []
    finals = db.sql("""SELECT exam_id, grade FROM exam WHERE exam_type = 'final'
                       AND year_code = '2021-2022' AND term_no = 2 AND grade BETWEEN 4 AND 9
                       ORDER BY grade""")
    for exam_id, grade in finals.itertuples(index=False, name=None):
        prior = db.scalar("""SELECT exam_id FROM exam WHERE exam_type = 'final' AND term_no = 2
                             AND year_code = '2020-2021' AND grade = ?""", [int(grade) - 1])
        for code, label in SUBJECTS.items():
            try:
                va = value_added(db, exam_id, code, settings, priors=[prior])
            except EduQualityError:
                continue
            true_eff, slope = class_truth(truth, db, exam_id, code)
            for est in ("residual", "multilevel"):
                e = va.estimates[(va.estimates.level == "class")
                                 & (va.estimates.estimator == est)].set_index("unit")
                c = check_against_truth(e, true_eff)
                va_rows.append({"exam": exam_id, "subject": label, "estimator": est,
                                "classes": c["n_units"], "pearson": c["pearson"],
                                "spearman": c["spearman"], "coverage": c["coverage"],
                                "points_per_logit": slope})
            e = va.estimates[(va.estimates.level == "class")
                             & (va.estimates.estimator == "mean_sgp")].set_index("unit")
            c = check_against_truth(e, true_eff)
            va_rows.append({"exam": exam_id, "subject": label, "estimator": "mean_sgp",
                            "classes": c["n_units"], "pearson": c["pearson"],
                            "spearman": c["spearman"], "coverage": float("nan"),
                            "points_per_logit": slope})
    va_table = pd.DataFrame(va_rows)
    summary = va_table.groupby("estimator")[["pearson", "spearman", "coverage"]].mean()

    mocks = db.sql("SELECT exam_id, year_code FROM exam WHERE exam_type = 'diag3' "
                   "ORDER BY year_code")
    fc_lines, bt_lines = [], []
    for exam_id in mocks.exam_id:
        try:
            bt = backtest(db, exam_id)
        except EduQualityError:
            continue
        fc = forecast_gaokao(db, exam_id)
        d = fc.units[fc.units.unit == "district"]
        fc_lines.append(f"| {exam_id} | " + "; ".join(
            f"{r.track} {r.line}: {r.share:.1%} [{r.share_low:.1%}, {r.share_high:.1%}]"
            for r in d.itertuples()) + " |")
        act = bt.units.groupby(["track", "line"])[["actual", "n"]].sum()
        bt_lines.append(
            f"| {exam_id} | {bt.brier:.4f} | {bt.coverage:.0%} ({len(bt.units)} school×line) | "
            + "; ".join(f"{t} {ln}: {a / n:.1%}" for (t, ln), (a, n) in act.iterrows()) + " |")
    cal_text = ""
    if bt_lines:
        cal = bt.calibration[["bin_low", "bin_high", "n", "mean_predicted", "observed"]]
        cal_text = "\n".join(
            ["| bin | n | mean predicted | observed |", "|---|---|---|---|"]
            + [f"| {r.bin_low:.1f}–{r.bin_high:.1f} | {r.n} | {r.mean_predicted:.3f} | "
               f"{r.observed:.3f} |" for r in cal.itertuples()])

    lines = [
        "### Checks against the simulated district's ground truth",
        "",
        machine_line(),
        "",
        f"Simulated district: {manifest.counts['students']:,} students, "
        f"{manifest.counts['exams']} exams, {manifest.counts['files']} files (profile full); "
        f"simulate + import {build_s:.0f} s.",
        "",
        "Class value-added for 2021-22 期末 (grades 4–9, 数学 and 语文) against each class's true "
        "value-added that year (school + class + subject-teacher effects); means over the "
        "exams (coverage: share of 95 % intervals holding "
        "the true effect, on the score scale):",
        "",
        "| estimator | mean Pearson r | mean Spearman ρ | mean coverage |",
        "|---|---|---|---|",
        *[f"| {k} | {v.pearson:.3f} | {v.spearman:.3f} | {_pct(v.coverage)} |"
          for k, v in summary.iterrows()],
        "",
        "Per exam and subject:",
        "",
        "| exam | subject | estimator | classes | Pearson | Spearman | coverage |",
        "|---|---|---|---|---|---|---|",
        *[f"| {r.exam} | {r.subject} | {r.estimator} | {r.classes} | {r.pearson:.3f} | "
          f"{r.spearman:.3f} | {_pct(r.coverage)} |" for r in va_table.itertuples()],
        "",
        "高考 backtest (三诊 of a cohort, calibrated on the cohort before; actual = its 高考 "
        "against that year's lines). The intervals carry the model's uncertainty (the fit's "
        "covariance, the yearly shift, the schools' deviation); bench_forecast.py compares "
        "them with the students' chance only, in both regimes:",
        "",
        "| mock | Brier | interval coverage | actual 上线率 |",
        "|---|---|---|---|",
        *bt_lines,
        "",
        "District forecasts (logistic, 95 % prediction interval of the share):",
        "",
        "| mock | forecast |",
        "|---|---|",
        *fc_lines,
    ]
    if cal_text:
        lines += ["", "Calibration of the last backtest:", "", cal_text]
    write_result("truth", "\n".join(lines))
    db.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
