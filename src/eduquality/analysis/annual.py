"""Use case: the district's annual education-quality report (年报制、发布制, issue 13 §3) — every
figure it shows, gathered for one year (:class:`eduquality.results.AnnualData`):

- the action plan's indicators with their trajectory up to the year and their status, and the
  bound school goals (:func:`eduquality.analysis.plan.plan_status`);
- 义务教育优质均衡 per level (:func:`eduquality.analysis.balance.balance_status`);
- the annual school assessment with the settings' weights (:func:`eduquality.analysis.assessment
  .assess`);
- the year's district exams (monitoring, end-of-year, 中考, 高考: those the assessment counts) as
  the district's 三率一分 per subject (the stored analyses, :mod:`eduquality.analysis.stored`);
- the plan's programmes (:func:`programme_data`): 控辍保学 at the end of the year (the district's
  and the special groups' 巩固率 and 辍学率, :func:`eduquality.analysis.dropout.reconcile`; the
  open alerts, :func:`eduquality.analysis.dropout.alerts`, counted — no names) and 三名工程
  (mentoring coverage, studios' value-added, partner schools' DiD,
  :mod:`eduquality.analysis.programmes`).

What a document may show of them (internal or cleared for publication) is the report builder's
decision (:mod:`eduquality.reports.annual`). Reads only (a stale exam analysis is recomputed,
and stored when the database is writable).
"""

from __future__ import annotations

import math

import pandas as pd

from eduquality.analysis.assessment import EXAM_TYPES, assess
from eduquality.analysis.balance import balance_quality, balance_status
from eduquality.analysis.dropout import alerts, reconcile
from eduquality.analysis.plan import plan_status
from eduquality.analysis.proficiency import year_tables
from eduquality.analysis.programmes import mentoring_coverage, partner_effects, studio_performance
from eduquality.analysis.stored import stored_analysis
from eduquality.config import ASSESSMENT_COMPONENTS, ASSESSMENT_KINDS, Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.ingest.planfile import Indicator, Plan, Source
from eduquality.results import AnnualData
from eduquality.store import Database
from eduquality.store.exams import district_exams_of_school_year
from eduquality.store.plan_data import GROUPS, school_attributes
from eduquality.store.refs import school_years
from eduquality.store.units import district_name

__all__ = ["INDICATOR_COLUMNS", "annual_data", "indicator_row", "programme_data", "source_text"]

MESSAGES = register({
    "annual.no_school_year": ("数据库中没有学年 {year}", "no school year {year} on record"),
})

INDICATOR_COLUMNS = ["code", "section", "name_zh", "name_en", "definition_zh", "definition_en",
                     "unit", "factor", "decimals", "numerator", "denominator", "uncertainty",
                     "per_school", "baseline_year", "baseline_value", "target_kind", "direction",
                     "target_value", "target_year", "step", "low", "high", "tolerance"]

EXAM_COLUMNS = ["exam_id", "exam_name", "exam_type", "grade", "subject_code", "n", "mean", "sd",
                "excellent_rate", "good_rate", "pass_rate", "low_rate"]


def source_text(source: Source) -> str:
    """A numerator or denominator as the plan file states it: ``students(stages=senior)``,
    ``stat:resident_population``, or the constant.

    >>> source_text(Source("db", "students", (("grades", (10, 11, 12)),)))
    'students(grades=10,11,12)'
    >>> source_text(Source("value", value=1.0))
    '1'
    """
    if source.kind == "value":
        return "–" if source.value is None else f"{source.value:g}"
    params = ", ".join(
        f"{k}=" + (",".join(map(str, v)) if isinstance(v, (list, tuple)) else
                   ",".join(f"{a}:{b}" for a, b in dict(v).items()) if isinstance(v, dict) else
                   str(v))
        for k, v in source.params)
    name = f"stat:{source.name}" if source.kind == "stat" else str(source.name)
    return f"{name}({params})" if params else name


def indicator_row(ind: Indicator) -> dict:
    """One row of :data:`INDICATOR_COLUMNS`: the indicator as plain fields (what the report
    builders and pages read of it)."""
    t = ind.target
    return {"code": ind.code, "section": ind.section, "name_zh": ind.name.zh,
            "name_en": ind.name.en, "definition_zh": ind.definition.zh,
            "definition_en": ind.definition.en, "unit": ind.unit, "factor": ind.factor,
            "decimals": ind.decimals, "numerator": source_text(ind.numerator),
            "denominator": source_text(ind.denominator), "uncertainty": ind.uncertainty,
            "per_school": ind.per_school, "baseline_year": ind.baseline_year,
            "baseline_value": ind.baseline_value, "target_kind": t.kind,
            "direction": t.direction, "target_value": t.value,
            "target_year": t.year if t.year is not None else ind.target_year,
            "step": t.step, "low": t.low, "high": t.high, "tolerance": t.tolerance}


def _exam_rows(db: Database, year: int, settings: Settings) -> pd.DataFrame:
    rows = []
    for exam in district_exams_of_school_year(db, f"{year}-{year + 1}", list(EXAM_TYPES)):
        analysis = stored_analysis(db, exam.exam_id, settings)
        district = analysis.summaries["district"]
        for r in district.to_dict("records"):
            rows.append({"exam_id": exam.exam_id, "exam_name": exam.name,
                         "exam_type": exam.exam_type, "grade": analysis.exam.grade,
                         **{c: r.get(c, math.nan) for c in EXAM_COLUMNS[4:]}})
    return pd.DataFrame(rows, columns=EXAM_COLUMNS)


STUDIO_REPORT_COLUMNS = ["studio_id", "name", "kind", "level", "subject_code", "host_school",
                         "members", "va_effect", "va_se", "va_low", "va_high", "va_estimates"]
"""What the report shows of a studio (no teacher's name)."""


def programme_data(db: Database, year: int, settings: Settings) -> dict[str, pd.DataFrame]:
    """The programmes' figures of ``year`` (module docstring), each from its one analysis:

    - 'rates': the district's and the special groups' rows of
      :attr:`~eduquality.analysis.dropout.Reconciliation.rates` at the end of the school year
      (巩固率 from the earliest school year on record, 辍学率 of the year; a group below
      ``settings.min_unit_n`` withheld); 'window': from_year, as_of, year_code (one row);
    - 'alerts': unit ('district' or a group of :data:`~eduquality.store.plan_data.GROUPS`,
      建档立卡 first), open (the number of open alerts at the year's end);
    - 'mentoring': coverage per subject against 10 / 100 / 1,000
      (:attr:`~eduquality.analysis.programmes.Mentoring.by_subject`);
    - 'studios': :data:`STUDIO_REPORT_COLUMNS` of the studios' performance;
    - 'partners': the partner schools' DiD
      (:attr:`~eduquality.analysis.programmes.PartnerEffects.pairs`).

    No 'rates' nor 'alerts' when 控辍保学 cannot be reconciled (``year`` no school year on
    record, no classes in the earliest one): 'window' then holds the reason ('error')."""
    out: dict[str, pd.DataFrame] = {}
    years = school_years(db)
    row = years[years["year_code"] == f"{year}-{year + 1}"]
    try:
        if row.empty:
            raise EduQualityError(tr("annual.no_school_year", db.lang, year=f"{year}-{year + 1}"))
        as_of = pd.Timestamp(row["end_date"].iloc[0]).date()
        rec = reconcile(db, as_of, min_n=settings.min_unit_n)
        found = alerts(db, as_of)
    except EduQualityError as e:
        out["window"] = pd.DataFrame([{"error": str(e)}])
    else:
        out["rates"] = rec.rates[rec.rates["level"].isin(["district", "group"])].reset_index(
            drop=True)
        out["window"] = pd.DataFrame([{"from_year": rec.from_year, "as_of": str(rec.as_of),
                                       "year_code": rec.year_code}])
        open_ = found[found["state"] == "open"]
        out["alerts"] = pd.DataFrame(
            [{"unit": "district", "open": len(open_)}]
            + [{"unit": g, "open": int(open_[g].fillna(False).astype(bool).sum())}
               for g in GROUPS])
    out["mentoring"] = mentoring_coverage(db, year).by_subject
    out["studios"] = studio_performance(db, year, settings).studios.reindex(
        columns=STUDIO_REPORT_COLUMNS)
    out["partners"] = partner_effects(db, settings).pairs
    return out


def annual_data(db: Database, year: int, settings: Settings, plan: Plan) -> AnnualData:
    """The figures of the annual report of ``year`` (module docstring); ``plan`` the action plan
    tracked (its bound school goals count in the assessment)."""
    status = plan_status(db, plan)
    values = status.values[status.values["year"] <= year].reset_index(drop=True)
    goals = status.goals[status.goals["year"] == year].reset_index(drop=True)
    texts = {g.code: g.text for g in plan.goals}
    goals = goals.assign(text_zh=[texts[str(c)].zh for c in goals["goal"]],
                         text_en=[texts[str(c)].en for c in goals["goal"]])
    bal = balance_status(db, year)
    balance = {level: {"schools": bal.schools[level].reset_index(names="school_code"),
                       "summary": bal.summary[level], "shortfalls": bal.shortfalls[level]}
               for level in bal.summary}
    result = assess(db, year, settings, plan)
    rules = settings.assessment
    weights = pd.DataFrame([{"kind": k, "component": c, "weight": rules.weights(k)[c]}
                            for k in ASSESSMENT_KINDS for c in ASSESSMENT_COMPONENTS])
    schools = school_attributes(db)
    return AnnualData(
        year=year, district=district_name(db),
        plan={"code": plan.code, "title_zh": plan.title.zh, "title_en": plan.title.en,
              "document": plan.document},
        indicators=pd.DataFrame([indicator_row(i) for i in plan.indicators],
                                columns=INDICATOR_COLUMNS),
        values=values, goals=goals, balance=balance,
        assessment={"schools": result.schools, "components": result.components,
                    "evidence": result.evidence},
        weights=weights,
        scales={"va_span": rules.va_span, "dropout_rate_zero": rules.dropout_rate_zero,
                "teacher_share_full": rules.teacher_share_full},
        exams=_exam_rows(db, year, settings), quality=balance_quality(db, year, settings),
        programmes=programme_data(db, year, settings),
        proficiency=year_tables(db, year, settings.min_unit_n),
        school_names=dict(zip(schools["school_code"].astype(str), schools["name"].astype(str),
                              strict=True)))
