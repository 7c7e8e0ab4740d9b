"""上线分析 (cut-line analysis): lines by proportion, 单科有效分, 单上线/双上线, 命中率, 贡献率.

Definitions (GLOSSARY, 上线分析):

- A line is set by score, or by proportion (位次): the score at rank ⌈p·N⌉ among the N valid
  scores sorted from high to low (:func:`line_by_proportion`).
- 单科有效分, coefficient method (:func:`subject_lines_coefficient`): with the total line T0,
  P1 = mean total of the students with total ≥ T0, pᵢ = those students' mean in subject i,
  k = T0 / P1, and subject line i = k · pᵢ.
- 单科有效分, proportion method (:func:`subject_lines_proportion`): if n students reach T0, the
  line of subject i is the n-th highest score in subject i.
- Per student and subject (:func:`online_flags`), among the subject's valid takers: 总分上线
  (total ≥ T0), 单科上线 (subject ≥ its line), 双上线 (both). 单上线 in GLOSSARY wording =
  "above the total line only", i.e. total reached but not the subject line (a subject
  holding the student back); we name it ``total_only`` and also give ``subject_only`` (subject line reached, total not).
- Per unit (:func:`online_summary`): 命中率 = 双上线 / 单科上线; 贡献率 = 双上线 / 总分上线.
  Other meanings of 贡献率 exist (e.g. a school's share of the district's 上线 students): this
  one is labelled "贡献率（双上线/总分上线）" in ``DEFINITIONS``.

Reference: the 有效分 method of Chinese exam analysis (e.g. 张敏强《教育测量学》; the 有效分/
上线 reports of 智学网 and 好分数). Missing scores (缺考/违纪, NaN) never reach a line and are
not counted as 0: a student missing a subject is not among that subject's valid takers.

The bridge of the first 3+1+2 year (:data:`REGIME_BRIDGE`, :func:`carried_lines`): a 高三 mock
takes last year's 高考 lines by 位次法; when last year was still 文科/理科 and this cohort is
物理类/历史类, 物理类 takes 理科's 上线 shares and 历史类 文科's, 特控线 the share above 一本 and
本科批 the share above 二本 (the lines of the two regimes that select about the same share of
candidates: 特控线 is the new top line as 一本 was, 本科批 the undergraduate line as 二本 was
after most provinces merged 二本 and 三本). Districts use this bridge in the first year of the
reform (issue 15); 三本 and 专科 carry nothing across.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.vocab import REGIME_BRIDGE_LINES, REGIME_BRIDGE_TRACKS, TRACKS

__all__ = [
    "CARRIED_LINES",
    "DEFINITIONS",
    "REGIME_BRIDGE",
    "CutlineError",
    "carried_lines",
    "line_by_proportion",
    "online_flags",
    "online_summary",
    "subject_lines_coefficient",
    "subject_lines_proportion",
]

CARRIED_LINES = ("一本", "二本")
"""The old lines whose 上线 shares a first-year mock carries across (the 本科 lines; 三本 and
专科 carry nothing)."""

REGIME_BRIDGE: dict[tuple[str, str], tuple[str, str]] = {
    (str(TRACKS.parse(old_track)), old_line): (str(TRACKS.parse(new_track)), new_line)
    for old_track, new_track in REGIME_BRIDGE_TRACKS.items()
    for old_line, new_line in REGIME_BRIDGE_LINES.items() if old_line in CARRIED_LINES}
"""Old (track code, line) → the new (track code, line) that takes its 上线 share in the first
3+1+2 year (module docstring), from the one bridge of :data:`eduquality.vocab.REGIME_BRIDGE_TRACKS`
and :data:`~eduquality.vocab.REGIME_BRIDGE_LINES`: 理科 → 物理类, 文科 → 历史类; 一本 → 特控线,
二本 → 本科批."""


def carried_lines(last: pd.DataFrame, tracks: set[str | None]) -> pd.DataFrame:
    """Which of last year's 高考 lines a mock carries, and as which: ``last`` (track, line,
    score) → track_from, line_from, score (last year's line), track, line (this mock's), bridged.

    A line of a track the mock's candidates have (``tracks``) is carried as it is. When the
    mock's candidates are 物理类/历史类 and none of last year's lines is, each old line with a
    :data:`REGIME_BRIDGE` target is carried to that target (``bridged`` True) and the others
    (三本, 专科) are dropped.

    >>> last = pd.DataFrame({"track": ["science", "science", "arts", "science"],
    ...                      "line": ["一本", "二本", "一本", "专科"], "score": [560, 450, 540, 200]})
    >>> out = carried_lines(last, {"physics", "history"})
    >>> out["line_from"].tolist(), out["track"].tolist(), out["line"].tolist()
    (['一本', '二本', '一本'], ['physics', 'physics', 'history'], ['特控线', '本科批', '特控线'])
    """
    cols = ["track_from", "line_from", "score", "track", "line", "bridged"]
    rows = []
    new = {"physics", "history"}
    bridge = bool(tracks & new) and not (set(last["track"].dropna()) & new)
    for track, line, score in last[["track", "line", "score"]].itertuples(index=False,
                                                                          name=None):
        if bridge:
            target = REGIME_BRIDGE.get((track, line))
            if target is not None:
                rows.append((track, line, float(score), *target, True))
        else:
            rows.append((track, line, float(score), track, line, False))
    return pd.DataFrame(rows, columns=cols)


MESSAGES = register({
    "cutlines.share": (
        "上线比例 p 须在 (0, 1] 之间（现为 {p}）",
        "the proportion p must lie in (0, 1] (got {p})",
    ),
    "cutlines.nobody_reached": (
        "没有学生达到总分线 {line}，无法确定单科有效分",
        "no student reaches the total line {line}; subject lines cannot be set",
    ),
    "cutlines.no_scores": (
        "没有有效分数，无法按比例划线",
        "no valid scores: a line by proportion cannot be set",
    ),
    "cutlines.missing_lines": (
        "以下科目缺少单科有效分：{subjects}",
        "subject lines missing for: {subjects}",
    ),
    "cutlines.hit_rate": ("命中率（双上线/单科上线）", "hit rate (both lines / subject line)"),
    "cutlines.contribution": (
        "贡献率（双上线/总分上线）", "contribution rate (both lines / total line)"),
})

DEFINITIONS = {
    "hit_rate": "cutlines.hit_rate",
    "contribution_rate": "cutlines.contribution",
}
"""i18n keys of the labels a report must print next to these rates."""


class CutlineError(KeyedError):
    """Input to a cut-line computation is invalid (message in zh; ``text(lang)``)."""



def line_by_proportion(
    scores: pd.Series, p: float, group: pd.Series | None = None
) -> float | pd.Series:
    """The line for proportion ``p`` (位次): the score at rank ⌈p·N⌉ among the N valid scores,
    sorted from high to low. With ``group`` (e.g. track), one line per group (a Series).

    Everyone tied with the student at that rank reaches the line, so the share reaching it can
    exceed p. ⌈p·N⌉ is taken after rounding p·N to 9 decimals (0.15·20 is 3, not 3.0000…4).

    >>> line_by_proportion(pd.Series([90, 80, 70, 60, 50, np.nan]), 0.4)   # ⌈0.4·5⌉ = 2
    80.0
    """
    if not 0 < p <= 1:
        raise CutlineError("cutlines.share", p=p)
    s = scores.astype(float)
    if group is None:
        valid = np.sort(s.dropna().to_numpy())[::-1]
        if valid.size == 0:
            raise CutlineError("cutlines.no_scores")
        return float(valid[_position(p, valid.size) - 1])
    frame = pd.DataFrame({"s": s, "g": group.reindex(s.index)}).dropna()
    frame = frame.sort_values(["g", "s"], ascending=[True, False], kind="stable")
    n = frame.groupby("g", sort=False)["s"].transform("size").to_numpy()
    pos = frame.groupby("g", sort=False).cumcount().to_numpy() + 1
    target = np.ceil(np.round(p * n, 9)).astype(int)
    return frame.loc[pos == target].set_index("g")["s"].rename("line")


def _position(p: float, n: int) -> int:
    return max(1, math.ceil(round(p * n, 9)))


def _align(total: pd.Series, subjects: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    return total.astype(float), subjects.reindex(total.index).astype(float)


def subject_lines_coefficient(
    total: pd.Series, subjects: pd.DataFrame, total_line: float
) -> pd.Series:
    """单科有效分 by the coefficient method: subject line i = k · pᵢ with k = T0 / P1.

    P1 is the mean total of the students with total ≥ T0 and pᵢ their mean score in subject i
    (over those of them with a valid score in i). Returns one line per subject column.

    >>> total = pd.Series([600.0, 500, 400, 300])
    >>> subj = pd.DataFrame({"math": [130.0, 110, 90, 60], "chinese": [120.0, 100, 95, 70]})
    >>> subject_lines_coefficient(total, subj, 500).round(4).tolist()  # k = 500/550
    [109.0909, 100.0]
    """
    total, subjects = _align(total, subjects)
    reached = (total >= total_line).to_numpy()
    if not reached.any():
        raise CutlineError("cutlines.nobody_reached", line=total_line)
    p1 = float(total[reached].mean())
    k = total_line / p1
    return (k * subjects[reached].mean(axis=0)).rename("line")


def subject_lines_proportion(
    total: pd.Series, subjects: pd.DataFrame, total_line: float
) -> pd.Series:
    """单科有效分 by the proportion method: if n students reach the total line T0, the line of
    subject i is the n-th highest valid score in subject i (the lowest valid score when fewer
    than n students took it).

    >>> total = pd.Series([600.0, 500, 400, 300])
    >>> subj = pd.DataFrame({"math": [130.0, 110, 90, 60], "chinese": [95.0, 100, 120, 70]})
    >>> subject_lines_proportion(total, subj, 500).tolist()   # n = 2
    [110.0, 100.0]
    """
    total, subjects = _align(total, subjects)
    n = int((total >= total_line).sum())
    if n == 0:
        raise CutlineError("cutlines.nobody_reached", line=total_line)
    ordered = -np.sort(-subjects.to_numpy(), axis=0)  # descending, NaN last
    valid = subjects.notna().sum(axis=0).to_numpy()
    row = np.minimum(n, valid) - 1
    lines = np.where(valid > 0, ordered[np.maximum(row, 0), np.arange(subjects.shape[1])], np.nan)
    return pd.Series(lines, index=subjects.columns, name="line")


def online_flags(
    total: pd.Series, subjects: pd.DataFrame, total_line: float, subject_lines: pd.Series
) -> pd.DataFrame:
    """Per student and subject: ``total_on`` (总分上线), ``subject_on`` (单科上线), ``double_on``
    (双上线: both), ``total_only`` (单上线: total without the subject line — the subject holds
    the student back) and ``subject_only`` (subject line without the total), plus ``valid``
    (a valid score in the subject). A long frame with the student index level and ``subject``.

    Every flag counts a student only in the subjects with a valid score: in the 3+1+2 regime a
    student who does not take a 再选 subject (NaN) is not among its 总分上线, so its 贡献率 is
    over its takers.

    >>> total = pd.Series([600.0, 500, 400], index=["a", "b", "c"])
    >>> subj = pd.DataFrame({"math": [130.0, 90, 120]}, index=total.index)
    >>> f = online_flags(total, subj, 500, pd.Series({"math": 110.0}))
    >>> f[["total_on", "subject_on", "double_on", "total_only"]].astype(int).to_numpy().tolist()
    [[1, 1, 1, 0], [1, 0, 0, 1], [0, 1, 0, 0]]
    """
    total, subjects = _align(total, subjects)
    missing = [c for c in subjects.columns if pd.isna(subject_lines.get(c, np.nan))]
    if missing:
        raise CutlineError("cutlines.missing_lines", subjects=", ".join(map(str, missing)))
    lines = subject_lines.reindex(subjects.columns).to_numpy(dtype=float)
    x = subjects.to_numpy()
    valid = ~np.isnan(x)
    with np.errstate(invalid="ignore"):
        subject_on = x >= lines  # NaN compares False
    total_on = (total >= total_line).to_numpy()[:, None] & valid  # among the subject's takers
    n, m = x.shape
    index = pd.MultiIndex.from_arrays(
        [np.repeat(subjects.index.to_numpy(), m), np.tile(subjects.columns.to_numpy(), n)],
        names=[subjects.index.name or "student", "subject"],
    )
    return pd.DataFrame({
        "valid": valid.ravel(),
        "total_on": total_on.ravel(),
        "subject_on": subject_on.ravel(),
        "double_on": (subject_on & total_on).ravel(),
        "total_only": (total_on & ~subject_on).ravel(),
        "subject_only": (subject_on & ~total_on).ravel(),
    }, index=index)


def online_summary(flags: pd.DataFrame, unit: pd.Series | None = None) -> pd.DataFrame:
    """Per unit and subject: counts of valid takers, 总分上线, 单科上线, 双上线, 单上线
    (total_only) and subject_only, with 命中率 = 双上线 / 单科上线 and 贡献率 = 双上线 /
    总分上线 (NaN when the denominator is 0; labels in ``DEFINITIONS``).

    ``flags`` comes from :func:`online_flags`; ``unit`` maps the student index to a unit label
    (school, class …); without it the whole population is one unit ``'all'``.

    >>> total = pd.Series([600.0, 500, 400, 300], index=list("abcd"))
    >>> subj = pd.DataFrame({"math": [130.0, 90, 120, 60]}, index=total.index)
    >>> f = online_flags(total, subj, 500, pd.Series({"math": 110.0}))
    >>> row = online_summary(f).iloc[0]
    >>> float(row["hit_rate"]), float(row["contribution_rate"])   # 1/2 and 1/2
    (0.5, 0.5)
    """
    student = flags.index.get_level_values(0)
    labels = (np.full(len(flags), "all", dtype=object) if unit is None
              else unit.reindex(student).to_numpy())
    frame = flags.reset_index(level=1).assign(unit=labels)
    counts = frame.groupby(["unit", "subject"], sort=True, dropna=True).agg(
        n_valid=("valid", "sum"),
        n_total_on=("total_on", "sum"),
        n_subject_on=("subject_on", "sum"),
        n_double_on=("double_on", "sum"),
        n_total_only=("total_only", "sum"),
        n_subject_only=("subject_only", "sum"),
    ).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        counts["hit_rate"] = counts["n_double_on"] / counts["n_subject_on"].where(
            counts["n_subject_on"] > 0)
        counts["contribution_rate"] = counts["n_double_on"] / counts["n_total_on"].where(
            counts["n_total_on"] > 0)
    return counts.reset_index()
