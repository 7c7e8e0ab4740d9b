"""The plan's programmes measured (issue 14 §1, §4): the mentoring tree of 三名工程, a studio's
value-added, partner schools' difference-in-differences, and the gaps of special groups.

Mentoring tree (以一带十、以十带百、以百促千): a master (a studio's host) is the root; the teachers
they mentor are level 1, those mentored by level 1 level 2, and so on (:func:`mentoring_levels`,
a breadth-first walk over mentor → mentee links; a teacher counts once per root, at the
shallowest level reached; cycles are cut). The plan's targets per root are 10 at level 1, 100
at level 2 and 1,000 at level 3 (:data:`TREE_TARGETS`); coverage is reached / target
(:func:`tree_coverage`; a group of r roots has target r · 10ᵈ).

Studio value-added (:func:`studio_value_added`): the residual value-added estimator of
:func:`eduquality.measures.valueadded.residual_value_added` (OLS of the current score on the prior
scores over all students of the exam and subject; a unit's estimate is its students' mean
residual, SE σ̂ √(1/n − x̄'(X'X)⁻¹x̄)) with the unit "the students taught by a member of the
studio" against everyone else. Never raw 升学率 or averages.

Difference-in-differences (:func:`difference_in_differences`): for a treated unit T (the partner
school) whose programme starts in year Y₀ and comparison units C₁…C_k (comparable schools), with
yearly values v(u, t) and their standard errors s(u, t):

    DiD = [m(T, post) − m(T, pre)] − [m(C, post) − m(C, pre)],

m(T, ·) the mean of T's yearly values in the period (pre: t < Y₀, post: t ≥ Y₀), m(C, ·) the
mean over the comparison units' yearly values in the period (every unit-year weighted equally).
Var(DiD) = Σ over the four means of Var(m), Var(m) = Σ s² / q² over its q unit-years
(estimates of different units and years treated as independent); 95 % interval DiD ± 1.96 SE.
The estimate is causal only under parallel trends (Angrist & Pischke 2009, *Mostly Harmless
Econometrics*, ch. 5); the interval covers the sampling error of the yearly estimates, not
year-to-year shocks common to T alone.

Gaps of special groups: a mean gap with Welch's interval
(:func:`eduquality.measures.followup.mean_gap`) and a gap between two proportions with
Newcombe's hybrid score interval (:func:`proportion_gap`; Newcombe 1998, *Stat Med* 17:873–890,
method 10) built on Wilson's intervals (:func:`eduquality.measures.indicators.wilson_interval`).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Hashable, Iterable, Mapping

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from eduquality.measures.indicators import wilson_interval
from eduquality.measures.valueadded import Z95, residual_value_added

__all__ = [
    "TREE_TARGETS",
    "difference_in_differences",
    "mentoring_levels",
    "proportion_gap",
    "staff_coverage",
    "studio_value_added",
    "tree_coverage",
]

TREE_TARGETS = {1: 10, 2: 100, 3: 1000}
"""以一带十、以十带百、以百促千: teachers a root is to reach at each level of its tree."""


def mentoring_levels(edges: Iterable[tuple[Hashable, Hashable]], roots: Iterable[Hashable],
                     max_depth: int = max(TREE_TARGETS)) -> pd.DataFrame:
    """Every teacher reached from each root through mentor → mentee ``edges`` and the level
    (1 … ``max_depth``) at which they are first reached. Columns root, teacher_id, level.

    >>> e = [("A", "B"), ("A", "C"), ("B", "D"), ("D", "A"), ("C", "D")]
    >>> mentoring_levels(e, ["A"]).values.tolist()
    [['A', 'B', 1], ['A', 'C', 1], ['A', 'D', 2]]
    """
    children: dict[Hashable, list[Hashable]] = {}
    for mentor, mentee in edges:
        children.setdefault(mentor, []).append(mentee)
    rows = []
    for root in dict.fromkeys(roots):
        seen = {root}
        queue = deque([(root, 0)])
        while queue:
            node, depth = queue.popleft()
            if depth == max_depth:
                continue
            for child in sorted(children.get(node, []), key=str):
                if child not in seen:
                    seen.add(child)
                    rows.append((root, child, depth + 1))
                    queue.append((child, depth + 1))
    return pd.DataFrame(rows, columns=["root", "teacher_id", "level"])


def tree_coverage(levels: pd.DataFrame, group_of_root: Mapping[Hashable, Hashable] | None = None,
                  targets: Mapping[int, int] = TREE_TARGETS) -> pd.DataFrame:
    """Per group of roots (``group_of_root``: root → group, e.g. the studio's subject; None:
    each root its own group) and level: roots, reached (distinct teachers at that level within
    the group), target (roots · 10ᵈ) and coverage = reached / target. Levels without anyone
    reached are listed with 0.

    >>> lv = pd.DataFrame({"root": ["A"] * 3 + ["B"], "teacher_id": ["x", "y", "z", "x"],
    ...                    "level": [1, 1, 2, 1]})
    >>> tree_coverage(lv, {"A": "math", "B": "math"}).values.tolist()[:2]
    [['math', 1, 2, 2, 20, 0.1], ['math', 2, 2, 1, 200, 0.005]]
    """
    roots = pd.Series(levels["root"].unique()) if group_of_root is None else pd.Series(
        list(group_of_root))
    groups = roots.map(lambda r: r if group_of_root is None else group_of_root[r])
    n_roots = pd.Series(groups.to_numpy()).value_counts()
    lv = levels.assign(group=levels["root"].map(
        (lambda r: r) if group_of_root is None else lambda r: group_of_root.get(r)))
    reached = lv.groupby(["group", "level"])["teacher_id"].nunique()
    rows = []
    for group in sorted(n_roots.index, key=str):
        r = int(n_roots[group])
        for level, per_root in sorted(targets.items()):
            k = int(reached.get((group, level), 0))
            rows.append((group, level, r, k, r * per_root, k / (r * per_root)))
    return pd.DataFrame(rows, columns=["group", "level", "roots", "reached", "target",
                                       "coverage"])


def staff_coverage(levels: pd.DataFrame, school_of: Mapping[Hashable, Hashable],
                   staff: Mapping[Hashable, int]) -> pd.DataFrame:
    """Per school: teachers on its staff (``staff``), those of them reached by any tree at any
    level, and the share. Columns school_code, teachers, reached, share.

    >>> lv = pd.DataFrame({"root": ["A", "A"], "teacher_id": ["x", "y"], "level": [1, 2]})
    >>> staff_coverage(lv, {"x": "S1", "y": "S1", "A": "S2"}, {"S1": 4, "S2": 2}).values.tolist()
    [['S1', 4, 2, 0.5], ['S2', 2, 0, 0.0]]
    """
    reached = pd.Series([school_of.get(t) for t in levels["teacher_id"].unique()],
                        dtype=object).value_counts()
    rows = [(s, int(n), int(reached.get(s, 0)), (reached.get(s, 0) / n) if n else math.nan)
            for s, n in sorted(staff.items(), key=lambda kv: str(kv[0]))]
    return pd.DataFrame(rows, columns=["school_code", "teachers", "reached", "share"])


def studio_value_added(current: ArrayLike, priors: ArrayLike, teacher: ArrayLike,
                       members: Mapping[Hashable, Collection[Hashable]],
                       min_n: int = 10) -> pd.DataFrame:
    """Per studio: the residual value-added of the students taught by its ``members`` (module
    docstring). Columns studio, n, estimate, se, ci_low, ci_high, z, band; a studio whose
    members teach fewer than ``min_n`` of the students is 'insufficient' (no estimate).

    Hand case (as in :func:`residual_value_added`): students of T1 score x + 1, of T2 x + 3, at
    x = 1, 2, 3 each; the pooled line is y = x + 2, so a studio of T2 has estimate +1:

    >>> f = studio_value_added([2, 3, 4, 4, 5, 6], [1, 2, 3, 1, 2, 3],
    ...                        ["T1"] * 3 + ["T2"] * 3, {"W": {"T2"}}, min_n=1)
    >>> f[["studio", "n", "estimate"]].round(6).values.tolist()
    [['W', 3, 1.0]]
    """
    teachers = pd.Series(np.asarray(teacher, dtype=object))
    rows = []
    for studio, who in members.items():
        inside = teachers.isin(list(who)).to_numpy()
        if not inside.any():
            rows.append({"studio": studio, "n": 0, "estimate": math.nan, "se": math.nan,
                         "ci_low": math.nan, "ci_high": math.nan, "z": math.nan,
                         "band": "insufficient"})
            continue
        unit = np.where(inside, "in", "out")
        est = residual_value_added(current, priors, unit, min_n=min_n)
        row: dict[str, object] = {"studio": studio}
        row.update({str(k): v for k, v in est.loc["in"].items()})
        rows.append(row)
    return pd.DataFrame(rows, columns=["studio", "n", "estimate", "se", "ci_low", "ci_high", "z",
                                       "band"])


def _period_mean(values: pd.DataFrame) -> tuple[float, float, int]:
    q = len(values)
    if not q:
        return math.nan, math.nan, 0
    se = values["se"].fillna(0.0).to_numpy(dtype=float)
    return float(values["value"].mean()), float(np.sqrt(np.sum(se ** 2)) / q), q


def difference_in_differences(values: pd.DataFrame, treated: Hashable, start_year: int,
                              comparison: Collection[Hashable]) -> dict[str, float]:
    """DiD of ``treated`` against ``comparison`` around ``start_year`` (module docstring).
    ``values``: columns unit, year, value, se (one row per unit-year; a missing se counts 0).
    Returns the four period means (treated_pre, treated_post, comparison_pre, comparison_post),
    their unit-years (n_…), did, se, ci_low, ci_high; NaN when a period has no value.

    >>> v = pd.DataFrame({"unit": ["P", "P", "C", "C", "D", "D"],
    ...                   "year": [2020, 2022] * 3, "value": [1.0, 3.0, 1.0, 1.5, 2.0, 2.5],
    ...                   "se": [0.3, 0.4, 0.2, 0.2, 0.2, 0.2]})
    >>> r = difference_in_differences(v, "P", 2021, ["C", "D"])
    >>> round(r["did"], 6), round(r["se"], 6)   # (3 − 1) − (2 − 1.5); √(.09 + .16 + .02 + .02)
    (1.5, 0.538516)
    """
    pre = values["year"] < start_year
    is_t = values["unit"] == treated
    is_c = values["unit"].isin(list(comparison)) & ~is_t
    out: dict[str, float] = {}
    parts = {"treated_pre": is_t & pre, "treated_post": is_t & ~pre,
             "comparison_pre": is_c & pre, "comparison_post": is_c & ~pre}
    var = 0.0
    for name, mask in parts.items():
        m, se, q = _period_mean(values[mask])
        out[name], out[f"n_{name}"] = m, q
        var += se ** 2
    did = ((out["treated_post"] - out["treated_pre"])
           - (out["comparison_post"] - out["comparison_pre"]))
    se = math.sqrt(var) if not math.isnan(did) else math.nan
    out.update(did=did, se=se, ci_low=did - Z95 * se, ci_high=did + Z95 * se)
    return out


def proportion_gap(k1: float, n1: float, k0: float, n0: float) -> tuple[float, float, float]:
    """p₁ − p₀ with Newcombe's hybrid score interval (module docstring):
    L = d − √((p₁ − l₁)² + (u₀ − p₀)²), U = d + √((u₁ − p₁)² + (p₀ − l₀)²), (lᵢ, uᵢ) Wilson's
    95 % interval of pᵢ; NaN when a group is empty.

    >>> [round(x, 4) for x in proportion_gap(56, 70, 48, 80)]   # Newcombe 1998, Table II (a)
    [0.2, 0.0524, 0.3339]
    """
    if not n1 or not n0:
        return math.nan, math.nan, math.nan
    p1, p0 = k1 / n1, k0 / n0
    l1, u1 = wilson_interval(k1, n1)
    l0, u0 = wilson_interval(k0, n0)
    d = p1 - p0
    return (d, d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2),
            d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))
