"""三率一分 and score summaries per unit (district, peer group, school, class, teacher).

The aggregation is one Ibis expression (engine-portable), the scalable form of
:func:`eduquality.measures.scores.summarise`; confidence intervals and the comparison with the
district are added on the small aggregated frame by the measures themselves.
"""

from __future__ import annotations

from typing import Any

import ibis.expr.types as ir
import pandas as pd

from eduquality.config import Thresholds
from eduquality.measures.scores import (
    above_mean_rate,
    band_vs_reference,
    group_t,
    mean_interval,
    variation_coefficient,
)

QUARTILES = (0.25, 0.5, 0.75)
"""Q1, the median and Q3 (type 7: linear interpolation between order statistics)."""

LEVEL_KEYS: dict[str, list[str]] = {
    "district": [],
    "peer_group": ["peer_group"],
    "school": ["school_code"],
    "class": ["school_code", "class_id"],
    "teacher": ["teacher_id"],
}


def summary_expr(results: ir.Table, level: str, thresholds: Thresholds) -> ir.Table:
    """Per (subject, unit): the columns of :func:`eduquality.measures.scores.summarise` but
    ``cv`` — registered and valid counts, mean, SD (n−1), min, quartiles (type 7), max and the
    四率 (share of valid takers at or above ``thresholds``' 优秀/良好/及格 lines × full marks;
    低分率: below the 低分 line) — plus the unit's full marks. The scalable form of ``summarise``
    (any Ibis backend: DuckDB for a district, Spark for a province), tested against it.
    """
    keys = ["subject_code", *LEVEL_KEYS[level]]
    s = results.score
    ratio = s / results.full_marks

    def share(cond: ir.BooleanValue) -> ir.FloatingScalar:
        return cond.cast("float64").mean()      # NULL for a missing score: not counted

    agg = results.group_by(keys).aggregate(
        n_registered=results.student_id.count(),
        n=s.count(),
        full_marks=results.full_marks.max(),
        mean=s.mean(),
        sd=s.std(how="sample"),
        min=s.min(),
        quartiles=s.quantile(list(QUARTILES)),   # one sort of the unit's scores for all three
        max=s.max(),
        excellent_rate=share(ratio >= thresholds.excellent),
        good_rate=share(ratio >= thresholds.good),
        pass_rate=share(ratio >= thresholds.pass_),
        low_rate=share(ratio < thresholds.low),
    )
    q = agg.quartiles
    return agg.select(*keys, "n_registered", "n", "full_marks", "mean", "sd", "min",
                      q1=q[0], median=q[1], q3=q[2], max=agg["max"],
                      excellent_rate=agg.excellent_rate, good_rate=agg.good_rate,
                      pass_rate=agg.pass_rate, low_rate=agg.low_rate)


def add_intervals(frame: pd.DataFrame, district: pd.DataFrame) -> pd.DataFrame:
    """Add to each unit's summary row, with the measures of :mod:`eduquality.measures.scores`
    applied to the unit's n, mean and SD: the 95 % t-interval of the mean (``se``, ``ci_low``,
    ``ci_high``: :func:`~eduquality.measures.scores.mean_interval`), 差异系数 ``cv``
    (:func:`~eduquality.measures.scores.variation_coefficient`), and against the district:
    超均率 (:func:`~eduquality.measures.scores.above_mean_rate`), the difference of means, the
    group T (:func:`~eduquality.measures.scores.group_t`, where ``district`` carries its SD)
    and a band saying whether the unit differs from the district by more than its uncertainty
    (:func:`~eduquality.measures.scores.band_vs_reference`: 'above' / 'below' only when the
    whole interval lies on one side of the district mean; otherwise 'similar'). Units whose
    intervals overlap are therefore not ordered as if they differed.
    """
    out = frame.copy()
    ci = mean_interval(out["n"], out["mean"], out["sd"])
    for col in ("se", "ci_low", "ci_high"):
        out[col] = ci[col].to_numpy()
    out["cv"] = variation_coefficient(out["sd"], out["mean"])
    ref = district.set_index("subject_code")
    ref_mean = out["subject_code"].map(ref["mean"]).astype(float)
    if "sd" in ref.columns:
        ref_sd = out["subject_code"].map(ref["sd"]).astype(float)
        out["group_t"] = group_t(out["mean"], ref_mean, ref_sd)
    out["above_mean_rate"] = above_mean_rate(out["mean"], ref_mean)
    out["diff_from_district"] = out["mean"] - ref_mean
    out["band"] = band_vs_reference(out, ref_mean).to_numpy()
    return out


def unit_summaries(
    con: Any, results: ir.Table, levels: list[str], thresholds: Thresholds,
    teacher_results: ir.Table | None = None,
) -> dict[str, pd.DataFrame]:
    """Execute :func:`summary_expr` at each level and add intervals and bands."""
    district = summary_expr(results, "district", thresholds).execute()
    out: dict[str, pd.DataFrame] = {}
    for level in levels:
        source = teacher_results if level == "teacher" else results
        if source is None:
            continue
        frame = district if level == "district" else summary_expr(
            source, level, thresholds).execute()
        out[level] = add_intervals(frame, district).sort_values(
            ["subject_code", *LEVEL_KEYS[level]], ignore_index=True)
    return out
