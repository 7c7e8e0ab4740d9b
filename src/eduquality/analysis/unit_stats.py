"""三率一分 and score summaries per unit (district, peer group, school, class, teacher).

The aggregation is one Ibis expression (engine-portable); confidence intervals and the
comparison with the district are added on the small aggregated frame with pandas/scipy.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import stats

from eduquality.config import Thresholds
from eduquality.measures.scores import band_vs_reference

LEVEL_KEYS: dict[str, list[str]] = {
    "district": [],
    "peer_group": ["peer_group"],
    "school": ["school_code"],
    "class": ["school_code", "class_id"],
    "teacher": ["teacher_id"],
}


def summary_expr(results: ir.Table, level: str, thresholds: Thresholds) -> ir.Table:
    """Per (subject, unit): registered and valid counts, mean, SD (n−1), min, quartiles, max,
    and the 四率 (share of valid takers at or above 85/70/60 % of full marks; 低分率: below 40 %).
    """
    keys = ["subject_code", *LEVEL_KEYS[level]]
    s = results.score
    ratio = s / results.full_marks

    def share(cond: ir.BooleanValue) -> ir.FloatingScalar:
        return ibis.ifelse(s.isnull(), ibis.null(), cond.cast("float64")).mean()

    return results.group_by(keys).aggregate(
        n_registered=results.student_id.count(),
        n=s.count(),
        full_marks=results.full_marks.max(),
        mean=s.mean(),
        sd=s.std(how="sample"),
        min=s.min(),
        q1=s.quantile(0.25),
        median=s.median(),
        q3=s.quantile(0.75),
        max=s.max(),
        excellent_rate=share(ratio >= thresholds.excellent),
        good_rate=share(ratio >= thresholds.good),
        pass_rate=share(ratio >= thresholds.pass_),
        low_rate=share(ratio < thresholds.low),
    )


def add_intervals(frame: pd.DataFrame, district: pd.DataFrame) -> pd.DataFrame:
    """Add 95 % t-intervals for each unit mean, 差异系数, 超均率, 离均差 and the group T score
    (T_g = 50 + 10 (mean_g − mean_district) / SD_district) against the district,
    and a band saying whether the unit differs from the district by more than its uncertainty
    (:func:`eduquality.measures.scores.band_vs_reference`: 'above' / 'below' only when the
    whole interval lies on one side of the district mean; otherwise 'similar'). Units whose
    intervals overlap are therefore not ordered as if they differed.
    """
    out = frame.copy()
    n = out["n"].astype(float)
    se: pd.Series = out["sd"] / np.sqrt(n)
    tcrit = stats.t.ppf(0.975, (n - 1).where(n >= 2))
    out["se"] = se
    out["ci_low"] = out["mean"] - tcrit * se
    out["ci_high"] = out["mean"] + tcrit * se
    out["cv"] = out["sd"] / out["mean"]
    ref = district.set_index("subject_code")
    ref_mean = out["subject_code"].map(ref["mean"]).astype(float)
    if "sd" in ref.columns:
        ref_sd = out["subject_code"].map(ref["sd"]).astype(float)
        out["group_t"] = 50 + 10 * (out["mean"] - ref_mean) / ref_sd
    out["above_mean_rate"] = (out["mean"] - ref_mean) / ref_mean
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
