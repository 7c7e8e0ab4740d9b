"""Use case: support for special groups and their gaps (issue 14 §4) in a school year.

Groups: the student flags of :data:`eduquality.store.plan_data.GROUPS` (家庭经济困难/建档立卡,
残疾, 随迁子女, 留守儿童). Students: those with a class in school year Y (``class_membership``),
by the school of that class. For the district ('' ) and each school, and each group:

- ``students``: the group's students; ``supported``: those with a 资助 record of year Y
  (``student_support``), ``coverage`` = supported / students with Wilson's 95 % interval
  (:func:`eduquality.measures.indicators.wilson_interval`), ``amount`` the sum in 元;
- results gap: each student's mean z-score over the year's exams that count for the school
  assessment (:data:`eduquality.analysis.assessment.EXAM_TYPES`; z within each exam and
  subject over all its students), group minus the other students, with Welch's 95 % interval
  (:func:`eduquality.measures.followup.mean_gap`);
- progression to 高中阶段: of the students in grade 9 in Y, the share with a class of grade 10 or
  above (普高 or 中职) in Y + 1 in the district's records, group minus others with Newcombe's
  interval (:func:`eduquality.measures.programmes.proportion_gap`); missing when Y + 1 has no
  class memberships yet.

Disclosure (:mod:`eduquality.measures.disclosure`): a cell (unit, group) is withheld when the
group or the other students of the unit number fewer than ``settings.min_unit_n`` (a gap of one
child against the rest is that child), then complementary cells so that no withheld school's
count follows from the district's minus the shown schools'. A withheld cell shows nothing but
that it is withheld. Who may see it: roles with the action ``view_group_membership``
(:data:`eduquality.store.policy.ACTIONS`), for the district and the schools their school level
admits. Reads only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.analysis.assessment import EXAM_TYPES
from eduquality.config import Settings
from eduquality.i18n import register
from eduquality.measures.disclosure import primary, suppress
from eduquality.measures.followup import mean_gap
from eduquality.measures.indicators import wilson_interval
from eduquality.measures.programmes import proportion_gap
from eduquality.store import Database
from eduquality.store.exams import district_exams_of_school_year, exam_subject_codes
from eduquality.store.plan_data import GROUPS, year_students
from eduquality.store.policy import Scope, require_action
from eduquality.store.programmes import student_support
from eduquality.store.rosters import present_scores

__all__ = ["COLUMNS", "DISTRICT", "SpecialGroups", "special_groups"]

MESSAGES = register({
    "groups.special.poverty_registered": ("家庭经济困难（建档立卡）",
                                          "low-income families (建档立卡)"),
    "groups.special.disabled": ("残疾学生", "students with disabilities"),
    "groups.special.migrant": ("随迁子女", "children of migrant workers"),
    "groups.special.left_behind": ("留守儿童", "left-behind children"),
    "groups.special.withheld": ("人数过少，不显示", "too few students, not shown"),
})

DISTRICT = ""
"""The unit code of the district as a whole."""

COLUMNS = ["unit", "group", "withheld", "students", "supported", "coverage", "coverage_low",
           "coverage_high", "amount", "result_gap", "result_low", "result_high",
           "progressed", "grade9", "progression", "progression_gap", "progression_low",
           "progression_high"]
_FIGURES = COLUMNS[3:]


@dataclass
class SpecialGroups:
    """Year ``year``'s table (:data:`COLUMNS`, one row per unit and group; unit
    :data:`DISTRICT` for the district) and ``min_n``, the smallest group shown."""

    year: int
    table: pd.DataFrame
    min_n: int


def _students(db: Database, year: int) -> pd.DataFrame:
    return year_students(db, f"{year}-{year + 1}")


def _mean_z(db: Database, year: int) -> pd.Series:
    """Each student's mean z-score over the year's exams and subjects that count."""
    parts = []
    for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", list(EXAM_TYPES)):
        for subject in dict.fromkeys(exam_subject_codes(db, exam.exam_id)):
            sc = present_scores(db, subject, [exam.exam_id])
            sd = float(sc["score"].std())
            if len(sc) > 1 and sd > 0:
                parts.append(pd.Series(((sc["score"] - sc["score"].mean()) / sd).to_numpy(),
                                       index=sc["student_id"].to_numpy()))
    if not parts:
        return pd.Series(dtype=float)
    z = pd.concat(parts)
    return z.groupby(level=0).mean()


def _progressed(db: Database, year: int) -> pd.Series | None:
    """Students in grade ≥ 10 in year + 1 (None when that year has no memberships)."""
    nxt = year_students(db, f"{year + 1}-{year + 2}")[["student_id", "grade"]]
    if nxt.empty:
        return None
    return pd.Series(True, index=pd.Index(nxt[nxt["grade"] >= 10]["student_id"].unique()))


def _row(unit: str, group: str, st: pd.DataFrame, z: pd.Series,
         progressed: pd.Series | None) -> dict[str, object]:
    inside = st[group].astype(bool)
    g, rest = st[inside], st[~inside]
    n = len(g)
    supported = int(g["supported"].sum())
    low, high = wilson_interval(supported, n) if n else (math.nan, math.nan)
    gap, glow, ghigh = mean_gap(z.reindex(g["student_id"]).dropna(),
                                z.reindex(rest["student_id"]).dropna())
    row: dict[str, object] = {
        "unit": unit, "group": group, "withheld": False, "students": n,
        "supported": supported, "coverage": supported / n if n else math.nan,
        "coverage_low": low, "coverage_high": high, "amount": float(g["amount"].sum()),
        "result_gap": gap, "result_low": glow, "result_high": ghigh,
        "progressed": math.nan, "grade9": math.nan, "progression": math.nan,
        "progression_gap": math.nan, "progression_low": math.nan, "progression_high": math.nan}
    if progressed is not None:
        g9, r9 = g[g["grade"] == 9], rest[rest["grade"] == 9]
        k1 = int(g9["student_id"].isin(progressed.index).sum())
        k0 = int(r9["student_id"].isin(progressed.index).sum())
        d, lo, hi = proportion_gap(k1, len(g9), k0, len(r9))
        row.update(progressed=k1, grade9=len(g9),
                   progression=k1 / len(g9) if len(g9) else math.nan,
                   progression_gap=d, progression_low=lo, progression_high=hi)
    return row


def special_groups(db: Database, year: int, settings: Settings,
                   scope: Scope | None = None) -> SpecialGroups:
    """The special groups' support, coverage and gaps of ``year`` (module docstring), for
    ``scope`` (None: everything, for the district's own documents). Raises PermissionDenied
    when the scope's role may not see figures by group."""
    if scope is not None:
        require_action(scope.principal, "view_group_membership", scope.lang)
    st = _students(db, year)
    support = student_support(db, year).set_index("student_id")
    st["supported"] = st["student_id"].isin(support.index)
    st["amount"] = st["student_id"].map(support["amount"]).fillna(0.0)
    z = _mean_z(db, year)
    progressed = _progressed(db, year)
    schools = sorted(st["school_code"].astype(str).unique())
    rows = []
    for group in GROUPS:
        rows.append(_row(DISTRICT, group, st, z, progressed))
        for school in schools:
            rows.append(_row(school, group, st[st["school_code"] == school], z, progressed))
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = _withhold(table, st, schools, settings.min_unit_n)
    if scope is not None:
        visible = table["unit"].map(lambda u: u == DISTRICT or scope.admits(
            "school", school_code=u))
        table = table[visible.astype(bool)]
    return SpecialGroups(year, table.reset_index(drop=True), settings.min_unit_n)


def _withhold(table: pd.DataFrame, st: pd.DataFrame, schools: list[str],
              min_n: int) -> pd.DataFrame:
    """Primary and complementary suppression per group (module docstring)."""
    table = table.copy()
    for group in GROUPS:
        inside = st[group].astype(bool)
        n_in = {DISTRICT: int(inside.sum()),
                **st[inside].groupby("school_code").size().astype(int).to_dict()}
        n_out = {DISTRICT: int((~inside).sum()),
                 **st[~inside].groupby("school_code").size().astype(int).to_dict()}
        first = primary([n_in, n_out], min_n)
        hidden = suppress(first, [n_in], [(DISTRICT, schools)])
        mask = (table["group"] == group) & table["unit"].isin(list(hidden))
        table.loc[mask, "withheld"] = True
        table.loc[mask, _FIGURES] = np.nan
    return table
