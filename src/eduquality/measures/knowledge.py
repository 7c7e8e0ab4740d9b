"""知识点 and 能力层级 analysis: score rates per tag for every unit, and 薄弱点 with a test.

Definitions (GLOSSARY, Item analysis):

- 知识点得分率 of a unit = points earned / points possible on the items tagged with the knowledge
  point. An item may carry several tags with weights w (file format ``函数:0.5``; default 1):
  for student s and tag k, earned = Σᵢ w_ik xᵢ and possible = Σᵢ w_ik mᵢ over the items i the
  student has a score on (mᵢ = full marks). An item without a score (NaN: an optional item not
  chosen, or the whole subject 缺考) counts in neither, never as 0. A unit's rate is Σ earned /
  Σ possible over its students. The same computation serves 能力层级 (ability levels) or any
  other item tag: pass the mapping item → tag.
- 薄弱点: knowledge points where a unit lies *significantly* below its reference group, not just
  lower. Test adopted here (:func:`weak_points`): each student's rate on the knowledge point;
  Welch's two-sample t-test of the unit's students against the rest of the reference group
  (one-sided, unit below; Welch 1947, Biometrika 34:28–35), the p-values of one unit's knowledge
  points adjusted by Benjamini–Hochberg (1995, JRSS B 57:289–300). A point is weak when the
  adjusted p < α **and** the gap ≤ −``min_gap`` (a practically relevant shortfall: the
  settings' ``KnowledgeRules.min_gap``, 5 percentage points by default). Weak points are
  ranked by priority = −gap × weight, weight = the knowledge point's share of the paper's
  points (Σᵢ w_ik mᵢ / paper full marks). :func:`shortfall` applies the same ``min_gap`` to
  one student's rates, which are too few for a test.

  Limits, stated for the methods appendix: students are treated as independent, so for a large
  unit made of classes (a school) the SE is somewhat too small and ``min_gap`` matters; the
  unit's rate in the test is the mean of its students' rates, which equals Σ earned / Σ
  possible when every student answered the same items.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "KnowledgeError",
    "benjamini_hochberg",
    "item_matrix",
    "shortfall",
    "student_tag_rates",
    "tag_matrix",
    "tag_rates",
    "tag_weights",
    "weak_points",
    "weak_points_from_sums",
]

MESSAGES = register({
    "knowledge.mapping_columns": (
        "知识点对照表缺少列：{columns}（需要 item、tag，可选 weight）",
        "the tag mapping lacks columns: {columns} (needs item, tag, optional weight)",
    ),
    "knowledge.unknown_items": (
        "知识点对照表中的小题不在成绩表中：{items}",
        "items of the tag mapping are not in the score table: {items}",
    ),
    "knowledge.no_full_marks": (
        "以下小题缺少满分：{items}", "full marks missing for items: {items}",
    ),
    "knowledge.bad_weight": (
        "知识点权重须为非负数：{rows}", "tag weights must be non-negative numbers: {rows}",
    ),
    "knowledge.duplicate": (
        "知识点对照表中同一小题的同一标签出现多次：{rows}",
        "an item carries the same tag more than once in the mapping: {rows}",
    ),
    "knowledge.out_of_range": (
        "小题 {items} 有得分超出 [0, 满分] 范围", "items {items} have scores outside [0, full marks]",
    ),
    "knowledge.unit_spans_groups": (
        "单位 {units} 跨越多个参照组，无法与参照组比较",
        "units {units} span several reference groups and cannot be compared with one",
    ),
    "knowledge.option": (
        "参数 {name} 的取值 {value} 无效", "invalid value {value} for {name}",
    ),
})


class KnowledgeError(KeyedError):
    """Input to a knowledge-point computation is invalid (message in zh; ``text(lang)``)."""



def _few(values: object) -> str:
    seq = list(values)  # type: ignore[call-overload]
    more = f" … (+{len(seq) - 5})" if len(seq) > 5 else ""
    return ", ".join(map(str, seq[:5])) + more


def item_matrix(
    long: pd.DataFrame, student: str = "student_id", item: str = "item", score: str = "score"
) -> pd.DataFrame:
    """Wide item-score matrix (students × items) from a long frame of one row per student and
    item; a missing row or score is NaN.

    >>> long = pd.DataFrame({"student_id": ["a", "a", "b"], "item": [1, 2, 1],
    ...                      "score": [2.0, 3.0, 0.0]})
    >>> item_matrix(long).to_numpy().tolist()
    [[2.0, 3.0], [0.0, nan]]
    """
    return long.pivot(index=student, columns=item, values=score).astype(float)


def tag_matrix(mapping: pd.DataFrame, items: pd.Index) -> pd.DataFrame:
    """Items × tags matrix of weights from a mapping with columns ``item``, ``tag`` and optional
    ``weight`` (default 1). Items of ``items`` without a tag get a row of zeros.

    >>> m = pd.DataFrame({"item": [1, 2, 2], "tag": ["函数", "函数", "几何"],
    ...                   "weight": [1, 0.5, 0.5]})
    >>> tag_matrix(m, pd.Index([1, 2, 3])).to_numpy().tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]]
    """
    missing = [c for c in ("item", "tag") if c not in mapping.columns]
    if missing:
        raise KnowledgeError("knowledge.mapping_columns", columns=", ".join(missing))
    m = mapping.assign(weight=mapping["weight"] if "weight" in mapping.columns else 1.0)
    weight = pd.to_numeric(m["weight"], errors="coerce")
    bad = m[weight.isna() | (weight < 0)]
    if len(bad):
        raise KnowledgeError("knowledge.bad_weight",
                             rows=_few(f"{r.item}:{r.weight}" for r in bad.itertuples()))
    dup = m.duplicated(["item", "tag"], keep=False)
    if dup.any():
        raise KnowledgeError("knowledge.duplicate",
                             rows=_few(f"{r.item}:{r.tag}" for r in m[dup].itertuples()))
    unknown = sorted(set(m["item"]) - set(items), key=str)
    if unknown:
        raise KnowledgeError("knowledge.unknown_items", items=_few(unknown))
    wide = m.assign(weight=weight).pivot(index="item", columns="tag", values="weight")
    wide = wide.reindex(index=items, columns=m["tag"].unique())  # tags in order of appearance
    return wide.fillna(0.0).rename_axis(index=None, columns="tag")


def _earned_possible(
    scores: pd.DataFrame, full_marks: pd.Series, mapping: pd.DataFrame
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], pd.Index]:
    """Per student × tag: points earned and points possible (items with a score only)."""
    w = tag_matrix(mapping, scores.columns)
    used = w.index[w.to_numpy().sum(axis=1) > 0]
    marks = full_marks.reindex(used).astype(float)
    if marks.isna().any():
        raise KnowledgeError("knowledge.no_full_marks", items=_few(marks.index[marks.isna()]))
    x = scores[used].to_numpy(dtype=float)
    m = marks.to_numpy()
    with np.errstate(invalid="ignore"):
        out_of_range = ((x < 0) | (x > m + 1e-9)).any(axis=0)
    if out_of_range.any():
        raise KnowledgeError("knowledge.out_of_range", items=_few(used[out_of_range]))
    wu = w.loc[used].to_numpy()
    observed = ~np.isnan(x)
    earned = np.where(observed, x, 0.0) @ wu
    possible = (observed * m) @ wu
    return earned, possible, w.columns


def student_tag_rates(
    scores: pd.DataFrame, full_marks: pd.Series, mapping: pd.DataFrame
) -> pd.DataFrame:
    """Each student's rate per tag (students × tags): earned / possible; NaN where the student
    has no scored item with the tag.

    Hand example: item 1 (2 marks, 函数), item 2 (6 marks, 函数 0.5 and 几何 0.5); a student
    scoring 1 and 4 has 函数 (1 + 0.5·4)/(2 + 0.5·6) = 3/5 and 几何 2/3.

    >>> x = pd.DataFrame({1: [1.0], 2: [4.0]})
    >>> m = pd.DataFrame({"item": [1, 2, 2], "tag": ["函数", "函数", "几何"],
    ...                   "weight": [1, 0.5, 0.5]})
    >>> student_tag_rates(x, pd.Series({1: 2.0, 2: 6.0}), m).round(4).to_numpy().tolist()
    [[0.6, 0.6667]]
    """
    earned, possible, tags = _earned_possible(scores, full_marks, mapping)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(possible > 0, earned / possible, np.nan)
    return pd.DataFrame(rate, index=scores.index, columns=tags)


def tag_rates(
    scores: pd.DataFrame,
    full_marks: pd.Series,
    mapping: pd.DataFrame,
    units: pd.DataFrame | None = None,
    *,
    include_students: bool = False,
) -> pd.DataFrame:
    """知识点/能力层级得分率 for every unit in one pass: the whole population (level ``'all'``,
    unit ``'all'``), each column of ``units`` (one level per column, e.g. ``peer_group``,
    ``school``, ``class``; labels per student, index aligned with ``scores``) and, with
    ``include_students``, each student (level ``'student'``).

    Returns a tidy frame: level, unit, tag, n (students with a scored item of the tag), earned,
    possible, rate = earned / possible.

    >>> x = pd.DataFrame({1: [2.0, 0, 1], 2: [6.0, 3, np.nan]}, index=["a", "b", "c"])
    >>> m = pd.DataFrame({"item": [1, 2], "tag": ["函数", "函数"]})
    >>> cls = pd.DataFrame({"class": ["1班", "1班", "2班"]}, index=x.index)
    >>> out = tag_rates(x, pd.Series({1: 2.0, 2: 6.0}), m, cls)
    >>> out[["level", "unit", "rate"]].to_numpy().tolist()  # (2+6+0+3+1)/(8+8+2); 11/16; 1/2
    [['all', 'all', 0.6666666666666666], ['class', '1班', 0.6875], ['class', '2班', 0.5]]
    """
    earned, possible, tags = _earned_possible(scores, full_marks, mapping)
    has = (possible > 0).astype(float)
    frames = []
    e = pd.DataFrame(earned, index=scores.index, columns=tags)
    p = pd.DataFrame(possible, index=scores.index, columns=tags)
    n = pd.DataFrame(has, index=scores.index, columns=tags)
    levels: list[tuple[str, pd.Series]] = [("all", pd.Series("all", index=scores.index))]
    if units is not None:
        levels += [(str(c), units[c].reindex(scores.index)) for c in units.columns]
    for level, labels in levels:  # one groupby per level (a handful), vectorised within
        sums = {k: f.groupby(labels, sort=True).sum() for k, f in
                (("earned", e), ("possible", p), ("n", n))}
        frames.append(_tidy(level, sums["earned"], sums["possible"], sums["n"]))
    if include_students:
        frames.append(_tidy("student", e, p, n))
    return pd.concat(frames, ignore_index=True)


def _tidy(level: str, e: pd.DataFrame, p: pd.DataFrame, n: pd.DataFrame) -> pd.DataFrame:
    tags = e.columns
    units = e.index
    k, u = len(tags), len(units)
    earned, possible = e.to_numpy().ravel(), p.to_numpy().ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(possible > 0, earned / possible, np.nan)
    return pd.DataFrame({
        "level": level,
        "unit": np.repeat(units.to_numpy(), k),
        "tag": np.tile(tags.to_numpy(), u),
        "n": n.to_numpy().ravel().astype(np.int64),
        "earned": earned,
        "possible": possible,
        "rate": rate,
    })


def benjamini_hochberg(p: pd.Series, group: pd.Series | None = None) -> pd.Series:
    """Benjamini–Hochberg adjusted p-values (step-up, FDR), within each ``group``; NaN p-values
    are left out (they count in no family) and stay NaN.

    p_adj(i) = min over j ≥ i of min(1, p_(j) · m / j), p_(1) ≤ … ≤ p_(m).
    R: ``p.adjust(c(0.01, 0.04, 0.03, 0.2), "BH")`` → 0.04 0.0533 0.0533 0.2.

    >>> benjamini_hochberg(pd.Series([0.01, 0.04, 0.03, 0.2])).round(4).tolist()
    [0.04, 0.0533, 0.0533, 0.2]
    """
    g = pd.Series(0, index=p.index) if group is None else group.reindex(p.index)
    frame = pd.DataFrame({"p": p.astype(float), "g": g}).dropna(subset=["p"])
    frame = frame.sort_values(["g", "p"], kind="stable")
    grouped = frame.groupby("g", sort=False)["p"]
    m = grouped.transform("size").to_numpy()
    i = grouped.cumcount().to_numpy() + 1
    frame["raw"] = np.minimum(1.0, frame["p"].to_numpy() * m / i)
    adjusted = frame.iloc[::-1].groupby("g", sort=False)["raw"].cummin()
    return adjusted.reindex(p.index).rename("p_adj")


def shortfall(own: pd.Series, reference: pd.Series, min_gap: float) -> pd.Series:
    """Knowledge points to show one student (who has too few items per point for a test):
    own rate ≤ reference rate − ``min_gap``, the same practical threshold as :func:`weak_points`
    (settings: ``KnowledgeRules.min_gap``). NaN rates are no shortfall.

    >>> shortfall(pd.Series([0.50, 0.56, 0.9]), pd.Series([0.55, 0.60, np.nan]), 0.05).tolist()
    [True, False, False]
    """
    return (own <= reference - min_gap).fillna(False).astype(bool)


def weak_points(
    scores: pd.DataFrame,
    full_marks: pd.Series,
    mapping: pd.DataFrame,
    unit: pd.Series,
    reference: pd.Series | None = None,
    *,
    alpha: float = 0.05,
    min_gap: float,
    paper_full: float | None = None,
    alternative: Literal["less", "two-sided"] = "less",
) -> pd.DataFrame:
    """薄弱点 of every unit: knowledge points where the unit is significantly below the rest of
    its reference group (module docstring: Welch t-test on student rates, BH within the unit).

    ``unit`` labels each student with a unit (class, school …); ``reference`` labels the
    reference group (district by default: everyone; or e.g. the peer group) and each unit must
    lie in one reference group. ``alternative='two-sided'`` doubles the p-value's tail (the
    flag still needs gap ≤ −min_gap). ``paper_full`` is the paper's full marks for the weight
    (default Σ full marks of ``scores``' items; pass it when optional items are in the matrix).

    Returns one row per (unit, tag): ref_group, n_unit, n_ref (the rest of the reference group),
    rate_unit, rate_ref (mean student rate), gap = rate_unit − rate_ref, se, t, df, p, p_adj,
    weak, weight, priority = −gap × weight, rank (1 = most urgent weak point of the unit; NaN
    when not weak). Sorted by unit, then weak points by priority.

    Example: 1班's 代数 rates .2 .3 .2 .4 .3 against the rest .8 .9 .7 .8 .9 .9 .8 .8 .7 .9.
    In R: ``t.test(x, y, alternative = "less")`` → t = −12.008239, df = 7.6721311,
    p = 1.512028e-06.

    >>> x = pd.DataFrame({"A": [2.0, 3, 2, 4, 3, 8, 9, 7, 8, 9, 9, 8, 8, 7, 9]})
    >>> m = pd.DataFrame({"item": ["A"], "tag": ["代数"]})
    >>> cls = pd.Series(["1班"] * 5 + ["2班"] * 10)
    >>> r = weak_points(x, pd.Series({"A": 10.0}), m, cls, min_gap=0.05).iloc[0]
    >>> round(float(r["t"]), 6), round(float(r["df"]), 7), f"{r['p']:.6e}", bool(r["weak"])
    (-12.008239, 7.6721311, '1.512028e-06', True)
    """
    if not 0 < alpha < 1:
        raise KnowledgeError("knowledge.option", name="alpha", value=alpha)
    if alternative not in ("less", "two-sided"):
        raise KnowledgeError("knowledge.option", name="alternative", value=alternative)
    rates = student_tag_rates(scores, full_marks, mapping)
    labels = unit.reindex(rates.index)
    ref = (pd.Series("all", index=rates.index) if reference is None
           else reference.reindex(rates.index))
    keep = labels.notna() & ref.notna()
    rates, labels, ref = rates[keep], labels[keep], ref[keep]
    spans = ref.groupby(labels).nunique()
    if (spans > 1).any():
        raise KnowledgeError("knowledge.unit_spans_groups", units=_few(spans.index[spans > 1]))
    unit_ref = ref.groupby(labels).first()  # index: the units, sorted (as every groupby below)
    # moments about each group's mean (keeps Σc² − (Σc)²/n free of cancellation)
    centre = rates.groupby(ref).transform("mean")
    c = rates - centre
    valid = c.notna().astype(float)
    c0 = c.fillna(0.0)
    n_u, s_u, q_u = (f.groupby(labels).sum() for f in (valid, c0, c0**2))
    centre_unit = rates.groupby(ref).mean().reindex(unit_ref.to_numpy()).set_axis(unit_ref.index)
    tags = rates.columns
    k, units = len(tags), n_u.index
    sums = pd.DataFrame({
        "unit": np.repeat(units.to_numpy(), k),
        "tag": np.tile(tags.to_numpy(), len(units)),
        "ref_group": np.repeat(unit_ref.reindex(units).to_numpy(), k),
        "n": n_u.to_numpy().ravel(), "s": s_u.to_numpy().ravel(), "q": q_u.to_numpy().ravel(),
        "centre": centre_unit.reindex(units).to_numpy().ravel(),
    })
    weight = _tag_weights(scores, full_marks, mapping, paper_full)
    return weak_points_from_sums(sums, weight, alpha=alpha, min_gap=min_gap,
                                 alternative=alternative)


def weak_points_from_sums(
    sums: pd.DataFrame,
    weight: pd.Series,
    *,
    alpha: float = 0.05,
    min_gap: float,
    alternative: Literal["less", "two-sided"] = "less",
) -> pd.DataFrame:
    """:func:`weak_points` from its moments (what an engine aggregates over the students):
    ``sums`` has one row per (unit, tag), units sorted and tags in the mapping's order —
    ref_group, ``n`` students with a rate, ``s`` = Σc and ``q`` = Σc² of c = rate − ``centre``,
    the mean rate of the reference group; ``weight``: each tag's share of the paper's points.
    The rest of a reference group is the group's sums less the unit's. Same columns as
    :func:`weak_points`.

    The example of :func:`weak_points` (rates about the mean 0.64 of all 15 students):

    >>> sums = pd.DataFrame({"unit": ["1班", "2班"], "tag": "代数", "ref_group": "all",
    ...                      "n": [5.0, 10], "s": [-1.8, 1.8], "q": [0.676, 0.38],
    ...                      "centre": 0.64})
    >>> r = weak_points_from_sums(sums, pd.Series({"代数": 1.0}), min_gap=0.05).iloc[0]
    >>> round(float(r["t"]), 6), bool(r["weak"])
    (-12.008239, True)
    """
    if not 0 < alpha < 1:
        raise KnowledgeError("knowledge.option", name="alpha", value=alpha)
    if alternative not in ("less", "two-sided"):
        raise KnowledgeError("knowledge.option", name="alternative", value=alternative)
    cols = ["n", "s", "q"]
    tot = sums.groupby(["ref_group", "tag"], sort=False)[cols].transform("sum")
    n_u, s_u, q_u = (sums[c].to_numpy(dtype=float) for c in cols)
    n_r, s_r, q_r = (tot[c].to_numpy(dtype=float) - own for c, own in
                     zip(cols, (n_u, s_u, q_u), strict=True))
    mu_u, var_u = _mean_var(n_u, s_u, q_u)
    mu_r, var_r = _mean_var(n_r, s_r, q_r)
    base = sums["centre"].to_numpy(dtype=float)
    gap = mu_u - mu_r
    a, b = var_u / n_u, var_r / n_r
    se = np.sqrt(a + b)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = gap / se
        df = (a + b) ** 2 / (a**2 / (n_u - 1) + b**2 / (n_r - 1))
    p = stats.t.cdf(t, np.where(np.isnan(df), 1.0, df))
    p = np.where(se == 0, np.where(gap < 0, 0.0, 1.0), p)  # no spread: the gap is exact
    if alternative == "two-sided":
        p = np.minimum(1.0, 2 * np.minimum(p, 1 - p))
    p = np.where((n_u >= 2) & (n_r >= 2), p, np.nan)
    out = pd.DataFrame({
        "unit": sums["unit"].to_numpy(),
        "tag": sums["tag"].to_numpy(),
        "ref_group": sums["ref_group"].to_numpy(),
        "n_unit": n_u.astype(np.int64),
        "n_ref": n_r.astype(np.int64),
        "rate_unit": mu_u + base,
        "rate_ref": mu_r + base,
        "gap": gap,
        "se": se,
        "t": t,
        "df": df,
        "p": p,
    })
    out["p_adj"] = benjamini_hochberg(out["p"], out["unit"])
    out["weak"] = (out["p_adj"] < alpha) & (out["gap"] <= -min_gap)
    out["weight"] = out["tag"].map(weight).to_numpy()
    out["priority"] = -out["gap"] * out["weight"]
    out = out.sort_values(["unit", "weak", "priority"], ascending=[True, False, False],
                          kind="stable", ignore_index=True)
    out["rank"] = out.groupby("unit").cumcount().add(1).where(out["weak"])
    return out


def _mean_var(
    n: npt.NDArray[np.float64], s: npt.NDArray[np.float64], q: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, s / n, np.nan)
        var = np.where(n > 1, np.maximum(q - s * s / n, 0.0) / (n - 1), np.nan)
    return mean, var


def _tag_weights(
    scores: pd.DataFrame, full_marks: pd.Series, mapping: pd.DataFrame, paper_full: float | None
) -> pd.Series:
    marks = full_marks.reindex(scores.columns).astype(float).fillna(0.0)
    return tag_weights(marks, mapping, paper_full)


def tag_weights(full_marks: pd.Series, mapping: pd.DataFrame,
                paper_full: float | None = None) -> pd.Series:
    """Each tag's share of the paper's points: Σᵢ w_ik mᵢ / paper full marks (default Σ mᵢ);
    ``full_marks`` indexed by item, ``mapping`` as for :func:`tag_matrix`.

    >>> m = pd.DataFrame({"item": [1, 2, 2], "tag": ["函数", "函数", "几何"],
    ...                   "weight": [1, 0.5, 0.5]})
    >>> tag_weights(pd.Series({1: 2.0, 2: 6.0}), m).tolist()
    [0.625, 0.375]
    """
    marks = full_marks.astype(float).fillna(0.0)
    w = tag_matrix(mapping, marks.index)
    total = float(marks.sum()) if paper_full is None else float(paper_full)
    return (w.mul(marks, axis=0).sum(axis=0) / total).rename("weight")
