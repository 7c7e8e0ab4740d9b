"""Action plans as data: the plan file (YAML), checked with located problems.

A plan file (the shipped Wuhua 2019 plan, ``ingest/plans/wuhua-2019.yaml``, is the first one
and the example of the format) holds:

- ``plan`` (a code), ``title``, ``document`` (文号), ``issued`` (date), ``baseline_year``,
  ``target_year``;
- ``indicators``: each with ``code``, ``name``, ``definition``, ``owner``, ``section`` (where
  the plan states it), ``unit``, ``factor``, ``decimals``, ``numerator`` and ``denominator``
  (each one data element: ``{stat: CODE, …}`` an entered statistic of
  :data:`eduquality.store.statistics.STATISTICS`, ``{db: NAME, …}`` an element over the student
  data of :data:`eduquality.store.plan_data.ELEMENTS`, or ``{value: NUMBER}``), ``uncertainty``
  (proportion / count / none: :mod:`eduquality.measures.indicators`), ``per_school`` (computed
  per school as well), ``disaggregate`` (any of school type, 城乡, special group), ``baseline``
  (``{year, value}``; value omitted: taken from the data) and ``target`` (``kind`` level / step /
  hold / rising / band with ``year``, ``value``, ``step``, ``low``, ``high``, ``direction``,
  ``tolerance``: :mod:`eduquality.measures.trajectory`);
- ``school_goals``: goals of single schools by goal type (:data:`GOAL_TYPES`), each with the
  plan's words (``text``), the indicator that ranks schools (``indicator``), its parameters and
  ``school`` (a school code: left empty in a shipped plan; a district's own file binds it).

A district's file may say ``extends: wuhua-2019`` (a shipped plan) and ``bind: {goal: school
code}``: it takes the shipped plan's indicators and goals and binds the goals to its schools
(quote school codes: ``"0012"``; YAML reads an unquoted 0012 as the number 12).

Texts are ``{zh: …, en: …}`` or one string (used for both). Every problem is reported with the
file, the line and the field (``indicators[3].target.value``), in zh or en, all at once
(:class:`PlanProblems`); nothing is used from a file with problems.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest.problems import Problem, phrase
from eduquality.measures.indicators import UNCERTAINTY
from eduquality.measures.trajectory import DIRECTIONS, KINDS, Target
from eduquality.store.plan_data import DISAGGREGATIONS, ELEMENTS, GROUPS, STAT_PARAMS
from eduquality.store.statistics import STATISTICS

__all__ = ["GOAL_TYPES", "SHIPPED", "Indicator", "Plan", "PlanProblems", "SchoolGoal", "Source",
           "Text", "check_plan", "load_plan", "problem_line"]

GOAL_TYPES: dict[str, tuple[str, ...]] = {
    "lead_first_tier": (),
    "top_n": ("n",),
    "front_of_category": ("share",),
    "middle_to_lead": ("years",),
    "promotion": ("to_tier",),
    "provincial_key_vocational": ("to_tier",),
}
"""School goal types → their parameters: lead the first tier (rank 1 among the first tier);
top ``n`` of its category; in the front ``share`` of its category (default the top third); from
the middle to the lead of its category in ``years`` years; promotion to the tier ``to_tier``
(一级一等, 一级三等 …); recognition as a provincial key vocational school (tier ``to_tier``)."""

SHIPPED = ("wuhua-2019",)
"""Plans shipped with the package (``ingest/plans/NAME.yaml``)."""

MESSAGES = register({
    "plan.head": ("计划文件 {file} 有 {n} 个问题：", "{n} problem(s) in the plan file {file}:"),
    "plan.where_line": ("第 {line} 行", "line {line}"),
    "plan.yaml": ("不是有效的 YAML：{detail}", "not valid YAML: {detail}"),
    "plan.field": ("字段 {field}：{reason}", "field {field}: {reason}"),
    "plan.missing": ("缺少此项", "missing"),
    "plan.unknown_key": ("未知的字段（可用：{known}）", "unknown field (known: {known})"),
    "plan.not_mapping": ("应为键值映射", "must be a mapping"),
    "plan.not_list": ("应为列表", "must be a list"),
    "plan.not_text": ("应为文字或 {{zh: …, en: …}}", "must be text or {{zh: …, en: …}}"),
    "plan.not_number": ("应为数字", "must be a number"),
    "plan.not_int": ("应为整数", "must be a whole number"),
    "plan.not_year": ("应为四位年份", "must be a four-digit year"),
    "plan.not_date": ("应为日期（如 2019-01-25）", "must be a date (e.g. 2019-01-25)"),
    "plan.choice": ("应为以下之一：{choices}", "must be one of: {choices}"),
    "plan.duplicate": ("代码「{code}」重复", "the code '{code}' is used twice"),
    "plan.source": ("应恰有 stat、db、value 之一", "must have exactly one of stat, db, value"),
    "plan.unknown_stat": ("未知的统计项目「{code}」", "unknown statistic '{code}'"),
    "plan.unknown_element": ("未知的数据元素「{name}」（可用：{known}）",
                             "unknown data element '{name}' (known: {known})"),
    "plan.param": ("「{name}」没有参数「{param}」（可用：{known}）",
                   "'{name}' takes no parameter '{param}' (known: {known})"),
    "plan.target_needs": ("目标类型 {kind} 需要 {needs}", "target kind {kind} needs {needs}"),
    "plan.years_order": ("目标年份应晚于基线年份 {base}",
                         "the target year must come after the baseline year {base}"),
    "plan.unknown_indicator": ("未知的指标「{code}」", "unknown indicator '{code}'"),
    "plan.unknown_goal": ("未知的学校目标「{code}」", "unknown school goal '{code}'"),
    "plan.unknown_plan": ("未知的内置计划「{name}」（可用：{known}）",
                          "unknown shipped plan '{name}' (known: {known})"),
    "plan.not_found": ("找不到计划文件：{path}", "plan file not found: {path}"),
})

_TOP = ("plan", "title", "document", "issued", "issuer", "baseline_year", "target_year",
        "indicators", "school_goals", "extends", "bind", "note")
_IND = ("code", "name", "definition", "owner", "section", "unit", "factor", "decimals",
        "numerator", "denominator", "uncertainty", "per_school", "disaggregate", "baseline",
        "target", "note")
_TARGET = ("kind", "year", "value", "step", "low", "high", "direction", "tolerance")
_GOAL = ("code", "goal", "section", "text", "indicator", "school", "year", *sorted(
    {p for ps in GOAL_TYPES.values() for p in ps}))
_NEEDS = {"level": ("year", "value"), "step": ("step",), "hold": ("value",), "rising": (),
          "band": ("low", "high")}


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def get(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Source:
    """A numerator or denominator: ``kind`` 'stat' (name = statistic code), 'db' (name = data
    element) or 'value' (a constant); ``params`` as (name, value) pairs."""

    kind: str
    name: str | None = None
    params: tuple[tuple[str, Any], ...] = ()
    value: float | None = None

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: Text
    definition: Text
    owner: str
    section: str
    unit: str
    factor: float
    decimals: int
    numerator: Source
    denominator: Source
    uncertainty: str
    per_school: bool
    disaggregate: tuple[str, ...]
    baseline_year: int
    baseline_value: float | None
    target: Target
    target_year: int


@dataclass(frozen=True)
class SchoolGoal:
    code: str
    goal: str
    section: str
    text: Text
    indicator: str
    year: int
    school: str | None = None
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True)
class Plan:
    code: str
    title: Text
    document: str
    issued: dt.date | None
    baseline_year: int
    target_year: int
    indicators: tuple[Indicator, ...]
    goals: tuple[SchoolGoal, ...]
    file: str = ""

    def indicator(self, code: str) -> Indicator | None:
        return next((i for i in self.indicators if i.code == code), None)


class PlanProblems(EduQualityError):
    """The plan file has problems: all of them, located (``problems``); nothing was used."""

    def __init__(self, problems: list[Problem], lang: str = "zh") -> None:
        self.problems, self.lang = problems, lang
        super().__init__(self.render())

    def render(self) -> str:
        file = self.problems[0].file if self.problems else ""
        lines = [tr("plan.head", self.lang, file=file, n=len(self.problems))]
        lines += ["  " + problem_line(p, self.lang) for p in self.problems]
        return "\n".join(lines)


def problem_line(problem: Problem, lang: str = "zh") -> str:
    """'第 9 行，值「twelve」：字段 indicators[0].target.value：应为数字' (line, value, field,
    reason) / 'line 9, value 'twelve': field …: must be a number'."""
    parts = [] if problem.row is None else [tr("plan.where_line", lang, line=problem.row)]
    if problem.value not in (None, ""):
        parts.append(tr("ingest.where_value", lang, value=problem.value))
    where = ("，" if lang != "en" else ", ").join(parts)
    sep = "：" if lang != "en" else ": "
    return f"{where}{sep}{problem.message(lang)}" if where else problem.message(lang)


# -- reading with line numbers ------------------------------------------------------------------

Path_ = tuple[str | int, ...]


def _lines(node: yaml.Node | None, path: Path_, out: dict[Path_, int]) -> None:
    """The 1-based line of every key and item of the composed YAML, by path."""
    if node is None:
        return
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = (*path, str(key.value))
            out[sub] = key.start_mark.line + 1
            _lines(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _field(path: Path_) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "/"


class _Checker:
    """Collects located problems while the plan's parts are read."""

    def __init__(self, file: str, lines: dict[Path_, int]) -> None:
        self.file, self.lines = file, lines
        self.items: list[Problem] = []

    def add(self, path: Path_, key: str, value: Any = None, **params: Any) -> None:
        p = path
        while p and p not in self.lines:
            p = p[:-1]
        shown = None if value is None or isinstance(value, dict | list) else str(value)[:60]
        self.items.append(Problem(self.file, None, self.lines.get(p), None, shown, "plan.field",
                                  (("field", _field(path)), ("reason", phrase(key, **params)))))

    def mapping(self, value: Any, path: Path_, known: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(path, "plan.not_mapping")
            return {}
        for key in value:
            if key not in known:
                self.add((*path, str(key)), "plan.unknown_key", known=", ".join(known))
        return value

    def required(self, m: dict[str, Any], path: Path_, key: str) -> Any:
        if m.get(key) is None:
            self.add((*path, key), "plan.missing")
        return m.get(key)

    def text(self, value: Any, path: Path_, required: bool = True) -> Text:
        if value is None:
            if required:
                self.add(path, "plan.missing")
            return Text("", "")
        if isinstance(value, str):
            return Text(value, value)
        if isinstance(value, dict) and isinstance(value.get("zh"), str) and set(value) <= {
                "zh", "en"}:
            return Text(value["zh"], str(value.get("en") or value["zh"]))
        self.add(path, "plan.not_text", value)
        return Text("", "")

    def number(self, value: Any, path: Path_, required: bool = False) -> float | None:
        if value is None:
            if required:
                self.add(path, "plan.missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            self.add(path, "plan.not_number", value)
            return None
        return float(value)

    def integer(self, value: Any, path: Path_, key: str = "plan.not_int") -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, key, value)
            return None
        if key == "plan.not_year" and not 1949 <= value <= 2100:
            self.add(path, key, value)
            return None
        return value

    def choice(self, value: Any, path: Path_, choices: tuple[str, ...]) -> str | None:
        if value not in choices:
            self.add(path, "plan.choice", value, choices=", ".join(choices))
            return None
        return str(value)


# -- the parts of a plan ------------------------------------------------------------------------

def _source(c: _Checker, value: Any, path: Path_) -> Source:
    if not isinstance(value, dict):
        c.add(path, "plan.not_mapping" if value is not None else "plan.missing", value)
        return Source("value", value=math.nan)
    kinds = [k for k in ("stat", "db", "value") if k in value]
    if len(kinds) != 1:
        c.add(path, "plan.source")
        return Source("value", value=math.nan)
    kind = kinds[0]
    params = {k: v for k, v in value.items() if k != kind}
    if kind == "value":
        for k in params:
            c.add((*path, k), "plan.unknown_key", known="value")
        return Source("value", value=c.number(value["value"], (*path, "value"), True))
    name = str(value[kind])
    if kind == "stat":
        if name not in STATISTICS:
            c.add((*path, "stat"), "plan.unknown_stat", name, code=name)
        known: tuple[str, ...] = STAT_PARAMS
    else:
        element = ELEMENTS.get(name)
        if element is None:
            c.add((*path, "db"), "plan.unknown_element", name, name=name,
                  known=", ".join(ELEMENTS))
            return Source(kind, name)
        known = element.params
    for k, v in params.items():
        if k not in known:
            c.add((*path, k), "plan.param", name=name, param=k, known=", ".join(known) or "-")
        elif k == "group":
            c.choice(v, (*path, k), GROUPS)
        elif k == "ages" and not (isinstance(v, list) and len(v) == 2 and all(
                isinstance(a, int) for a in v)):
            c.add((*path, k), "plan.not_int", v)
    return Source(kind, name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))


def _freeze(v: Any) -> Any:
    if isinstance(v, list):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((str(k), _freeze(x)) for k, x in v.items()))
    return v


def _target(c: _Checker, value: Any, path: Path_, plan_target_year: int | None,
            baseline_year: int | None) -> tuple[Target, int]:
    m = c.mapping(value, path, _TARGET) if value is not None else {}
    if value is None:
        c.add(path, "plan.missing")
    kind = c.choice(m.get("kind"), (*path, "kind"), KINDS) if m else None
    direction = c.choice(m.get("direction", "up"), (*path, "direction"), DIRECTIONS) or "up"
    year = c.integer(m.get("year"), (*path, "year"), "plan.not_year")
    nums = {k: c.number(m.get(k), (*path, k)) for k in ("value", "step", "low", "high",
                                                         "tolerance")}
    if kind is not None:
        missing = [n for n in _NEEDS[kind] if m.get(n) is None
                   and not (n == "year" and plan_target_year)]
        if missing:
            c.add(path, "plan.target_needs", kind=kind, needs=", ".join(missing))
    target_year = year or plan_target_year or 0
    if baseline_year is not None and target_year and target_year <= baseline_year:
        c.add((*path, "year"), "plan.years_order", target_year, base=baseline_year)
    return Target(kind or "hold", direction, nums["value"], target_year or None, nums["step"],
                  nums["low"],
                  nums["high"], nums["tolerance"] or 0.0), target_year


def _indicator(c: _Checker, value: Any, path: Path_, top: dict[str, Any]) -> Indicator | None:
    m = c.mapping(value, path, _IND)
    if not m:
        return None
    code = c.required(m, path, "code")
    base = c.mapping(m.get("baseline", {}), (*path, "baseline"), ("year", "value", "source"))
    base_year = (c.integer(base.get("year"), (*path, "baseline", "year"), "plan.not_year")
                 or top.get("baseline_year"))
    target, target_year = _target(c, m.get("target"), (*path, "target"),
                                  top.get("target_year"), base_year)
    disagg = m.get("disaggregate", [])
    if not isinstance(disagg, list):
        c.add((*path, "disaggregate"), "plan.not_list", disagg)
        disagg = []
    for i, d in enumerate(disagg):
        c.choice(d, (*path, "disaggregate", i), DISAGGREGATIONS)
    per_school = m.get("per_school", False)
    if not isinstance(per_school, bool):
        c.add((*path, "per_school"), "plan.choice", per_school, choices="true, false")
    return Indicator(
        code=str(code), name=c.text(m.get("name"), (*path, "name")),
        definition=c.text(m.get("definition"), (*path, "definition")),
        owner=str(c.required(m, path, "owner") or ""),
        section=str(m.get("section") or ""), unit=str(m.get("unit") or ""),
        factor=c.number(m.get("factor", 1), (*path, "factor")) or 1.0,
        decimals=c.integer(m.get("decimals", 1), (*path, "decimals")) or 0,
        numerator=_source(c, m.get("numerator"), (*path, "numerator")),
        denominator=_source(c, m.get("denominator", {"value": 1}), (*path, "denominator")),
        uncertainty=c.choice(m.get("uncertainty", "none"), (*path, "uncertainty"),
                             UNCERTAINTY) or "none",
        per_school=bool(per_school), disaggregate=tuple(str(d) for d in disagg),
        baseline_year=int(base_year or 0),
        baseline_value=c.number(base.get("value"), (*path, "baseline", "value")),
        target=target, target_year=target_year)


def _goal(c: _Checker, value: Any, path: Path_, top: dict[str, Any]) -> SchoolGoal | None:
    m = c.mapping(value, path, _GOAL)
    if not m:
        return None
    goal = c.choice(m.get("goal"), (*path, "goal"), tuple(GOAL_TYPES))
    params = {}
    for k in ("n", "share", "years", "to_tier"):
        if k in m and goal is not None and k not in GOAL_TYPES[goal]:
            c.add((*path, k), "plan.param", name=goal, param=k,
                  known=", ".join(GOAL_TYPES[goal]) or "-")
        elif k in m:
            params[k] = m[k]
    if goal in ("promotion", "provincial_key_vocational") and not params.get("to_tier"):
        c.add((*path, "to_tier"), "plan.missing")
    for k in ("n", "years"):
        if k in params:
            c.integer(params[k], (*path, k))
    if "share" in params:
        c.number(params["share"], (*path, "share"))
    school = m.get("school")
    return SchoolGoal(
        code=str(c.required(m, path, "code")), goal=goal or "", section=str(m.get("section") or ""),
        text=c.text(m.get("text"), (*path, "text")),
        indicator=str(m.get("indicator") or ""),
        year=c.integer(m.get("year"), (*path, "year"), "plan.not_year")
        or int(top.get("target_year") or 0),
        school=None if school in (None, "") else str(school), params=tuple(sorted(params.items())))


def _duplicates(c: _Checker, codes: list[str], section: str) -> None:
    seen: set[str] = set()
    for i, code in enumerate(codes):
        if code in seen:
            c.add((section, i, "code"), "plan.duplicate", code, code=code)
        seen.add(code)


def _parse(text: str, file: str) -> tuple[dict[str, Any], _Checker]:
    lines: dict[Path_, int] = {}
    c = _Checker(file, lines)
    try:
        _lines(yaml.compose(text, Loader=yaml.SafeLoader), (), lines)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        c.items.append(Problem(file, None, None if mark is None else mark.line + 1, None, None,
                               "plan.yaml", (("detail", str(getattr(err, "problem", err))),)))
        return {}, c
    return c.mapping(data, (), _TOP), c


def _shipped_text(name: str) -> str:
    return (resources.files("eduquality.ingest") / "plans" / f"{name}.yaml").read_text(
        encoding="utf-8")


def _build(top: dict[str, Any], c: _Checker) -> Plan:
    base_year = c.integer(c.required(top, (), "baseline_year"), ("baseline_year",),
                          "plan.not_year")
    target_year = c.integer(c.required(top, (), "target_year"), ("target_year",),
                            "plan.not_year")
    top = {**top, "baseline_year": base_year, "target_year": target_year}
    issued = top.get("issued")
    if issued is not None and not isinstance(issued, dt.date):
        c.add(("issued",), "plan.not_date", issued)
        issued = None
    raw_inds = top.get("indicators") or []
    raw_goals = top.get("school_goals") or []
    for key, raw in (("indicators", raw_inds), ("school_goals", raw_goals)):
        if not isinstance(raw, list):
            c.add((key,), "plan.not_list")
    inds = [_indicator(c, v, ("indicators", i), top)
            for i, v in enumerate(raw_inds if isinstance(raw_inds, list) else [])]
    goals = [_goal(c, v, ("school_goals", i), top)
             for i, v in enumerate(raw_goals if isinstance(raw_goals, list) else [])]
    indicators = tuple(i for i in inds if i is not None)
    school_goals = tuple(g for g in goals if g is not None)
    _duplicates(c, [i.code for i in indicators], "indicators")
    _duplicates(c, [g.code for g in school_goals], "school_goals")
    codes = {i.code for i in indicators}
    for i, g in enumerate(school_goals):
        if g.indicator and g.indicator not in codes:
            c.add(("school_goals", i, "indicator"), "plan.unknown_indicator", g.indicator,
                  code=g.indicator)
    return Plan(str(c.required(top, (), "plan") or ""), c.text(top.get("title"), ("title",)),
                str(top.get("document") or ""), issued, base_year or 0, target_year or 0,
                indicators, school_goals, c.file)


def _extend(top: dict[str, Any], c: _Checker, lang: str) -> Plan | None:
    name = str(top["extends"])
    if name not in SHIPPED:
        c.add(("extends",), "plan.unknown_plan", name, name=name, known=", ".join(SHIPPED))
        return None
    base = load_plan(name, lang)
    bind = c.mapping(top.get("bind") or {}, ("bind",), tuple(g.code for g in base.goals))
    goals = tuple(replace(g, school=str(bind[g.code])) if g.code in bind else g
                  for g in base.goals)
    return replace(base, code=str(top.get("plan") or base.code), goals=goals, file=c.file)


def check_plan(source: str | Path, lang: str = "zh") -> tuple[Plan | None, list[Problem]]:
    """Read a plan file (a path, or the name of a shipped plan): the plan and every problem
    (the plan is None when there are any)."""
    text, file = _read(source, lang)
    top, c = _parse(text, file)
    plan = None
    if not c.items and top:
        plan = _extend(top, c, lang) if "extends" in top else _build(top, c)
    return (None, c.items) if c.items else (plan, [])


def load_plan(source: str | Path, lang: str = "zh") -> Plan:
    """The plan of a file or shipped plan; raises :class:`PlanProblems` listing every problem."""
    plan, problems = check_plan(source, lang)
    if problems or plan is None:
        raise PlanProblems(problems, lang)
    return plan


def _read(source: str | Path, lang: str) -> tuple[str, str]:
    if isinstance(source, str) and source in SHIPPED:
        return _shipped_text(source), f"{source}.yaml"
    path = Path(source)
    if not path.is_file():
        raise EduQualityError(tr("plan.not_found", lang, path=path))
    return path.read_text(encoding="utf-8"), path.name
