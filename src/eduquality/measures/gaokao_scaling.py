"""新高考 等级赋分 (grade-based score conversion) and 高考 totals under the new and old regimes.

等级赋分 (GLOSSARY, 高考): within the reference population of one subject, the raw scores are put
in grades A/B/C/D/E holding the top 15 / 35 / 35 / 13 / 2 % of candidates, and each grade's raw
scores are mapped linearly onto its converted range 100–86, 85–71, 70–56, 55–41, 40–30::

    T = T1 + (T2 − T1) (Y − Y1) / (Y2 − Y1)

rounded to an integer, where Y1, Y2 are the lowest and highest raw scores in the grade and T1, T2
the lower and upper ends of its converted range. (The equal-ratio form of the provincial notices,
(Y2 − Y)/(Y − Y1) = (T2 − T)/(T − T1), solves to the same T.) Reference: 教育部《关于普通高中学业
水平选择性考试等级赋分的指导意见》; 云南省教育厅《云南省普通高校招生考试方案》(3+1+2, first
cohort 2025) — proportions and ranges are a province's choice, hence :class:`ScalingScheme`.

Rules this module adopts (each configurable in the scheme):

- Grade membership by rank. With N valid candidates and cumulative share c_g of grades up to g,
  a raw score belongs to the first grade g with ``rank ≤ c_g · N`` (``boundary='floor'``: a
  grade never holds more than its share; ``'half_up'`` rounds c_g · N 四舍五入 first, so in
  small populations a grade may exceed its share by half a candidate). Equal raw scores always share
  a grade; for a tie that straddles a boundary ``tie_rule='higher'`` (default) uses the tie's best
  rank (competition rank: 1 + number strictly above), so the whole tie goes to the higher grade;
  ``'lower'`` uses its worst rank (number at or above), so the whole tie goes to the lower grade.
- Y1 = Y2 (one distinct raw score in a grade): the formula is 0/0. Those candidates hold both ends
  of the grade; ``degenerate='upper'`` (default) gives them T2, ``'lower'`` T1, ``'mid'`` the
  rounded midpoint.
- Rounding ``'half_up'`` (四舍五入, default), ``'half_even'``, ``'floor'``, ``'ceil'`` or
  ``'none'`` (keep the real value).
- Missing raw scores (缺考/违纪, NaN) get no grade and no converted score; they are not part of
  the reference population.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "ELECTIVES",
    "NEW_REGIME_CORE",
    "YUNNAN_2025",
    "ScalingError",
    "ScalingScheme",
    "assign_grades",
    "grade_of_scaled",
    "new_regime_totals",
    "old_regime_totals",
    "scale_scores",
]

MESSAGES = register({
    "gaokao_scaling.shares": (
        "赋分方案 {name}：各等级比例须为正且合计为 1（现为 {total}）",
        "scaling scheme {name}: grade shares must be positive and sum to 1 (got {total})",
    ),
    "gaokao_scaling.ranges": (
        "赋分方案 {name}：等级数 {n_grades}、比例数 {n_shares}、分数区间数 {n_ranges} 须一致，"
        "区间须高端 ≥ 低端且自上而下不重叠",
        "scaling scheme {name}: {n_grades} grades, {n_shares} shares and {n_ranges} ranges must "
        "match; each range needs high ≥ low and ranges must descend without overlap",
    ),
    "gaokao_scaling.option": (
        "赋分方案 {name}：{option} 的取值 {value} 无效，可选 {choices}",
        "scaling scheme {name}: invalid {option} {value}; choose from {choices}",
    ),
    "gaokao_scaling.missing_columns": (
        "计算总分缺少科目列：{columns}",
        "columns missing for the total: {columns}",
    ),
    "gaokao_scaling.both_first_choice": (
        "{n} 名考生同时有物理和历史成绩（首选科目只能选一门），例如：{examples}",
        "{n} candidates have scores in both physics and history (one first-choice subject "
        "only), e.g. {examples}",
    ),
    "gaokao_scaling.too_many_electives": (
        "{n} 名考生再选科目成绩多于两门，例如：{examples}",
        "{n} candidates have scores in more than two re-selected subjects, e.g. {examples}",
    ),
    "gaokao_scaling.bad_track": (
        "未知的文理类别 {values}（旧高考只接受 文科/理科：arts/science）",
        "unknown tracks {values} (the old regime takes arts/science only)",
    ),
})


class ScalingError(KeyedError):
    """A scaling scheme or the scores handed to it are invalid (message in zh; ``text(lang)``)."""



TieRule = Literal["higher", "lower"]
Rounding = Literal["half_up", "half_even", "floor", "ceil", "none"]
Degenerate = Literal["upper", "lower", "mid"]
Boundary = Literal["floor", "half_up"]


@dataclass(frozen=True)
class ScalingScheme:
    """A province's 等级赋分 rules for one year.

    ``shares`` are the grades' shares of candidates, top grade first; ``ranges`` the converted
    ranges ``(T2, T1)`` (high, low) of each grade. Defaults: the national/Yunnan scheme.
    """

    name: str = "云南 2025（3+1+2）"
    grades: tuple[str, ...] = ("A", "B", "C", "D", "E")
    shares: tuple[float, ...] = (0.15, 0.35, 0.35, 0.13, 0.02)
    ranges: tuple[tuple[float, float], ...] = ((100, 86), (85, 71), (70, 56), (55, 41), (40, 30))
    tie_rule: TieRule = "higher"
    rounding: Rounding = "half_up"
    degenerate: Degenerate = "upper"
    boundary: Boundary = "floor"

    def __post_init__(self) -> None:
        n = len(self.grades)
        if len(self.shares) != n or len(self.ranges) != n or n == 0:
            raise ScalingError("gaokao_scaling.ranges", name=self.name, n_grades=n,
                               n_shares=len(self.shares), n_ranges=len(self.ranges))
        total = float(sum(self.shares))
        if any(s <= 0 for s in self.shares) or abs(total - 1) > 1e-9:
            raise ScalingError("gaokao_scaling.shares", name=self.name, total=total)
        highs = [hi for hi, _ in self.ranges]
        lows = [lo for _, lo in self.ranges]
        if any(hi < lo for hi, lo in self.ranges) or any(
            lows[i] <= highs[i + 1] for i in range(n - 1)
        ):
            raise ScalingError("gaokao_scaling.ranges", name=self.name, n_grades=n,
                               n_shares=len(self.shares), n_ranges=len(self.ranges))
        for option, value, choices in (
            ("tie_rule", self.tie_rule, ("higher", "lower")),
            ("rounding", self.rounding, ("half_up", "half_even", "floor", "ceil", "none")),
            ("degenerate", self.degenerate, ("upper", "lower", "mid")),
            ("boundary", self.boundary, ("floor", "half_up")),
        ):
            if value not in choices:
                raise ScalingError("gaokao_scaling.option", name=self.name, option=option,
                                   value=value, choices="/".join(choices))

    def limits(self, n: int) -> npt.NDArray[np.float64]:
        """The last rank of each grade: c_g · N ('floor': rank ≤ c_g·N) or ⌊c_g·N + ½⌋
        ('half_up': the grade's count rounded 四舍五入); the last grade ends at N."""
        c = np.round(np.cumsum(np.asarray(self.shares, dtype=float)) * n, 9)  # 0.98·50 ≠ 49.0…
        if self.boundary == "half_up":
            c = np.floor(c + 0.5)
        c[-1] = n
        return c


YUNNAN_2025 = ScalingScheme()
"""Yunnan's scheme for the first 3+1+2 cohort (2025): the national A–E, 15/35/35/13/2 %,
100–86 / 85–71 / 70–56 / 55–41 / 40–30, 四舍五入."""


def _round(t: npt.NDArray[np.float64], how: Rounding) -> npt.NDArray[np.float64]:
    if how == "none":
        return t
    if how == "half_even":
        return np.round(t)
    if how == "floor":
        return np.floor(t + 1e-9)
    if how == "ceil":
        return np.ceil(t - 1e-9)
    return np.floor(t + 0.5 + 1e-9)  # 四舍五入; the tolerance keeps 85.4999999… at 85.5


def _scale_array(
    raw: npt.NDArray[np.float64], scheme: ScalingScheme
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Grade index (−1 where missing) and converted score (NaN where missing) of one population."""
    grade = np.full(raw.shape, -1, dtype=np.int64)
    scaled = np.full(raw.shape, np.nan)
    valid = ~np.isnan(raw)
    n = int(valid.sum())
    if n == 0:
        return grade, scaled
    # distinct scores, highest first, with how many score strictly above / at or above each
    values, inverse, counts = np.unique(-raw[valid], return_inverse=True, return_counts=True)
    values = -values
    at_or_above = np.cumsum(counts)
    rank = at_or_above - counts + 1 if scheme.tie_rule == "higher" else at_or_above
    limits = scheme.limits(n)
    g_distinct = np.searchsorted(limits, rank, side="left")  # first g with rank ≤ c_g·N
    # Y1, Y2 of each grade: values descend and grades ascend, so a grade's first value is its
    # Y2 and its last its Y1
    hi_raw = values[np.searchsorted(g_distinct, g_distinct, side="left")]
    lo_raw = values[np.searchsorted(g_distinct, g_distinct, side="right") - 1]
    t2 = np.array([hi for hi, _ in scheme.ranges], dtype=float)[g_distinct]
    t1 = np.array([lo for _, lo in scheme.ranges], dtype=float)[g_distinct]
    width = hi_raw - lo_raw
    with np.errstate(invalid="ignore", divide="ignore"):
        t = t1 + (t2 - t1) * (values - lo_raw) / width
    single = width == 0
    fill = {"upper": t2, "lower": t1, "mid": (t1 + t2) / 2}[scheme.degenerate]
    t[single] = fill[single]
    t = _round(t, scheme.rounding)
    grade[valid] = g_distinct[inverse]
    scaled[valid] = t[inverse]
    return grade, scaled


def scale_scores(
    raw: pd.Series | Sequence[float] | npt.ArrayLike,
    scheme: ScalingScheme = YUNNAN_2025,
    group: pd.Series | None = None,
) -> pd.DataFrame:
    """等级赋分 of raw scores: the grade and the converted score of each candidate.

    The reference population is the candidates in ``raw`` (within each ``group`` label when
    given, e.g. one subject or one city). NaN (缺考/违纪) stays NaN with no grade. Returns a frame
    indexed like ``raw`` with ``grade`` (categorical of the scheme's letters, NaN where missing)
    and ``scaled``.

    Worked example (20 candidates; A = top 0.15·20 = 3, B = next 7, C = next 7, D = 2.6 → ranks
    18–19 (19 ≤ 0.98·20 = 19.6), E = rank 20):

    >>> raw = [98, 95, 93, 90, 88, 85, 83, 80, 78, 75, 73, 70, 68, 65, 63, 60, 58, 55, 50, 30]
    >>> out = scale_scores(raw)
    >>> "".join(out["grade"])
    'AAABBBBBBBCCCCCCCDDE'
    >>> out["scaled"].astype(int).tolist()[:5]
    [100, 92, 86, 85, 83]

    Grade A has Y1 = 93, Y2 = 98: 95 → 86 + (100 − 86)(95 − 93)/(98 − 93) = 91.6 → 92; grade B has
    Y1 = 75, Y2 = 90: 88 → 71 + 14·13/15 = 83.13 → 83. The tests work all 20 by hand.
    """
    series = (raw.astype(float) if isinstance(raw, pd.Series)
              else pd.Series(np.asarray(raw, dtype=float)))
    values: npt.NDArray[np.float64] = np.asarray(series, dtype=np.float64)
    grade_idx: npt.NDArray[np.int64] = np.full(len(values), -1, dtype=np.int64)
    scaled: npt.NDArray[np.float64] = np.full(len(values), np.nan)
    if group is None:
        grade_idx, scaled = _scale_array(values, scheme)
    else:
        codes, _ = pd.factorize(group.reindex(series.index), use_na_sentinel=True)
        order = np.argsort(codes, kind="stable")
        bounds = np.flatnonzero(np.diff(codes[order])) + 1
        for part in np.split(order, bounds):  # one pass per group (subjects), not per student
            if codes[part[0]] < 0:
                continue
            g, s = _scale_array(values[part], scheme)
            grade_idx[part], scaled[part] = g, s
    grades = pd.Categorical.from_codes(grade_idx, categories=pd.Index(scheme.grades))
    return pd.DataFrame({"grade": grades, "scaled": scaled}, index=series.index)


def assign_grades(
    raw: pd.Series | npt.ArrayLike, scheme: ScalingScheme = YUNNAN_2025
) -> pd.Series:
    """Only the grade letters of :func:`scale_scores` (categorical, NaN where missing)."""
    return scale_scores(raw, scheme)["grade"]


def grade_of_scaled(
    scaled: pd.Series | npt.ArrayLike, scheme: ScalingScheme = YUNNAN_2025
) -> pd.Series:
    """The grade of each converted (赋分) score: the grade whose converted range T1 ≤ T ≤ T2
    holds it (categorical of the scheme's letters); NaN for a missing score and for one that
    lies in no grade's range (above the top, below the bottom, or between two ranges such as
    85.5 between B's 85 and A's 86): such a score cannot be a 赋分 of this scheme.

    >>> grade_of_scaled([100, 86, 85, 30, 85.5, 101, 29]).astype(object).tolist()
    ['A', 'A', 'B', 'E', nan, nan, nan]
    """
    series = (scaled.astype(float) if isinstance(scaled, pd.Series)
              else pd.Series(np.asarray(scaled, dtype=float)))
    values = series.to_numpy(dtype=float)
    codes = np.full(len(values), -1, dtype=np.int64)
    for g, (hi, lo) in enumerate(scheme.ranges):
        inside = (values >= lo - 1e-9) & (values <= hi + 1e-9) & (codes < 0)
        codes[inside] = g
    grades = pd.Categorical.from_codes(codes, categories=pd.Index(scheme.grades))
    return pd.Series(grades, index=series.index, name="grade")


NEW_REGIME_CORE = ("chinese", "math", "english")
FIRST_CHOICE = ("physics", "history")
ELECTIVES = ("politics", "geography", "chemistry", "biology")
OLD_ARTS = ("politics", "history", "geography")
OLD_SCIENCE = ("physics", "chemistry", "biology")


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ScalingError("gaokao_scaling.missing_columns", columns=", ".join(missing))


def _examples(index: pd.Index) -> str:
    return ", ".join(str(i) for i in index[:5])


def new_regime_totals(
    raw: pd.DataFrame, scheme: ScalingScheme = YUNNAN_2025, *, scale: bool = True
) -> pd.DataFrame:
    """新高考 3+1+2 totals (750): 语文 + 数学 + 外语 (150 each, raw) + 物理 or 历史 (100, raw)
    + the two chosen of 思想政治/地理/化学/生物 (100 each, after 等级赋分).

    ``raw`` has one row per candidate and columns named by subject code (``chinese``, ``math``,
    ``english``, ``physics``, ``history``, ``politics``, ``geography``, ``chemistry``,
    ``biology``); a subject not chosen — or missed — is NaN. Each elective is scaled within all
    its takers in ``raw`` (both tracks together, as the provinces do); ``scale=False`` takes the
    elective columns as already converted.

    Returns the input's index with ``track`` ('physics' = 物理类, 'history' = 历史类, None when
    neither first-choice score is present), the converted elective columns ``<code>_scaled``, and
    ``total``: NaN unless the candidate has all six scores (缺考 is never counted as 0).
    Scores in both physics and history, or in more than two electives, are data errors.

    >>> df = pd.DataFrame({"chinese": [120.0], "math": [130.0], "english": [125.0],
    ...     "physics": [80.0], "history": [np.nan], "politics": [np.nan], "geography": [np.nan],
    ...     "chemistry": [88.0], "biology": [75.0]})
    >>> out = new_regime_totals(df, scale=False)   # electives given as already converted
    >>> float(out["total"].iloc[0]), out["track"].iloc[0]
    (618.0, 'physics')
    """
    _require(raw, [*NEW_REGIME_CORE, *FIRST_CHOICE, *ELECTIVES])
    first = raw[list(FIRST_CHOICE)].notna()
    both = first.all(axis=1)
    if both.any():
        raise ScalingError("gaokao_scaling.both_first_choice", n=int(both.sum()),
                           examples=_examples(raw.index[both.to_numpy()]))
    n_elect = raw[list(ELECTIVES)].notna().sum(axis=1)
    if (n_elect > 2).any():
        bad = raw.index[(n_elect > 2).to_numpy()]
        raise ScalingError("gaokao_scaling.too_many_electives", n=len(bad),
                           examples=_examples(bad))
    out = pd.DataFrame(index=raw.index)
    track = pd.Series(None, index=raw.index, dtype=object)
    track[first["physics"].to_numpy()] = "physics"
    track[first["history"].to_numpy()] = "history"
    out["track"] = track
    for code in ELECTIVES:
        col = raw[code].astype(float)
        out[f"{code}_scaled"] = scale_scores(col, scheme)["scaled"] if scale else col
    core = raw[list(NEW_REGIME_CORE)].astype(float).sum(axis=1, min_count=3)
    first_score = raw[list(FIRST_CHOICE)].astype(float).sum(axis=1, min_count=1)
    electives = out[[f"{c}_scaled" for c in ELECTIVES]]
    elect_sum = electives.sum(axis=1, min_count=1).where(n_elect == 2)
    out["total"] = core + first_score + elect_sum
    return out


def old_regime_totals(
    raw: pd.DataFrame, track: pd.Series, *, comprehensive: str | None = None
) -> pd.Series:
    """Old-regime (文科/理科) 高考 totals (750): 语文 + 数学 + 外语 (150 each) + 文综 or 理综 (300).

    ``track`` holds 'arts' (文科) or 'science' (理科) per candidate (vocab TRACKS codes).
    ``comprehensive`` names a column holding the 综合 score; without it 文综 = 思想政治 + 历史 +
    地理 and 理综 = 物理 + 化学 + 生物 (national paper: 100 + 100 + 100, and 110 + 100 + 90).
    NaN in any part → NaN total.

    >>> df = pd.DataFrame({"chinese": [100.0, 110], "math": [120.0, 90], "english": [130.0, 95],
    ...     "politics": [60.0, np.nan], "history": [70.0, np.nan], "geography": [65.0, np.nan],
    ...     "physics": [np.nan, 80], "chemistry": [np.nan, 70], "biology": [np.nan, 60]})
    >>> old_regime_totals(df, pd.Series(["arts", "science"])).tolist()
    [545.0, 505.0]
    """
    tracks = track.reindex(raw.index)
    bad = set(tracks.dropna().unique()) - {"arts", "science"}
    if bad:
        raise ScalingError("gaokao_scaling.bad_track", values=", ".join(map(str, sorted(bad))))
    _require(raw, [*NEW_REGIME_CORE])
    core = raw[list(NEW_REGIME_CORE)].astype(float).sum(axis=1, min_count=3)
    if comprehensive is not None:
        _require(raw, [comprehensive])
        comp = raw[comprehensive].astype(float)
    else:
        _require(raw, [*OLD_ARTS, *OLD_SCIENCE])
        arts = raw[list(OLD_ARTS)].astype(float).sum(axis=1, min_count=3)
        science = raw[list(OLD_SCIENCE)].astype(float).sum(axis=1, min_count=3)
        comp = arts.where(tracks == "arts", science.where(tracks == "science"))
    total = core + comp
    return total.rename("total")
