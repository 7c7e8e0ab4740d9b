"""Redacting an exam analysis to what a scope may see, and withholding small units.

Pure computation on an :class:`~eduquality.results.ExamAnalysis` (no database).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from eduquality.results import ExamAnalysis
from eduquality.store.policy import Scope

__all__ = ["restrict_analysis", "small_units"]


_UNIT_KEY = {"school": "school_code", "class": "class_id", "teacher": "teacher_id",
             "peer_group": "peer_group"}


_KEEP_WHEN_SMALL = frozenset({"subject_code", "peer_group", "school_code", "class_id",
                              "teacher_id", "n_registered", "n", "full_marks", "band"})


def small_units(frame: pd.DataFrame, min_n: int, blank: bool) -> pd.DataFrame:
    """Units with fewer than ``min_n`` valid scores are not compared (band 'too_few'); with
    ``blank`` their statistics are withheld too (a mean of 2 students discloses them)."""
    if frame.empty or "n" not in frame.columns or min_n <= 0:
        return frame
    small = frame["n"] < min_n
    if not small.any():
        return frame
    out = frame.copy()
    out.loc[small, "band"] = "too_few"
    if blank:
        cols = [c for c in out.columns if c not in _KEEP_WHEN_SMALL]
        out.loc[small, cols] = None
    return out


def restrict_analysis(analysis: ExamAnalysis, scope: Scope, min_n: int = 0) -> ExamAnalysis:
    """A copy of ``analysis`` holding only what ``scope`` may see: summaries per level,
    student rows, knowledge-point rows per unit, groups of visible students; district-wide
    item statistics only when the district level is visible.

    Units (not the district) with fewer than ``min_n`` valid scores get band 'too_few'; for a
    scope without student-level access (leader, parent) their statistics are withheld."""
    withhold = "student" not in scope.levels
    summaries = {level: scope.frame(level, frame) if level == "district" else
                 small_units(scope.frame(level, frame), min_n, withhold)
                 for level, frame in analysis.summaries.items()}
    students = scope.frame("student", analysis.students)
    groups = analysis.groups
    if "student_id" in groups.columns and scope.filter("student").restrictions():
        visible: Any = students["student_id"].unique() if "student_id" in students else []
        groups = groups.loc[groups["student_id"].isin(visible)]
    elif "student_id" in groups.columns and "student" not in scope.levels:
        groups = groups.iloc[0:0]
    district = scope.sees("district")
    blank = pd.DataFrame()
    return replace(
        analysis, summaries=summaries, students=students, groups=groups,
        knowledge=_restrict_units(analysis.knowledge, scope, analysis.summaries),
        weak_points=_restrict_units(analysis.weak_points, scope, analysis.summaries),
        items=analysis.items if district else blank,
        options=analysis.options if district else blank,
        reliability=analysis.reliability if district else blank,
        distribution=analysis.distribution if district else blank,
        bands=analysis.bands if district else blank,
        names=_restrict_names(analysis.names, summaries, students),
    )


def _restrict_units(frame: pd.DataFrame, scope: Scope,
                    summaries: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows with (level, unit) columns: keep those whose unit is visible at its level. A unit's
    keys (a class's school, say) come from that level's summary rows; a unit that cannot be
    placed is withheld."""
    if frame.empty or "level" not in frame.columns:
        return frame
    keep = pd.Series(False, index=frame.index)
    for level in frame["level"].unique():
        rows = frame["level"] == level
        if level == "district":
            keep |= rows & scope.sees("district")
            continue
        if level not in scope.levels or level not in _UNIT_KEY:
            continue
        f = scope.levels[level]
        if not f.restrictions():
            keep |= rows
            continue
        units = summaries.get(str(level), pd.DataFrame())
        if units.empty:
            continue
        visible = units.loc[f.mask(units), _UNIT_KEY[str(level)]]
        keep |= rows & frame["unit"].isin(list(visible))
    return frame.loc[keep]


def _restrict_names(names: Mapping[str, Mapping[str, str]],
                    summaries: Mapping[str, pd.DataFrame],
                    students: pd.DataFrame) -> dict[str, dict[str, str]]:
    seen: dict[str, set[str]] = {"school": set(), "class": set(), "teacher": set()}
    for frame in [*summaries.values(), students]:
        for kind, col in (("school", "school_code"), ("class", "class_id"),
                          ("teacher", "teacher_id")):
            if col in frame.columns:
                seen[kind] |= {str(v) for v in frame[col].dropna().unique()}
    return {kind: {k: v for k, v in names.get(kind, {}).items() if k in seen.get(kind, set())}
            for kind in names}
