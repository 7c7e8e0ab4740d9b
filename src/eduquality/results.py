"""Result containers passed from ``analysis`` to ``reports`` and ``web``.

Plain data (pandas frames and dicts), defined outside the layers so that the renderers need not
import the use cases. Every frame uses the database's codes (subject_code, school_code …); the
renderers translate them to labels in the user's language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd


@dataclass
class ExamInfo:
    exam_id: str
    name: str
    exam_type: str
    scope: str
    year_code: str
    grade: int
    exam_date: str | None
    subjects: list[str]
    """Subject codes in paper order; 'total' is added by the analysis when there are several."""

    @property
    def compulsory(self) -> bool:
        """Grades 1–9: results shown to parents as grades (等级), never ranks."""
        return 1 <= self.grade <= 9


@dataclass
class ExamAnalysis:
    """Everything the reports need about one exam.

    - ``summaries[level]``: one row per (subject_code, unit) with n_registered, n, mean, sd,
      min, q1, median, q3, max, the four rates, se, ci_low, ci_high, cv, above_mean_rate,
      diff_from_district, group_t, band ('above' | 'similar' | 'below' | 'too_few'), and on the
      'total' rows all_pass_rate (全科及格率).
      Levels: 'district', 'peer_group', 'school', 'class', 'teacher'.
    - ``students``: one row per (student_id, subject_code) with school_code, class_id, status,
      score, full_marks, z, t, pr (百分等级 in the district), rank (district, with ties), stanine and
      grade_letter (等级 A–D by the 三率 lines); and for the 新高考 3+1+2 regime
      (:mod:`eduquality.analysis.scaling`) new_regime (the student sat a 3+1+2 set),
      scaled_score (the score as it counts: 再选 subjects' 等级赋分, 语数外/首选 raw, on 'total'
      rows the 750 total; NaN outside the new regime; ``score`` stays raw), scaled_grade (A–E of
      a 再选 subject) and track set to the first choice ('physics' 物理类, 'history' 历史类).
      Names and masked IDs are added by the renderers from the store
      (``reports.roster.with_identities``).
    - ``items``: one row per (paper_id, seq) with subject_code, item (题号), n, mean, sd,
      max_score, p, d27, total_r, rest_r, alpha_if_deleted, ebel, item_type, full_marks,
      ability_level and boolean flags (poor_discrimination, negative_discrimination,
      distractor_beats_key, key_reversed, possibly_miskeyed, flawed_distractor).
    - ``options``: option analysis of objective items: paper_id, item, option, is_key, n, share,
      share_high, share_low, disc.
    - ``reliability``: one row per paper_id with subject_code, alpha, sem, mean_total, sd_total,
      n, n_items.
    - ``knowledge``: 得分率 per tag: paper_id, subject_code, kind ('knowledge' | 'ability'),
      level ('district' | 'peer_group' | 'school' | 'class'), unit (code; 'all' for the
      district), knowledge_point, n, earned, possible, rate.
    - ``weak_points``: 薄弱点 tests: paper_id, subject_code, level ('school' vs the district,
      'class' vs the rest of its school), unit, knowledge_point, ref_group, n_unit, n_ref,
      rate_unit, rate_ref, gap, se, t, df, p, p_adj, weak (bool), weight, priority, rank
      (1 = most urgent weak point of the unit; NaN when not weak).
    - ``groups``: one row per (student_id, group, subject_code); group is 'top' (尖子生),
      'struggling' (学困生), 'borderline' (临界生) — on the total — or 'weak_subject' (弱科);
      'line_borderline' (上线临界生: just below a cut line of the student's track) rows also
      carry track, line and gap (total − line).
    - ``lines``: total lines that apply (track, line, score, source 'official' | 'rank_method');
      ``subject_lines``: 有效分 per (track, line, subject_code); ``online``: 单上线/双上线 counts,
      命中率 and 贡献率 per (track, line, level, unit, subject) — empty for exams without lines.
    - ``distribution``: 一分一段 per subject (subject_code, score, count, cumulative, cum_share),
      highest score first.
    - ``bands``: 分数段 per subject, tenths of full marks (subject_code, band, lower, upper,
      count, share).
    - ``methods``: the definitions used, as (message key, parameters) notes that the reports
      render in the reader's language (:func:`eduquality.reports.labels.analysis_methods`).
    - ``no_items``: papers defined by their subject total only (paper_id, subject_code): item,
      option, reliability and knowledge analyses do not apply to them (reports say so).
    """

    exam: ExamInfo
    summaries: dict[str, pd.DataFrame]
    students: pd.DataFrame
    items: pd.DataFrame = field(default_factory=pd.DataFrame)
    options: pd.DataFrame = field(default_factory=pd.DataFrame)
    reliability: pd.DataFrame = field(default_factory=pd.DataFrame)
    knowledge: pd.DataFrame = field(default_factory=pd.DataFrame)
    weak_points: pd.DataFrame = field(default_factory=pd.DataFrame)
    groups: pd.DataFrame = field(default_factory=pd.DataFrame)
    distribution: pd.DataFrame = field(default_factory=pd.DataFrame)
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)
    lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    subject_lines: pd.DataFrame = field(default_factory=pd.DataFrame)
    online: pd.DataFrame = field(default_factory=pd.DataFrame)
    names: dict[str, dict[str, str]] = field(default_factory=dict)
    """Display names: names['school'][code], names['class'][class_id], names['teacher'][id]."""
    methods: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    no_items: pd.DataFrame = field(default_factory=pd.DataFrame)



@dataclass(frozen=True)
class Deferred:
    """A field of an :class:`ExamAnalysis` made on first use (:func:`lazy_analysis`): ``load``
    gives the whole value; ``columns(names)``, where given, only those columns of a frame (the
    ones it has) without making the rest: the values of ``load()[names]``, a text column
    possibly as a pandas categorical (parts are read to find rows and units, never shown)."""

    load: Callable[[], Any]
    columns: Callable[[Sequence[str]], pd.DataFrame] | None = None


class _LazyExamAnalysis(ExamAnalysis):
    """An ExamAnalysis some of whose fields are :class:`Deferred`: each is made once, on first
    read (under a lock: the web keeps one analysis for every request), and kept. Everything
    that reads every field (``dataclasses.replace``, ``asdict``, ==) makes them all."""

    def __getattr__(self, name: str) -> Any:  # only for attributes not made yet
        pending = self.__dict__.get("_deferred")
        if pending is None:
            raise AttributeError(name)
        with self.__dict__["_lock"]:
            if name not in self.__dict__:  # (another thread may have made it meanwhile)
                if name not in pending:
                    raise AttributeError(name)
                self.__dict__[name] = pending[name].load()
                del pending[name]  # what made it (a stored frame's bytes) goes
        return self.__dict__[name]


def lazy_analysis(values: Mapping[str, Any],
                  deferred: Mapping[str, Deferred]) -> ExamAnalysis:
    """An :class:`ExamAnalysis` with the fields ``values`` and, made on first read, the fields
    ``deferred`` (every field is in one of them). Reading a field gives what an eager analysis
    built of the same values gives; nothing else changes (issue 12: a page that needs the unit
    summaries of a stored analysis never decodes its 2 million student rows)."""
    names = {f.name for f in fields(ExamAnalysis)}
    if set(values) | set(deferred) != names or set(values) & set(deferred):
        raise ValueError("every field of an ExamAnalysis once, as a value or deferred")
    out = object.__new__(_LazyExamAnalysis)
    out.__dict__.update(values)
    out.__dict__["_deferred"] = dict(deferred)
    out.__dict__["_lock"] = threading.RLock()
    return out


def is_made(analysis: ExamAnalysis, name: str) -> bool:
    """Whether the field ``name`` of ``analysis`` exists already (always, but for a
    :func:`lazy_analysis` field not yet read)."""
    return name in analysis.__dict__


def frame_columns(analysis: ExamAnalysis, name: str, columns: Sequence[str]) -> pd.DataFrame:
    """The columns ``columns`` that the frame field ``name`` of ``analysis`` has (in that
    order), making no more of a deferred frame than those where it can
    (:attr:`Deferred.columns`: text columns may come back categorical)."""
    if not is_made(analysis, name):
        part = analysis.__dict__["_deferred"][name].columns
        if part is not None:
            return part(columns)
    frame: pd.DataFrame = getattr(analysis, name)
    return frame[[c for c in columns if c in frame.columns]]


def derived(analysis: ExamAnalysis, key: str, make: Callable[[], Any]) -> Any:
    """``make()``, a value computed from the fields of ``analysis``, kept with this analysis
    object for the next call with ``key`` (an analysis's fields are not changed once made; the
    web keeps an analysis for many requests)."""
    memo: dict[str, Any] = analysis.__dict__.setdefault("_derived", {})
    if key not in memo:
        memo[key] = make()
    return memo[key]


def defer(analysis: ExamAnalysis, name: str) -> Deferred:
    """The field ``name`` of ``analysis`` as a :class:`Deferred`, read only when needed (its
    columns too)."""
    return Deferred(lambda: getattr(analysis, name),
                    lambda cols: frame_columns(analysis, name, cols))


def replace_lazily(analysis: ExamAnalysis, **changes: Any) -> ExamAnalysis:
    """``dataclasses.replace(analysis, **changes)`` that reads no field not read yet: a change
    may be a :class:`Deferred`; the fields not changed are taken over as they are, made or
    still to be made."""
    unknown = set(changes) - {f.name for f in fields(ExamAnalysis)}
    if unknown:
        raise TypeError(f"not fields of ExamAnalysis: {sorted(unknown)}")
    values: dict[str, Any] = {}
    deferred: dict[str, Deferred] = {}
    for f in fields(ExamAnalysis):
        name = f.name
        if name in changes:
            change = changes[name]
            (deferred if isinstance(change, Deferred) else values)[name] = change
        elif is_made(analysis, name):
            values[name] = getattr(analysis, name)
        else:
            deferred[name] = defer(analysis, name)
    return lazy_analysis(values, deferred)


@dataclass
class ValueAdded:
    """Value-added (增值评价) of one exam and subject (``analysis.value_added``)."""

    exam_id: str
    subject_code: str
    priors: list[str]
    """Prior exam ids used, most recent first."""
    students: pd.DataFrame
    """student_id, school_code, class_id, track (the student's, at the exam), paper_track
    (the group the student was modelled in), current, prior_1 …, teacher_id, sgp,
    priors_used."""
    estimates: pd.DataFrame
    """level, track (the group the models were fitted in: a track code, or None for one
    model over every student), unit, estimator, n, estimate, se, ci_low, ci_high, band."""


@dataclass
class FollowUp:
    """The follow-up of the students flagged at ``exam_id`` (学困生, 弱科生, 临界生) over the later
    exams of the same cohort (``analysis.followup``; the rules: ``measures.followup``).

    ``table``: one row per (group, subject_code, later_exam, level, unit) with the counts
    n_cohort, n_followed, n_left, n_stayed, n_missing, left_share with its Wilson interval
    (left_ci_low/high), n_sgp, mean_sgp with its interval (sgp_ci_low/high) and sgp_band
    ('above' | 'expected' | 'below' | 'insufficient' against 50), n_peer and peer_mean_sgp
    (the unit's students not flagged at the start), sgp_gap (cohort − peers) with its interval
    (gap_ci_low/high), and ``withheld`` (a small unit
    or its complement: statistics blank). level: 'district' (unit 'all'), 'school'
    (school_code), 'teacher' (teacher_id); ``school_code``: the school of a school row, the
    school of a teacher's cohort members (None for the district). ``later``: the later exams,
    in time order. ``names``: display names, names['school'][code], names['teacher'][id],
    names['exam'][exam_id] (name and date)."""

    exam_id: str
    later: list[str]
    table: pd.DataFrame
    names: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Backtest:
    """A past cohort forecast from its own mock and compared with its 高考
    (``analysis.forecast.backtest``)."""

    exam_id: str
    brier: float
    coverage: float
    """Share of units (schools and the district, by track and line) whose actual 上线 count fell
    inside its prediction interval."""
    calibration: pd.DataFrame
    """bin_low, bin_high, n, mean_predicted, observed, observed_low, observed_high."""
    units: pd.DataFrame
    """The forecast's units with ``actual``, the 上线 count."""
    students: pd.DataFrame | None = None
    """track, line, probability, outcome (0/1): one row per student and line, for pooling."""
    uncertainty: dict[str, float] = field(default_factory=dict)
    """As in :attr:`Forecast.uncertainty`."""


@dataclass
class Forecast:
    """高考 上线 forecast from a 高三 mock exam (``analysis.forecast``)."""

    exam_id: str
    calibration_exams: tuple[str, str]
    """(previous cohort's mock, previous cohort's 高考)."""
    lines: pd.DataFrame
    """track, line, score (last year's official line), rank, share, forecast_line (位次法)."""
    students: pd.DataFrame
    """student_id, school_code, track, mock, linked (equipercentile 高考 score), and one
    probability column per line: p_<line>."""
    units: pd.DataFrame
    """unit ('district' or a school code), track, line, n, count, count_low, count_high, share,
    share_low, share_high (prediction interval of the logistic forecast), share_linked."""
    methods: list[str] = field(default_factory=list)
    uncertainty: dict[str, float] = field(default_factory=dict)
    """What the intervals carry: draws (0: the students' chance only), shift_sd (τ, the
    year-to-year shift on the log-odds scale), unit_sd (τᵤ, a school's own deviation),
    history_shifts (how many earlier shifts informed τ), level."""
    bridge: pd.DataFrame | None = None
    """old_track, old_line, track, line: the old-regime lines a 3+1+2 forecast was calibrated on
    (empty or None without a change of regime)."""
    backtest: Backtest | None = None
    """The calibration cohort's own backtest (forecast from the cohort before it, compared with
    its 高考): the coverage and calibration table the report shows beside the forecast."""


@dataclass
class AnnualData:
    """Everything the district's annual education-quality report (年报) shows for ``year`` (the
    school year starting in its autumn), gathered by ``analysis.annual``; the report builder
    (``reports.annual``) only lays it out.

    - ``plan``: code, title_zh, title_en, document (文号);
    - ``indicators``: one row per plan indicator, in the plan's order: code, section, name_zh,
      name_en, definition_zh, definition_en, unit, factor, decimals, numerator, denominator
      (the data elements as text), uncertainty, per_school, baseline_year, baseline_value,
      target_kind, direction, target_value, target_year, step, low, high, tolerance;
    - ``values``: the indicator engine's rows (``analysis.plan.VALUE_COLUMNS``) of every year up
      to ``year`` (the trajectory), for the district, its breakdowns and the schools;
    - ``goals``: the bound school goals' rows of ``year`` (``analysis.plan`` goal columns) with
      text_zh, text_en;
    - ``balance``: per level ('primary', 'junior'): 'schools', 'summary', 'shortfalls'
      (``analysis.balance.BalanceStatus``); ``quality``: the quality dimension of 优质均衡
      (``analysis.balance.balance_quality``);
    - ``assessment``: 'schools', 'components', 'evidence' (``analysis.assessment``);
      ``weights``: kind, component, weight; ``scales``: va_span, dropout_rate_zero,
      teacher_share_full;
    - ``exams``: the year's district exams' district summaries: exam_id, exam_name, exam_type,
      grade, subject_code and the 三率一分 columns of a unit summary;
    - ``school_names``: school_code → name;
    - ``programmes``: 控辍保学 and 三名工程 (``analysis.annual.programme_data``): 'rates',
      'window', 'alerts', 'mentoring', 'studios', 'partners';
    - ``proficiency``: the year's 合格考 (``analysis.proficiency.year_tables``): 'sittings',
      'first_sittings', 'all_pass' (全科合格率 by cohort; district and school rows, small
      schools withheld); empty when none."""

    year: int
    district: str
    plan: dict[str, str]
    indicators: pd.DataFrame
    values: pd.DataFrame
    goals: pd.DataFrame
    balance: dict[str, dict[str, pd.DataFrame]]
    assessment: dict[str, pd.DataFrame]
    weights: pd.DataFrame
    scales: dict[str, float]
    exams: pd.DataFrame
    school_names: dict[str, str] = field(default_factory=dict)
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    programmes: dict[str, pd.DataFrame] = field(default_factory=dict)
    proficiency: dict[str, pd.DataFrame] = field(default_factory=dict)
