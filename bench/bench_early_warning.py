"""The dropout early warning against the simulated district's ground truth (issue 14 §2).

Simulates the district (profile ``minimal``, four school years), imports every file through
the importers (rosters, attendance sheets, exams), fits the early warning
(:func:`eduquality.analysis.early_warning.fit_warning`) on the past cohorts and reports, on the
held-out latest cohort: AUC, calibration by band of predicted risk, the Brier score, and the
recall and share flagged at the threshold chosen on the training cohorts for 80 % recall; then
the model's weights, and the AUC of the simulator's true risk (the ceiling any model of the
recorded data could approach).

Usage: ``python bench/bench_early_warning.py [--students N] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine_line, write_result
from eduquality.analysis.demo import import_manifest
from eduquality.analysis.early_warning import fit_warning, warning_frame
from eduquality.measures.dropout import auc
from eduquality.simulate import simulate_district
from eduquality.simulate.truth import load_dropout_risk
from eduquality.store import open_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = args.out or Path(tempfile.mkdtemp(prefix="eq-ew-"))
    t0 = time.perf_counter()
    m = simulate_district(work / "district", students=args.students, seed=args.seed,
                          profile="minimal", years=4)
    db = open_database(work / "ew.duckdb")
    import_manifest(db, m, lambda *a, **k: None)
    t_data = time.perf_counter() - t0
    t0 = time.perf_counter()
    fitted = fit_warning(db, held_out=1, target_recall=0.8)
    t_fit = time.perf_counter() - t0
    # the ceiling: the simulator's true risk of the held-out cohort's students
    test_year = fitted.test_years[0]
    frame = warning_frame(db, test_year)
    ids = db.sql("SELECT student_id, national_id FROM student")
    truth = load_dropout_risk(work / "district")
    truth = truth[truth["year"] == test_year].merge(ids, on="national_id")
    joined = frame.merge(truth[["student_id", "risk"]], on="student_id", how="left")
    ceiling = auc(joined["outcome"], joined["risk"].fillna(joined["risk"].mean()))
    cal = fitted.calibration
    lines = [
        "## Dropout early warning (simulated district, held-out cohort)",
        "",
        machine_line(),
        "",
        f"District: {args.students:,} students, seed {args.seed}, profile minimal, 4 school "
        f"years; data simulated and imported in {t_data:.0f} s; model fitted in {t_fit:.1f} s.",
        f"Fitted on the cohorts of {', '.join(fitted.train_years)} ({fitted.n_train:,} "
        f"student-years, {fitted.events_train} dropouts the next year); held out "
        f"{test_year} ({fitted.n_test:,} students, {fitted.events_test} dropouts in the next "
        "year).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| AUC, training cohorts | {fitted.auc_train:.3f} |",
        f"| **AUC, held-out cohort** | **{fitted.auc_test:.3f}** |",
        f"| AUC of the simulator's true risk, held-out cohort (ceiling) | {ceiling:.3f} |",
        f"| Brier score, held-out | {cal.attrs['brier']:.5f} |",
        f"| threshold for {fitted.target_recall:.0%} recall (training) | "
        f"{fitted.threshold:.4f} |",
        f"| recall at that threshold, held-out | {fitted.recall_test:.1%} |",
        f"| students flagged at that threshold, held-out | {fitted.flagged_test:.1%} |",
        "",
        "Calibration on the held-out cohort (equal-count bands of predicted risk):",
        "",
        "| band | n | mean predicted | observed | dropouts |",
        "|---|---|---|---|---|",
        *[f"| {r.band} | {r.n} | {r.mean_predicted:.4f} | {r.observed:.4f} | {r.events} |"
          for r in cal.itertuples()],
        "",
        "Weights (log-odds per SD of each factor; ridge 1):",
        "",
        "| factor | mean | SD | coef | odds ratio per SD |",
        "|---|---|---|---|---|",
        *[f"| {r.factor} | {r.mean:.3f} | {r.sd:.3f} | {r.coef:+.3f} | {r.odds_ratio:.2f} |"
          for r in fitted.model.weights().itertuples()],
    ]
    write_result("early_warning", "\n".join(lines))
    db.close()


if __name__ == "__main__":
    main()
