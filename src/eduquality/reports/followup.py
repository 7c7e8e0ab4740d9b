"""The follow-up of flagged students (帮扶跟踪) as a document block: the school report's section,
the web school page's section and the ``eduquality followup`` command's table are this one
:class:`~eduquality.reports.model.Table` (labels and layout only; the numbers come from
:mod:`eduquality.analysis.followup`)."""

from __future__ import annotations

import pandas as pd

from eduquality.i18n import register
from eduquality.reports import labels as L
from eduquality.reports.formats import MISSING, intervals
from eduquality.reports.model import Column, Section, Table, Text
from eduquality.reports.outlook import VA_BAND_CODES
from eduquality.results import FollowUp

__all__ = ["followup_frame", "followup_section", "followup_table"]

MESSAGES = register({
    "reports.sec.school_followup": ("学困生、弱科生、临界生帮扶跟踪",
                                    "Follow-up of struggling, weak-subject and borderline "
                                    "students"),
    "reports.tbl.followup": ("{exam} 标记的学生在其后考试中的情况",
                             "Students flagged at {exam} in the later exams"),
    "reports.note.followup_rule": (
        "跟踪对象：起始考试中按本平台规则标记的学生，计入起始考试时的学校和任课教师。"
        "「脱离」= 在后续考试该科有有效成绩且未再被同一规则标记；「仍在」= 再次被标记；"
        "「缺考」= 无有效成绩，不计为脱离。脱离比例 = 脱离 ÷（脱离 + 仍在），附 95% Wilson 区间；"
        "按分数排名划定的群体有向均值回归，部分脱离并非帮扶所致。"
        "平均增长百分位（SGP）把每名学生的后续成绩与起始成绩相同的全体学生比较，50 为同起点学生的典型增长，"
        "附 95% 区间；「与未标记学生之差」= 跟踪学生平均增长百分位减去本单位起始时未被标记学生的平均增长百分位"
        "（二者均以各自的起始成绩为条件），附 95% 区间（Welch）。"
        "少于 {n} 人的单位及可据以推算出其数值的单位不报告。",
        "Cohort: the students flagged at the starting exam by the platform's rules, credited "
        "to their school and subject teacher at that exam. 'Left' = a valid score in the "
        "subject at the later exam and not flagged again by the same rule; 'stayed' = flagged "
        "again; 'missing' = no valid score, never counted as left. Share left = left ÷ (left + "
        "stayed), with a 95 % Wilson interval; groups chosen by rank regress to the mean, so "
        "part of leaving is not the help's doing. Mean growth percentile (SGP) compares each "
        "student's later score with all students of the same starting score: 50 is the typical "
        "growth from that start; with 95 % intervals. 'Gap to non-flagged' = the cohort's mean "
        "SGP minus that of the unit's students not flagged at the start (both conditional on "
        "each student's own start), with a 95 % (Welch) interval. Units under {n} students, "
        "and those that "
        "would give them back, are not reported."),
    "reports.note.followup_none": ("没有可跟踪的后续考试或标记学生。",
                                   "No later exam or flagged student to follow."),
    "reports.col.fu_group": ("群体", "Group"),
    "reports.col.fu_exam": ("后续考试", "Later exam"),
    "reports.col.fu_unit": ("单位", "Unit"),
    "reports.col.fu_cohort": ("跟踪人数", "Cohort"),
    "reports.col.fu_left": ("脱离", "Left"),
    "reports.col.fu_stayed": ("仍在", "Stayed"),
    "reports.col.fu_missing": ("缺考", "Missing"),
    "reports.col.fu_share": ("脱离比例", "Share left"),
    "reports.col.fu_share_ci": ("脱离比例 95% 区间", "Share left 95 % CI"),
    "reports.col.fu_sgp": ("平均增长百分位", "Mean SGP"),
    "reports.col.fu_sgp_ci": ("增长百分位 95% 区间", "Mean SGP 95 % CI"),
    "reports.col.fu_band": ("与同起点学生比较", "Against peers with the same start"),
    "reports.col.fu_peer_sgp": ("未标记学生平均增长百分位", "Non-flagged mean SGP"),
    "reports.col.fu_gap": ("与未标记学生之差", "Gap to non-flagged"),
    "reports.col.fu_gap_ci": ("差值 95% 区间", "Gap 95 % CI"),
    "reports.fu.withheld": ("人数过少，不报告", "too few, not reported"),
    "reports.fu.district": ("全区", "District"),
})

LEVEL_ORDER = {"district": 0, "school": 1, "teacher": 2}


def followup_frame(fu: FollowUp, lang: str, school: str | None = None) -> pd.DataFrame:
    """The rows to show: everything in ``fu.table`` (already cut to the reader's scope), or
    the district's, ``school``'s and its teachers' rows; in the order group, subject, later
    exam, level, unit (no ranking), with labels for the codes."""
    t = fu.table
    if school is not None:
        t = t[(t["level"] == "district") | (t["school_code"] == school)]
    t = t.assign(_lv=t["level"].map(LEVEL_ORDER),
                 _ex=t["later_exam"].map({e: i for i, e in enumerate(fu.later)}))
    t = t.sort_values(["group", "subject_code", "_ex", "_lv", "unit"], kind="stable")
    out = t.drop(columns=["_lv", "_ex"]).reset_index(drop=True)
    names = fu.names
    out["group_label"] = [f"{L.GROUPS[g][1 if lang == 'en' else 0]} · {L.subject(s, lang)}"
                          for g, s in zip(out["group"], out["subject_code"], strict=True)]
    out["exam_label"] = [names.get("exam", {}).get(e, e) for e in out["later_exam"]]
    out["unit_label"] = [
        L.text("fu.district", lang) if lv == "district"
        else names.get(lv, {}).get(str(u), str(u))
        for lv, u in zip(out["level"], out["unit"], strict=True)]
    out["share_ci"] = intervals(out["left_ci_low"], out["left_ci_high"], "pct")
    out["sgp_ci"] = intervals(out["sgp_ci_low"], out["sgp_ci_high"], "num1")
    out["gap_ci"] = intervals(out["gap_ci_low"], out["gap_ci_high"], "num1")
    out["band_code"] = out["sgp_band"].map(VA_BAND_CODES)
    out["band_label"] = [L.text("fu.withheld", lang) if w else L.va_band(b, lang)
                         for w, b in zip(out["withheld"], out["sgp_band"], strict=True)]
    out.loc[out["withheld"], ["share_ci", "sgp_ci", "gap_ci"]] = MISSING
    return out


def followup_table(fu: FollowUp, lang: str, school: str | None = None) -> Table:
    """:func:`followup_frame` as a table: counts, share left with its interval, mean SGP with
    its interval and band, the gap to the non-flagged students with its interval (interval
    bounds as numbers in the workbook)."""
    frame = followup_frame(fu, lang, school)
    c = L.col
    cols = [Column("group_label", c("fu_group", lang)),
            Column("exam_label", c("fu_exam", lang)),
            Column("unit_label", c("fu_unit", lang)),
            Column("n_cohort", c("fu_cohort", lang), "int"),
            Column("n_left", c("fu_left", lang), "int"),
            Column("n_stayed", c("fu_stayed", lang), "int"),
            Column("n_missing", c("fu_missing", lang), "int"),
            Column("left_share", c("fu_share", lang), "pct"),
            Column("share_ci", c("fu_share_ci", lang), "text", "print"),
            Column("left_ci_low", c("ci_low", lang), "pct", "excel"),
            Column("left_ci_high", c("ci_high", lang), "pct", "excel"),
            Column("mean_sgp", c("fu_sgp", lang), "num1", band_key="band_code"),
            Column("sgp_ci", c("fu_sgp_ci", lang), "text", "print"),
            Column("sgp_ci_low", c("ci_low", lang), "num1", "excel"),
            Column("sgp_ci_high", c("ci_high", lang), "num1", "excel"),
            Column("band_label", c("fu_band", lang), "text", band_key="band_code"),
            Column("peer_mean_sgp", c("fu_peer_sgp", lang), "num1", "excel"),
            Column("sgp_gap", c("fu_gap", lang), "num1"),
            Column("gap_ci", c("fu_gap_ci", lang), "text", "print"),
            Column("gap_ci_low", c("ci_low", lang), "num1", "excel"),
            Column("gap_ci_high", c("ci_high", lang), "num1", "excel")]
    exam = fu.names.get("exam", {}).get(fu.exam_id, fu.exam_id)
    title = L.text("tbl.followup", lang, exam=exam)
    return Table(title, cols, frame, sheet=L.text("sec.school_followup", lang)[:31],
                 key_columns=3)


def followup_section(fu: FollowUp, lang: str, min_n: int, school: str | None = None
                     ) -> Section:
    """The section: the rule and the reference in words, then the table (or a note)."""
    blocks: list[Table | Text] = [Text(L.text("note.followup_rule", lang, n=min_n))]
    table = followup_table(fu, lang, school)
    blocks.append(table if len(table.frame) else Text(L.text("note.followup_none", lang)))
    return Section(L.text("sec.school_followup", lang), list(blocks))
