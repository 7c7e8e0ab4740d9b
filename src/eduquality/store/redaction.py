"""Redacting an exam analysis to what a scope may see, and withholding small units.

Pure computation on an :class:`~eduquality.results.ExamAnalysis` (no database). The one
disclosure step of every surface (web pages and downloads, the CLI's reports and ``analyse
--out``): :func:`restrict_analysis`.

The summaries are restricted at once; every other part of the analysis when it is first read
(:func:`eduquality.results.replace_lazily`), by the same rules, so that a page of unit
summaries never decodes a stored analysis's student rows (issue 12). What the summaries need
of the student rows (each school's peer group) is read from those two columns alone
(:func:`eduquality.results.frame_columns`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from eduquality.measures.disclosure import primary, suppress
from eduquality.results import (
    Deferred,
    ExamAnalysis,
    defer,
    derived,
    frame_columns,
    replace_lazily,
)
from eduquality.store.policy import Scope

__all__ = ["restrict_analysis", "small_units", "suppress_small_units", "withheld_units"]


_UNIT_KEY = {"school": "school_code", "class": "class_id", "teacher": "teacher_id",
             "peer_group": "peer_group"}

_KEEP_WHEN_SMALL = frozenset({"subject_code", "peer_group", "school_code", "class_id",
                              "teacher_id", "full_marks", "band"})
"""The columns of a withheld unit's row that still show: its keys and the paper's full marks.
Its head-counts go too: registered and valid counts add up to the parent's like the means."""

_HIERARCHY = ("district", "peer_group", "school", "class")
"""The levels whose rows add up: district = its peer groups (and schools without one), a peer
group = its schools, a school = its classes."""

Unit = tuple[str, str]
"""(level, code): ('district', 'all'), ('peer_group', 'A'), ('school', 'S1'), ('class', …)."""


def small_units(frame: pd.DataFrame, min_n: int, blank: bool) -> pd.DataFrame:
    """Units with fewer than ``min_n`` valid scores are not compared (band 'too_few'); with
    ``blank`` their statistics and head-counts are withheld too (a mean of 2 students discloses
    them). Withholding one row alone can be undone by subtraction: a whole analysis is withheld
    through :func:`suppress_small_units`."""
    if frame.empty or "n" not in frame.columns or min_n <= 0:
        return frame
    small = (frame["n"] < min_n) & (frame["n"] > 0)
    if not small.any():
        return frame
    out = frame.copy()
    out.loc[small, "band"] = "too_few"
    return _blank(out, small) if blank else out


def withheld_units(analysis: ExamAnalysis, min_n: int) -> frozenset[Unit]:
    """The units whose numbers may not show: those with ``0 < n < min_n`` valid scores in any
    subject (primary), and those withheld so that no primary one can be derived by subtraction
    from its parent and siblings (complementary: :func:`eduquality.measures.disclosure.suppress`,
    over the hierarchy district → peer group → school → class, with valid and registered counts
    per subject and the counts of every knowledge-point row as the additive layers)."""
    if min_n <= 0:
        return frozenset()
    summaries = analysis.summaries
    groups = _hierarchy(analysis)
    layers: list[dict[Unit, float]] = []
    first: set[Unit] = set()
    for count in ("n", "n_registered"):
        by_subject: dict[str, dict[Unit, float]] = {}
        for level in _HIERARCHY:
            frame = summaries.get(level, pd.DataFrame())
            if frame.empty or count not in frame.columns:
                continue
            for subject, unit, n in zip(frame["subject_code"], _units(frame, level),
                                        frame[count], strict=True):
                by_subject.setdefault(str(subject), {})[unit] = _count(n)
        if count == "n":
            first = primary(by_subject.values(), min_n) - {("district", "all")}
        layers += by_subject.values()
    k = analysis.knowledge
    if not k.empty and {"level", "unit", "n"} <= set(k.columns):
        keys = [c for c in ("paper_id", "kind", "knowledge_point") if c in k.columns]
        for _, rows in k.groupby(keys, sort=False) if keys else [((), k)]:
            layers.append({(str(lv), str(u)): _count(n) for lv, u, n in
                           zip(rows["level"], rows["unit"], rows["n"], strict=True)})
    return suppress(first, layers, groups)


def suppress_small_units(analysis: ExamAnalysis, min_n: int, blank: bool) -> ExamAnalysis:
    """Units with fewer than ``min_n`` valid scores get band 'too_few'. With ``blank`` (a reader
    without student-level access, or a published document) every number of the
    :func:`withheld_units` is withheld, wherever it shows: summary rows (means, rates,
    head-counts), knowledge-point rates, weak points (and a class's weak points when its school
    is withheld: their reference, the rest of the school, would give the school back), 上线
    counts; teacher rows are not shown (no such reader has the teacher level; a teacher's
    classes are not a part of the hierarchy)."""
    if min_n <= 0:
        return analysis
    if not blank:
        return replace_lazily(analysis, summaries={
            level: frame if level == "district" else small_units(frame, min_n, False)
            for level, frame in analysis.summaries.items()})
    hidden = withheld_units(analysis, min_n)
    summaries: dict[str, pd.DataFrame] = {}
    for level, frame in analysis.summaries.items():
        if level == "teacher":
            summaries[level] = frame.iloc[0:0]
        elif frame.empty or level not in _HIERARCHY:
            summaries[level] = frame
        else:
            summaries[level] = _blank(small_units(frame, min_n, False),
                                      pd.Series([u in hidden for u in _units(frame, level)],
                                                index=frame.index, dtype=bool))
    return replace_lazily(
        analysis, summaries=summaries,
        knowledge=Deferred(lambda: _drop_units(analysis.knowledge, hidden)),
        weak_points=Deferred(lambda: _weak_points_shown(analysis, hidden)),
        online=Deferred(lambda: _drop_units(analysis.online, hidden)))


def _weak_points_shown(analysis: ExamAnalysis, hidden: frozenset[Unit]) -> pd.DataFrame:
    """The weak points of units not withheld, but those of a class whose school is."""
    schools = {code for level, code in hidden if level == "school"}
    school_of = _school_of(analysis)
    weak = _drop_units(analysis.weak_points, hidden)
    if not weak.empty and "level" in weak.columns:
        weak = weak.loc[~((weak["level"] == "class")
                          & weak["unit"].astype(str).map(school_of).isin(schools))]
    return weak


def restrict_analysis(analysis: ExamAnalysis, scope: Scope, min_n: int = 0,
                      public: bool = False) -> ExamAnalysis:
    """A copy of ``analysis`` holding only what ``scope`` may see: summaries per level,
    student rows, knowledge-point rows per unit, groups of visible students; district-wide
    item statistics only when the district level is visible.

    Small units (``min_n``): :func:`suppress_small_units`, over the whole district before the
    scope cuts it, withholding their numbers for a scope without student-level access (leader,
    parent) and in a ``public`` document (cleared for publication), whoever asks for it."""
    withhold = "student" not in scope.levels or public
    scope.resolve()  # the parts made later may be made on another thread
    full = analysis  # what it derives (peer groups) is kept with it for the next request
    analysis = suppress_small_units(analysis, min_n, withhold)
    summaries = {level: scope.frame(level, frame)
                 for level, frame in analysis.summaries.items()}
    if "school" in summaries:
        summaries["school"] = _with_peer_groups(summaries["school"], full)

    def columns(names: Sequence[str]) -> pd.DataFrame:
        return _student_columns(analysis, scope, names)

    shows_students = "student" in scope.levels  # else no student row shows: none is read

    students = cache(lambda: scope.frame("student", analysis.students))
    district = scope.sees("district")
    blank = pd.DataFrame()
    return replace_lazily(
        analysis, summaries=summaries, students=Deferred(students, columns),
        groups=Deferred(lambda: _restrict_groups(analysis.groups, scope,
                                                 columns if shows_students else None)),
        knowledge=Deferred(lambda: _restrict_units(analysis.knowledge, scope,
                                                   analysis.summaries)),
        weak_points=Deferred(lambda: _restrict_units(analysis.weak_points, scope,
                                                     analysis.summaries)),
        **{name: defer(analysis, name) if district else blank
           for name in ("items", "options", "reliability", "distribution", "bands")},
        names=Deferred(lambda: _restrict_names(analysis.names, summaries,
                                               columns if shows_students else None)),
    )


def _student_columns(analysis: ExamAnalysis, scope: Scope,
                     columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of the student rows ``scope`` sees (those the rows have), reading no other
    column but those the scope filters on."""
    keys = list(scope.filter("student").restrictions()) if "student" in scope.levels else []
    rows = scope.frame("student", frame_columns(
        analysis, "students", [*columns, *(k for k in keys if k not in columns)]))
    return rows[[c for c in columns if c in rows.columns]]


def _restrict_groups(groups: pd.DataFrame, scope: Scope,
                     students: Callable[[Sequence[str]], pd.DataFrame] | None,
                     ) -> pd.DataFrame:
    """The group rows (尖子生, 学困生 …) of the students ``scope`` sees (``students``: their
    columns; None: it sees none)."""
    if "student_id" in groups.columns and scope.filter("student").restrictions():
        seen = students(["student_id"]) if students is not None else pd.DataFrame()
        visible: Any = seen["student_id"].unique() if "student_id" in seen else []
        return groups.loc[groups["student_id"].isin(visible)]
    if "student_id" in groups.columns and "student" not in scope.levels:
        return groups.iloc[0:0]
    return groups


def _peer_pairs(analysis: ExamAnalysis, complete: bool) -> pd.DataFrame | None:
    """The first (school_code, peer_group) row of each school in the whole district's student
    rows (``complete``: of the rows with both), None when they lack either column; read from
    those two columns alone, once per analysis object (:func:`~eduquality.results.derived`)."""
    def make() -> tuple[pd.DataFrame, pd.DataFrame] | None:
        pairs = frame_columns(analysis, "students", ["school_code", "peer_group"])
        if not {"school_code", "peer_group"} <= set(pairs.columns):
            return None
        first = _first_rows(pairs, "school_code")
        if not first.isna().to_numpy().any():  # no row lacks a school; no first one a group:
            return first, first                # the first complete rows are the same rows
        return first, _first_rows(pairs.dropna(), "school_code")

    found = derived(analysis, "school_peer_pairs", make)
    return None if found is None else found[complete]


def _with_peer_groups(schools: pd.DataFrame, analysis: ExamAnalysis) -> pd.DataFrame:
    """School rows with their peer group (from the whole district's student rows), so that a
    reader who sees no student still sees which peer group a school belongs to."""
    if "peer_group" in schools.columns:
        return schools
    pairs = _peer_pairs(analysis, complete=False)
    if pairs is None:
        return schools
    peer = dict(zip(pairs["school_code"].astype(str), pairs["peer_group"], strict=True))
    out = schools.copy()
    out.insert(2 if "subject_code" in out.columns else 1, "peer_group",
               out["school_code"].astype(str).map(peer))
    return out


def _first_rows(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """``frame.drop_duplicates(column)``: the first row of each value, in order (factorised
    codes number the values in the order they first appear, so a row is a first one where
    its code exceeds every code before it; 2 million rows: 40 ms against 180 ms)."""
    codes, _uniques = pd.factorize(frame[column], use_na_sentinel=False)
    highest = np.maximum.accumulate(codes) if len(codes) else codes
    return frame.iloc[np.flatnonzero(np.diff(highest, prepend=-1) > 0)]


def _count(value: Any) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def _units(frame: pd.DataFrame, level: str) -> list[Unit]:
    if level == "district":
        return [("district", "all")] * len(frame)
    return [(level, str(code)) for code in frame[_UNIT_KEY[level]]]


def _school_of(analysis: ExamAnalysis) -> dict[str, str]:
    classes = analysis.summaries.get("class", pd.DataFrame())
    if classes.empty:
        return {}
    pairs = classes[["class_id", "school_code"]].drop_duplicates("class_id")
    return {str(c): str(s) for c, s in zip(pairs["class_id"], pairs["school_code"], strict=True)}


def _hierarchy(analysis: ExamAnalysis) -> list[tuple[Unit, list[Unit]]]:
    """(parent, children) of the additive levels present in the analysis."""
    s = analysis.summaries
    schools = sorted({str(c) for c in s.get("school", pd.DataFrame()).get("school_code", [])})
    pairs = _peer_pairs(analysis, complete=True)
    peer_of: dict[str, str] = {}
    if pairs is not None:
        peer_of = {str(c): str(p) for c, p in zip(pairs["school_code"], pairs["peer_group"],
                                                  strict=True) if str(p)}
    peers = sorted({str(p) for p in s.get("peer_group", pd.DataFrame()).get("peer_group", [])
                    if not pd.isna(p)})
    top: list[Unit] = [("peer_group", p) for p in peers]
    top += [("school", c) for c in schools if peer_of.get(c) not in peers]
    groups: list[tuple[Unit, list[Unit]]] = [(("district", "all"), top)]
    groups += [(("peer_group", p), [("school", c) for c in schools if peer_of.get(c) == p])
               for p in peers]
    members: dict[str, list[Unit]] = {}
    for class_id, school in _school_of(analysis).items():
        members.setdefault(school, []).append(("class", class_id))
    groups += [(("school", c), members[c]) for c in schools if c in members]
    return groups


def _blank(frame: pd.DataFrame, rows: pd.Series) -> pd.DataFrame:
    if not rows.any():
        return frame
    out = frame.copy()
    out.loc[rows, "band"] = "too_few"
    for col in out.columns:
        if col not in _KEEP_WHEN_SMALL:
            out[col] = out[col].where(~rows)
    return out


def _drop_units(frame: pd.DataFrame, hidden: frozenset[Unit]) -> pd.DataFrame:
    """``frame`` without the rows (level, unit) of withheld units."""
    if frame.empty or not hidden or not {"level", "unit"} <= set(frame.columns):
        return frame
    keep = [(str(lv), str(u)) not in hidden for lv, u in
            zip(frame["level"], frame["unit"], strict=True)]
    return frame.loc[keep]


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
                    students: Callable[[Sequence[str]], pd.DataFrame] | None,
                    ) -> dict[str, dict[str, str]]:
    """The names of the units in the summaries or the student rows shown (``students``: their
    columns, read only when the summaries do not name every unit already; None: no student
    row shows)."""
    keys = (("school", "school_code"), ("class", "class_id"), ("teacher", "teacher_id"))
    seen: dict[str, set[str]] = {"school": set(), "class": set(), "teacher": set()}

    def see(frame: pd.DataFrame) -> None:
        for kind, col in keys:
            if col in frame.columns:
                seen[kind] |= {str(v) for v in frame[col].dropna().unique()}

    for frame in summaries.values():
        see(frame)
    if students is not None and any(not set(names[kind]) <= seen.get(kind, set())
                                    for kind in names):
        see(students([col for _kind, col in keys]))
    return {kind: {k: v for k, v in names.get(kind, {}).items() if k in seen.get(kind, set())}
            for kind in names}
