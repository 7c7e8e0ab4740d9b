"""Entry points: build a report, write it in one format, write one per unit, write a full set::

    from eduquality.reports import write_report_set
    write_report_set(analysis, "out/demo/reports", lang="zh", formats=("pdf", "xlsx"))

Every function takes the publication rules from ``settings.publication`` and ``public``
(cleared for publication: no 内部资料 mark, and no school comparisons for 中考/高考).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Literal

import pandas as pd

from eduquality.config import Settings
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.reports.classroom import class_ids, class_report
from eduquality.reports.district import district_report
from eduquality.reports.excel import render_xlsx
from eduquality.reports.html import render_html
from eduquality.reports.model import Report
from eduquality.reports.pdf import render_pdf
from eduquality.reports.roster import with_identities, with_student_knowledge
from eduquality.reports.school import school_codes, school_report
from eduquality.reports.student import find_student, student_report
from eduquality.reports.view import View, make_view
from eduquality.results import AnnualData, ExamAnalysis, FollowUp, Forecast, ValueAdded
from eduquality.store import Database

Kind = Literal["district", "school", "class", "student"]
KINDS: tuple[str, ...] = ("district", "school", "class", "student")
FORMATS: tuple[str, ...] = ("pdf", "xlsx", "html")

MESSAGES = register({
    "reports.bad_format": ("未知的报告格式 {fmt}（可选 pdf、xlsx、html）",
                           "unknown report format {fmt} (pdf, xlsx or html)"),
    "reports.bad_kind": ("未知的报告类型 {kind}（可选 district、school、class、student）",
                         "unknown report kind {kind} (district, school, class or student)"),
    "reports.need_unit": ("{kind} 报告需要指定单位", "a {kind} report needs a unit"),
})


class ReportError(EduQualityError):
    """A report was asked for with an unknown kind, format or a missing unit."""


def build_report(view: View, kind: str, unit: object | None = None, *,
                 value_added: ValueAdded | None = None, forecast: Forecast | None = None,
                 plan: pd.DataFrame | None = None, followup: FollowUp | None = None) -> Report:
    """The report of ``kind`` for ``unit`` (school code, class id, student ID or number).

    ``value_added``, ``forecast`` and ``plan`` (plan tracking) add the value-added and 高考
    forecast sections to district and school reports (:mod:`~eduquality.reports.outlook`);
    ``followup`` the follow-up of flagged students to a school report
    (:mod:`~eduquality.reports.followup`)."""
    if kind == "district":
        return district_report(view, value_added=value_added, forecast=forecast, plan=plan)
    if kind not in KINDS:
        raise ReportError(tr("reports.bad_kind", view.lang, kind=kind))
    if unit is None:
        raise ReportError(tr("reports.need_unit", view.lang, kind=kind))
    if kind == "school":
        return school_report(view, str(unit), value_added=value_added, forecast=forecast,
                             plan=plan, followup=followup)
    if kind == "class":
        return class_report(view, str(unit))
    return student_report(view, unit)


def format_of(path: str | Path, fmt: str | None = None) -> str:
    """The format asked for, else the file suffix, else PDF."""
    chosen = (fmt or Path(path).suffix.lstrip(".") or "pdf").lower()
    return "xlsx" if chosen in ("excel", "xls") else chosen


def write_report(report: Report, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``report`` to ``path`` as PDF, Excel or HTML. Writes."""
    path = Path(path)
    fmt = format_of(path, fmt)
    if fmt not in FORMATS:
        raise ReportError(tr("reports.bad_format", report.lang, fmt=fmt))
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "pdf":
        render_pdf(report, path)
    elif fmt == "xlsx":
        render_xlsx(report, path)
    else:
        path.write_text(render_html(report), encoding="utf-8")
    return path


def safe_name(text: object) -> str:
    """A file name from a code: letters, digits, CJK, '-', '_' and '.' only."""
    return re.sub(r"[^\w.\-]+", "_", str(text)).strip("._") or "report"


def units_of(view: View, kind: str) -> list[str]:
    """Every unit of ``kind`` in the fixed order (schools, classes)."""
    return school_codes(view) if kind == "school" else class_ids(view)


def write_unit_reports(view: View, kind: str, out_dir: str | Path,
                       formats: Iterable[str] = ("pdf",),
                       units: Sequence[str] | None = None, workers: int = 1, *,
                       value_added: ValueAdded | None = None, forecast: Forecast | None = None,
                       plan: pd.DataFrame | None = None) -> list[Path]:
    """One report per school or class (all of them unless ``units``) into ``out_dir``. Writes.

    Each process renders many reports, sharing one font configuration and the view's lookups;
    ``workers`` > 1 splits the units into that many contiguous chunks rendered by fresh
    ('spawn') processes — for machines with cores to spare."""
    formats = list(formats)
    todo = list(units if units is not None else units_of(view, kind))
    extra = (value_added, forecast, plan)
    if workers <= 1 or len(todo) <= workers:
        return _render_units(view, kind, Path(out_dir), formats, todo, extra)
    size = -(-len(todo) // workers)
    chunks = [todo[i:i + size] for i in range(0, len(todo), size)]
    with ProcessPoolExecutor(len(chunks), mp_context=get_context("spawn")) as pool:
        done = [pool.submit(_render_units, view, kind, Path(out_dir), formats, c, extra)
                for c in chunks]
        return [p for f in done for p in f.result()]


def _render_units(view: View, kind: str, out: Path, formats: list[str], units: list[str],
                  extra: tuple[ValueAdded | None, Forecast | None, pd.DataFrame | None] = (
                      None, None, None)) -> list[Path]:
    paths = []
    va, fc, plan = extra
    for unit in units:
        report = build_report(view, kind, unit, value_added=va, forecast=fc, plan=plan)
        paths += [write_report(report, out / f"{safe_name(unit)}.{f}", f) for f in formats]
    return paths


def write_student_report(analysis: ExamAnalysis, db: Database, student: object,
                         path: str | Path | None = None, fmt: str | None = None, *,
                         settings: Settings | None = None, lang: str | None = None,
                         public: bool = False) -> Path:
    """The report of one student (学籍号 or student number) with names, IDs and the student's
    own knowledge-point rates read from ``db``; ``path`` defaults to
    ``student-<exam>-<number>.<fmt>``. Reads the store, writes the file."""
    analysis = with_identities(analysis, db)
    sid = find_student(make_view(analysis, settings, lang, public), student)
    view = make_view(with_student_knowledge(analysis, db, [sid]), settings, lang, public)
    fmt = format_of(path or "", fmt)
    target = path or f"student-{safe_name(analysis.exam.exam_id)}-{sid}.{fmt}"
    return write_report(student_report(view, sid), target, fmt)


def write_report_set(analysis: ExamAnalysis, out_dir: str | Path, lang: str = "zh",
                     formats: Iterable[str] = FORMATS, *, settings: Settings | None = None,
                     public: bool = False, db: Database | None = None,
                     value_added: ValueAdded | None = None, forecast: Forecast | None = None,
                     plan: pd.DataFrame | None = None) -> list[Path]:
    """The district bulletin, every school's report, and one class and one student report as
    examples, in each of ``formats``, under ``out_dir``. Writes; returns the paths written.

    ``value_added`` (:func:`eduquality.analysis.value_added.value_added`), ``forecast``
    (:func:`eduquality.analysis.forecast.forecast_gaokao`) and ``plan``
    (:func:`eduquality.analysis.forecast.plan_tracking`), all of this exam, add the value-added
    and 高考 forecast sections to the bulletin and the school reports (internal documents only;
    a public bulletin keeps the district's aggregate).

    ``db``: where to read student names and ID numbers when ``analysis`` lacks them
    (:func:`~eduquality.reports.roster.with_identities`); IDs are masked in every file.
    The methods appendix renders ``analysis.methods`` (message keys) in ``lang``."""
    if db is not None:
        analysis = with_identities(analysis, db)
        first = _first_student(analysis)
        if first is not None:
            analysis = with_student_knowledge(analysis, db, [first])
    view = make_view(analysis, settings, lang, public)
    formats = list(formats)
    out = Path(out_dir)
    exam = safe_name(analysis.exam.exam_id)
    bulletin = district_report(view, value_added=value_added, forecast=forecast, plan=plan)
    paths = [write_report(bulletin, out / f"district-{exam}.{f}", f) for f in formats]
    paths += write_unit_reports(view, "school", out / "schools", formats,
                                value_added=value_added, forecast=forecast, plan=plan)
    classes = class_ids(view)
    if classes:
        paths += write_unit_reports(view, "class", out / "classes", formats, classes[:1])
    first = _first_student(analysis)
    if first is not None:
        report = student_report(view, first)
        paths += [write_report(report, out / "students" / f"student-{first}.{f}", f)
                  for f in formats]
    return paths


def _first_student(analysis: ExamAnalysis) -> int | None:
    """The example student: the first (by number) of the first class in the fixed order."""
    classes = class_ids(make_view(analysis))
    if not classes:
        return None
    st = analysis.students
    return int(st.loc[st["class_id"].astype(str) == classes[0], "student_id"].min())


def write_annual_report(data: AnnualData, out_dir: str | Path, lang: str = "zh",
                        formats: Iterable[str] = ("pdf", "xlsx"), *,
                        settings: Settings | None = None, public: bool = False,
                        sheets: bool = True, groups: bool = False) -> list[Path]:
    """The annual education-quality report (年报) as ``annual-YEAR.<fmt>`` and, with ``sheets``
    and unless ``public``, each assessed school's sheet as ``schools/assessment-YEAR-CODE.<fmt>``
    (internal documents: a sheet carries the school's band), under ``out_dir``; ``groups``: the
    reader may see special-group figures (``view_group_membership``)
    (:mod:`eduquality.reports.annual`). Writes; returns the paths written."""
    from eduquality.reports.annual import annual_report, assessment_sheet

    settings = settings or Settings()
    formats = list(formats)
    out = Path(out_dir)
    report = annual_report(data, lang, settings.publication, public, settings.min_unit_n,
                           groups=groups)
    paths = [write_report(report, out / f"annual-{data.year}.{f}", f) for f in formats]
    if sheets and not public:
        for code in sorted(data.assessment["schools"]["school_code"].astype(str)):
            sheet = assessment_sheet(data, code, lang, settings.publication)
            paths += [write_report(sheet, out / "schools" /
                                   f"assessment-{data.year}-{safe_name(code)}.{f}", f)
                      for f in formats]
    return paths
