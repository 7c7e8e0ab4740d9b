"""Use case: an action plan's indicators and school goals over the database (issue 13 §1).

The indicator engine in the DHIS2 manner: each indicator's numerator and denominator are data
elements (:mod:`eduquality.store.plan_data`: students, dropouts, 高考 candidates and 上线 over
the student data; entered statistics of :mod:`eduquality.store.statistics`; constants),
evaluated per year, for the district, per school (``per_school``) and by the breakdowns the
indicator asks for (school type, 城乡, special group); the value, its interval and the status
on the target's trajectory come from :mod:`eduquality.measures.indicators` and
:mod:`eduquality.measures.trajectory`; school goals from :mod:`eduquality.measures.goals`.

Rules of combination:

- an element over the student data is summed over the rows of the cut (the school, the stage,
  the locale, or the students of a special group);
- an entered statistic is the district's row (school code '') or, when the district has none
  for that year, the sum of the schools' rows; per school, the school's row. A statistic has no
  breakdown by stage, locale or group: a breakdown's other side uses the district's value
  (the 毛入学率 of 中职 alone is 中职 students over the whole population aged 15–17);
- an indicator is computed per school only where ``per_school`` says so or a school goal ranks
  schools by it;
- the baseline is the plan's ``baseline.value`` for the district as a whole, otherwise the
  series' own value in the baseline year (each school its own); a series without a value in
  the baseline year starts from its first year with one (``baseline_year`` of each row says
  which).

Categories: a school goal ranks the schools of the bound school's peer group; "lead the first
tier" ranks all the district's schools of its kind (high schools: senior, complete and
twelve-year). Tiers are the schools' tiers as recorded now (the database holds no history of tiers), so a tier
goal's status is as of today. Internal use: school ranks by 高考 results are never published
(GLOSSARY, rules on publishing).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.analysis.balance import balance_status
from eduquality.analysis.forecast import gaokao_lines, gaokao_totals
from eduquality.ingest.planfile import Indicator, Plan, SchoolGoal, Source
from eduquality.measures.assessment import KIND_OF_STAGE
from eduquality.measures.goals import rank_goal, required_rank, tier_goal
from eduquality.measures.indicators import indicator_interval, indicator_value
from eduquality.measures.trajectory import track
from eduquality.store import Database
from eduquality.store.plan_data import (
    GROUPS,
    dropout_counts,
    school_attributes,
    student_counts,
    student_groups,
)
from eduquality.store.statistics import statistic_values

__all__ = ["VALUE_COLUMNS", "PlanStatus", "plan_status"]

GRAIN = ["year", "school_code", "stage", "locale", "tier", *GROUPS]
"""Columns of an element over the student data (plus ``value``)."""

VALUE_COLUMNS = ["indicator", "unit", "breakdown", "category", "year", "numerator",
                 "denominator", "value", "low", "high", "expected", "gap", "status",
                 "baseline_year"]
"""Columns of :attr:`PlanStatus.values`: unit 'district' or a school code; breakdown '' or
'stage' / 'locale' / 'group' with its category (a stage, locale or group code); the baseline
year the trajectory starts from."""

GOAL_COLUMNS = ["goal", "goal_type", "school", "indicator", "year", "value", "rank", "n",
                "required_rank", "status"]


@dataclass
class PlanStatus:
    """The plan and, per indicator, unit, breakdown and year, its value and status
    (:data:`VALUE_COLUMNS`); per bound school goal and year, its status (``goals``)."""

    plan: Plan
    values: pd.DataFrame
    goals: pd.DataFrame


class _Elements:
    """Evaluates data elements once each (cached by source)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.cache: dict[Source, pd.DataFrame] = {}
        self._schools: pd.DataFrame | None = None

    @property
    def schools(self) -> pd.DataFrame:
        if self._schools is None:
            self._schools = school_attributes(self.db)
        return self._schools

    def frame(self, source: Source) -> pd.DataFrame:
        if source not in self.cache:
            self.cache[source] = self._evaluate(source)
        return self.cache[source]

    def _evaluate(self, source: Source) -> pd.DataFrame:
        params = dict(source.params)
        if source.kind == "stat":
            return self._stat(str(source.name), params)
        readers: dict[str, Callable[[dict], pd.DataFrame]] = {
            "students": lambda p: student_counts(self.db, p),
            "dropouts": lambda p: dropout_counts(self.db, p),
            "gaokao_takers": lambda p: self._gaokao(None),
            "gaokao_above": lambda p: self._gaokao(p.get("line", ("一本",))),
            "balance_schools": lambda p: self._balance(meeting=False),
            "balance_schools_meeting": lambda p: self._balance(meeting=True),
        }
        reader = readers.get(str(source.name))
        if reader is None:  # an element this version does not compute yet
            return pd.DataFrame(columns=[*GRAIN, "value"])
        frame = reader(params)
        group = params.get("group")
        if group:
            frame = frame[frame[group].astype(bool)]
        return frame

    def _gaokao(self, lines: tuple[str, ...] | str | None) -> pd.DataFrame:
        t = gaokao_totals(self.db)
        if lines is not None and not t.empty:
            wanted = (lines,) if isinstance(lines, str) else tuple(lines)
            keep = []
            for year in sorted(int(y) for y in t["year"].unique()):
                g = t[t["year"] == year]
                ln = gaokao_lines(self.db, year)
                ln = ln[ln["line"].isin(wanted)]
                if ln.empty:
                    continue
                # the first of the listed lines that the year has (一本, then 特控线 …)
                first = next(w for w in wanted if (ln["line"] == w).any())
                ln = ln[ln["line"] == first][["track", "score"]]
                m = g.merge(ln, on="track", suffixes=("", "_line"))
                keep.append(m[m["score"] >= m["score_line"]])
            t = pd.concat(keep, ignore_index=True) if keep else t.iloc[0:0]
        t = t.merge(student_groups(self.db), on="student_id", how="left")
        t = t.merge(self.schools[["school_code", "stage", "locale", "tier"]], on="school_code",
                    how="left")
        for flag in GROUPS:
            t[flag] = t[flag].fillna(False).astype(bool)
        return (t.groupby(GRAIN, dropna=False).size().rename("value").reset_index()
                if not t.empty else pd.DataFrame(columns=[*GRAIN, "value"]))

    def _balance(self, meeting: bool) -> pd.DataFrame:
        """Compulsory schools with school-condition statistics (one row each, value 1), or those
        of them that comply with the 优质均衡 standard, per year."""
        years = statistic_values(self.db, ["teaching_floor_area"])["year"].unique()
        rows = []
        for year in sorted(int(y) for y in years):
            for per_school in balance_status(self.db, year).schools.values():
                chosen = per_school[per_school["complies"]] if meeting else per_school
                rows += [{"year": year, "school_code": s} for s in chosen.index]
        frame = pd.DataFrame(rows, columns=["year", "school_code"])
        frame = frame.merge(self.schools[["school_code", "stage", "locale", "tier"]],
                            on="school_code", how="left")
        for flag in GROUPS:
            frame[flag] = False
        frame["value"] = 1
        return frame[[*GRAIN, "value"]]

    def _stat(self, code: str, params: dict) -> pd.DataFrame:
        v = statistic_values(self.db, [code])
        if "category" in params:
            v = v[v["category"] == str(params["category"])]
        if "ages" in params:
            lo, hi = params["ages"]
            age = pd.to_numeric(v["category"], errors="coerce")
            v = v[(age >= lo) & (age <= hi)]
        if "weights" in params:
            weights = dict(params["weights"])
            v = v.assign(value=v["value"] * v["category"].map(weights))
            v = v.dropna(subset=["value"])
        return v.groupby(["year", "school_code"])["value"].sum().reset_index()


def _stat_value(frame: pd.DataFrame, year: int, school: str | None) -> float:
    rows = frame[frame["year"] == year]
    if school is not None:
        return float(rows.loc[rows["school_code"] == school, "value"].sum()) if (
            rows["school_code"] == school).any() else math.nan
    district = rows[rows["school_code"] == ""]
    if not district.empty:
        return float(district["value"].sum())
    return float(rows["value"].sum()) if not rows.empty else math.nan


def _side(el: _Elements, source: Source, year: int, school: str | None,
          breakdown: str, category: str) -> float:
    """One side (numerator or denominator) of one cut in one year."""
    if source.kind == "value":
        return float(source.value) if source.value is not None else math.nan
    frame = el.frame(source)
    if source.kind == "stat":
        return _stat_value(frame, year, school)
    rows = frame[frame["year"] == year]
    if school is not None:
        rows = rows[rows["school_code"] == school]
    if breakdown == "group":
        rows = rows[rows[category].astype(bool)]
    elif breakdown:
        rows = rows[rows[breakdown] == category]
    return float(rows["value"].sum())


_ENROLLED = Source("db", "students")


def _universe(el: _Elements, ind: Indicator) -> list[pd.DataFrame]:
    """The frames whose years and schools an indicator covers: its sides', and for an event
    count (dropouts) the enrolment's too, so that a year or school without an event counts 0
    rather than having no value."""
    frames = [el.frame(s) for s in (ind.numerator, ind.denominator) if s.kind != "value"]
    if any(s.kind == "db" and s.name == "dropouts" for s in (ind.numerator, ind.denominator)):
        frames.append(el.frame(_ENROLLED))
    return frames


def _years(el: _Elements, ind: Indicator) -> list[int]:
    return sorted({int(y) for f in _universe(el, ind) for y in f["year"].unique()})


def _cuts(el: _Elements, ind: Indicator, per_school: bool) -> list[tuple[str | None, str, str]]:
    cuts: list[tuple[str | None, str, str]] = [(None, "", "")]
    db_frames = [el.frame(s) for s in (ind.numerator, ind.denominator) if s.kind == "db"]
    for breakdown in ind.disaggregate:
        if breakdown == "school":
            per_school = True
        elif breakdown == "group":
            cuts += [(None, "group", g) for g in GROUPS]
        else:
            found = sorted({str(c) for f in db_frames for c in f[breakdown].dropna().unique()})
            cuts += [(None, breakdown, c) for c in found]
    if per_school:
        schools = {str(s) for f in _universe(el, ind) for s in f["school_code"].unique() if s}
        cuts += [(s, "", "") for s in sorted(schools)]
    return cuts


def _first_year(series: pd.DataFrame, baseline_year: int) -> int:
    """The baseline year, or when the series has no value in it, its first year with a value
    after it (高考 data that start a year late): the path starts where the data do."""
    have = series.loc[series["value"].notna() & (series["year"] >= baseline_year), "year"]
    if have.empty or (have == baseline_year).any():
        return baseline_year
    return int(have.min())


def _indicator_rows(el: _Elements, ind: Indicator, per_school: bool) -> pd.DataFrame:
    years = _years(el, ind)
    out = []
    for school, breakdown, category in _cuts(el, ind, per_school):
        rows = []
        for year in years:
            num = _side(el, ind.numerator, year, school, breakdown, category)
            den = _side(el, ind.denominator, year, school, breakdown, category)
            low, high = indicator_interval(num, den, ind.factor, ind.uncertainty)
            rows.append({"year": year, "numerator": num, "denominator": den,
                         "value": indicator_value(num, den, ind.factor, ind.decimals),
                         "low": low, "high": high})
        if not rows:
            continue
        series = pd.DataFrame(rows)
        whole = school is None and not breakdown
        baseline = ind.baseline_value if whole else None
        base_year = ind.baseline_year
        if baseline is None:
            base_year = _first_year(series, base_year)
        tracked = track(series, ind.target, base_year, baseline)
        tracked.insert(len(tracked.columns), "baseline_year", base_year)
        tracked.insert(0, "category", category)
        tracked.insert(0, "breakdown", breakdown)
        tracked.insert(0, "unit", "district" if school is None else school)
        tracked.insert(0, "indicator", ind.code)
        out.append(tracked[VALUE_COLUMNS])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=VALUE_COLUMNS)


def _rank_rows(goal: SchoolGoal, plan: Plan, values: pd.DataFrame,
               schools: pd.DataFrame) -> list[dict]:
    school = str(goal.school)
    peer = schools.set_index("school_code")["peer_group"]
    category = peer.get(school, "")
    members = set(peer[peer == category].index) if category else set(peer.index)
    if goal.goal == "lead_first_tier":
        # the first tier: the district's schools of the same kind (high schools: senior,
        # complete, twelve-year), not one peer group
        kind = schools.set_index("school_code")["stage"].map(KIND_OF_STAGE)
        members = set(kind[kind == kind.get(school)].index)
    per = values[(values["indicator"] == goal.indicator) & (values["breakdown"] == "")
                 & values["unit"].isin(members)]
    rows = []
    start_rank, start_year = None, plan.baseline_year
    for year in sorted(int(y) for y in per["year"].unique()):
        g = per[per["year"] == year]
        v = g.set_index("unit")["value"]
        high = g.set_index("unit")["high"]
        if start_rank is None and year >= plan.baseline_year:
            # the rank the path starts from: the baseline year's, or the first year's with data
            _, start_rank = rank_goal(school, v, high, len(v))
            start_year = year
        required = required_rank(
            goal.goal, int(v.notna().sum()), n=goal.param("n"), share=goal.param("share"),
            years=goal.param("years"), start_rank=start_rank,
            years_elapsed=year - start_year)
        status, rank = rank_goal(school, v, high, required)
        rows.append({"year": year, "value": v.get(school, math.nan),
                     "rank": rank, "n": int(v.notna().sum()), "required_rank": required,
                     "status": status})
    return rows


def _goal_rows(plan: Plan, values: pd.DataFrame, schools: pd.DataFrame,
               year: int | None) -> pd.DataFrame:
    out = []
    tiers = schools.set_index("school_code")["tier"]
    for goal in plan.goals:
        if goal.school is None:
            continue
        base = {"goal": goal.code, "goal_type": goal.goal, "school": goal.school,
                "indicator": goal.indicator}
        if goal.goal in ("promotion", "provincial_key_vocational"):
            now = year or (int(values["year"].max()) if not values.empty
                           else plan.target_year)
            out.append({**base, "year": now, "value": np.nan, "rank": None, "n": None,
                        "required_rank": None,
                        "status": tier_goal(tiers.get(goal.school), str(goal.param("to_tier")),
                                            now, goal.year)})
            continue
        out += [{**base, **r} for r in _rank_rows(goal, plan, values, schools)]
    return pd.DataFrame(out, columns=GOAL_COLUMNS).astype(
        {"rank": "Int64", "n": "Int64", "required_rank": "Int64"})


def plan_status(db: Database, plan: Plan, *, year: int | None = None,
                school: str | None = None) -> PlanStatus:
    """Every indicator of ``plan`` over ``db`` with its status on the trajectory, and every bound
    school goal. ``year`` keeps that year's rows (the trajectory still starts at the baseline);
    ``school`` keeps that school's rows (its own values and goals). Reads only."""
    el = _Elements(db)
    ranked = {g.indicator for g in plan.goals if g.school is not None and g.indicator}
    frames = [_indicator_rows(el, ind, ind.per_school or ind.code in ranked)
              for ind in plan.indicators]
    values = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(
        not f.empty for f in frames) else pd.DataFrame(columns=VALUE_COLUMNS)
    goals = _goal_rows(plan, values, el.schools, year)
    if year is not None:
        values = values[values["year"] == year]
        goals = goals[goals["year"] == year]
    if school is not None:
        values = values[values["unit"] == school]
        goals = goals[goals["school"] == school]
    return PlanStatus(plan, values.reset_index(drop=True), goals.reset_index(drop=True))
