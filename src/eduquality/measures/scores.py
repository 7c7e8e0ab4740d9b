"""Score summaries (成绩统计): 三率一分/四率, 全科及格率, mean/SD/quartiles, 差异系数, 超均率,
离均差, Z/T scores, 百分等级, 正态化标准分, 标准九, 一分一段表, 分数段, 排名, and means with
confidence intervals compared without over-reading the differences.

Every definition follows GLOSSARY "Score summaries (成绩统计)":

* Missing scores (缺考 absent, 违纪 disqualified) are NaN and excluded from every statistic — never
  counted as 0. n is the number of valid scores.
* 标准差 SD is the sample SD (divisor n − 1). Quartiles use linear interpolation between order
  statistics (Hyndman & Fan 1996 type 7, the default of R ``quantile`` and pandas).
* Rates: share of valid takers at or above ``share × full marks`` (低分率: strictly below). The
  lines are settings (``eduquality.config.Thresholds``, 85/70/60/40 % by default) and come in
  as a parameter: this module holds no default of its own.
* Group functions take ``by`` — one key array/Series aligned with the scores, or a list of them —
  and work like a pandas ``groupby``: per-student measures are computed within each group
  (``transform``), per-unit measures come back indexed by the group keys. Series keys align
  with the scores by label, arrays and lists by position; rows whose key is missing belong to
  no group.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, Literal, Protocol, TypeAlias

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from eduquality.i18n import register

__all__ = [
    "BANDS",
    "Lines",
    "above_mean_rate",
    "all_pass_rate",
    "band_vs_reference",
    "compare_units",
    "competition_rank",
    "deviation",
    "grade_letters",
    "group_t",
    "group_t_scores",
    "mean_ci",
    "mean_interval",
    "normalised_scores",
    "one_point_table",
    "percentile_rank",
    "rate_flags",
    "score_bands",
    "stanine",
    "summarise",
    "t_scores",
    "variation_coefficient",
    "z_scores",
]

By: TypeAlias = "pd.Series | np.ndarray | Sequence[Any] | None"


class Lines(Protocol):
    """The four lines of 三率一分/四率 as shares of full marks: anything with these attributes,
    in practice the settings' ``eduquality.config.Thresholds`` (GLOSSARY: 85 %, 70 %, 60 % at
    or above; 低分 below 40 %; configurable per district)."""

    @property
    def excellent(self) -> float: ...
    @property
    def good(self) -> float: ...
    @property
    def pass_(self) -> float: ...
    @property
    def low(self) -> float: ...


#: band codes of :func:`band_vs_reference` (same codes as the analysis layer's unit tables)
BANDS = ("above", "similar", "below", "too_few")

MESSAGES = register(
    {
        "scores.band.above": ("显著高于参照", "significantly above the reference"),
        "scores.band.similar": ("与参照无显著差异", "not significantly different"),
        "scores.band.below": ("显著低于参照", "significantly below the reference"),
        "scores.band.too_few": ("人数过少，不作比较", "too few students to compare"),
    }
)


# --- helpers ------------------------------------------------------------------------------------

def _series(scores: ArrayLike | pd.Series) -> pd.Series:
    if isinstance(scores, pd.Series):
        return scores.astype(float)
    return pd.Series(np.asarray(scores, dtype=float))


def _keys(by: By, index: pd.Index) -> list[pd.Series]:
    """Group keys as Series aligned with ``index``: Series by label, arrays and lists by
    position. ``by`` is one key (a Series, array, or list of labels) or a list of such keys."""
    if by is None:
        return []
    many = isinstance(by, list) and all(
        isinstance(k, pd.Series | np.ndarray | list | tuple) for k in by)
    items: list[Any] = list(by) if many else [by]
    out = []
    for key in items:
        if isinstance(key, pd.Series) and not key.index.equals(index):
            if key.index.is_unique and index.isin(key.index).all():
                key = key.reindex(index)  # Series align by label, like pandas
            elif len(key) == len(index):
                key = key.set_axis(index)
            else:
                raise ValueError("group key does not match the scores")
        out.append(key if isinstance(key, pd.Series) else pd.Series(np.asarray(key), index=index))
    return out


def _grouped(x: pd.Series, by: By) -> Any:
    keys = _keys(by, x.index)
    return x.groupby(keys if len(keys) > 1 else keys[0], sort=True) if keys else None


def _group_codes(x: pd.Series, by: By) -> NDArray[np.int64]:
    """Each row's group as a code ≥ 0 (dense 0…g−1 from a groupby; a categorical key's own
    codes, which may skip unused categories; 0 for all when ``by`` is None); −1 where a key is
    missing (such rows belong to no group, as in a pandas groupby)."""
    keys = _keys(by, x.index)
    if len(keys) == 1 and isinstance(keys[0].dtype, pd.CategoricalDtype):
        # a categorical's own codes (−1: missing) label the same groups without grouping
        return np.asarray(keys[0].cat.codes.to_numpy(), dtype=np.int64)
    g = _grouped(x, by)
    if g is None:
        return np.zeros(len(x), dtype=np.int64)
    codes = g.ngroup().to_numpy(dtype=float, na_value=np.nan)
    return np.where(np.isnan(codes), -1, codes).astype(np.int64)


def _rank_counts(values: NDArray[np.float64], groups: NDArray[np.int64],
                 max_cells: int | None = None,
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """For each value, within its group (``groups``: codes, −1 = none) among the group's valid
    (non-NaN) values: how many are strictly below it (b), how many equal it, itself included
    (e), and the group's n; NaN for a NaN value or a row without a group — the counts
    ``pandas`` rank(method='min'/'max') gives, without a groupby per statistic.

    Each valid row gets one integer key, group × u + the rank of its value among the u
    distinct values (hashed once, the few distinct values sorted). Scores repeat (a 150-point
    paper has a few hundred distinct scores), so a table of (group, value) counts is small and
    b, e and n come from it in passes over the rows; when the table would exceed ``max_cells``
    (default: four cells a row, at least 65,536), one sort of the keys gives the runs of equal
    keys instead. The same counts either way (tested)."""
    out = [np.full(values.size, np.nan) for _ in range(3)]
    rows = np.flatnonzero(~np.isnan(values) & (groups >= 0))
    if rows.size == 0:
        return out[0], out[1], out[2]
    g = groups[rows]
    codes, distinct = pd.factorize(values[rows])    # −0.0 and 0.0: one value (tested)
    u, n_groups = distinct.size, int(g.max()) + 1
    rank = np.empty(u, dtype=np.int64)
    rank[np.argsort(distinct)] = np.arange(u)
    key = g * u + rank[codes]
    n = np.bincount(g, minlength=n_groups)
    limit = max_cells if max_cells is not None else max(4 * rows.size, 1 << 16)
    if n_groups * u <= limit:
        counts = np.bincount(key, minlength=n_groups * u)
        table = counts.reshape(n_groups, u)
        below = (np.cumsum(table, axis=1) - table).ravel()
        out[0][rows], out[1][rows] = below[key], counts[key]
    else:
        order = np.argsort(key)
        sk = key[order]
        new_run = np.ones(sk.size, dtype=bool)
        new_run[1:] = sk[1:] != sk[:-1]
        run_start = np.flatnonzero(new_run)
        run = np.cumsum(new_run) - 1
        run_size = np.diff(np.append(run_start, sk.size))
        group_start = np.cumsum(n) - n                  # the group's first sorted position
        target = rows[order]
        out[0][target] = run_start[run] - group_start[sk // u]
        out[1][target] = run_size[run]
    out[2][rows] = n[g]
    return out[0], out[1], out[2]


def _transform_mean_sd(x: pd.Series, by: By) -> tuple[pd.Series, pd.Series]:
    g = _grouped(x, by)
    if g is None:
        return (pd.Series(x.mean(), index=x.index), pd.Series(x.std(ddof=1), index=x.index))
    return g.transform("mean"), g.transform("std")  # pandas std: ddof = 1


# --- rates and summaries ------------------------------------------------------------------------

def rate_flags(
    scores: ArrayLike | pd.Series,
    full_marks: float | ArrayLike | pd.Series,
    lines: Lines,
) -> pd.DataFrame:
    """Per student 1.0/0.0 flags (NaN where the score is missing) for 优秀, 良好, 及格 (score ≥
    line × full marks) and 低分 (score < low × full marks); their group means are the rates.

    >>> from eduquality.config import Thresholds  # 85/70/60/40 %
    >>> rate_flags([90, 72, 59, 30, np.nan], 100, Thresholds()).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'excellent': [1.0, 0.0, 0.0, 0.0, nan], 'good': [1.0, 1.0, 0.0, 0.0, nan],
     'pass': [1.0, 1.0, 0.0, 0.0, nan], 'low': [0.0, 0.0, 0.0, 1.0, nan]}
    """
    x = _series(scores)
    full = np.broadcast_to(np.asarray(full_marks, dtype=float), x.shape)
    valid = x.notna().to_numpy()
    values = x.to_numpy(dtype=float)

    def flag(cond: np.ndarray) -> np.ndarray:
        return np.where(valid, cond.astype(float), np.nan)

    return pd.DataFrame(
        {
            "excellent": flag(_reached(values, full, lines.excellent)),
            "good": flag(_reached(values, full, lines.good)),
            "pass": flag(_reached(values, full, lines.pass_)),
            "low": flag(~_reached(values, full, lines.low)),
        },
        index=x.index,
    )


def _reached(values: NDArray[np.float64], full: NDArray[np.float64], share: float,
             ) -> NDArray[np.bool_]:
    """score ≥ share × full marks, with a small tolerance so that 0.85 × 120 =
    102.00000000000001 still counts 102 as reaching the 优秀 line (False for a missing score)."""
    return np.asarray(values >= share * full - 1e-9 * np.maximum(full, 1.0))


GRADE_LETTERS = ("A", "B", "C", "D")
"""The 等级 from the highest: at or above the 优秀, 良好 and 及格 lines, and below them."""


def grade_letters(
    scores: ArrayLike | pd.Series,
    full_marks: float | ArrayLike | pd.Series,
    lines: Lines,
) -> pd.Series:
    """等级 (criterion-referenced grades, GLOSSARY "Rules on publishing"): A at or above the
    优秀 line, B at or above 良好, C at or above 及格, else D; missing scores get NaN. The
    same comparisons as :func:`rate_flags`, so the share of A is the 优秀率, of A–B the 良好率
    and of A–C the 及格率. Text from the four letters by position (no text per student is
    built: 2 M rows per exam).

    >>> from eduquality.config import Thresholds  # 85/70/60 %
    >>> grade_letters([102, 101.5, 84, 72, np.nan], 120, Thresholds()).tolist()
    ['A', 'B', 'B', 'C', nan]
    """
    import pyarrow as pa

    x = _series(scores)
    full = np.broadcast_to(np.asarray(full_marks, dtype=float), x.shape)
    values = x.to_numpy(dtype=float)
    code = np.where(_reached(values, full, lines.excellent), 0,
                    np.where(_reached(values, full, lines.good), 1,
                             np.where(_reached(values, full, lines.pass_), 2, 3)))
    letters = pa.array(GRADE_LETTERS, pa.large_string()).take(
        pa.array(code.astype(np.int8), mask=np.isnan(values)))
    return pd.Series(pd.array(letters, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                     index=x.index)


def variation_coefficient(sd: Any, mean: Any) -> Any:
    """差异系数 CV = SD / mean (GLOSSARY), elementwise on numbers, arrays or Series.

    >>> variation_coefficient(12.0, 80.0)
    0.15
    """
    return sd / mean


def summarise(
    scores: ArrayLike | pd.Series,
    full_marks: float | ArrayLike | pd.Series,
    by: By = None,
    *,
    lines: Lines,
) -> pd.DataFrame:
    """三率一分/四率 and the usual summary per group (one row, index "all", without ``by``).

    Columns: ``n_registered`` (rows), ``n`` (valid scores), ``mean``, ``sd`` (n − 1), ``cv``
    (差异系数 SD/mean), ``min``, ``q1``, ``median``, ``q3`` (type 7), ``max``,
    ``excellent_rate``, ``good_rate``, ``pass_rate`` (share at or above ``lines``' 优秀, 良好,
    及格 lines × full marks) and ``low_rate`` (below the 低分 line), as in :func:`rate_flags`.

    Hand example, full marks 100, lines 85/70/60/40 %, scores 95, 85, 70, 60, 30 and one absent:
    n = 5, mean 68, excellent 2/5, good 3/5, pass 4/5, low 1/5;
    SD = √((27² + 17² + 2² + 8² + 38²)/4) = √(2530/4) ≈ 25.1496 (R ``sd`` 25.14955).

    >>> from eduquality.config import Thresholds
    >>> s = summarise([95, 85, 70, 60, 30, np.nan], 100, lines=Thresholds())
    >>> s.loc["all", ["n", "mean", "excellent_rate", "pass_rate", "low_rate"]].tolist()
    [5.0, 68.0, 0.4, 0.8, 0.2]
    >>> round(float(s.loc["all", "sd"]), 4)
    25.1496
    """
    x = _series(scores)
    frame = rate_flags(x, full_marks, lines).add_suffix("_rate")
    frame.insert(0, "score", x)
    keys: list[pd.Series] = [
        k if k.name is not None else k.rename(f"key{i}") for i, k in enumerate(_keys(by, x.index))
    ]
    grouped: Any = frame.groupby(keys if keys else pd.Series("all", index=x.index), sort=True)
    sc = grouped["score"]
    out = pd.DataFrame(
        {
            "n_registered": sc.size(),
            "n": sc.count(),
            "mean": sc.mean(),
            "sd": sc.std(ddof=1),
            "min": sc.min(),
            "q1": sc.quantile(0.25),
            "median": sc.median(),
            "q3": sc.quantile(0.75),
            "max": sc.max(),
        }
    )
    out.insert(4, "cv", variation_coefficient(out["sd"], out["mean"]))
    rates = grouped[["excellent_rate", "good_rate", "pass_rate", "low_rate"]].mean()
    out = out.join(rates)
    if not keys:
        out.index = pd.Index(["all"])
    return out.astype({"n_registered": np.int64, "n": np.int64})


def all_pass_rate(
    scores: pd.DataFrame,
    full_marks: float | ArrayLike | pd.Series,
    pass_share: float,
    by: By = None,
) -> float | pd.Series:
    """全科及格率: share of students who pass (≥ pass_share × full marks; the settings' 及格
    line ``Thresholds.pass_``) every subject they took.

    ``scores`` is students × subjects (NaN = not taken / absent); ``full_marks`` per subject.
    Students who took no subject are not counted. Hand example (full marks 100, 150): student 1
    passes both, student 2 fails 数学 (80 < 90), student 3 took only 语文 and passed it →
    2/3.

    >>> df = pd.DataFrame({"语文": [70, 90, 60], "数学": [100, 80, np.nan]})
    >>> round(all_pass_rate(df, [100, 150], 0.60), 4)
    0.6667
    """
    full = np.broadcast_to(np.asarray(full_marks, dtype=float), (scores.shape[1],))
    x = scores.to_numpy(dtype=float)
    taken = ~np.isnan(x)
    eps = 1e-9 * np.maximum(full, 1.0)
    fail = taken & (x < pass_share * full[None, :] - eps)
    took_any = taken.any(axis=1)
    passed = pd.Series(np.where(took_any, (~fail.any(axis=1)).astype(float), np.nan),
                       index=scores.index)
    g = _grouped(passed, by)
    return float(passed.mean()) if g is None else g.mean()


def above_mean_rate(
    unit_mean: float | np.ndarray | pd.Series, reference_mean: float | np.ndarray | pd.Series
) -> Any:
    """超均率 = (unit mean − reference mean) / reference mean (class vs school, school vs district).

    >>> above_mean_rate(72.0, 60.0)
    0.2
    """
    if isinstance(unit_mean, pd.Series):
        return (unit_mean - reference_mean) / reference_mean
    out = (np.asarray(unit_mean, dtype=float) - reference_mean) / reference_mean
    return float(out) if np.ndim(out) == 0 else out


def deviation(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """离均差 = score − mean of the reference group (by = class → 班离差, school → 校离差;
    none → the whole group).

    >>> deviation([80, 60, 70, 90], by=["a", "a", "b", "b"]).tolist()
    [10.0, -10.0, -10.0, 10.0]
    """
    x = _series(scores)
    mean, _ = _transform_mean_sd(x, by)
    return x - mean


# --- standard scores ----------------------------------------------------------------------------

def z_scores(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """标准分 Z = (x − mean) / SD within the reference group (SD with n − 1). SD = 0 → NaN.

    >>> z_scores([2, 4, 6]).tolist()  # mean 4, SD √((4 + 0 + 4)/2) = 2
    [-1.0, 0.0, 1.0]
    """
    x = _series(scores)
    mean, sd = _transform_mean_sd(x, by)
    return (x - mean) / sd.where(sd > 0)


def t_scores(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """T = 50 + 10 Z.

    >>> t_scores([2, 4, 6]).tolist()
    [40.0, 50.0, 60.0]
    """
    return t_from_z(z_scores(scores, by))


def t_from_z(z: Any) -> Any:
    """T = 50 + 10 Z of given Z scores (elementwise).

    >>> t_from_z(-1.5)
    35.0
    """
    return 50 + 10 * z


def group_t(mean: Any, reference_mean: Any, reference_sd: Any) -> Any:
    """Group T of a unit from its mean and the reference group's mean and SD (GLOSSARY "标准分
    Z, T"): T_g = 50 + 10 (mean_g − mean_all) / SD_all. Elementwise on numbers, arrays or Series;
    :func:`group_t_scores` computes it from the scores.

    >>> group_t(72.0, 70.0, 10.0)
    52.0
    """
    return 50 + 10 * (mean - reference_mean) / reference_sd


def group_t_scores(scores: ArrayLike | pd.Series, by: By) -> pd.Series:
    """Group T (:func:`group_t`) of every group, with mean_all and SD_all (n − 1) over all valid
    scores.

    Hand example: all = 2, 4, 6, 8 (mean 5, SD √(20/3) ≈ 2.582); school A = 2, 4 (mean 3)
    → 50 + 10 · (−2)/2.582 ≈ 42.25; school B → 57.75.

    >>> group_t_scores([2, 4, 6, 8], by=["A", "A", "B", "B"]).round(2).to_dict()
    {'A': 42.25, 'B': 57.75}
    """
    x = _series(scores)
    g = _grouped(x, by)
    return group_t(g.mean(), x.mean(), x.std(ddof=1))


def percentile_rank(
    scores: ArrayLike | pd.Series, by: By = None, reference: ArrayLike | None = None
) -> pd.Series:
    """百分等级 PR = 100 × (number below + ½ number tied, the student included) / n within the
    reference group; NaN scores get NaN and do not count in n.

    The reference group is the scores themselves (within each ``by`` group), or the fixed
    ``reference`` scores (e.g. the district's) when given — then ties are the reference's scores
    equal to the student's, and PR can reach 0 or 100.

    Hand example: 10, 20, 20, 30 → 10: (0 + ½·1)/4 = 12.5; 20: (1 + ½·2)/4 = 50; 30: (3 + ½)/4
    = 87.5. Against the reference 10, 20, 30, 40: 25 → (2 + 0)/4 = 50.

    >>> percentile_rank([10, 20, 20, 30, np.nan]).tolist()
    [12.5, 50.0, 50.0, 87.5, nan]
    >>> percentile_rank([25, 40], reference=[10, 20, 30, 40]).tolist()
    [50.0, 87.5]
    """
    x = _series(scores)
    if reference is not None:
        ref = np.sort(_series(reference).dropna().to_numpy())
        values = x.to_numpy()
        below = np.searchsorted(ref, values, side="left")
        ties = np.searchsorted(ref, values, side="right") - below
        pr = 100 * (below + ties / 2) / ref.size
        return pd.Series(np.where(np.isnan(values), np.nan, pr), index=x.index)
    return rank_statistics(x, by)["pr"]


def rank_statistics(scores: ArrayLike | pd.Series, by: By = None) -> pd.DataFrame:
    """百分等级 ``pr`` (:func:`percentile_rank`, within the groups) and 排名 ``rank``
    (:func:`competition_rank`) from one sort: with b the valid scores of the group strictly
    below x, e those equal to it (the student included) and n the group's valid scores,
    PR = 100 (b + e/2) / n and rank = n − b − e + 1 (one plus the scores above x).

    >>> r = rank_statistics([10, 20, 20, 30, np.nan])
    >>> r["pr"].tolist(), r["rank"].tolist()
    ([12.5, 50.0, 50.0, 87.5, nan], [4, 2, 2, 1, <NA>])
    """
    x = _series(scores)
    b, e, n = _rank_counts(x.to_numpy(dtype=float), _group_codes(x, by))
    return pd.DataFrame({"pr": 100 * (b + e / 2) / n,
                         "rank": pd.Series(n - b - e + 1, index=x.index).astype("Int64")},
                        index=x.index)


def normalised_scores(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """正态化标准分 = 500 + 100 Φ⁻¹(PR/100), with PR the mid-rank percentile of
    :func:`percentile_rank` (strictly between 0 and 100, so Φ⁻¹ is finite).

    >>> normalised_scores([10, 20, 20, 30]).round(2).tolist()  # Φ⁻¹(.125) = −1.15035
    [384.97, 500.0, 500.0, 615.03]
    """
    pr = percentile_rank(scores, by)
    return 500 + 100 * pd.Series(stats.norm.ppf(pr.to_numpy() / 100), index=pr.index)


def stanine(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """标准九 = clip(round(2Z + 5), 1, 9), rounding halves up (四舍五入); NaN stays NaN.

    >>> stanine([2, 4, 6, 20]).tolist()  # mean 8, SD √(200/3) = 8.165 → 2Z + 5 = 3.53 4.02 4.51 7.94
    [4.0, 4.0, 5.0, 8.0]
    """
    return stanine_from_z(z_scores(scores, by))


def stanine_from_z(z: Any) -> Any:
    """标准九 of given Z scores: clip(round(2Z + 5), 1, 9), halves up (elementwise).

    >>> stanine_from_z(np.array([-0.25, 0.25, 3.0])).tolist()
    [5.0, 6.0, 9.0]
    """
    return np.clip(np.floor(2 * z + 5 + 0.5), 1, 9)


def competition_rank(scores: ArrayLike | pd.Series, by: By = None) -> pd.Series:
    """排名 by competition ranking (并列): ties share the best rank, the next rank skips
    (1, 2, 2, 4); higher score = better; NaN scores are not ranked.

    >>> competition_rank([90, 85, 85, 70, np.nan]).tolist()
    [1, 2, 2, 4, <NA>]
    """
    return rank_statistics(scores, by)["rank"]


# --- distributions ------------------------------------------------------------------------------

def one_point_table(
    scores: ArrayLike | pd.Series, step: float | None = 1.0, fill: bool = True
) -> pd.DataFrame:
    """一分一段表: for each score (segment), the count at it and the cumulative count at or
    above it (the rank of the segment's lowest scorer), highest score first.

    ``step`` groups scores into segments [s, s + step) labelled by s (``None``: exact
    distinct scores); ``fill`` lists empty segments between the lowest and the highest too.
    Columns: ``score``, ``count``, ``cum_count``, ``cum_share`` (= cum_count / n).

    >>> one_point_table([100, 99.5, 99, 97, 97, np.nan]).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'score': [100.0, 99.0, 98.0, 97.0], 'count': [1, 2, 0, 2], 'cum_count': [1, 3, 3, 5],
     'cum_share': [0.2, 0.6, 0.6, 1.0]}
    """
    x = _series(scores).dropna().to_numpy()
    seg = x if step is None else np.floor(np.round(x / step, 9)) * step
    values, counts = np.unique(seg, return_counts=True)
    table = pd.DataFrame({"score": values, "count": counts})
    if step is not None and fill and len(values):
        lo, hi = np.round(values.min() / step), np.round(values.max() / step)
        grid = np.arange(lo, hi + 1) * step
        table = table.set_index(np.round(table["score"] / step).astype(np.int64))
        table = pd.DataFrame({"score": grid, "count": table["count"].reindex(
            np.arange(lo, hi + 1).astype(np.int64), fill_value=0).to_numpy()})
    table = table.iloc[::-1].reset_index(drop=True)
    table["count"] = table["count"].astype(np.int64)
    table["cum_count"] = table["count"].cumsum()
    table["cum_share"] = table["cum_count"] / max(len(x), 1)
    return table


def score_bands(
    scores: ArrayLike | pd.Series,
    full_marks: float,
    width: float = 10.0,
    edges: ArrayLike | None = None,
) -> pd.DataFrame:
    """分数段分布: counts and shares per band [lower, upper), the last band closed at full
    marks. ``edges`` overrides the even bands of ``width`` from 0 to full marks. Scores outside
    the bands raise ``ValueError``.

    >>> score_bands([100, 95, 90, 89.5, 0, np.nan], 100, width=50).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'band': ['[0,50)', '[50,100]'], 'lower': [0.0, 50.0], 'upper': [50.0, 100.0],
     'count': [1, 4], 'share': [0.2, 0.8]}
    """
    x = _series(scores).dropna().to_numpy()
    e = np.asarray(edges if edges is not None else
                   np.r_[np.arange(0.0, full_marks, width), full_marks], dtype=float)
    if x.size and (x.min() < e[0] or x.max() > e[-1]):
        raise ValueError(f"scores outside the bands [{e[0]:g}, {e[-1]:g}]")
    idx = np.minimum(np.searchsorted(e, x, side="right") - 1, e.size - 2)
    counts = np.bincount(idx, minlength=e.size - 1)
    labels = [f"[{a:g},{b:g})" for a, b in itertools.pairwise(e)]
    labels[-1] = labels[-1][:-1] + "]"
    return pd.DataFrame({"band": labels, "lower": e[:-1], "upper": e[1:], "count": counts,
                         "share": counts / max(x.size, 1)})


# --- uncertainty --------------------------------------------------------------------------------

def mean_interval(n: Any, mean: Any, sd: Any, level: float = 0.95) -> pd.DataFrame:
    """The t-interval of a mean from the unit's n, mean and SD (n − 1): se = SD/√n,
    mean ± t_{1−α/2, n−1} · se (Student 1908; NaN interval for n < 2). Arguments are numbers,
    arrays or aligned Series (e.g. the columns of a table of unit summaries); returns columns
    ``se, ci_low, ci_high`` (index of ``mean`` when it is a Series). :func:`mean_ci` computes
    it from the scores.

    Hand example: n = 4, mean 80, SD 2 → se = 1, t(0.975, 3) = 3.182446 → 76.817554 … 83.182446.

    >>> mean_interval(4, 80.0, 2.0).round(6).iloc[0].tolist()
    [1.0, 76.817554, 83.182446]
    """
    index = mean.index if isinstance(mean, pd.Series) else None
    nn = np.atleast_1d(np.asarray(n, dtype=float))
    m = np.atleast_1d(np.asarray(mean, dtype=float))
    se = np.atleast_1d(np.asarray(sd, dtype=float)) / np.sqrt(nn)
    df = nn - 1
    tcrit = stats.t.ppf(0.5 + level / 2, np.where(df >= 1, df, np.nan))
    return pd.DataFrame({"se": se, "ci_low": m - tcrit * se, "ci_high": m + tcrit * se},
                        index=index)


def mean_ci(scores: ArrayLike | pd.Series, by: By = None, level: float = 0.95) -> pd.DataFrame:
    """Mean with a t-based confidence interval per unit (:func:`mean_interval`):
    mean ± t_{1−α/2, n−1} · SD/√n.

    Columns ``n, mean, sd, se, ci_low, ci_high`` (NaN interval for n < 2). R ``t.test(c(2, 4, 6,
    8))`` gives 95 % CI 0.8914795 … 9.1085205:

    >>> mean_ci([2, 4, 6, 8]).loc["all", ["ci_low", "ci_high"]].round(7).tolist()
    [0.8914795, 9.1085205]
    """
    x = _series(scores)
    g = _grouped(x, by)
    if g is None:
        out = pd.DataFrame({"n": [float(x.count())], "mean": [x.mean()], "sd": [x.std(ddof=1)]},
                           index=["all"])
    else:
        out = pd.DataFrame({"n": g.count().astype(float), "mean": g.mean(), "sd": g.std(ddof=1)})
    return out.join(mean_interval(out["n"], out["mean"], out["sd"], level))


def compare_units(
    a: pd.DataFrame | pd.Series,
    b: pd.DataFrame | pd.Series,
    method: Literal["welch", "overlap"] = "welch",
    level: float = 0.95,
) -> pd.DataFrame:
    """Do two units differ by more than their uncertainty? ``a``, ``b``: rows of
    :func:`mean_ci` (``n, mean, sd``; frames are compared row by row).

    ``method="welch"`` (default): Welch's unequal-variance t-test (Welch 1947),
    t = (m₁ − m₂)/√(s₁²/n₁ + s₂²/n₂), Welch–Satterthwaite df; ``differ`` when the two-sided
    p < 1 − level. ``method="overlap"``: ``differ`` only when the two ``level`` intervals do not
    overlap (more conservative). R ``t.test(c(2, 4, 6, 8), c(5, 7, 9, 11, 13))``: t = −2.08893,
    df = 6.98077, p = 0.07520.

    >>> a, b = mean_ci([2, 4, 6, 8]), mean_ci([5, 7, 9, 11, 13])
    >>> r = compare_units(a, b).iloc[0]
    >>> [round(float(r[c]), 5) for c in ("t", "df", "p")], bool(r["differ"])
    ([-2.08893, 6.98077, 0.0752], False)
    """
    fa = a.to_frame().T if isinstance(a, pd.Series) else a
    fb = b.to_frame().T if isinstance(b, pd.Series) else b
    n1, m1, s1 = (fa[c].to_numpy(dtype=float) for c in ("n", "mean", "sd"))
    n2, m2, s2 = (fb[c].to_numpy(dtype=float) for c in ("n", "mean", "sd"))
    v1, v2 = s1**2 / n1, s2**2 / n2
    t = (m1 - m2) / np.sqrt(v1 + v2)
    df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
    p = 2 * stats.t.sf(np.abs(t), df)
    if method == "welch":
        differ = p < 1 - level
    elif method == "overlap":
        q = 0.5 + level / 2
        h1 = stats.t.ppf(q, n1 - 1) * np.sqrt(v1)
        h2 = stats.t.ppf(q, n2 - 1) * np.sqrt(v2)
        differ = (m1 - h1 > m2 + h2) | (m2 - h2 > m1 + h1)
    else:
        raise ValueError("method must be 'welch' or 'overlap'")
    return pd.DataFrame({"diff": m1 - m2, "t": t, "df": df, "p": p, "differ": differ},
                        index=fa.index)


def band_vs_reference(
    units: pd.DataFrame,
    reference_mean: float | pd.Series,
    level: float = 0.95,
    min_n: int = 2,
) -> pd.Series:
    """Per unit: "above" / "similar" / "below" the reference mean, or "too_few" (n < min_n).

    A unit is "above" (显著高于) only when its whole ``level`` t-interval (:func:`mean_ci`) lies
    above the reference mean, "below" (显著低于) when it lies below — the one-sample t-test of
    the unit mean against the reference taken as fixed (a district mean's own SE is negligible
    beside a unit's). Units whose intervals contain the reference are "similar" and must not be
    ordered among themselves as if they differed; sorting by band keeps that honest.

    >>> units = mean_ci([60, 62, 64, 80, 82, 84, 70, 75, 65], by=list("aaabbbccc"))
    >>> band_vs_reference(units, 72.0).to_dict()
    {'a': 'below', 'b': 'above', 'c': 'similar'}
    """
    ref = reference_mean if isinstance(reference_mean, pd.Series) else pd.Series(
        reference_mean, index=units.index)
    n = units["n"].astype(float)
    ci = mean_interval(n, units["mean"], units["sd"], level)
    band = np.select(
        [n < max(min_n, 2), ci["ci_low"] > ref, ci["ci_high"] < ref],
        ["too_few", "above", "below"],
        default="similar",
    )
    return pd.Series(band, index=units.index, name="band")
