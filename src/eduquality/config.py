"""Settings from a TOML file and the environment.

Order of precedence (later wins): built-in defaults, ``eduquality.toml`` in the working
directory (or the file named by ``EDUQUALITY_CONFIG``), environment variables
``EDUQUALITY_LANG`` / ``EDUQUALITY_DB``, then command-line options.

Example ``eduquality.toml``::

    lang = "zh"
    db = "wuhua.duckdb"

    [thresholds]          # shares of full marks (GLOSSARY: 三率一分)
    excellent = 0.85
    good = 0.70
    pass = 0.60
    low = 0.40

    [groups]              # student groups (GLOSSARY: 尖子生, 学困生, 偏科, 临界生)
    top_share = 0.10
    struggling_share = 0.10
    weak_subject_k = 1.0
    borderline_band = 0.05

    [knowledge]           # weak knowledge points (GLOSSARY: 薄弱知识点)
    min_gap = 0.05

    [plan]                # the action plan's target (GLOSSARY: 上线率)
    step = 0.04
    file = "wuhua-2019"   # the plan tracked: a plan file or a shipped plan's name

    [assessment]          # annual school assessment (年度目标考核): weights per school kind
    primary_value_added = 40
    high_goals = 25
    va_span = 0.5

    [session]             # web sign-in sessions (OWASP ASVS 4.0 V3.3.2)
    idle_minutes = 30
    absolute_hours = 12

    [retention]           # personal data of students who left (eduquality retention apply)
    years = 3
    [spark]               # the Spark engine (--engine spark; docs/spark.md)
    master = "local[2]"   # or spark://host:7077, yarn, k8s://https://…; env EDUQUALITY_SPARK_MASTER
    exchange = "s3a://bucket/eq/wuhua"   # the Parquet exchange it reads (default: exported anew)
    [spark.options]
    "spark.executor.memory" = "8g"

    [publication]         # national rules on publishing results
    grades_not_ranks_compulsory = true
    mark_internal = true
    forbid_exam_league_tables = true
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eduquality.errors import ConfigError

LANGS = ("zh", "en")
DEFAULT_DB = "eduquality.duckdb"


@dataclass(frozen=True)
class Thresholds:
    """Lines for 三率一分 / 四率 as shares of full marks (GLOSSARY: 85 %, 70 %, 60 %, 40 % by
    default); a rate counts takers at or above the line (低分率: below it). The one definition
    of the lines: ``analysis`` passes them to the measures (``measures.scores.Lines``), to the
    Ibis aggregation and to 等级 (A/B/C/D)."""

    excellent: float = 0.85
    good: float = 0.70
    pass_: float = 0.60
    low: float = 0.40

    def __post_init__(self) -> None:
        values = (self.low, self.pass_, self.good, self.excellent)
        if any(not 0 < v <= 1 for v in values) or list(values) != sorted(values):
            raise ConfigError(
                "分数线比例须在 (0, 1] 之间且 低分 ≤ 及格 ≤ 良好 ≤ 优秀 / "
                f"thresholds must lie in (0, 1] with low ≤ pass ≤ good ≤ excellent: {values}"
            )


@dataclass(frozen=True)
class GroupRules:
    """Rules for the student groups (GLOSSARY 'Student groups'), configurable per district.

    top_share: 尖子生 = top share of the grade by total; struggling_share: 学困生 = bottom share,
    or below the low-score line (Thresholds.low) in the total; weak_subject_k: 偏科 when a
    subject's Z is ≥ k below the student's own mean Z; borderline_band: 临界生 = within this
    share of full marks below the pass line of the total (one-sided)."""

    top_share: float = 0.10
    struggling_share: float = 0.10
    weak_subject_k: float = 1.0
    borderline_band: float = 0.05


@dataclass(frozen=True)
class KnowledgeRules:
    """Weak knowledge points (薄弱知识点). min_gap: a knowledge point is weak for a unit (school,
    class) only when its score rate lies at least this far below the reference's (besides the
    significance test), and listed for a student when the student's own rate lies at least this
    far below the district's — a practically relevant shortfall (0.05 = 5 percentage points)."""

    min_gap: float = 0.05

    def __post_init__(self) -> None:
        if not 0 <= self.min_gap < 1:
            raise ConfigError(f"knowledge.min_gap 须在 [0, 1) 之间 / must lie in [0, 1): "
                              f"{self.min_gap}")


@dataclass(frozen=True)
class PlanTarget:
    """The action plan's target for 上线率: step = the yearly increase over the first year's
    rate (0.04 = 4 percentage points a year); ``file``: the action plan tracked (``plan
    status``, ``assess``, the web's plan and assessment pages): a plan file or the name of a
    shipped plan (the demo's ``out/plan.yaml`` binds its goals to the demo's schools)."""

    step: float = 0.04
    file: str = "wuhua-2019"

    def __post_init__(self) -> None:
        if not 0 <= self.step < 1:
            raise ConfigError(f"plan.step 须在 [0, 1) 之间 / must lie in [0, 1): {self.step}")


@dataclass(frozen=True)
class SparkSettings:
    """The Spark engine (``--engine spark``, issue 16): ``master`` (``local[2]``: Spark inside
    this machine; ``spark://host:7077``, ``yarn``, ``k8s://…``: a cluster), ``options``
    (``spark.*`` settings passed to the session as they are), ``exchange`` (the Parquet
    exchange the engine reads, a folder or an ``s3a://`` / ``hdfs://`` URL written by
    ``eduquality export parquet``; empty: the database is exported to a temporary folder
    first, which only a local master can read). ``EDUQUALITY_SPARK_MASTER`` overrides
    ``master``."""

    master: str = "local[2]"
    options: tuple[tuple[str, str], ...] = ()
    exchange: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.options, dict):   # from the file's [spark.options] table
            object.__setattr__(self, "options", tuple(
                (str(k), str(v)) for k, v in sorted(self.options.items())))
        if not all(k.startswith("spark.") for k, _ in self.options):
            raise ConfigError("spark.options 的键须以 spark. 开头 / the keys of spark.options "
                              f"must start with spark.: {dict(self.options)!r}")


ASSESSMENT_KINDS = ("primary", "junior", "high", "vocational")
"""School kinds the annual assessment weighs differently (high: senior, complete, twelve-year)."""

ASSESSMENT_COMPONENTS = ("value_added", "retention", "balance", "teachers", "goals")
"""Components of the annual assessment: monitoring results through value-added, 控辍保学,
优质均衡 balance, teacher development, the school's own plan goals."""


@dataclass(frozen=True)
class AssessmentRules:
    """The annual school assessment (年度目标考核, issue 13 §3): the weight of each component
    per school kind (``{kind}_{component}``, any non-negative numbers; a weight of 0 leaves the
    component out for that kind; each kind's weights need a positive sum), and the scales that
    turn a component into a score in [0, 1] (:mod:`eduquality.measures.assessment`):
    ``va_span`` the value-added effect size (in SD of the students' scores) that scores 1 (its
    negative 0, none 0.5); ``dropout_rate_zero`` the dropout rate that scores 0 (none: 1);
    ``teacher_share_full`` the share of teachers in a development programme that scores 1."""

    primary_value_added: float = 40.0
    primary_retention: float = 20.0
    primary_balance: float = 20.0
    primary_teachers: float = 10.0
    primary_goals: float = 10.0
    junior_value_added: float = 40.0
    junior_retention: float = 20.0
    junior_balance: float = 20.0
    junior_teachers: float = 10.0
    junior_goals: float = 10.0
    high_value_added: float = 50.0
    high_retention: float = 10.0
    high_balance: float = 0.0
    high_teachers: float = 15.0
    high_goals: float = 25.0
    vocational_value_added: float = 30.0
    vocational_retention: float = 30.0
    vocational_balance: float = 0.0
    vocational_teachers: float = 20.0
    vocational_goals: float = 20.0
    va_span: float = 0.5
    dropout_rate_zero: float = 0.01
    teacher_share_full: float = 0.25

    def __post_init__(self) -> None:
        for kind in ASSESSMENT_KINDS:
            w = self.weights(kind)
            if any(v < 0 for v in w.values()) or sum(w.values()) <= 0:
                raise ConfigError(f"assessment.{kind}_*：权重须不小于 0 且合计大于 0 / weights "
                                  f"must be ≥ 0 with a positive sum: {w}")
        if not (self.va_span > 0 and 0 < self.dropout_rate_zero <= 1
                and 0 < self.teacher_share_full <= 1):
            raise ConfigError("assessment.va_span 须 > 0，dropout_rate_zero 与 teacher_share_full 须在 "
                              "(0, 1] 之间 / va_span must be > 0, dropout_rate_zero and "
                              f"teacher_share_full in (0, 1]: {self.va_span}, "
                              f"{self.dropout_rate_zero}, {self.teacher_share_full}")

    def weights(self, kind: str) -> dict[str, float]:
        """component → weight for a school kind (:data:`ASSESSMENT_KINDS`)."""
        return {c: float(getattr(self, f"{kind}_{c}")) for c in ASSESSMENT_COMPONENTS}


@dataclass(frozen=True)
class SessionRules:
    """Web sessions end after ``idle_minutes`` without a request and ``absolute_hours`` after
    signing in, whatever happens (OWASP ASVS 4.0 V3.3.2, level 2: 30 minutes idle, 12 hours)."""

    idle_minutes: float = 30
    absolute_hours: float = 12

    def __post_init__(self) -> None:
        if not (0 < self.idle_minutes <= 60 * self.absolute_hours and self.absolute_hours > 0):
            raise ConfigError("session.idle_minutes 与 absolute_hours 须为正数且空闲时限不长于总时限 / "
                              "session.idle_minutes and absolute_hours must be positive, idle "
                              f"no longer than absolute: {self.idle_minutes}, "
                              f"{self.absolute_hours}")


@dataclass(frozen=True)
class RetentionRules:
    """Personal data of a student is kept ``years`` full years after the student left (the
    latest enrolment event a graduation, transfer out or dropout); then ``eduquality retention
    apply`` anonymises it (names, ID numbers, dates of birth, special-group flags), keeping
    the scores for statistics (PIPL art. 19 and 47: kept no longer than the purpose needs;
    the period is the district's decision, 3 years by default)."""

    years: int = 3

    def __post_init__(self) -> None:
        if isinstance(self.years, bool) or not isinstance(self.years, int) or self.years < 1:
            raise ConfigError(f"retention.years 须为正整数 / must be a positive whole number: "
                              f"{self.years!r}")


@dataclass(frozen=True)
class PublicationPolicy:
    """National rules on publishing results (GLOSSARY, 'Rules on publishing results')."""

    grades_not_ranks_compulsory: bool = True
    mark_internal: bool = True
    forbid_exam_league_tables: bool = True


@dataclass(frozen=True)
class Settings:
    lang: str = "zh"
    db: str = DEFAULT_DB
    thresholds: Thresholds = field(default_factory=Thresholds)
    publication: PublicationPolicy = field(default_factory=PublicationPolicy)
    groups: GroupRules = field(default_factory=GroupRules)
    knowledge: KnowledgeRules = field(default_factory=KnowledgeRules)
    plan: PlanTarget = field(default_factory=PlanTarget)
    session: SessionRules = field(default_factory=SessionRules)
    assessment: AssessmentRules = field(default_factory=AssessmentRules)
    retention: RetentionRules = field(default_factory=RetentionRules)
    spark: SparkSettings = field(default_factory=SparkSettings)
    min_unit_n: int = 10

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with the non-None ``changes`` applied (command-line options)."""
        clean = {k: v for k, v in changes.items() if v is not None}
        if "lang" in clean and clean["lang"] not in LANGS:
            raise ConfigError(f"未知语言 / unknown language: {clean['lang']} (zh|en)")
        return replace(self, **clean)


def _from_mapping(data: dict[str, Any]) -> Settings:
    known = {"lang", "db", "thresholds", "publication", "groups", "knowledge", "plan",
             "session", "assessment", "retention", "spark", "min_unit_n"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"配置文件中有未知设置 / unknown settings: {sorted(unknown)}")
    t = dict(data.get("thresholds", {}))
    if "pass" in t:
        t["pass_"] = t.pop("pass")
    try:
        thresholds = Thresholds(**t)
        publication = PublicationPolicy(**data.get("publication", {}))
        groups = GroupRules(**data.get("groups", {}))
        knowledge = KnowledgeRules(**data.get("knowledge", {}))
        plan = PlanTarget(**data.get("plan", {}))
        session = SessionRules(**data.get("session", {}))
        assessment = AssessmentRules(**data.get("assessment", {}))
        retention = RetentionRules(**data.get("retention", {}))
        spark = SparkSettings(**data.get("spark", {}))
    except TypeError as exc:
        raise ConfigError(f"配置项无效 / invalid setting: {exc}") from exc
    settings = Settings(thresholds=thresholds, publication=publication, groups=groups,
                        knowledge=knowledge, plan=plan, session=session,
                        assessment=assessment, retention=retention,
                        spark=spark)
    return settings.with_overrides(
        lang=data.get("lang"), db=data.get("db"), min_unit_n=data.get("min_unit_n")
    )


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read settings from ``path`` (or ``EDUQUALITY_CONFIG`` / ./eduquality.toml) and the env."""
    env = dict(os.environ) if env is None else env
    candidate = Path(path or env.get("EDUQUALITY_CONFIG", "eduquality.toml"))
    data: dict[str, Any] = {}
    if candidate.is_file():
        try:
            data = tomllib.loads(candidate.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"配置文件格式错误 / bad config file {candidate}: {exc}") from exc
    elif path is not None:
        raise ConfigError(f"找不到配置文件 / config file not found: {candidate}")
    settings = _from_mapping(data)
    if env.get("EDUQUALITY_SPARK_MASTER"):
        settings = replace(settings, spark=replace(settings.spark,
                                                   master=env["EDUQUALITY_SPARK_MASTER"]))
    return settings.with_overrides(lang=env.get("EDUQUALITY_LANG"), db=env.get("EDUQUALITY_DB"))


EDITABLE: dict[str, type] = {
    "thresholds.excellent": float,
    "thresholds.good": float,
    "thresholds.pass": float,
    "thresholds.low": float,
    "min_unit_n": int,
    "publication.grades_not_ranks_compulsory": bool,
    "publication.mark_internal": bool,
    "publication.forbid_exam_league_tables": bool,
    "groups.top_share": float,
    "groups.struggling_share": float,
    "groups.weak_subject_k": float,
    "groups.borderline_band": float,
    "knowledge.min_gap": float,
    "plan.step": float,
    "plan.file": str,
    **{f"assessment.{f}": float for f in AssessmentRules.__dataclass_fields__},
}
"""The settings an administrator may change on the platform (``/admin/settings``), by their
name in ``eduquality.toml`` (``section.key``), and their types. A value changed there is kept
in the database (``app_setting``) and overrides the file's wherever that database is used
(:func:`eduquality.store.settings.effective_settings`); the language, the database and the
session rules stay the installation's."""


def _attr(key: str) -> tuple[str | None, str]:
    section, _, name = key.rpartition(".")
    return (section or None), ("pass_" if name == "pass" else name)


def setting_value(settings: Settings, key: str) -> Any:
    """The current value of the editable setting ``key`` (a key of :data:`EDITABLE`)."""
    section, name = _attr(key)
    holder = getattr(settings, section) if section else settings
    return getattr(holder, name)


TEXT_SETTING_MAX = 400
"""The longest text setting (``plan.file``: a path) stored on the platform."""


def parse_setting(key: str, text: str) -> Any:
    """``text`` as the value of ``key`` (ConfigError for an unknown key or a bad value).

    >>> parse_setting("thresholds.pass", "0.6"), parse_setting("min_unit_n", "5")
    (0.6, 5)
    >>> parse_setting("publication.mark_internal", "false")
    False
    """
    kind = EDITABLE.get(key)
    if kind is None:
        raise ConfigError(f"未知设置 / unknown setting: {key}")
    text = text.strip()
    if kind is str:
        if not text or len(text) > TEXT_SETTING_MAX:
            raise ConfigError(f"{key}：须为 1–{TEXT_SETTING_MAX} 个字符 / must be 1–"
                              f"{TEXT_SETTING_MAX} characters: {text[:40]!r}")
        return text
    if kind is bool:
        if text.lower() in ("true", "1", "yes", "on"):
            return True
        if text.lower() in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{key}：应为 true 或 false / must be true or false: {text!r}")
    try:
        value = kind(text)
    except ValueError as exc:
        raise ConfigError(f"{key}：不是有效的数值 / not a valid number: {text!r}") from exc
    if kind is int and value < 1:
        raise ConfigError(f"{key}：须为正整数 / must be a positive integer: {text!r}")
    return value


def with_settings(settings: Settings, values: dict[str, Any]) -> Settings:
    """``settings`` with the editable ``values`` (key → parsed value) in place, checked as the
    configuration file's are (ConfigError: thresholds out of order …)."""
    sections: dict[str | None, dict[str, Any]] = {}
    for key, value in values.items():
        if key not in EDITABLE:
            raise ConfigError(f"未知设置 / unknown setting: {key}")
        section, name = _attr(key)
        sections.setdefault(section, {})[name] = value
    top = sections.pop(None, {})
    try:
        parts = {s: replace(getattr(settings, s), **v) for s, v in sections.items() if s}
    except TypeError as exc:  # pragma: no cover - EDITABLE names fields that exist
        raise ConfigError(f"配置项无效 / invalid setting: {exc}") from exc
    return replace(settings, **parts, **top)
