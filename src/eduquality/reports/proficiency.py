"""The 合格考 tables (普通高中学业水平合格性考试, issue 15) as documents show them: one place for
their titles, column labels and kinds, used by the CLI (``eduquality proficiency``), the web's
``/proficiency`` pages and the annual report's 合格考 part.

A table is built from a rates table of :mod:`eduquality.measures.proficiency` (``level``,
``school_code``, the group keys, the counts and rates, ``withheld``) as it stands: the unit
labelled (全区, or the school's name, marked when its figures are withheld), the sitting and
subject in the reader's language, counts as integers and rates as percentages
(:mod:`eduquality.reports.formats`). Nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from eduquality.i18n import register, tr
from eduquality.measures.proficiency import sitting_label
from eduquality.reports.formats import Fmt
from eduquality.reports.model import Column, Table
from eduquality.vocab import SUBJECTS, grade_label

__all__ = ["COLUMNS", "at_risk_table", "proficiency_table", "unit_labels"]

MESSAGES = register({
    "reports.proficiency.sittings": ("学业水平合格性考试：各批次合格率",
                                     "Proficiency tests (合格考): pass rates at each sitting"),
    "reports.proficiency.first_sittings": (
        "学业水平合格性考试：一次合格率与补考后合格率（按首考批次）",
        "Proficiency tests (合格考): first-attempt pass rates and pass rates after the 补考 "
        "(by first sitting)"),
    "reports.proficiency.all_pass": ("学业水平合格性考试：全科合格率（按年级）",
                                     "Proficiency tests (合格考): students who have passed every "
                                     "subject (by cohort)"),
    "reports.proficiency.sheet.all_pass": ("合格考全科合格", "Proficiency all subjects"),
    "reports.proficiency.cohort": ("{cohort}级", "entered {cohort}"),
    "reports.proficiency.at_risk": ("学业水平合格性考试：需补考学生（尚有科目未合格）",
                                    "Proficiency tests (合格考): students with a subject still "
                                    "to pass (补考 due)"),
    "reports.proficiency.sheet.at_risk": ("合格考需补考学生", "Proficiency 补考 due"),
    "reports.proficiency.at_risk_note": (
        "每科取历次考试的最好成绩；至今仍不合格的科目须参加补考。学籍号已遮蔽。内部资料，仅用于跟进学生。",
        "The best result of each subject across sittings; a subject not passed yet needs a "
        "补考. ID numbers masked. Internal: for following students up only."),
    "reports.proficiency.at_risk_note_full": (
        "每科取历次考试的最好成绩；至今仍不合格的科目须参加补考。内部资料，仅用于跟进学生。",
        "The best result of each subject across sittings; a subject not passed yet needs a "
        "补考. Internal: for following students up only."),
    "reports.proficiency.sheet.sittings": ("合格考各批次", "Proficiency sittings"),
    "reports.proficiency.sheet.first_sittings": ("合格考一次合格率", "Proficiency first attempts"),
    "reports.proficiency.district": ("全区", "District"),
    "reports.proficiency.withheld": ("人数过少，不显示", "too few, withheld"),
    "reports.proficiency.col.sitting": ("考试批次", "Sitting"),
    "reports.proficiency.col.first_sitting": ("首考批次", "First sitting"),
    "reports.proficiency.col.subject": ("科目", "Subject"),
    "reports.proficiency.col.unit": ("单位", "Unit"),
    "reports.proficiency.col.n_takers": ("参考人数", "Takers"),
    "reports.proficiency.col.n_passed": ("合格人数", "Passed"),
    "reports.proficiency.col.rate": ("合格率", "Pass rate"),
    "reports.proficiency.col.n_first": ("首考人数", "First attempts"),
    "reports.proficiency.col.rate_first": ("首考合格率", "First-attempt pass rate"),
    "reports.proficiency.col.n_retake": ("补考人数", "补考 takers"),
    "reports.proficiency.col.n_retake_passed": ("补考合格人数", "补考 passed"),
    "reports.proficiency.col.rate_retake": ("补考合格率", "补考 pass rate"),
    "reports.proficiency.col.n_students": ("首考学生数", "Students"),
    "reports.proficiency.col.n_first_passed": ("一次合格人数", "Passed at once"),
    "reports.proficiency.col.once": ("一次合格率", "First-attempt pass rate"),
    "reports.proficiency.col.eventual": ("补考后合格率", "Pass rate after 补考"),
    "reports.proficiency.col.n_not_passed": ("仍未合格", "Not yet passed"),
    "reports.proficiency.col.school": ("学校", "School"),
    "reports.proficiency.col.class": ("班级", "Class"),
    "reports.proficiency.col.national_id": ("学籍号", "Student number"),
    "reports.proficiency.col.national_id_masked": ("学籍号（已遮蔽）", "Student number (masked)"),
    "reports.proficiency.col.name": ("姓名", "Name"),
    "reports.proficiency.col.n_subjects": ("未合格科目数", "Number of subjects"),
    "reports.proficiency.col.subjects": ("未合格科目", "Subjects not passed yet"),
    "reports.proficiency.col.tried": ("已考批次", "Sittings tried"),
    "reports.proficiency.col.cohort": ("年级（入学年份）", "Cohort (entry year)"),
    "reports.proficiency.col.n_sat": ("已参考学生数", "Students who have sat"),
    "reports.proficiency.col.n_all_passed": ("全科合格人数", "Passed every subject"),
    "reports.proficiency.col.all_pass_rate": ("全科合格率", "All-subject pass rate"),
    "reports.proficiency.col.n_not_all_passed": ("尚有科目未合格", "Subjects still to pass"),
})

_Spec = tuple[tuple[str, str, Fmt], ...]

COLUMNS: Mapping[str, _Spec] = {
    "sittings": (("n_takers", "n_takers", "int"), ("n_passed", "n_passed", "int"),
                 ("rate", "rate", "pct"), ("n_first", "n_first", "int"),
                 ("rate_first", "rate_first", "pct"), ("n_retake", "n_retake", "int"),
                 ("n_retake_passed", "n_retake_passed", "int"),
                 ("rate_retake", "rate_retake", "pct")),
    "first_sittings": (("n_students", "n_students", "int"),
                       ("n_first_passed", "n_first_passed", "int"),
                       ("rate_first", "once", "pct"), ("n_passed", "n_passed", "int"),
                       ("rate", "eventual", "pct"), ("n_not_passed", "n_not_passed", "int")),
    "all_pass": (("n_students", "n_sat", "int"), ("n_all_passed", "n_all_passed", "int"),
                 ("rate", "all_pass_rate", "pct"),
                 ("n_not_all_passed", "n_not_all_passed", "int")),
}
"""Each table's number columns: (frame column, label key under
``reports.proficiency.col.``, kind)."""

_KEYS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "sittings": (("sitting", "sitting"), ("subject", "subject")),
    "first_sittings": (("sitting", "first_sitting"), ("subject", "subject")),
    "all_pass": (("cohort_label", "cohort"),),
}
"""Each table's label columns before the unit: (column, label key)."""


def _t(key: str, lang: str, **params: object) -> str:
    return tr(f"reports.proficiency.{key}", lang, **params)


def unit_labels(frame: pd.DataFrame, names: Mapping[str, str], lang: str) -> list[str]:
    """全区 for the district rows (level 0), the school's name otherwise, marked when the row's
    figures are withheld (too few students: the disclosure policy)."""
    mark = _t("withheld", lang)
    out = []
    for lv, code, withheld in zip(frame["level"], frame["school_code"],
                                  frame.get("withheld", pd.Series(False, index=frame.index)),
                                  strict=True):
        label = _t("district", lang) if lv == 0 else names.get(str(code), str(code))
        if withheld:
            label += f" ({mark})" if lang == "en" else f"（{mark}）"
        out.append(label)
    return out


def proficiency_table(name: str, frame: pd.DataFrame, lang: str, names: Mapping[str, str],
                      numbers: Sequence[str] | None = None, title: str | None = None
                      ) -> Table:
    """Table ``name`` (a key of :data:`COLUMNS`) of the rates ``frame`` in ``lang``;
    ``numbers``: only these number columns (default: all); ``title``: instead of the table's
    own. Its sheet name is the table's short one."""
    shown = frame.reset_index(drop=True)
    shown = shown.assign(unit=unit_labels(shown, names, lang))
    if "sitting" in shown:
        shown["sitting"] = [sitting_label(str(s), lang) for s in shown["sitting"]]
    if "cohort" in shown:
        shown["cohort_label"] = [_t("cohort", lang, cohort=int(c)) for c in shown["cohort"]]
    if "subject_code" in shown:
        shown["subject"] = [SUBJECTS.label(str(s), lang) for s in shown["subject_code"]]
    cols = [Column(key, _t(f"col.{label}", lang)) for key, label in _KEYS[name]]
    cols.append(Column("unit", _t("col.unit", lang)))
    cols += [Column(key, _t(f"col.{label}", lang), fmt) for key, label, fmt in COLUMNS[name]
             if numbers is None or key in numbers]
    return Table(title or _t(name, lang), cols, shown, sheet=_t(f"sheet.{name}", lang),
                 key_columns=len(_KEYS[name]) + 1)


def at_risk_table(frame: pd.DataFrame, lang: str, names: Mapping[str, str],
                  masked: bool = True) -> Table:
    """The students still to pass a subject
    (:func:`eduquality.analysis.proficiency.at_risk_students`, its order) in ``lang``: school,
    class, student number (``masked``: as the frame carries it, masked for the reader's role),
    name, the subjects not passed and the sittings tried in each."""
    sep, colon, between = ("; ", ": ", ", ") if lang == "en" else ("；", "：", "、")
    shown = frame.reset_index(drop=True)
    shown = shown.assign(
        school=[names.get(str(c), str(c)) for c in shown["school_code"]],
        class_label=[f"{grade_label(int(g), lang)} {c}" if lang == "en"
                     else f"{grade_label(int(g), lang)}{c}"
                     for g, c in zip(shown["grade"], shown["class_name"], strict=True)],
        subjects_label=[between.join(SUBJECTS.label(s, lang) for s in subjects)
                        for subjects in shown["subjects"]],
        tried=[sep.join(SUBJECTS.label(s, lang) + colon + between.join(
            sitting_label(x, lang) for x in tries) for s, tries in zip(subjects, sittings,
                                                                      strict=True))
               for subjects, sittings in zip(shown["subjects"], shown["sittings"], strict=True)])
    cols = [Column("school", _t("col.school", lang)),
            Column("class_label", _t("col.class", lang)),
            Column("national_id", _t("col.national_id_masked" if masked
                                     else "col.national_id", lang)),
            Column("name", _t("col.name", lang)),
            Column("n_subjects", _t("col.n_subjects", lang), "int"),
            Column("subjects_label", _t("col.subjects", lang)),
            Column("tried", _t("col.tried", lang))]
    return Table(_t("at_risk", lang), cols, shown, sheet=_t("sheet.at_risk", lang),
                 key_columns=4,
                 note=_t("at_risk_note" if masked else "at_risk_note_full", lang))
