"""控辍保学 (issue 14 §2): enrolment reconciliation, 巩固率 and 辍学率, the alert list and its
follow-up.

Status as of a date (:func:`status_as_of`): the latest enrolment event on or before it decides
(as the ``student_status`` view, with same-day ties broken so that a 转入 follows the 转出 of a
transfer within the district): enrolled (入学, 转入, 复学, 返校), suspended (休学), dropped out,
left (转出), graduated.

Rates (formulas in :mod:`eduquality.measures.dropout`):

- 巩固率 over a window (``from_year`` → ``as_of``): the cohort is the students in a compulsory
  grade (1–9) at the start of ``from_year`` (entrants), plus those who came from outside the
  district into a compulsory grade during the window (transfers in); each is counted at the
  school where the window found them (a move between the district's schools is neither a
  transfer in nor out). At ``as_of``: retained = enrolled, suspended, or graduated from grade
  9 (or from grade 6 while the next school year has not begun); transfers out = those whose
  leaving is confirmed by a follow-up 'transferred' with proof; everyone else is not retained
  (dropped out, left without a receiving school, did not continue after primary school). The
  glossary's nine-year cohort is this with the window from grade 1 to the end of grade 9.
- 辍学率 of a school year: dropouts dated in the year among the students with a class in a
  compulsory grade that year (enrolment at the start), at that class's school.

Both by district, school (in school-code order, never ranked) and special group
(:data:`eduquality.store.plan_data.GROUPS`); a group's rate on fewer than ``min_n`` students is
withheld (a child would be identifiable).

Alerts (:func:`alerts`): every person of compulsory-school age
(:data:`eduquality.measures.dropout.COMPULSORY_AGES`) at ``as_of`` who is not in school or is
missing: dropped out; left without a receiving school; did not continue after primary school;
a month in the current school year with :data:`LONG_ABSENCE_DAYS` or more days absent other
than sick leave; a child of the register (:mod:`eduquality.store.dropout`) not enrolled in the
district. An alert is closed by a follow-up 'returned' or 'transferred' (with proof) dated on or
after it; open alerts first, 建档立卡 students first among them (for roles that may see group
membership).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from eduquality.errors import EduQualityError, NotFoundError
from eduquality.i18n import register, tr
from eduquality.measures.dropout import compulsory_age, consolidation_rate, dropout_rate
from eduquality.store import dropout as data
from eduquality.store.db import Database
from eduquality.store.masking import mask_national_id
from eduquality.store.plan_data import GROUPS
from eduquality.store.policy import Scope, require_action
from eduquality.store.refs import school_years
from eduquality.store.statistics import population_by_age
from eduquality.vocab import DROPOUT_ALERTS, FOLLOWUP_ACTIONS

__all__ = [
    "ALERT_KINDS",
    "FOLLOWUP_FIELDS",
    "LONG_ABSENCE_DAYS",
    "FollowupError",
    "Reconciliation",
    "alerts",
    "followup_problems",
    "person_in_scope",
    "reconcile",
    "record_followup",
    "restrict_alerts",
    "restrict_rates",
    "school_year_at",
    "status_as_of",
]

LONG_ABSENCE_DAYS = 10
"""Days absent in one month, sick leave not counted, that raise a long-absence alert."""

ALERT_KINDS = DROPOUT_ALERTS.codes()
"""Alert kinds (:data:`eduquality.vocab.DROPOUT_ALERTS`), in the order alerts are listed."""

MESSAGES = register({
    "dropout.no_year": ("{date} 不在任何已登记的学年内", "{date} lies in no school year on record"),
    "dropout.no_years": ("数据库中还没有学年", "no school year in the database yet"),
    "dropout.unknown_person": ("找不到学籍号或身份证号 {id}", "no student or child with ID {id}"),
    "dropout.bad_action": ("未知的跟进方式「{action}」（可选：{choices}）",
                           "unknown follow-up action '{action}' (choose from {choices})"),
    "dropout.proof_needed": ("登记转学须附证明（接收学校的学籍确认）",
                             "a transfer needs its proof (the receiving school's confirmation)"),
    "dropout.field.person": ("学籍号或身份证号", "Student number or ID number"),
    "dropout.field.action": ("跟进方式", "Action"),
    "dropout.field.done_on": ("跟进日期", "Date"),
    "dropout.field.proof": ("转学证明", "Proof of transfer"),
    "dropout.field.note": ("说明", "Note"),
    "dropout.problem": ("{field}：{reason}", "{field}: {reason}"),
    "dropout.required": ("必填", "required"),
    "dropout.bad_date": ("「{value}」不是有效日期（应为 YYYY-MM-DD）",
                         "'{value}' is not a date (YYYY-MM-DD)"),
    "dropout.future_date": ("{value} 晚于今天（{today}）", "{value} is after today ({today})"),
    "dropout.too_long": ("超过 {n} 个字", "longer than {n} characters"),
})

FOLLOWUP_FIELDS = {"person": 64, "action": 32, "done_on": 32, "proof": 200, "note": 500}
"""The fields of a follow-up and their longest accepted text (characters)."""

_ORDER = {"transfer_out": 0, "dropout": 1, "suspension": 2, "graduation": 3, "admission": 4,
          "transfer_in": 5, "resumption": 6, "return": 7}
_STATUS = {"admission": "enrolled", "transfer_in": "enrolled", "resumption": "enrolled",
           "return": "enrolled", "suspension": "suspended", "dropout": "dropped_out",
           "transfer_out": "left", "graduation": "graduated"}
_CLOSING = ("returned", "transferred")


def _date(x: Any) -> dt.date:
    return pd.Timestamp(x).date()


def school_year_at(db: Database, when: dt.date | None = None) -> tuple[str, dt.date, dt.date]:
    """(code, start, end) of the school year holding ``when`` (None: the latest school year,
    and ``when`` its end); between two years, the one that ended last."""
    years = school_years(db)
    if years.empty:
        raise EduQualityError(tr("dropout.no_years", db.lang))
    if when is None:
        row = years.iloc[-1]
    else:
        started = years[pd.to_datetime(years["start_date"]).dt.date <= when]
        if started.empty:
            raise EduQualityError(tr("dropout.no_year", db.lang, date=when))
        row = started.iloc[-1]
    return str(row["year_code"]), _date(row["start_date"]), _date(row["end_date"])


def status_as_of(events: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per student: last_event, school_code, since and status at ``as_of`` (module
    docstring), from :func:`eduquality.store.dropout.enrolment_events` rows."""
    ev = events[pd.to_datetime(events["event_date"]).dt.date <= as_of].copy()
    ev["_order"] = ev["event_type"].map(_ORDER)
    ev = ev.sort_values(["student_id", "event_date", "_order"])
    last = ev.groupby("student_id", sort=True).tail(1)
    out = pd.DataFrame({"student_id": last["student_id"].to_numpy(),
                        "last_event": last["event_type"].to_numpy(),
                        "school_code": last["school_code"].to_numpy(),
                        "since": pd.to_datetime(last["event_date"]).dt.date.to_numpy()})
    out["status"] = out["last_event"].map(_STATUS)
    return out


def _age(birth: pd.Series, on: dt.date) -> pd.Series:
    b = pd.to_datetime(birth)
    before = (b.dt.month > on.month) | ((b.dt.month == on.month) & (b.dt.day > on.day))
    return (on.year - b.dt.year - before.astype(int)).astype(float)


def _age_day(start: dt.date) -> dt.date:
    """31 August before the school year starting on ``start`` (the age rule's day)."""
    return dt.date(start.year, 8, 31)


def _year_starts(db: Database) -> list[dt.date]:
    return [_date(x) for x in school_years(db)["start_date"]]


def _closing(fu: pd.DataFrame, person: str, since: dt.date) -> bool:
    rows = fu[(fu["person_id"] == person) & (fu["done_on"] >= since)]
    return bool(rows["action"].isin(_CLOSING).any())


# -- rates -----------------------------------------------------------------------------------

@dataclass
class Reconciliation:
    """What :func:`reconcile` found. ``cohort``: one row per cohort student (student_id,
    school_code, joined 'start'/'transfer_in', outcome 'retained'/'transferred'/'not_retained',
    the group flags); ``year_students``: one row per student with a compulsory-grade class in
    ``year_code`` (school_code, dropped, flags); ``rates``: measure ('consolidation' or
    'dropout'), level ('district'/'school'/'group'), unit, numerator, denominator, rate,
    ci_low, ci_high, withheld; ``population``: age, population (statistic), enrolled, gap."""

    as_of: dt.date
    from_year: str
    year_code: str
    cohort: pd.DataFrame
    year_students: pd.DataFrame
    rates: pd.DataFrame
    population: pd.DataFrame


def _cohort(db: Database, from_year: str, as_of: dt.date, events: pd.DataFrame,
            members: pd.DataFrame, facts: pd.DataFrame, fu: pd.DataFrame) -> pd.DataFrame:
    first = members[members["year_code"] == from_year]
    if first.empty:
        raise EduQualityError(tr("dropout.no_year", db.lang, date=from_year))
    start = _date(first["start_date"].iloc[0])
    entrants = first[first["grade"] <= 9][["student_id", "school_code", "grade"]]
    window = events[(pd.to_datetime(events["event_date"]).dt.date >= start)
                    & (pd.to_datetime(events["event_date"]).dt.date <= as_of)]
    firsts = window.sort_values(["student_id", "event_date"]).groupby("student_id").head(1)
    came = firsts[(firsts["event_type"] == "transfer_in")
                  & ~firsts["student_id"].isin(members.loc[
                      members["start_date"] < pd.Timestamp(start), "student_id"])
                  & ~firsts["student_id"].isin(entrants["student_id"])]
    grade_then = members.drop_duplicates("student_id")[["student_id", "grade"]]
    came = came.merge(grade_then, on="student_id", how="left")
    came = came[came["grade"].fillna(0) <= 9]
    cohort = pd.concat([entrants.assign(joined="start"),
                        came[["student_id", "school_code", "grade"]].assign(joined="transfer_in")],
                       ignore_index=True)
    status = status_as_of(events, as_of).set_index("student_id")
    last_grade = members[pd.to_datetime(members["start_date"]).dt.date <= as_of].groupby(
        "student_id")["grade"].last()
    starts = _year_starts(db)
    person = facts.set_index("student_id")["person_id"]
    outcomes = []
    for sid in cohort["student_id"]:
        st = status.loc[sid] if sid in status.index else None
        outcomes.append(_outcome(st, last_grade.get(sid), starts, as_of, fu, person.get(sid)))
    cohort["outcome"] = outcomes
    return cohort.merge(facts[["student_id", *GROUPS]], on="student_id", how="left")


def _outcome(st: pd.Series | None, grade: Any, starts: list[dt.date], as_of: dt.date,
             fu: pd.DataFrame, person: str | None) -> str:
    if st is None:
        return "not_retained"
    status, since = st["status"], st["since"]
    if status in ("enrolled", "suspended"):
        return "retained"
    if status == "graduated" and (grade is None or grade >= 9 or not _new_year_since(
            starts, since, as_of)):
        return "retained"
    if person is not None and _closing(fu[fu["action"] == "transferred"], person, since):
        return "transferred"
    return "not_retained"


def _new_year_since(starts: list[dt.date], since: dt.date, as_of: dt.date) -> bool:
    """Whether a school year began after ``since`` and on or before ``as_of``."""
    return any(since < s <= as_of for s in starts)


def _year_students(members: pd.DataFrame, events: pd.DataFrame, year_code: str,
                   facts: pd.DataFrame) -> pd.DataFrame:
    m = members[(members["year_code"] == year_code) & (members["grade"] <= 9)]
    if m.empty:
        return pd.DataFrame(columns=["student_id", "school_code", "dropped", *GROUPS])
    start, end = _date(m["start_date"].iloc[0]), _date(m["end_date"].iloc[0])
    d = pd.to_datetime(events["event_date"]).dt.date
    dropped = set(events.loc[(events["event_type"] == "dropout") & (d >= start) & (d <= end),
                             "student_id"])
    out = m[["student_id", "school_code"]].copy()
    out["dropped"] = out["student_id"].isin(dropped)
    return out.merge(facts[["student_id", *GROUPS]], on="student_id", how="left")


def _units(frame: pd.DataFrame, min_n: int) -> list[tuple[str, str, pd.DataFrame, bool]]:
    units: list[tuple[str, str, pd.DataFrame, bool]] = [("district", "", frame, False)]
    for code, part in frame.groupby("school_code", sort=True):
        units.append(("school", str(code), part, False))
    for g in GROUPS:
        part = frame[frame[g].fillna(False).astype(bool)]
        units.append(("group", g, part, len(part) < min_n))
    return units


def _rate_rows(cohort: pd.DataFrame, year_students: pd.DataFrame,
               min_n: int) -> pd.DataFrame:
    rows = []
    for level, unit, part, withheld in _units(cohort, min_n):
        r = consolidation_rate(int((part["joined"] == "start").sum()),
                               int((part["joined"] == "transfer_in").sum()),
                               int((part["outcome"] == "transferred").sum()),
                               int((part["outcome"] == "retained").sum()))
        rows.append(("consolidation", level, unit, r, withheld))
    for level, unit, part, withheld in _units(year_students, min_n):
        r = dropout_rate(int(part["dropped"].sum()), len(part))
        rows.append(("dropout", level, unit, r, withheld))
    out = pd.DataFrame([{"measure": m, "level": lv, "unit": u, "numerator": r.numerator,
                         "denominator": r.denominator, "rate": r.rate, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "withheld": w} for m, lv, u, r, w in rows])
    hide = out["withheld"]
    out.loc[hide, ["numerator", "rate", "ci_low", "ci_high"]] = np.nan
    return out


def _population(db: Database, members: pd.DataFrame, facts: pd.DataFrame, year_code: str,
                start: dt.date) -> pd.DataFrame:
    """Population of each compulsory age (statistic population_by_age of the year) against
    the district's students of that age with a class that year."""
    stat = population_by_age(db, start.year)
    ages = pd.DataFrame({"age": list(range(6, 16))})
    m = members[members["year_code"] == year_code].merge(
        facts[["student_id", "birth_date"]], on="student_id", how="left")
    m["age"] = _age(m["birth_date"], _age_day(start))
    enrolled = m.groupby("age").size().rename("enrolled").reset_index()
    out = ages.merge(stat, on="age", how="left").merge(enrolled, on="age", how="left")
    out["enrolled"] = out["enrolled"].fillna(0).astype(int)
    out["gap"] = out["population"] - out["enrolled"]
    return out


def reconcile(db: Database, as_of: dt.date | None = None, from_year: str | None = None,
              min_n: int = 10) -> Reconciliation:
    """Reconcile enrolment at ``as_of`` (default: the end of the latest school year): 巩固率
    over ``from_year`` (default: the earliest school year) → ``as_of``, 辍学率 of the school
    year holding ``as_of``, and population by age against enrolment (module docstring)."""
    year_code, start, end = school_year_at(db, as_of)
    as_of = as_of or end
    years = school_years(db)["year_code"]
    from_year = from_year or str(years.iloc[0])
    events = data.enrolment_events(db)
    members = data.memberships(db)
    facts = data.student_facts(db)
    fu = data.followups(db)
    fu["done_on"] = pd.to_datetime(fu["done_on"]).dt.date
    cohort = _cohort(db, from_year, as_of, events, members, facts, fu)
    ys = _year_students(members, events, year_code, facts)
    return Reconciliation(as_of, from_year, year_code, cohort, ys,
                          _rate_rows(cohort, ys, min_n),
                          _population(db, members, facts, year_code, start))


# -- alerts ----------------------------------------------------------------------------------

ALERT_COLUMNS = ["person_id", "student_id", "name", "school_code", "class_id", "grade", "age",
                 "kind", "since", "detail", *GROUPS, "followups", "last_action", "last_done_on",
                 "state"]


def alerts(db: Database, as_of: dt.date | None = None) -> pd.DataFrame:
    """Every compulsory-school-age person not in school or missing at ``as_of`` (default: the
    end of the latest school year), with the follow-ups (module docstring). Columns
    :data:`ALERT_COLUMNS`; ``state`` 'open' or 'closed'; ``detail``: days absent for a long
    absence. Whole district: :func:`restrict_alerts` cuts it to a reader's scope."""
    _, start, end = school_year_at(db, as_of)
    as_of = as_of or end
    events = data.enrolment_events(db, as_of)
    facts = data.student_facts(db).set_index("student_id")
    members = data.memberships(db)
    members = members[pd.to_datetime(members["start_date"]).dt.date <= as_of]
    last_class = members.groupby("student_id").tail(1).set_index("student_id")
    status = status_as_of(events, as_of)
    starts = _year_starts(db)
    rows: list[dict[str, Any]] = []

    def add(sid: Any, kind: str, since: Any, school: Any, detail: str = "") -> None:
        sid = int(sid)
        f = facts.loc[sid]
        cl = last_class.loc[sid] if sid in last_class.index else None
        rows.append({"person_id": f["person_id"], "student_id": int(sid), "name": f["name"],
                     "school_code": school, "class_id": None if cl is None else cl["class_id"],
                     "grade": None if cl is None else int(cl["grade"]), "kind": kind,
                     "since": since, "detail": detail, "_birth": f["birth_date"],
                     **{g: bool(f[g]) for g in GROUPS}})

    grades = last_class["grade"]
    for st in status.to_dict("records"):
        sid, since, school = st["student_id"], st["since"], st["school_code"]
        if st["status"] == "dropped_out":
            add(sid, "dropped_out", since, school)
        elif st["status"] == "left":
            add(sid, "unconfirmed_transfer", since, school)
        elif (st["status"] == "graduated" and sid in grades.index and grades[sid] < 9
              and _new_year_since(starts, since, as_of)):
            add(sid, "not_continued", since, school)
    enrolled = set(status.loc[status["status"].isin(["enrolled", "suspended"]), "student_id"])
    att = data.attendance(db, start, as_of)
    if not att.empty:
        att["away"] = att["days_absent"] - att["sick_days"].fillna(0)
        latest = att.sort_values("month").groupby("student_id").tail(1)
        for r in latest[(latest["away"] >= LONG_ABSENCE_DAYS)
                        & latest["student_id"].isin(enrolled)].to_dict("records"):
            add(r["student_id"], "long_absence", _date(r["month"]), r["school_code"],
                f"{r['days_absent']:g}")
    frame = pd.DataFrame(rows, columns=[*ALERT_COLUMNS, "_birth"])
    frame = pd.concat([frame, _unenrolled(db, start, facts, status)], ignore_index=True)
    age = _age(frame["_birth"], _age_day(start))
    frame["age"] = age
    grade_ok = frame["grade"].fillna(99) <= 9
    frame = frame[compulsory_age(age.fillna(-1)) | (age.isna() & grade_ok)]
    return _with_followups(db, frame.drop(columns="_birth"))


def _unenrolled(db: Database, start: dt.date, facts: pd.DataFrame,
                status: pd.DataFrame) -> pd.DataFrame:
    """Children of the register of ``start``'s year whom no student record matches."""
    kids = data.children(db, start.year)
    known = set(facts["person_id"])
    kids = kids[~kids["person_id"].isin(known)]
    return pd.DataFrame({
        "person_id": kids["person_id"], "student_id": None, "name": kids["name"],
        "school_code": "", "class_id": None, "grade": None, "kind": "not_enrolled",
        "since": start, "detail": kids["community"].fillna(""),
        "poverty_registered": kids["poverty_registered"].astype(bool),
        "disabled": False, "migrant": False, "left_behind": False, "_birth": kids["birth_date"]})


def _with_followups(db: Database, frame: pd.DataFrame) -> pd.DataFrame:
    fu = data.followups(db)
    fu["done_on"] = pd.to_datetime(fu["done_on"]).dt.date
    counts, last_action, last_on, state = [], [], [], []
    for r in frame.itertuples(index=False):
        mine = fu[(fu["person_id"] == r.person_id) & (fu["done_on"] >= r.since)]
        counts.append(len(mine))
        last_action.append(mine["action"].iloc[-1] if len(mine) else None)
        last_on.append(mine["done_on"].iloc[-1] if len(mine) else None)
        state.append("closed" if mine["action"].isin(_CLOSING).any() else "open")
    frame = frame.assign(followups=counts, state=state,
                         last_action=pd.Series(last_action, index=frame.index, dtype=object),
                         last_done_on=pd.Series(last_on, index=frame.index, dtype=object))
    return _ordered(frame, by_group=True)


def _ordered(frame: pd.DataFrame, by_group: bool) -> pd.DataFrame:
    kind_order = {k: i for i, k in enumerate(ALERT_KINDS)}
    keys = pd.DataFrame({"open": frame["state"] != "open",
                         "poor": ~frame["poverty_registered"].astype(bool) if by_group
                         else False,
                         "kind": frame["kind"].map(kind_order),
                         "school": frame["school_code"].fillna(""),
                         "person": frame["person_id"]}, index=frame.index)
    order = keys.sort_values(["open", "poor", "kind", "school", "person"]).index
    return frame.loc[order, ALERT_COLUMNS].reset_index(drop=True)


def restrict_alerts(frame: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The alerts ``scope`` may see at student level (a child never enrolled: the district's
    roles only), IDs masked unless the role sees full IDs, group flags (and the 建档立卡-first
    order) only for roles that may see group membership."""
    mine = scope.frame("student", _keyed(frame))
    mine = mine.assign(student_id=mine["student_id"].where(mine["student_id"] >= 0))
    if not scope.can("full_national_id"):
        mine = mine.assign(person_id=mine["person_id"].map(mask_national_id))
    if scope.can("view_group_membership"):
        return mine.reset_index(drop=True)
    return _ordered(mine.assign(poverty_registered=False), by_group=False).drop(
        columns=list(GROUPS))


def restrict_rates(rates: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rate rows ``scope`` may see: district and group rows (aggregates, small groups
    withheld) with the district level, a school's rows with that school's level."""
    keep = [scope.admits("school", school_code=u) if lv == "school" else scope.admits("district")
            for lv, u in zip(rates["level"], rates["unit"], strict=True)]
    return rates.loc[keep].reset_index(drop=True)


class FollowupError(EduQualityError):
    """A follow-up that cannot be recorded as given; ``problems``: field → message (the
    user's language), in :data:`FOLLOWUP_FIELDS` order; ``str()`` joins them."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = problems
        super().__init__("；".join(problems.values()))


def followup_problems(person: str | None, action: str | None, done_on: str | dt.date | None,
                      note: str | None, proof: str | None, lang: str = "zh",
                      today: dt.date | None = None
                      ) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a follow-up as entered (the CLI's arguments, the web form's fields): the ID
    given; ``action`` a term of :data:`eduquality.vocab.FOLLOWUP_ACTIONS` (code, label or
    alias); ``done_on`` a date (YYYY-MM-DD; None: ``today``) not after ``today``; a proof
    with 'transferred'; no text longer than :data:`FOLLOWUP_FIELDS` allows. Returns the
    cleaned values (person, action code, done_on, note, proof; blanks as None) and the
    problems, field → message naming the field."""
    today = today or dt.date.today()
    given = {"person": person, "action": action, "note": note, "proof": proof,
             "done_on": done_on.isoformat() if isinstance(done_on, dt.date) else done_on}
    text = {k: (v.strip() if isinstance(v, str) and v.strip() else None)
            for k, v in given.items()}
    problems: dict[str, str] = {}

    def bad(field: str, key: str, **params: Any) -> None:
        problems.setdefault(field, tr("dropout.problem", lang,
                                      field=tr(f"dropout.field.{field}", lang),
                                      reason=tr(key, lang, **params)))

    for field, n in FOLLOWUP_FIELDS.items():
        if text[field] is not None and len(str(text[field])) > n:
            bad(field, "dropout.too_long", n=n)
    for field in ("person", "action"):
        if text[field] is None:
            bad(field, "dropout.required")
    code = FOLLOWUP_ACTIONS.parse(text["action"]) if text["action"] else None
    if text["action"] and code is None:
        bad("action", "dropout.bad_action", action=text["action"],
            choices="/".join(FOLLOWUP_ACTIONS.codes()))
    when: dt.date | None = today
    if text["done_on"] is not None:
        try:
            when = dt.date.fromisoformat(str(text["done_on"]))
        except ValueError:
            when = None
            bad("done_on", "dropout.bad_date", value=text["done_on"])
    if when is not None and when > today:
        bad("done_on", "dropout.future_date", value=when, today=today)
    if code == "transferred" and text["proof"] is None:
        bad("proof", "dropout.proof_needed")
    order = {f: problems[f] for f in FOLLOWUP_FIELDS if f in problems}
    return ({"person": text["person"], "action": code, "done_on": when, "note": text["note"],
             "proof": text["proof"]}, order)


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows about a person keyed for the student level of a scope: a child never enrolled
    (no student_id) as student −1 of no class and no school, whom only the district's roles
    see."""
    return frame.assign(student_id=frame["student_id"].fillna(-1).astype(int),
                        class_id=frame["class_id"].fillna(""),
                        school_code=frame["school_code"].fillna(""))


def person_in_scope(db: Database, scope: Scope, person: str) -> bool:
    """Whether the student or child with ID ``person`` (学籍号 or 身份证号) is known and in
    ``scope`` at student level, as on the alert list: a student by the last class and the
    school of the last enrolment event; a child of the register never enrolled, for the
    district's roles only."""
    key = data.person_key(person)
    facts = data.student_facts(db)
    sids = facts.loc[facts["person_id"] == key, "student_id"].tolist()
    if not sids:
        if key not in data.child_person_ids(db):
            return False
        rows = pd.DataFrame({"student_id": [None], "class_id": [None], "school_code": [None]})
    else:
        members = data.memberships(db)
        last = members[members["student_id"].isin(sids)].groupby("student_id").tail(1)
        events = data.enrolment_events(db)
        status = status_as_of(events[events["student_id"].isin(sids)], dt.date.max)
        at = status[["student_id", "school_code"]].merge(
            last[["student_id", "class_id"]], on="student_id", how="left")
        rows = pd.concat([last[["student_id", "class_id", "school_code"]], at],
                         ignore_index=True)
        if rows.empty:
            rows = pd.DataFrame({"student_id": sids, "class_id": None, "school_code": None})
    return not scope.frame("student", _keyed(rows)).empty


def record_followup(db: Database, scope: Scope, person: str | None, action: str | None,
                    done_on: str | dt.date | None = None, note: str | None = None,
                    proof: str | None = None) -> int:
    """Record, as ``scope``'s principal, what was done about the alert of the student or child
    with ID ``person`` (学籍号 or 身份证号). The one rule for every surface (CLI and web):
    the role needs the ``record_dropout_followup`` action (PermissionDenied); the entry must
    pass :func:`followup_problems` (:class:`FollowupError`, nothing written); a person unknown
    or outside the scope (:func:`person_in_scope`) is answered alike (NotFoundError). Writes
    the follow-up and its audit row together; returns the follow-up's id."""
    lang = scope.lang
    require_action(scope.principal, "record_dropout_followup", lang)
    clean, problems = followup_problems(person, action, done_on, note, proof, lang)
    if problems:
        raise FollowupError(problems)
    if not person_in_scope(db, scope, clean["person"]):
        raise NotFoundError(tr("dropout.unknown_person", lang, id=clean["person"]))
    return data.record_followup(db, str(data.person_key(clean["person"])), clean["action"],
                                clean["done_on"], scope.principal.username, clean["note"],
                                clean["proof"], audit_by=scope.principal)
