"""Student groups (GLOSSARY, Student groups): 尖子生, 学困生/后进生, 弱科生/偏科, 临界生, 进退步.

Every rule works within a reference group given by ``by`` (labels per student: a grade, a
grade × track …; ``None`` = everyone together) and is vectorised (pandas group transforms).
Missing scores (缺考/违纪, NaN) are never counted as 0: a student without a valid score is in no
group, takes no rank and does not count in N.

Ranks are competition ranks (并列, GLOSSARY 排名): ties share the best rank, so a tie that
straddles a cut is included as a whole. Shares are turned into counts as ⌈share · N⌉ (after
rounding share · N to 9 decimals, so float noise such as 0.07 · 100 = 7.000000000000001 does not
add a student).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from pandas.core.groupby import SeriesGroupBy

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "PROGRESS_LABELS",
    "GroupRuleError",
    "borderline",
    "reliable_change",
    "struggling_students",
    "subject_gaps",
    "t_score_sem",
    "top_students",
    "weak_subjects",
]

MESSAGES = register({
    "groups.share": ("比例 {name} 须在 (0, 1] 之间（现为 {value}）",
                     "share {name} must lie in (0, 1] (got {value})"),
    "groups.no_rule": ("学困生须给定比例（share）或低分线（line）",
                       "struggling students need a share or a low-score line"),
    "groups.negative": ("{name} 不能为负（现为 {value}）", "{name} must not be negative (got {value})"),
    "groups.band_unit": ("临界带宽单位须为 points 或 ranks（现为 {value}）",
                         "the band unit must be 'points' or 'ranks' (got {value})"),
    "groups.rank_line": ("按名次带宽划临界生时，同一参照组内须只有一条线",
                         "a rank band needs one line per reference group"),
    "groups.no_error": ("进退步须给定差值标准误（se_diff）或测量标准误（sem）",
                        "progress needs the SE of the difference (se_diff) or the SEM (sem)"),
    "groups.reliability": ("信度须在 [0, 1] 之间（现为 {value}）",
                           "reliability must lie in [0, 1] (got {value})"),
    "groups.progress": ("进步", "progress"),
    "groups.stable": ("稳定", "stable"),
    "groups.regress": ("退步", "regress"),
})

PROGRESS_LABELS = {"progress": "groups.progress", "stable": "groups.stable",
                   "regress": "groups.regress"}
"""i18n keys of the 进退步 status labels."""


class GroupRuleError(KeyedError):
    """A group rule's settings are invalid (message in zh; ``text(lang)``)."""



def _check_share(name: str, value: float) -> None:
    if not 0 < value <= 1:
        raise GroupRuleError("groups.share", name=name, value=value)


def _grouped(x: pd.Series, by: pd.Series | None) -> SeriesGroupBy:
    keys = pd.Series(0, index=x.index) if by is None else by.reindex(x.index)
    return x.groupby(keys, sort=False, dropna=False)


def _count_for_share(share: float, n: pd.Series) -> pd.Series:
    return (share * n.astype(float)).round(9).pipe(np.ceil)


def top_students(total: pd.Series, share: float = 0.1, by: pd.Series | None = None) -> pd.Series:
    """尖子生: the top ``share`` of each reference group by total — competition rank
    ≤ ⌈share · N⌉, N the valid totals in the group (a tie at the cut is kept whole).

    >>> top_students(pd.Series([90, 85, 85, 70, 60, np.nan]), share=0.4).tolist()  # ⌈0.4·5⌉ = 2
    [True, True, True, False, False, False]
    """
    _check_share("share", share)
    x = total.astype(float)
    g = _grouped(x, by)
    rank = g.rank(method="min", ascending=False)
    return (rank <= _count_for_share(share, g.transform("count"))).rename("top")


def struggling_students(
    scores: pd.Series,
    share: float | None = None,
    line: float | None = None,
    by: pd.Series | None = None,
) -> pd.Series:
    """学困生/后进生: the bottom ``share`` of each reference group (rank from the bottom, ties
    sharing the best of their positions, ≤ ⌈share · N⌉) and/or a score below ``line`` (the
    low-score line, e.g. 40 % of full marks). With both, either rule qualifies. Works on a
    total or on one subject.

    >>> s = pd.Series([90, 50, 45, 45, 80, np.nan])
    >>> struggling_students(s, share=0.2).tolist()   # ⌈0.2·5⌉ = 1: the tie at 45 is kept
    [False, False, True, True, False, False]
    >>> struggling_students(s, line=50).tolist()
    [False, False, True, True, False, False]
    """
    if share is None and line is None:
        raise GroupRuleError("groups.no_rule")
    x = scores.astype(float)
    flag = pd.Series(False, index=x.index)
    if share is not None:
        _check_share("share", share)
        g = _grouped(x, by)
        rank = g.rank(method="min", ascending=True)
        flag |= rank <= _count_for_share(share, g.transform("count"))
    if line is not None:
        flag |= x < line
    return flag.rename("struggling")


def subject_gaps(scores: pd.DataFrame, by: pd.Series | None = None) -> pd.DataFrame:
    """For each student and subject: the student's mean Z across the subjects taken minus the
    subject's Z (positive = the subject lies below the student's own level).

    Z = (x − mean) / SD (n − 1) within the reference group, per subject (GLOSSARY 标准分). The
    student's mean includes the subject itself (GLOSSARY: "the student's own mean standardised
    score across subjects"). NaN where the subject is missing or fewer than two subjects have a Z.

    >>> df = pd.DataFrame({"math": [1.0, 2, 3], "chinese": [3.0, 2, 1]})
    >>> subject_gaps(df).round(2).to_numpy().tolist()   # z: math −1 0 1, chinese 1 0 −1
    [[1.0, -1.0], [0.0, 0.0], [-1.0, 1.0]]
    """
    x = scores.astype(float)
    keys = pd.Series(0, index=x.index) if by is None else by.reindex(x.index)
    g = x.groupby(keys, sort=False, dropna=False)
    sd = g.transform("std")
    z = (x - g.transform("mean")) / sd.where(sd > 0)
    own = z.mean(axis=1).where(z.notna().sum(axis=1) >= 2)
    return (-z).add(own, axis=0)


def weak_subjects(
    scores: pd.DataFrame, k: float = 1.0, by: pd.Series | None = None
) -> pd.DataFrame:
    """弱科生/偏科: True where a subject's Z lies ≥ k SD below the student's own mean Z
    (:func:`subject_gaps` ≥ k; default k = 1, GLOSSARY). A student who is weak in a subject
    is a 弱科生 for it; ``weak_subjects(...).any(axis=1)`` marks 偏科 students.

    >>> df = pd.DataFrame({"math": [10.0, 60, 70, 80], "chinese": [80.0, 60, 70, 10]})
    >>> weak_subjects(df).astype(int).to_numpy().tolist()
    [[1, 0], [0, 0], [0, 0], [0, 1]]
    """
    if k < 0:
        raise GroupRuleError("groups.negative", name="k", value=k)
    return subject_gaps(scores, by) >= k


def borderline(
    scores: pd.Series,
    line: float | pd.Series,
    band: float,
    *,
    two_sided: bool = False,
    unit: Literal["points", "ranks"] = "points",
    by: pd.Series | None = None,
) -> pd.Series:
    """临界生: students near a cut line.

    Points (``unit='points'``): one-sided line − b ≤ x < line; two-sided |x − line| ≤ b.
    Ranks (``unit='ranks'``): with A = the number at or above the line in the reference group
    and r a student's competition rank, one-sided = below the line with r ≤ A + b (the b places
    just under the line); two-sided adds the students at or above the line within the last b
    places above it (their worst tied rank > A − b). A tie straddling the band's edge is kept
    whole. ``line`` may be one number or one per student (e.g. per track); with ranks it must be
    constant within each reference group. The sets only grow as b grows.

    >>> s = pd.Series([100, 95, 90, 88, 85, 80, np.nan])
    >>> borderline(s, 90, 5).tolist()                   # 85 ≤ x < 90
    [False, False, False, True, True, False, False]
    >>> borderline(s, 90, 5, two_sided=True).tolist()   # 85 ≤ x ≤ 95
    [False, True, True, True, True, False, False]
    >>> borderline(s, 90, 1, unit="ranks", two_sided=True).tolist()  # A = 3: ranks 3 and 4
    [False, False, True, True, False, False, False]
    """
    if band < 0:
        raise GroupRuleError("groups.negative", name="band", value=band)
    if unit not in ("points", "ranks"):
        raise GroupRuleError("groups.band_unit", value=unit)
    x = scores.astype(float)
    lines = (line.reindex(x.index).astype(float) if isinstance(line, pd.Series)
             else pd.Series(float(line), index=x.index))
    below = x < lines
    if unit == "points":
        flag = below & (x >= lines - band)
        if two_sided:
            flag = (x - lines).abs() <= band
        return flag.rename("borderline")
    keys = pd.Series(0, index=x.index) if by is None else by.reindex(x.index)
    if (lines.groupby(keys, dropna=False).nunique() > 1).any():
        raise GroupRuleError("groups.rank_line")
    g = x.groupby(keys, sort=False, dropna=False)
    n_above = (x >= lines).groupby(keys, sort=False, dropna=False).transform("sum")
    best = g.rank(method="min", ascending=False)
    flag = below & (best <= n_above + band)
    if two_sided:
        worst = g.rank(method="max", ascending=False)
        flag |= (x >= lines) & (worst > n_above - band)
    return flag.rename("borderline")


def t_score_sem(reliability: float) -> float:
    """SEM of a T score: T = 50 + 10 Z, so SEM_T = 10 √(1 − ρ) with ρ the reliability
    (GLOSSARY 信度: SEM = SD √(1 − α)).

    >>> t_score_sem(0.91)
    3.0
    """
    if not 0 <= reliability <= 1:
        raise GroupRuleError("groups.reliability", value=reliability)
    return round(10 * math.sqrt(1 - reliability), 12)


def reliable_change(
    before: pd.Series,
    after: pd.Series,
    *,
    sem: float | tuple[float, float] | None = None,
    se_diff: float | pd.Series | None = None,
    z: float = 1.96,
    higher_is_better: bool = True,
) -> pd.DataFrame:
    """进退步 between two exams of the same cohort, counted only beyond measurement error.

    ``before`` / ``after`` are the students' values on one scale (T score, PR or rank) indexed
    by student; change = after − before (for ranks pass ``higher_is_better=False``: a smaller
    rank is better, so improvement = before − after). The SE of the difference is ``se_diff``
    (one number or one per student) or, from the SEMs of the two exams,
    √(SEM₁² + SEM₂²) (= SEM √2 when equal). Status: 'progress' when improvement / SE > z,
    'regress' when < −z, else 'stable' (the reliable change index, Jacobson & Truax 1991,
    J. Consult. Clin. Psychol. 59:12–19; z = 1.96 ↔ 95 %). Students missing either value
    get no status.

    Use T scores with :func:`t_score_sem` where possible: the SEM of a rank or PR is not
    constant (large in the crowded middle of the distribution), so for those pass a
    per-student ``se_diff``. :func:`eduquality.measures.growth.progress` computes rank, PR and
    T changes with such per-student SEs from the two exams' own distributions by the same
    rule; this function applies the rule to any one scale and any given SE.

    >>> out = reliable_change(pd.Series([50.0, 50, 50]), pd.Series([60.0, 52, 41]), sem=3.0)
    >>> out["status"].tolist()    # SE = 3√2 = 4.24; 10/4.24 = 2.36, 0.47, −2.12
    ['progress', 'stable', 'regress']
    """
    index = before.index.union(after.index)
    b = before.reindex(index).astype(float)
    a = after.reindex(index).astype(float)
    change = a - b
    improvement = change if higher_is_better else -change
    if se_diff is not None:
        se = (se_diff.reindex(index).astype(float) if isinstance(se_diff, pd.Series)
              else pd.Series(float(se_diff), index=index))
    elif sem is not None:
        s1, s2 = sem if isinstance(sem, tuple) else (sem, sem)
        se = pd.Series(math.hypot(s1, s2), index=index)
    else:
        raise GroupRuleError("groups.no_error")
    with np.errstate(divide="ignore", invalid="ignore"):
        rci = improvement / se  # SE 0: any change is reliable (±inf); no change is stable
    known = improvement.notna() & se.notna()
    codes = np.select([rci > z, rci < -z, known], [2, 0, 1], default=-1)
    cat = pd.Categorical.from_codes(codes, categories=pd.Index(["regress", "stable", "progress"]))
    return pd.DataFrame({"before": b, "after": a, "change": change, "se_diff": se, "rci": rci,
                         "status": cat}, index=index)
