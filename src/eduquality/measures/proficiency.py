"""普通高中学业水平合格性考试 (合格考): the grade scheme of a province's results, as data, and the
pass rates the 教研局 watches.

The 合格考 is taken by every 普通高中 student in each subject of the curriculum (语文, 数学, 外语,
思想政治, 历史, 地理, 物理, 化学, 生物学, 信息技术, 通用技术), mostly at the end of 高一 and in 高二;
a student who fails sits it again (补考) at a later sitting. Passing every subject is a condition
of 高中毕业 (and, in some provinces, of the 高考's 报名).

**Grade scheme** (shipped ``data/proficiency_grades.toml``, one ``[[rule]]`` per province and span
of cohorts, read by :func:`shipped_rules`, chosen by :func:`rule_for`): the grades a result
file may carry and which of them pass. What was found about Yunnan (stored public pages, the
``search`` corpus): the Ministry's 2014 实施意见 says 合格性 results are reported as
合格/不合格 (only the subjects counted in admissions get grades A–E); Yunnan's own notice was not
among the stored documents, so Yunnan's rule ships as 合格/不合格 — the national default, stated
as unverified in the rule's ``source``. A province reporting A/B/C/D with D = 不合格 is one more
rule (``grades = ["A", "B", "C", "D"]``, ``passing = ["A", "B", "C"]``).

**Rates** (:func:`sitting_rates`, :func:`cohort_rates`), from one row per student, subject and
sitting (``student_id``, ``subject_code``, ``sitting`` 'YYYY-MM', ``passed``, ``retake``,
``school_code``):

* at a sitting: 合格率 = passed / takers; its first-time part (``retake`` False: 首考合格率)
  and its 补考 part (补考合格率) separately;
* per subject and first sitting (the cohort that first sat the subject then): 一次合格率 =
  students whose first attempt passed / students whose first attempt it was; 合格率 (after the
  补考) = those of them who passed at that or a later sitting / the same students.

**全科合格** (:func:`all_passed`, :func:`all_pass_rates`): a student has passed every 合格考
subject when, for each subject of the rule of his cohort (:func:`rule_for`: the province and the
year he entered 高一), his best result across sittings is 合格 — a 补考 that passes counts, the
order of the sittings does not matter. 全科合格率 of a cohort = students of the cohort who have
passed every subject / the cohort's students who have sat at least one 合格考 subject (those with
a result on record: a district counts the students who have sat, not the roll). A cohort still
in 高一 or 高二 has not been examined in every subject yet: its rate grows sitting by sitting.

**Students at risk** (:func:`at_risk`): a student with a subject he has sat and not passed at
any sitting (every result 不合格): he needs a 补考 of it.

Levels: the district (level 0, ``school_code`` None) and each school (level 1: the school of the
sitting's row; for the first-sitting table, the school of the first attempt). Small units follow the
disclosure policy (:mod:`eduquality.measures.disclosure`): a school with fewer than ``min_n``
students in a row's group (subject × sitting, or subject) is withheld together with the
complementary school that would give it back from the district row; a withheld row keeps its
labels, its numbers are blanked and ``withheld`` is True.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.measures.disclosure import primary, suppress
from eduquality.vocab import SUBJECTS

__all__ = ["SHIPPED", "ProficiencyRule", "ProficiencyRulesError", "all_pass_rates",
           "all_passed", "at_risk", "cohort_rates", "parse_rules", "parse_sitting", "rule_for",
           "shipped_rules", "sitting_label", "sitting_rates"]

SHIPPED = "proficiency_grades.toml"
"""The packaged rules file (``eduquality/measures/data/``)."""

MESSAGES = register({
    "proficiency_rules.toml": ("合格考成绩规则文件 {file} 不是有效的 TOML：{detail}",
                               "the proficiency grade rules file {file} is not valid TOML: "
                               "{detail}"),
    "proficiency_rules.format": ("合格考成绩规则文件 {file}：须有 format = 1 与 [[rule]] 条目",
                                 "proficiency grade rules file {file}: format = 1 and [[rule]] "
                                 "entries are required"),
    "proficiency_rules.bad_value": (
        "合格考成绩规则文件 {file} 第 {rule} 条规则（{province}）的 {key} 取值 {value} 无效：{reason}",
        "proficiency grade rules file {file}, rule {rule} ({province}), {key} = {value}: "
        "{reason_en}"),
})

_REASONS = {
    "missing": ("缺少此项", "missing"),
    "text": ("须为非空文本", "must be non-empty text"),
    "text_list": ("须为非空的文本列表", "must be a non-empty list of text"),
    "year": ("须为 2000–2100 之间的整数年份", "must be a year (integer 2000–2100)"),
    "year_order": ("last_cohort 不能早于 first_cohort", "last_cohort cannot precede first_cohort"),
    "passing": ("须为 grades 中的等级，且至少留一个不合格等级",
                "must be grades of 'grades', leaving at least one failing grade"),
    "subjects": ("须为 eduquality.vocab.SUBJECTS 的科目代码", "must be subject codes of "
                 "eduquality.vocab.SUBJECTS"),
    "unknown_key": ("不是已知的规则项", "is not a known key of a rule"),
}
_KEYS = {"province", "aliases", "first_cohort", "last_cohort", "grades", "passing", "subjects",
         "source"}


class ProficiencyRulesError(KeyedError):
    """A rules text is invalid; the message names the file, rule, key and value."""


@dataclass(frozen=True)
class ProficiencyRule:
    """How ``province`` reports the 合格考 of the cohorts ``first_cohort`` … ``last_cohort``
    (entry years into 高一; None: still in force): ``grades`` best first, ``passing`` those
    that count as 合格, ``subjects`` the subject codes examined."""

    province: str
    names: tuple[str, ...]
    first_cohort: int
    last_cohort: int | None
    grades: tuple[str, ...]
    passing: tuple[str, ...]
    subjects: tuple[str, ...]
    source: str

    def holds(self, cohort: int) -> bool:
        return self.first_cohort <= cohort and (self.last_cohort is None
                                                or cohort <= self.last_cohort)

    def grade(self, text: object) -> str | None:
        """The grade ``text`` spells (spaces and case ignored), or None when not a grade of
        this rule."""
        t = "".join(str(text).split()).upper()
        return next((g for g in self.grades if g.upper() == t), None)

    def passes(self, grade: str) -> bool:
        return grade in self.passing


def _fail(file: str, number: int, province: str, key: str, value: object,
          reason: str) -> ProficiencyRulesError:
    zh, en = _REASONS[reason]
    return ProficiencyRulesError("proficiency_rules.bad_value", file=file, rule=number,
                                 province=province, key=key, value=repr(value), reason=zh,
                                 reason_en=en)


def _rule(file: str, number: int, table: dict[str, Any]) -> ProficiencyRule:
    province = table.get("province")
    where = province if isinstance(province, str) else "?"

    def fail(key: str, reason: str) -> ProficiencyRulesError:
        return _fail(file, number, where, key, table.get(key), reason)

    def texts(key: str, required: bool = True) -> tuple[str, ...]:
        value = table.get(key, None if required else [])
        ok = isinstance(value, list) and (value or not required) and all(
            isinstance(v, str) and v.strip() for v in value)
        if not ok:
            raise fail(key, "missing" if value is None else "text_list")
        assert isinstance(value, list)
        return tuple(v.strip() for v in value)

    def year(key: str, required: bool = True) -> int | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
            raise fail(key, "missing" if value is None else "year")
        return value

    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise fail(unknown[0], "unknown_key")
    for key in ("province", "source"):
        if not isinstance(table.get(key), str) or not str(table.get(key)).strip():
            raise fail(key, "missing" if table.get(key) is None else "text")
    first, last = year("first_cohort"), year("last_cohort", required=False)
    assert first is not None
    if last is not None and last < first:
        raise fail("last_cohort", "year_order")
    grades, passing = texts("grades"), texts("passing")
    if not set(passing) < set(grades):
        raise fail("passing", "passing")
    subjects = texts("subjects")
    if any(s not in SUBJECTS.terms or s == "total" for s in subjects):
        raise fail("subjects", "subjects")
    return ProficiencyRule(str(province).strip(), (str(province).strip(),
                                                   *texts("aliases", required=False)),
                           first, last, grades, passing, subjects, str(table["source"]))


def parse_rules(text: str, file: str = SHIPPED) -> tuple[ProficiencyRule, ...]:
    """The rules of a rules text (TOML: ``format = 1`` and ``[[rule]]`` tables), checked; every
    problem raises :class:`ProficiencyRulesError` naming the file, rule, key and value.

    >>> rules = parse_rules('''format = 1
    ... [[rule]]
    ... province = "示例省"
    ... first_cohort = 2021
    ... grades = ["A", "B", "C", "D"]
    ... passing = ["A", "B", "C"]
    ... subjects = ["chinese", "math"]
    ... source = "test"''', "example.toml")
    >>> rules[0].grade(" d"), rules[0].passes("D"), rules[0].passes("C")
    ('D', False, True)
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ProficiencyRulesError("proficiency_rules.toml", file=file, detail=str(err)) from err
    tables = data.get("rule")
    if data.get("format") != 1 or not isinstance(tables, list) or not tables:
        raise ProficiencyRulesError("proficiency_rules.format", file=file)
    return tuple(_rule(file, i, t) for i, t in enumerate(tables, start=1))


@cache
def shipped_rules() -> tuple[ProficiencyRule, ...]:
    """The rules shipped with EduQuality (``eduquality/measures/data/proficiency_grades.toml``).

    >>> rule_for("云南", 2022).grades
    ('合格', '不合格')
    """
    text = (resources.files("eduquality.measures") / "data" / SHIPPED).read_text(
        encoding="utf-8")
    return parse_rules(text, SHIPPED)


def rule_for(province: str | None, cohort: int,
             rules: tuple[ProficiencyRule, ...] | None = None) -> ProficiencyRule | None:
    """The rule of ``province`` (name or alias, spaces ignored) for the cohort that entered
    高一 in autumn ``cohort``; None when there is none.

    >>> rule_for("云南省", 2021) is None, rule_for("云岭省", 2024).province
    (True, '云岭省')
    """
    if not province:
        return None
    name = "".join(str(province).split())
    for rule in shipped_rules() if rules is None else rules:
        if name in rule.names and rule.holds(cohort):
            return rule
    return None


_SITTING = re.compile(r"^\s*(20\d\d)\s*(?:年|-|/|\.)?\s*(\d{1,2})\s*(?:月.*)?$")


def parse_sitting(value: object) -> str | None:
    """A sitting (考试批次) as 'YYYY-MM' from '2023年6月', '2023-06', '2023.6', '202306', a
    date, or '2024年1月合格考'; None when it names no month.

    >>> parse_sitting("2023年6月"), parse_sitting("2024.1"), parse_sitting(dt.date(2025, 6, 20))
    ('2023-06', '2024-01', '2025-06')
    >>> parse_sitting("2023年13月") is None, parse_sitting("六月") is None
    (True, True)
    """
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    found = _SITTING.match(str(value))
    if not found or not 1 <= int(found.group(2)) <= 12:
        return None
    return f"{found.group(1)}-{int(found.group(2)):02d}"


def sitting_label(code: str, lang: str = "zh") -> str:
    """'2023-06' → '2023年6月' (en: 'June 2023')."""
    year, month = int(code[:4]), int(code[5:7])
    return f"{dt.date(year, month, 1):%B %Y}" if lang == "en" else f"{year}年{month}月"


def _withhold(out: pd.DataFrame, groups: list[str], size: str, min_n: int) -> pd.DataFrame:
    """Blank the school rows (and their complements) of each group below ``min_n``."""
    out = out.copy()
    out["withheld"] = False
    numbers = [c for c in out.columns if c.startswith(("n_", "rate"))]
    out[numbers] = out[numbers].astype(float)
    if min_n <= 0 or out.empty:
        return out
    for _key, part in out.groupby(groups, sort=False):
        schools = part[part["level"] == 1]
        layer = {str(s): float(n) for s, n in zip(schools["school_code"], schools[size],
                                                   strict=True)}
        layer["__district__"] = float(part.loc[part["level"] == 0, size].sum())
        hidden = suppress(primary([layer], min_n) - {"__district__"}, [layer],
                          [("__district__", [k for k in layer if k != "__district__"])])
        out.loc[schools.index[schools["school_code"].astype(str).isin(hidden)],
                "withheld"] = True
    out.loc[out["withheld"], numbers] = np.nan
    return out


def _levels(frame: pd.DataFrame, keys: list[str], count: Any) -> pd.DataFrame:
    district = count(frame.groupby(keys, sort=True)).reset_index()
    district.insert(0, "school_code", None)
    schools = count(frame.groupby(["school_code", *keys], sort=True)).reset_index()
    out = pd.concat([district.assign(level=0), schools.assign(level=1)], ignore_index=True)
    return out[["level", "school_code", *keys, *[c for c in out.columns
                                                  if c.startswith(("n_", "rate"))]]]


def sitting_rates(results: pd.DataFrame, min_n: int = 0) -> pd.DataFrame:
    """Per sitting and subject, for the district (level 0) and each school (level 1): takers
    and passes in all (``n_takers``, ``n_passed``, ``rate``), at their first attempt
    (``n_first``, ``n_first_passed``, ``rate_first``) and at a 补考 (``n_retake``,
    ``n_retake_passed``, ``rate_retake``); rates are NaN where nobody sat; small schools
    withheld at ``min_n`` (module docstring).

    >>> r = pd.DataFrame({"student_id": [1, 2, 3, 1], "subject_code": ["math"] * 4,
    ...     "sitting": ["2023-06"] * 3 + ["2024-01"], "passed": [False, True, True, True],
    ...     "retake": [False, False, False, True], "school_code": ["A", "A", "B", "A"]})
    >>> t = sitting_rates(r)
    >>> t.loc[t["level"] == 0, ["sitting", "n_takers", "n_passed", "rate"]].values.tolist()
    [['2023-06', 3.0, 2.0, 0.6666666666666666], ['2024-01', 1.0, 1.0, 1.0]]
    """
    frame = results.assign(passed=results["passed"].astype(bool),
                           retake=results["retake"].astype(bool))
    frame = frame.assign(first=~frame["retake"], first_passed=~frame["retake"] & frame["passed"],
                         retake_passed=frame["retake"] & frame["passed"])

    def count(g: Any) -> pd.DataFrame:
        out = g.agg(n_takers=("passed", "size"), n_passed=("passed", "sum"),
                    n_first=("first", "sum"), n_first_passed=("first_passed", "sum"),
                    n_retake=("retake", "sum"), n_retake_passed=("retake_passed", "sum"))
        return out.assign(rate=_rate(out["n_passed"], out["n_takers"]),
                          rate_first=_rate(out["n_first_passed"], out["n_first"]),
                          rate_retake=_rate(out["n_retake_passed"], out["n_retake"]))

    out = _levels(frame, ["sitting", "subject_code"], count)
    out = out.sort_values(["sitting", "subject_code", "level", "school_code"],
                          kind="stable", na_position="first").reset_index(drop=True)
    return _withhold(out, ["sitting", "subject_code"], "n_takers", min_n)


def cohort_rates(results: pd.DataFrame, min_n: int = 0) -> pd.DataFrame:
    """Per subject and first sitting (the sitting of a student's first attempt at the subject:
    the cohort that sat it then), for the district and each school (of the first attempt):
    ``n_students`` who first sat it there, ``n_first_passed`` and ``rate_first`` (一次合格率),
    ``n_passed`` and ``rate`` (合格率 after the 补考: passed at that or a later sitting),
    ``n_not_passed``. A student whose earliest row is a 补考 (the first attempt is not in the
    data) is left out. Small schools withheld at ``min_n``.

    >>> r = pd.DataFrame({"student_id": [1, 2, 3, 1, 3, 4], "subject_code": ["math"] * 6,
    ...     "sitting": ["2023-06"] * 3 + ["2024-01"] * 3,
    ...     "passed": [False, True, False, True, False, True],
    ...     "retake": [False, False, False, True, True, True],
    ...     "school_code": ["A", "A", "B", "A", "B", "B"]})
    >>> t = cohort_rates(r)
    >>> t[["school_code", "n_students", "n_first_passed", "n_passed", "n_not_passed"]
    ...   ].values.tolist()
    [[None, 3.0, 1.0, 2.0, 1.0], ['A', 2.0, 1.0, 2.0, 0.0], ['B', 1.0, 0.0, 0.0, 1.0]]
    """
    frame = results.sort_values(["student_id", "subject_code", "sitting"], kind="stable")
    per = frame.groupby(["student_id", "subject_code"], sort=False).agg(
        sitting=("sitting", "first"), school_code=("school_code", "first"),
        first_retake=("retake", "first"), first_passed=("passed", "first"),
        passed=("passed", "any")).reset_index()
    per = per[~per["first_retake"].astype(bool)].astype({"first_passed": bool, "passed": bool})

    def count(g: Any) -> pd.DataFrame:
        out = g.agg(n_students=("passed", "size"), n_first_passed=("first_passed", "sum"),
                    n_passed=("passed", "sum"))
        return out.assign(n_not_passed=out["n_students"] - out["n_passed"],
                          rate_first=_rate(out["n_first_passed"], out["n_students"]),
                          rate=_rate(out["n_passed"], out["n_students"]))

    out = _levels(per, ["sitting", "subject_code"], count)
    out = out.sort_values(["sitting", "subject_code", "level", "school_code"], kind="stable",
                          na_position="first").reset_index(drop=True)
    return _withhold(out, ["sitting", "subject_code"], "n_students", min_n)


def _best(results: pd.DataFrame) -> pd.DataFrame:
    """One row per student and subject sat: ``passed`` (any sitting passed: the best result),
    ``n_sittings`` and ``sittings`` (tuple, in order)."""
    frame = results.sort_values(["student_id", "subject_code", "sitting"], kind="stable")
    frame = frame.assign(passed=frame["passed"].astype(bool), sitting=frame["sitting"].astype(str))
    g = frame.groupby(["student_id", "subject_code"], sort=True)
    out = g["passed"].any().rename("passed").to_frame()
    out["n_sittings"] = g.size()
    out["sittings"] = pd.Series([tuple(v) for v in g["sitting"].agg(list)], index=out.index,
                                dtype=object) if len(out) else pd.Series(dtype=object)
    return out.reset_index()


def all_passed(results: pd.DataFrame, students: pd.DataFrame,
               required: Mapping[int, Sequence[str]]) -> pd.DataFrame:
    """全科合格 of each student (module docstring): one row per student of ``students``
    (``student_id``, ``cohort``, ``school_code``) who has at least one row in ``results`` and
    whose cohort has its subjects in ``required`` (cohort → the rule's subjects); columns
    student_id, cohort, school_code, ``n_required``, ``n_passed`` (required subjects passed at
    some sitting), ``all_passed``, ``missing`` (tuple of the required subjects not passed yet:
    failed or not sat). Results in subjects outside the rule count for nothing.

    >>> r = pd.DataFrame({"student_id": [1, 1, 1, 2, 2], "subject_code": ["math", "math",
    ...     "chinese", "math", "chinese"], "sitting": ["2023-06", "2024-01", "2023-06",
    ...     "2023-06", "2023-06"], "passed": [False, True, True, True, False]})
    >>> s = pd.DataFrame({"student_id": [1, 2, 3], "cohort": [2022] * 3,
    ...     "school_code": ["A", "A", "B"]})
    >>> t = all_passed(r, s, {2022: ["chinese", "math"]})
    >>> t[["student_id", "n_passed", "all_passed", "missing"]].values.tolist()
    [[1, 2, True, ()], [2, 1, False, ('chinese',)]]
    """
    columns = ["student_id", "cohort", "school_code", "n_required", "n_passed", "all_passed",
               "missing"]
    best = _best(results)
    passed = best[best["passed"]].groupby("student_id")["subject_code"].agg(frozenset)
    sat = set(best["student_id"])
    rows = []
    for sid, cohort, school in students[["student_id", "cohort", "school_code"]].itertuples(
            index=False):
        subjects = required.get(int(cohort))
        if sid not in sat or subjects is None:
            continue
        done = passed.get(sid, frozenset())
        missing = tuple(s for s in subjects if s not in done)
        rows.append((sid, int(cohort), school, len(subjects), len(subjects) - len(missing),
                     not missing, missing))
    return pd.DataFrame(rows, columns=columns).sort_values("student_id").reset_index(drop=True)


def all_pass_rates(per_student: pd.DataFrame, min_n: int = 0) -> pd.DataFrame:
    """全科合格率 per cohort, for the district (level 0) and each school (level 1) of
    :func:`all_passed`'s rows: ``n_students`` (who have sat), ``n_all_passed``, ``rate``,
    ``n_not_all_passed``; small schools withheld at ``min_n`` (module docstring).

    >>> p = pd.DataFrame({"student_id": [1, 2, 3], "cohort": [2022] * 3,
    ...     "school_code": ["A", "A", "B"], "all_passed": [True, False, True]})
    >>> all_pass_rates(p)[["school_code", "n_students", "n_all_passed", "rate"]
    ...   ].values.tolist()
    [[None, 3.0, 2.0, 0.6666666666666666], ['A', 2.0, 1.0, 0.5], ['B', 1.0, 1.0, 1.0]]
    """
    frame = per_student.assign(all_passed=per_student["all_passed"].astype(bool))

    def count(g: Any) -> pd.DataFrame:
        out = g.agg(n_students=("all_passed", "size"), n_all_passed=("all_passed", "sum"))
        return out.assign(rate=_rate(out["n_all_passed"], out["n_students"]),
                          n_not_all_passed=out["n_students"] - out["n_all_passed"])

    if frame.empty:
        out = pd.DataFrame(columns=["level", "school_code", "cohort", "n_students",
                                    "n_all_passed", "rate", "n_not_all_passed"])
    else:
        out = _levels(frame, ["cohort"], count)
        out = out.sort_values(["cohort", "level", "school_code"], kind="stable",
                              na_position="first").reset_index(drop=True)
    return _withhold(out, ["cohort"], "n_students", min_n)


def at_risk(results: pd.DataFrame) -> pd.DataFrame:
    """The subjects each student has sat and not passed at any sitting (module docstring):
    one row per student and such subject, columns student_id, subject_code, ``n_sittings``,
    ``sittings`` (tuple 'YYYY-MM', in order), ``last_sitting``; by student and subject.

    >>> r = pd.DataFrame({"student_id": [1, 1, 2, 2], "subject_code": ["math"] * 4,
    ...     "sitting": ["2023-06", "2024-01", "2023-06", "2024-01"],
    ...     "passed": [False, False, False, True]})
    >>> at_risk(r)[["student_id", "subject_code", "n_sittings"]].values.tolist()
    [[1, 'math', 2]]
    """
    best = _best(results)
    out = best[~best["passed"]].drop(columns="passed")
    out = out.assign(last_sitting=[s[-1] for s in out["sittings"]])
    return out.reset_index(drop=True)


def _rate(num: pd.Series, den: pd.Series) -> pd.Series:
    return num.astype(float) / den.where(den > 0).astype(float)
