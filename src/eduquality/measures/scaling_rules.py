"""等级赋分 rules per province and 高考 year, as data: the shipped ``data/scaling_rules.toml``.

A rule says, for one province and a span of 高考 years, which 再选 subjects are converted and
with which :class:`~eduquality.measures.gaokao_scaling.ScalingScheme` (grade shares, converted
ranges, rounding). The conversion is :func:`~eduquality.measures.gaokao_scaling.scale_scores`;
this module only reads and checks the rules, and answers "which rule holds for this province in
this 高考 year" (:func:`rule_for`). A year before the province's first 3+1+2 高考 has no rule:
the old regime (文科/理科) has no 赋分.

Shipped: 云南省 from 2025 (A 15 % 100–86, B 35 % 85–71, C 35 % 70–56, D 13 % 55–41, E 2 %
40–30, 四舍五入; sources in the data file) and the simulated district's fictional 云岭省 (模拟),
given Yunnan's rules. Every problem in a rules text is reported with its place (file, rule
number and province, key, value) in Chinese and English (:class:`ScalingRulesError`).

Reading the packaged data file is this module's only contact with files (reference data that
ships with the code, like :mod:`eduquality.vocab`); :func:`parse_rules` takes the text.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Protocol

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.measures.gaokao_scaling import ELECTIVES, ScalingError, ScalingScheme
from eduquality.vocab import SUBJECTS

__all__ = [
    "SHIPPED",
    "ScalingRule",
    "ScalingRulesError",
    "cohort_gaokao_year",
    "exam_rule_for",
    "parse_rules",
    "rule_for",
    "shipped_rules",
]

SHIPPED = "scaling_rules.toml"
"""The packaged rules file (``eduquality/measures/data/``)."""

MESSAGES = register({
    "scaling_rules.toml": (
        "赋分规则文件 {file} 不是有效的 TOML：{detail}",
        "the scaling rules file {file} is not valid TOML: {detail}",
    ),
    "scaling_rules.format": (
        "赋分规则文件 {file}：format 须为 1（现为 {value}）",
        "scaling rules file {file}: format must be 1 (got {value})",
    ),
    "scaling_rules.no_rules": (
        "赋分规则文件 {file} 没有 [[rule]] 条目",
        "the scaling rules file {file} has no [[rule]] entries",
    ),
    "scaling_rules.bad_value": (
        "赋分规则文件 {file} 第 {rule} 条规则（{province}）的 {key} 取值 {value} 无效：{reason}",
        "scaling rules file {file}, rule {rule} ({province}), {key} = {value}: {reason_en}",
    ),
    "scaling_rules.overlap": (
        "赋分规则文件 {file}：{province} 的第 {rule} 条与第 {other} 条规则年份重叠（{years}）",
        "scaling rules file {file}: rules {other} and {rule} of {province} overlap in years "
        "({years})",
    ),
})

_REASONS = {  # reason keys → (zh, en) shown inside scaling_rules.bad_value
    "missing": ("缺少此项", "missing"),
    "text": ("须为非空文本", "must be non-empty text"),
    "text_list": ("须为文本列表", "must be a list of text"),
    "year": ("须为 2000–2100 之间的整数年份", "must be a year (integer 2000–2100)"),
    "year_order": ("last_year 不能早于 first_year", "last_year cannot precede first_year"),
    "numbers": ("须为数字列表", "must be a list of numbers"),
    "pairs": ("须为 [高端, 低端] 数对的列表", "must be a list of [high, low] pairs"),
    "subjects": ("须为再选科目代码（politics/geography/chemistry/biology）",
                 "must be re-selected subject codes (politics/geography/chemistry/biology)"),
    "unknown_key": ("不是已知的规则项", "is not a known key of a rule"),
}

_KEYS = {"province", "aliases", "first_year", "last_year", "subjects", "grades", "shares",
         "ranges", "rounding", "tie_rule", "degenerate", "boundary", "source", "note"}


class ScalingRulesError(KeyedError):
    """A rules text is invalid; the message names the file, rule, key and value."""


@dataclass(frozen=True)
class ScalingRule:
    """One province's 赋分 rule for the 高考 years ``first_year`` … ``last_year`` (None: still in
    force). ``names`` are the province's name and aliases (as ``district.province`` may hold
    them); ``subjects`` the converted 再选 subject codes."""

    province: str
    names: tuple[str, ...]
    first_year: int
    last_year: int | None
    subjects: tuple[str, ...]
    scheme: ScalingScheme
    source: str

    def holds(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)


class _Rule:
    """Checks one ``[[rule]]`` table, raising located errors."""

    def __init__(self, file: str, number: int, table: dict[str, Any]) -> None:
        self.file, self.number, self.table = file, number, table
        self.province = table.get("province") if isinstance(table.get("province"), str) else "?"

    def fail(self, key: str, value: object, reason: str,
             texts: tuple[str, str] | None = None) -> ScalingRulesError:
        zh, en = texts or _REASONS[reason]
        return ScalingRulesError("scaling_rules.bad_value", file=self.file, rule=self.number,
                                 province=self.province, key=key, value=repr(value),
                                 reason=zh, reason_en=en)

    def text(self, key: str, *, required: bool = True) -> str | None:
        value = self.table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, value, "missing" if value is None else "text")
        return value.strip()

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        value = self.table.get(key, None if required else [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, value, "missing" if value is None else "text_list")
        return tuple(value)

    def year(self, key: str, *, required: bool = True) -> int | None:
        value = self.table.get(key)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
            raise self.fail(key, value, "missing" if value is None else "year")
        return value

    def numbers(self, key: str) -> tuple[float, ...]:
        value = self.table.get(key)
        if not isinstance(value, list) or not value or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in value):
            raise self.fail(key, value, "missing" if value is None else "numbers")
        return tuple(float(v) for v in value)

    def pairs(self, key: str) -> tuple[tuple[float, float], ...]:
        value = self.table.get(key)
        ok = isinstance(value, list) and value and all(
            isinstance(p, list) and len(p) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p)
            for p in value)
        if not ok:
            raise self.fail(key, value, "missing" if value is None else "pairs")
        assert isinstance(value, list)
        return tuple((float(hi), float(lo)) for hi, lo in value)

    def build(self) -> ScalingRule:
        unknown = sorted(set(self.table) - _KEYS)
        if unknown:
            raise self.fail(unknown[0], self.table[unknown[0]], "unknown_key")
        province = self.text("province")
        assert province is not None
        first = self.year("first_year")
        last = self.year("last_year", required=False)
        assert first is not None
        if last is not None and last < first:
            raise self.fail("last_year", last, "year_order")
        subjects = self.texts("subjects")
        if not subjects or any(SUBJECTS.parse(s) not in ELECTIVES for s in subjects):
            raise self.fail("subjects", list(subjects), "subjects")
        options = {k: self.table[k] for k in ("rounding", "tie_rule", "degenerate", "boundary")
                   if k in self.table}
        try:
            scheme = ScalingScheme(
                name=f"{province} {first}–{'' if last is None else last}",
                grades=self.texts("grades"), shares=self.numbers("shares"),
                ranges=self.pairs("ranges"), **options)
        except ScalingError as err:  # the scheme's own check, located in this file and rule
            key = ("grades/shares/ranges" if err.key != "gaokao_scaling.option"
                   else str(err.params["option"]))
            value = self.table.get(key, [self.table.get(k) for k in ("shares", "ranges")])
            raise self.fail(key, value, "scheme", (err.text(), err.text("en"))) from err
        return ScalingRule(
            province=province, names=(province, *self.texts("aliases", required=False)),
            first_year=first, last_year=last,
            subjects=tuple(str(SUBJECTS.parse(s)) for s in subjects), scheme=scheme,
            source=self.text("source") or "")


def parse_rules(text: str, file: str = SHIPPED) -> tuple[ScalingRule, ...]:
    """The rules of a rules text (TOML: ``format = 1`` and ``[[rule]]`` tables), checked.

    Raises :class:`ScalingRulesError` naming ``file``, the rule (1-based, with its province),
    the key and the value: unknown or missing keys, bad years, subjects that are not 再选
    subjects, a scheme that :class:`ScalingScheme` rejects (shares not summing to 1,
    overlapping ranges …), and two rules of one province whose years overlap.

    >>> rules = parse_rules('''format = 1
    ... [[rule]]
    ... province = "示例省"
    ... first_year = 2024
    ... subjects = ["化学"]
    ... grades = ["A", "B"]
    ... shares = [0.5, 0.5]
    ... ranges = [[100, 71], [70, 30]]
    ... source = "test"''', "example.toml")
    >>> rules[0].subjects, rules[0].scheme.shares
    (('chemistry',), (0.5, 0.5))
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScalingRulesError("scaling_rules.toml", file=file, detail=str(err)) from err
    if data.get("format") != 1:
        raise ScalingRulesError("scaling_rules.format", file=file, value=data.get("format"))
    tables = data.get("rule")
    if not isinstance(tables, list) or not tables:
        raise ScalingRulesError("scaling_rules.no_rules", file=file)
    rules = tuple(_Rule(file, i, t).build() for i, t in enumerate(tables, start=1))
    for i, rule in enumerate(rules):
        for j in range(i):
            other = rules[j]
            if set(rule.names) & set(other.names) and _overlap(rule, other):
                raise ScalingRulesError(
                    "scaling_rules.overlap", file=file, province=rule.province, rule=i + 1,
                    other=j + 1, years=f"{rule.first_year}–{rule.last_year or ''}")
    return rules


def _overlap(a: ScalingRule, b: ScalingRule) -> bool:
    a_end = a.last_year if a.last_year is not None else 10_000
    b_end = b.last_year if b.last_year is not None else 10_000
    return a.first_year <= b_end and b.first_year <= a_end


@cache
def shipped_rules() -> tuple[ScalingRule, ...]:
    """The rules shipped with EduQuality (``eduquality/measures/data/scaling_rules.toml``).

    >>> rule = rule_for("云南", 2025)
    >>> rule.scheme.shares, rule.scheme.ranges[0]
    ((0.15, 0.35, 0.35, 0.13, 0.02), (100.0, 86.0))
    """
    text = (resources.files("eduquality.measures") / "data" / SHIPPED).read_text(
        encoding="utf-8")
    return parse_rules(text, SHIPPED)


def rule_for(province: str | None, gaokao_year: int,
             rules: tuple[ScalingRule, ...] | None = None) -> ScalingRule | None:
    """The rule of ``province`` (its name or an alias, spaces ignored) for the 高考 of
    ``gaokao_year``; None when the province has no 3+1+2 rule that year (old regime, or a
    province not in the rules).

    >>> rule_for("云南省", 2024) is None, rule_for("云南省", 2026).province
    (True, '云南省')
    """
    if not province:
        return None
    name = "".join(str(province).split())
    for rule in shipped_rules() if rules is None else rules:
        if name in rule.names and rule.holds(gaokao_year):
            return rule
    return None


class ExamLike(Protocol):
    """What the rule of an exam depends on (an ExamInfo or a store ExamRecord)."""

    @property
    def year_code(self) -> str: ...
    @property
    def grade(self) -> int: ...
    @property
    def exam_type(self) -> str: ...


def cohort_gaokao_year(exam: ExamLike) -> int:
    """The 高考 year of the exam's cohort: the school year's end year + (12 − grade); a 高考
    is in its own year.

    >>> from eduquality.results import ExamInfo
    >>> info = ExamInfo("e", "期末", "final", "district", "2022-2023", 10, "2023-01-10", [])
    >>> cohort_gaokao_year(info)   # 高一 in 2022–23 → 高考 2025
    2025
    """
    end = int(exam.year_code[5:9])
    return end if exam.exam_type == "gaokao" else end + (12 - exam.grade)


def exam_rule_for(province: str | None, exam: ExamLike) -> ScalingRule | None:
    """The 赋分 rule of ``exam``'s cohort in ``province`` (:func:`rule_for` of
    :func:`cohort_gaokao_year`), or None: an exam below 高中 (grade < 10), the old regime, or a
    province without rules. The one place that says which rule an exam has (the analysis and
    the score importer's 赋分 column both ask here)."""
    if exam.grade < 10:
        return None
    return rule_for(province, cohort_gaokao_year(exam))
