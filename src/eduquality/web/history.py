"""A unit over its exams: the district, a school, a class or a student exam by exam.

The trend pieces of the dashboard and the school, class and student pages. Every number is a
row of an exam's analysis as :meth:`~eduquality.web.deps.Ctx.analysis` gives it to the
principal (restricted to their scope, small units withheld); the one derived number is the
score rate (得分率 = mean / full marks, and so its interval's bounds), which puts exams with
different full marks on one axis. Exams are shown oldest first within one grade (a trend of one
grade's exams over the years), at most :data:`HISTORY_EXAMS` of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import pandas as pd

from eduquality.i18n import register
from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports.formats import UNIT_FORMATS, interval, is_missing
from eduquality.reports.model import Chart, Column, Section, Table
from eduquality.results import ExamAnalysis
from eduquality.vocab import EXAM_TYPES, SUBJECTS, grade_label
from eduquality.web.deps import Ctx
from eduquality.web.pages import frame_table, section
from eduquality.web.views import _pick_subject

HISTORY_EXAMS = 8
"""Exams in one trend: the most recent of the chosen grade (each needs its analysis)."""

UNIT_KEY = {"school": "school_code", "class": "class_id"}

MESSAGES = register({
    "web.history.grade_choice": ("年级：", "Grade:"),
    "web.history.trend": ("历次考试 · {subject}", "Exam by exam · {subject}"),
    "web.history.subjects": ("各科历次成绩", "Every subject, exam by exam"),
    "web.history.chart": ("得分率（平均分 / 满分）及 95% 置信区间",
                          "Score rate (mean / full marks) with its 95% interval"),
    "web.history.unit": ("本单位", "This unit"),
    "web.history.district": ("全区", "District"),
    "web.history.rate": ("得分率", "Score rate"),
    "web.history.headline": ("主要科目", "Headline subject"),
    "web.history.none": ("所选年级暂无可查看的考试。", "No exams of this grade to show."),
    "web.history.exams_note": ("同一年级最近 {n} 次考试，按时间先后排列；“与全区比较”依据置信区间"
                               "（区间与全区平均分重叠即为无显著差异）。",
                               "The latest {n} exams of one grade, oldest first; 'vs district' "
                               "follows the interval (no difference unless the whole interval "
                               "lies on one side of the district mean)."),
})


def grade_choices(ctx: Ctx, exams: pd.DataFrame, grade: int | None
                  ) -> tuple[int | None, list[tuple[str, str, bool]]]:
    """The grade shown (``grade`` when it has exams, else the newest exam's) and the links
    that switch it, keeping the page's path."""
    grades = sorted({int(g) for g in exams["grade"]}) if len(exams) else []
    if not grades:
        return None, []
    chosen = grade if grade in grades else int(exams.iloc[0]["grade"])
    path = ctx.request.url.path
    return chosen, [(grade_label(g, ctx.lang), f"{path}?grade={g}", g == chosen) for g in grades]


def trend_exams(exams: pd.DataFrame, grade: int | None, n: int = HISTORY_EXAMS) -> list[str]:
    """The ids of the latest ``n`` exams of ``grade`` (``exams`` newest first), oldest first."""
    if grade is None:
        return []
    of_grade = exams.loc[exams["grade"].astype(int) == grade].head(n)
    return [str(e) for e in reversed(of_grade["exam_id"].tolist())]


def exam_label(a: ExamAnalysis, lang: str) -> str:
    """A short label of an exam for an axis: its date (or school year) and type."""
    when = (a.exam.exam_date or a.exam.year_code or "")[:7]
    return f"{when} {EXAM_TYPES.label(a.exam.exam_type, lang)}".strip()


def unit_history(ctx: Ctx, exam_ids: Sequence[str], level: str,
                 code: str | None = None) -> pd.DataFrame:
    """The unit's summary rows (level 'district', 'school' or 'class') in each exam, with the
    exam's id, name, short label and date, the district mean of the subject, whether the
    subject is the exam's headline ('total', else its only subject) and the score rates
    (``rate``, ``rate_low``, ``rate_high``, ``district_rate``). Exams in which the unit has no
    row (out of scope, or not taking part) are left out."""
    parts: list[pd.DataFrame] = []
    for exam_id in exam_ids:
        a = ctx.analysis(exam_id)
        frame = a.summaries.get(level, pd.DataFrame())
        if level in UNIT_KEY and not frame.empty:
            frame = frame.loc[frame[UNIT_KEY[level]].astype(str) == str(code)]
        if frame.empty:
            continue
        district = a.summaries["district"].set_index("subject_code")["mean"]
        order = {s: i for i, s in enumerate(a.exam.subjects)}
        headline = _pick_subject(a, None)
        parts.append(frame.assign(
            exam_id=exam_id, exam=a.exam.name, exam_label=exam_label(a, ctx.lang),
            exam_date=a.exam.exam_date, year_code=a.exam.year_code,
            district_mean=frame["subject_code"].map(district).astype(float),
            headline=frame["subject_code"] == headline,
            _order=len(parts) * 100 + frame["subject_code"].map(order).fillna(99)))
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True).sort_values("_order", kind="stable")
    full = out["full_marks"].astype(float)
    return out.assign(rate=out["mean"] / full, rate_low=out["ci_low"] / full,
                      rate_high=out["ci_high"] / full,
                      district_rate=out["district_mean"] / full).drop(columns="_order")


def trend_chart(ctx: Ctx, history: pd.DataFrame, unit_label: str | None) -> Chart | None:
    """The headline subject exam by exam: the unit's score rate with its interval and the
    district's; for the district itself (``unit_label`` None) its score rate with its
    interval and its 优秀率, 及格率 and 低分率."""
    rows = history.loc[history["headline"]] if not history.empty else history
    if len(rows) < 2:
        return None
    t, lang = ctx.t, ctx.lang
    labels = list(rows["exam_label"])
    series: list[Any] = [(unit_label or t("web.history.district"), rows["rate"],
                          rows["rate_low"], rows["rate_high"])]
    if unit_label is not None:
        series.append((t("web.history.district"), rows["district_rate"], None, None))
    else:
        series += [(L.col(c, lang), rows[c], None, None) for c in DISTRICT_RATES]

    key = tuple((name, _values(v), _values(lo), _values(hi)) for name, v, lo, hi in series)

    def draw() -> bytes:
        return _trend_png(tuple(labels), key, t("web.history.rate"))

    return Chart(t("web.history.chart"), draw)


Values = tuple[float | None, ...] | None


def _values(values: Any) -> Values:
    """A series as a hashable key (NaN as None, which the chart draws as a gap too)."""
    if values is None:
        return None
    return tuple(None if is_missing(v) else float(v) for v in values)


@lru_cache(maxsize=256)
def _trend_png(labels: tuple[str, ...], series: tuple[tuple[str, Values, Values, Values], ...],
               ylabel: str) -> bytes:
    """:func:`eduquality.reports.charts.trend`, drawn once per content (about a second on a
    busy machine; the same trend is asked for by every reader of a page)."""
    def floats(values: Values) -> list[float] | None:
        return None if values is None else [math.nan if v is None else v for v in values]

    return charts.trend(labels, [(name, floats(v) or [], floats(lo), floats(hi))
                                 for name, v, lo, hi in series], ylabel)


HISTORY_COLUMNS: tuple[str, ...] = ("n", "mean", "ci", "district_mean", "diff_from_district",
                                    "excellent_rate", "pass_rate", "low_rate", "band")
"""The columns of a unit's rows exam by exam (a school, a class)."""
DISTRICT_RATES = ("excellent_rate", "pass_rate", "low_rate")
DISTRICT_COLUMNS: tuple[str, ...] = ("n", "mean", "ci", "sd", *DISTRICT_RATES)
"""The columns of the district's own rows (no comparison with itself)."""


def history_table(ctx: Ctx, history: pd.DataFrame, href: Callable[[Any], str | None] | None,
                  columns: Sequence[str] = HISTORY_COLUMNS) -> Table:
    """One row per exam and subject: the exam (linked by ``href`` to its page for this unit),
    the subject and the unit's summary as the exam pages show it."""
    lang, t = ctx.lang, ctx.t
    rows = history.assign(
        subject=history["subject_code"].map(lambda s: SUBJECTS.label(s, lang)),
        ci=[interval(lo, hi, UNIT_FORMATS["mean"]) for lo, hi in
            zip(history["ci_low"], history["ci_high"], strict=True)],
        band=history["band"].where(history["band"].map(lambda b: isinstance(b, str)), None))
    spec: list[tuple[str, str, str]] = [("exam", t("web.col.exam"), "text"),
                                        ("subject", t("web.col.subject"), "text")]
    for c in columns:
        if c in rows.columns:
            label = t("web.col.district_mean") if c == "district_mean" else L.col(c, lang)
            spec.append((c, label, UNIT_FORMATS.get(c, "num2")))
    return frame_table(rows, spec, href=href)


def trend_sections(ctx: Ctx, history: pd.DataFrame, unit_label: str | None,
                   href: Callable[[Any], str | None] | None) -> list[Section]:
    """The headline subject's trend (chart and table) and every subject exam by exam."""
    t = ctx.t
    if history.empty:
        return [section(t("web.history.trend", subject=t("web.history.headline")),
                        Table("", [Column("exam", t("web.col.exam"))],
                              pd.DataFrame(columns=["exam"])),
                        note=t("web.history.none"))]
    headline = history.loc[history["headline"]]
    subject = SUBJECTS.label(str(headline["subject_code"].iloc[0]), ctx.lang) \
        if len(headline) else t("web.history.headline")
    note = t("web.history.exams_note", n=HISTORY_EXAMS)
    columns = HISTORY_COLUMNS if unit_label is not None else DISTRICT_COLUMNS
    out = [section(t("web.history.trend", subject=subject),
                   history_table(ctx, headline, href, columns),
                   trend_chart(ctx, history, unit_label), note=note)]
    if (~history["headline"]).any():  # subject by subject, each over the exams
        first = {s: i for i, s in enumerate(dict.fromkeys(history["subject_code"]))}
        by_subject = history.assign(_s=history["subject_code"].map(first)).sort_values(
            ["_s"], kind="stable")
        out.append(section(t("web.history.subjects"),
                           history_table(ctx, by_subject, href, columns)))
    return out


__all__ = ["HISTORY_EXAMS", "grade_choices", "history_table",
           "trend_chart", "trend_exams", "trend_sections", "unit_history"]
