"""Follow-up of flagged students (帮扶跟踪: 学困生, 弱科生, 临界生) over the next exams.

A *cohort* is the set of students flagged by one group rule (:mod:`eduquality.measures.groups`)
in one subject (or the total) at a starting exam. At each later exam of the same students,
every member of the cohort gets one status (:func:`followup_status`):

- ``left``    — has a valid score in that subject at the later exam and is **not** flagged
  there by the same rule (the same group, the same subject, the later exam's own reference
  group): the student left the group;
- ``stayed``  — has a valid score and is flagged again;
- ``missing`` — no valid score at the later exam (缺考, 违纪, left the cohort's exams): neither
  left nor stayed, never counted as a success.

So left + stayed + missing = the cohort, and the share that left is n_left / (n_left + n_stayed)
(the students followed), with Wilson's interval (:func:`eduquality.measures.indicators.
wilson_interval`). Leaving a rank-based group is partly regression to the mean (a group chosen
for low scores scores higher next time on average even without help), so the share left is shown
beside the growth percentiles, which condition on the prior score.

Growth: each cohort member's SGP at the later exam is the percentile of the later score among
students of the same cohort of exams *with the same prior score* (the SGP model is fitted on every
student who sat both exams, :func:`eduquality.measures.growth.student_growth_percentiles`). A mean
SGP of 50 is the growth of academic peers; the unit's mean SGP with its 95 % interval comes from
:func:`eduquality.measures.valueadded.sgp_value_added`. Beside it, the gap between the cohort's mean SGP
and the mean SGP of the unit's *non-flagged* students, with Welch's interval (:func:`mean_gap`):
both condition on each student's own prior score. A comparison with non-flagged students of
*exactly* the same prior score is not identifiable for rules that flag by the prior score
itself (学困生 = the bottom of the total: no non-flagged student shares their prior total), so
this is the closest honest comparison the SGP estimator allows.

Small units: a unit whose cohort has fewer than ``min_n`` students is withheld (primary) and,
so that it cannot be derived by subtraction from its parent's row, complementary cells too
(:func:`eduquality.measures.disclosure.suppress`): :func:`withhold_small`.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence

import numpy as np
import pandas as pd

from eduquality.measures.disclosure import primary, suppress
from eduquality.measures.indicators import wilson_interval
from eduquality.measures.valueadded import Z95, sgp_value_added

__all__ = [
    "STATUSES",
    "STAT_COLUMNS",
    "followup_status",
    "mean_gap",
    "unit_followup",
    "withhold_small",
]

STATUSES = ("left", "stayed", "missing")
"""A cohort member's status at a later exam (module docstring)."""

STAT_COLUMNS = ("n_cohort", "n_followed", "n_left", "n_stayed", "n_missing", "left_share",
                "left_ci_low", "left_ci_high", "n_sgp", "mean_sgp", "sgp_ci_low",
                "sgp_ci_high", "sgp_band", "n_peer", "peer_mean_sgp", "sgp_gap", "gap_ci_low",
                "gap_ci_high")
"""The columns of :func:`unit_followup`, in order (after ``unit``)."""


def followup_status(cohort: Iterable[Hashable], present: Iterable[Hashable],
                    flagged: Iterable[Hashable]) -> pd.Series:
    """The status of each cohort member at one later exam: ``present`` are the students with a
    valid score in the subject there, ``flagged`` those flagged there by the same rule.

    >>> followup_status([1, 2, 3, 4], present=[1, 2, 3, 9], flagged=[2, 9]).tolist()
    ['left', 'stayed', 'left', 'missing']
    """
    ids = pd.Index(list(dict.fromkeys(cohort)), name="student_id")
    here = ids.isin(list(present))
    again = ids.isin(list(flagged))
    status = np.select([here & ~again, here & again], ["left", "stayed"], "missing")
    return pd.Series(pd.Categorical(status, categories=list(STATUSES)), index=ids,
                     name="status")


def mean_gap(a: pd.Series, b: pd.Series) -> tuple[float, float, float]:
    """Mean of ``a`` minus mean of ``b`` with its 95 % interval, Welch's standard error
    √(s_a²/n_a + s_b²/n_b) (sample variances, n − 1) and the normal quantile 1.96; NaN unless
    both have at least two values.

    >>> [round(x, 2) for x in mean_gap(pd.Series([30.0, 50]), pd.Series([60.0, 70, 80]))]
    [-30.0, -52.63, -7.37]
    """
    a, b = a.dropna().astype(float), b.dropna().astype(float)
    if len(a) < 2 or len(b) < 2:
        return np.nan, np.nan, np.nan
    gap = float(a.mean() - b.mean())
    se = float(np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)))
    return gap, gap - Z95 * se, gap + Z95 * se


def unit_followup(status: pd.Series, unit: pd.Series, sgp: pd.Series | None = None,
                  sgp_min_n: int = 1, peer_sgp: pd.Series | None = None,
                  peer_unit: pd.Series | None = None) -> pd.DataFrame:
    """Per unit (and for everyone, unit ``'all'``): the counts of :data:`STATUSES`, the share
    that left with its 95 % Wilson interval, and the cohort's mean SGP with its 95 % interval
    and band against 50 (:func:`~eduquality.measures.valueadded.sgp_value_added`; only the
    ``followed`` members have an SGP; fewer than ``sgp_min_n`` SGPs: no mean).

    With ``peer_sgp`` and ``peer_unit`` (the SGPs and units of the students *not* flagged at
    the start, at the same later exam): n_peer, their mean SGP, and the gap cohort − peers with
    its 95 % interval (:func:`mean_gap`). Both SGPs condition on each student's own prior
    score, so the gap compares the cohort's growth with that of the unit's other students.

    ``status``, ``unit`` and ``sgp`` are indexed by student (``unit`` NaN: counted in 'all'
    only). One row per unit, columns ``unit`` and :data:`STAT_COLUMNS`; 'all' first.

    >>> st = pd.Series(["left", "stayed", "left", "missing"], index=[1, 2, 3, 4])
    >>> u = pd.Series(["A", "A", "B", "B"], index=[1, 2, 3, 4])
    >>> unit_followup(st, u)[["unit", "n_cohort", "n_left", "n_missing", "left_share"]
    ...                      ].to_numpy().tolist()
    [['all', 4, 2, 1, 0.6666666666666666], ['A', 2, 1, 0, 0.5], ['B', 2, 1, 1, 1.0]]
    """
    st = status.astype(str)
    units = unit.reindex(st.index)
    sgps = (pd.Series(np.nan, index=st.index) if sgp is None
            else sgp.reindex(st.index).astype("float64"))
    sgps = sgps.where(st != "missing")
    peers = (pd.Series(dtype="float64") if peer_sgp is None
             else peer_sgp.astype("float64").dropna())
    peer_units = (pd.Series(np.nan, index=peers.index) if peer_unit is None
                  else peer_unit.reindex(peers.index))
    parts: list[tuple[Hashable, pd.Index]] = [("all", st.index)]
    parts += [(u, idx) for u, idx in st.groupby(units.to_numpy(), sort=True).groups.items()]
    rows = []
    for u, idx in parts:
        s = st.loc[idx]
        counts = {k: int((s == k).sum()) for k in STATUSES}
        followed = counts["left"] + counts["stayed"]
        low, high = wilson_interval(counts["left"], followed)
        g = sgps.loc[idx].dropna()
        va = sgp_value_added(g.to_numpy(), np.zeros(len(g)), min_n=sgp_min_n)
        has = len(g) >= sgp_min_n and not va.empty
        p = peers if u == "all" else peers[peer_units.to_numpy() == u]
        gap, gap_low, gap_high = mean_gap(g, p)
        rows.append({
            "unit": u, "n_cohort": len(s), "n_followed": followed, "n_left": counts["left"],
            "n_stayed": counts["stayed"], "n_missing": counts["missing"],
            "left_share": counts["left"] / followed if followed else np.nan,
            "left_ci_low": low, "left_ci_high": high, "n_sgp": len(g),
            "mean_sgp": float(va["mean_sgp"].iloc[0]) if has else np.nan,
            "sgp_ci_low": float(va["mean_ci_low"].iloc[0]) if has else np.nan,
            "sgp_ci_high": float(va["mean_ci_high"].iloc[0]) if has else np.nan,
            "sgp_band": str(va["band_mean"].iloc[0]) if has else "insufficient",
            "n_peer": len(p), "peer_mean_sgp": float(p.mean()) if len(p) else np.nan,
            "sgp_gap": gap, "gap_ci_low": gap_low, "gap_ci_high": gap_high,
        })
    return pd.DataFrame(rows, columns=["unit", *STAT_COLUMNS])


def withhold_small(table: pd.DataFrame, min_n: int,
                   groups: Sequence[tuple[Hashable, Collection[Hashable]]]) -> pd.DataFrame:
    """``table`` (a :func:`unit_followup` frame) with the statistics of small units blanked:
    units with ``0 < n_cohort < min_n`` (primary), and the complementary units that would give
    them back by subtraction (``groups``: ``(parent, children)`` whose n_cohort add up, e.g.
    ``('all', schools)``), chosen by :func:`eduquality.measures.disclosure.suppress` with
    n_cohort as the layer. Every other count (n_left, n_sgp …) adds up over the same tree, so
    the guarantee carries over: only sums over two or more withheld units can be derived. (A
    layer per count would treat a unit with n_left = 0 as known to add nothing, which it is not
    once withheld.) A withheld row keeps its ``unit`` and gets ``withheld = True``; its counts
    too are blanked (NaN).

    >>> t = pd.DataFrame({"unit": ["all", "A", "B"], "n_cohort": [14, 3, 11],
    ...                   "n_followed": [14, 3, 11], "n_left": [4, 1, 3], "n_sgp": [14, 3, 11]})
    >>> withhold_small(t, 5, [("all", ["A", "B"])])["withheld"].tolist()  # B = all − A
    [False, True, True]
    """
    layers = [dict(zip(table["unit"], table["n_cohort"].astype(float), strict=True))]
    hidden = suppress(primary(layers, min_n), layers, groups)
    out = table.copy()
    mask = out["unit"].isin(list(hidden))
    stats_cols = list(out.select_dtypes("number").columns)
    out[stats_cols] = out[stats_cols].astype("float64")
    out.loc[mask, stats_cols] = np.nan
    if "sgp_band" in out.columns:
        out.loc[mask, "sgp_band"] = "insufficient"
    out["withheld"] = mask.to_numpy()
    return out
