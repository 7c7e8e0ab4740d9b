"""Labels of the reports in Chinese (default) and English: columns, sections, bands, titles.

Column keys are the column names of :class:`eduquality.results.ExamAnalysis` frames, so a
renderer can label any documented column; subject, grade and exam-type labels come from
:mod:`eduquality.vocab`.
"""

from __future__ import annotations

from eduquality.i18n import has, register, tr
from eduquality.results import ExamInfo
from eduquality.vocab import EXAM_TYPES, SUBJECTS, grade_label

COLUMNS: dict[str, tuple[str, str]] = {
    "subject_code": ("科目", "Subject"),
    "unit": ("单位", "Unit"),
    "district": ("全区", "District"),
    "this_school": ("本校", "This school"),
    "this_class": ("本班", "This class"),
    "school_code": ("学校", "School"),
    "school_id": ("学校代码", "School code"),
    "class_id": ("班级", "Class"),
    "teacher_id": ("教师", "Teacher"),
    "peer_group": ("同类组", "Peer group"),
    "n_registered": ("报名人数", "Registered"),
    "n": ("实考人数", "Takers"),
    "full_marks": ("满分", "Full marks"),
    "mean": ("平均分", "Mean"),
    "sd": ("标准差", "SD"),
    "min": ("最低分", "Min"),
    "q1": ("下四分位数", "Q1"),
    "median": ("中位数", "Median"),
    "q3": ("上四分位数", "Q3"),
    "max": ("最高分", "Max"),
    "excellent_rate": ("优秀率", "Excellent"),
    "good_rate": ("良好率", "Good"),
    "pass_rate": ("及格率", "Pass"),
    "low_rate": ("低分率", "Low score"),
    "se": ("标准误", "SE"),
    "ci_low": ("95%置信下限", "95% CI low"),
    "ci_high": ("95%置信上限", "95% CI high"),
    "ci": ("95%置信区间", "95% CI"),
    "cv": ("差异系数", "CV"),
    "above_mean_rate": ("超均率", "Above-mean rate"),
    "diff_from_district": ("与全区均分差", "Diff. from district"),
    "p_vs_district": ("p值", "p value"),
    "band": ("与全区比较", "vs district"),
    "score": ("得分", "Score"),
    "grade_letter": ("等级", "Grade"),
    "z": ("Z分数", "Z score"),
    "t": ("T分数", "T score"),
    "pr": ("百分等级", "Percentile rank"),
    "rank": ("名次", "Rank"),
    "name": ("姓名", "Name"),
    "national_id": ("学籍号", "Student ID"),
    "status": ("考试状态", "Status"),
    "item_no": ("题号", "Item"),
    "p": ("得分率(难度)", "Facility P"),
    "d27": ("区分度D", "Discrimination D"),
    "total_r": ("题总相关", "Item-total r"),
    "rest_r": ("题余相关", "Item-rest r"),
    "alpha_if_deleted": ("删题后α", "Alpha if deleted"),
    "flags": ("提示", "Flags"),
    "option": ("选项", "Option"),
    "share": ("选择率", "Share"),
    "share_high": ("高分组选择率", "Share, top 27%"),
    "share_low": ("低分组选择率", "Share, bottom 27%"),
    "is_key": ("正确答案", "Key"),
    "alpha": ("信度α", "Alpha"),
    "sem": ("测量标准误", "SEM"),
    "n_items": ("题数", "Items"),
    "knowledge_point": ("知识点", "Knowledge point"),
    "rate": ("得分率", "Score rate"),
    "ability_level": ("能力层级", "Ability level"),
    "ebel": ("区分度评价", "Discrimination (Ebel)"),
    "rate_unit": ("本单位得分率", "Unit rate"),
    "rate_ref": ("参照得分率", "Reference rate"),
    "gap": ("差距", "Gap"),
    "p_adj": ("校正p值", "Adjusted p"),
    "priority": ("优先度", "Priority"),
    "group": ("学生群体", "Group"),
    "detail": ("说明", "Detail"),
    "count": ("人数", "Count"),
    "cumulative": ("累计人数", "Cumulative"),
    "share_students": ("占比", "Share"),
    "score_band": ("分数段", "Score band"),
    "term": ("术语", "Term"),
    "definition": ("定义", "Definition"),
    "field": ("项目", "Field"),
    "value": ("内容", "Value"),
    "n_schools": ("学校数", "Schools"),
    "n_classes": ("班级数", "Classes"),
    "own_rate": ("本人得分率", "Own rate"),
    "class_rate": ("班级得分率", "Class rate"),
    "district_rate": ("全区得分率", "District rate"),
    "class_mean": ("班级平均分", "Class mean"),
    "school_mean": ("学校平均分", "School mean"),
    "district_mean": ("全区平均分", "District mean"),
    "peer_mean": ("同类组平均分", "Peer-group mean"),
}

TEXT: dict[str, tuple[str, str]] = {
    "internal": ("内部资料 注意保密", "Internal document, not for publication"),
    "public": ("可公开", "Cleared for publication"),
    "title.district": ("{exam}质量监测通报", "Quality monitoring bulletin: {exam}"),
    "title.school": ("{exam}学校质量分析报告", "School report: {exam}"),
    "title.class": ("{exam}班级质量分析报告", "Class report: {exam}"),
    "title.student": ("{exam}学生学业报告单", "Student report: {exam}"),
    "sec.overview": ("一、概况", "1. Overview"),
    "sec.subjects": ("二、各科成绩", "2. Results by subject"),
    "sec.schools": ("三、各校情况（按同类组）", "3. Schools by peer group"),
    "sec.items": ("四、试题分析", "4. Item analysis"),
    "sec.knowledge": ("五、知识点分析", "5. Knowledge points"),
    "sec.weak": ("六、薄弱点", "6. Weak points"),
    "sec.distribution": ("一分一段表", "Score distribution (一分一段)"),
    "sec.methods": ("附录：指标定义与方法", "Appendix: definitions and methods"),
    "sec.school_summary": ("一、本校成绩概况", "1. The school's results"),
    "sec.classes": ("二、各班情况", "2. Classes"),
    "sec.school_knowledge": ("三、知识点与薄弱点", "3. Knowledge points and weak points"),
    "sec.class_summary": ("一、本班成绩概况", "1. The class's results"),
    "sec.class_grades": ("二、等级分布", "2. Grade distribution"),
    "sec.class_students": ("三、学生名单与成绩", "3. Students and results"),
    "sec.class_groups": ("四、需关注的学生", "4. Students needing attention"),
    "sec.class_knowledge": ("五、知识点与薄弱点", "5. Knowledge points and weak points"),
    "sec.student_results": ("一、各科结果", "1. Results by subject"),
    "sec.student_weak": ("二、需要加强的知识点", "2. Knowledge points to strengthen"),
    "sec.student_letter": ("致家长", "To parents"),
    "tbl.district_summary": ("全区各科成绩", "District results by subject"),
    "tbl.peer_groups": ("{subject}：各同类组", "{subject}: peer groups"),
    "tbl.schools": ("{subject}：各校（按同类组、学校代码排列，不排名）",
                    "{subject}: schools (by peer group and school code, not ranked)"),
    "tbl.school_matrix": ("各校各科平均分（按同类组、学校代码排列，不排名）",
                          "Schools' means by subject (by peer group and school code, not ranked)"),
    "tbl.school_sheet": ("各校概览", "Schools"),
    "note.arrows": ("↑ 显著高于全区，≈ 无显著差异，↓ 显著低于全区（t 检验，p < 0.05）；不排名。",
                    "↑ above the district, ≈ similar, ↓ below (t-test, p < 0.05); not ranked."),
    "note.weak_in_workbook": ("各校共有 {n} 个薄弱知识点，完整清单见同名 Excel 工作簿的“薄弱知识点”表。",
                              "The schools have {n} weak knowledge points in all; the full list "
                              "is in the 'Weak knowledge points' sheet of the Excel workbook."),
    "note.detail_in_workbook": ("各校分科的详细指标（四率、置信区间等）见同名 Excel 工作簿。",
                                "Each school's detailed figures by subject (rates, confidence "
                                "intervals) are in the Excel workbook of this bulletin."),
    "tbl.score_bands": ("分数段分布", "Score bands"),
    "tbl.distribution": ("{subject} 一分一段", "{subject}: score distribution"),
    "tbl.items": ("{subject}：小题分析", "{subject}: items"),
    "tbl.options": ("{subject}：选项分析", "{subject}: options"),
    "tbl.reliability": ("各科试卷信度", "Reliability of the papers"),
    "tbl.knowledge": ("{subject}：知识点得分率", "{subject}: knowledge-point score rates"),
    "tbl.weak": ("薄弱知识点", "Weak knowledge points"),
    "tbl.ability": ("{subject}：能力层级得分率", "{subject}: score rates by ability level"),
    "tbl.methods": ("指标定义", "Definitions"),
    "tbl.cover": ("报告信息", "About this report"),
    "tbl.school_vs": ("本校与同类组、全区比较", "The school against its peer group and the district"),
    "tbl.classes": ("{subject}：各班（按班级排列，不排名）", "{subject}: classes (in class order, not ranked)"),
    "tbl.class_vs": ("本班与本校、全区比较", "The class against its school and the district"),
    "tbl.grades": ("各科等级分布", "Grades by subject"),
    "tbl.students": ("学生成绩（按学号排列）", "Students' results (in roster order)"),
    "tbl.groups": ("学生群体", "Student groups"),
    "tbl.student": ("各科结果", "Results by subject"),
    "tbl.student_knowledge": ("知识点得分率", "Knowledge-point score rates"),
    "chart.school_means": ("{subject}：各校平均分及95%置信区间（虚线为全区平均）",
                           "{subject}: school means with 95% CIs (dashed: district mean)"),
    "chart.class_means": ("各班平均分及95%置信区间（虚线为全区平均）",
                          "Class means with 95% CIs (dashed: district mean)"),
    "chart.bands": ("各科分数段分布（占满分比例）", "Score bands by subject (share of full marks)"),
    "chart.rates": ("四率：本单位与全区", "The four rates: unit and district"),
    "chart.grades": ("等级分布：本班与全区", "Grades: class and district"),
    "chart.knowledge": ("知识点得分率", "Knowledge-point score rates"),
    "meta.exam": ("考试", "Exam"),
    "meta.date": ("考试日期", "Exam date"),
    "meta.grade": ("年级", "Grade"),
    "meta.subjects": ("科目", "Subjects"),
    "meta.school": ("学校", "School"),
    "meta.class": ("班级", "Class"),
    "meta.student": ("学生", "Student"),
    "meta.student_id": ("学籍号", "Student ID"),
    "meta.generated": ("生成时间", "Generated"),
    "meta.status": ("发布状态", "Status"),
    "meta.n_schools": ("参考学校", "Schools"),
    "meta.n_students": ("报名人数", "Registered students"),
    "note.bands": ("“与全区比较”按 t 检验（p < 0.05）判定；差异不显著的单位不分高低，不排名。",
                   "'vs district' follows a t-test at p < 0.05; units that do not differ "
                   "significantly are not ordered, and no unit is ranked."),
    "note.too_few": ("人数少于 {n} 人的单位不作比较。", "Units with fewer than {n} takers are not compared."),
    "note.grades_only": ("义务教育阶段的学业结果以等级（A–D）呈现。",
                         "In compulsory education results are shown as grades (A–D)."),
    "note.no_weak": ("本次考试未发现需要特别加强的知识点。", "No knowledge point needs particular attention."),
    "note.no_item_data": ("本次考试没有小题分数据。", "This exam has no item-level scores."),
    "note.letter": ("本报告单仅包含您孩子本人的结果。等级说明：{grades}。",
                    "This report contains your child's own results only. Grades: {grades}."),
    "note.student_weak": ("列出本人得分率比全区低 {gap} 个百分点以上的知识点；得分率 = 该知识点相关小题的得分 / 满分。",
                          "Knowledge points where the own score rate lies {gap} percentage points "
                          "or more below the district's; score rate = points earned / points "
                          "possible on the items of the point."),
    "note.masked": ("学籍号已部分隐去。", "Student IDs are partly masked."),
    "peer": ("{code}组", "Group {code}"),
    "peer.none": ("未分组", "Ungrouped"),
    "district": ("全区", "District"),
    "this_school": ("本校", "This school"),
    "this_class": ("本班", "This class"),
    "band.above": ("显著高于全区", "Above district"),
    "band.similar": ("无显著差异", "Similar"),
    "band.below": ("显著低于全区", "Below district"),
    "band.too_few": ("人数过少", "Too few"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "page": ("第 {page} 页", "Page {page}"),
}

GROUPS: dict[str, tuple[str, str]] = {
    "top": ("尖子生", "Top students"),
    "struggling": ("学困生", "Struggling students"),
    "weak_subject": ("弱科生", "Weak subject"),
    "borderline": ("临界生", "Borderline students"),
}

ITEM_FLAGS: dict[str, tuple[str, str]] = {
    "poor_discrimination": ("区分度低", "poor discrimination"),
    "negative_discrimination": ("负区分度", "negative discrimination"),
    "distractor_beats_key": ("干扰项强于正确答案", "a distractor beats the key"),
    "key_reversed": ("高分组选正确答案较少", "key chosen less by the top group"),
    "possibly_miskeyed": ("答案可能有误", "possibly mis-keyed"),
    "flawed_distractor": ("干扰项有缺陷", "flawed distractor"),
}
EBEL: dict[str, tuple[str, str]] = {
    "very_good": ("优秀", "very good"), "good": ("良好", "good"),
    "revise": ("需修改", "revise"), "poor": ("差", "poor"),
}

METHODS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "items": (
        ("小题分析", "得分率 P = 小题平均分 / 小题满分；区分度 D（27% 法）= (高分组平均分 − 低分组平均分) / "
                     "满分，高、低分组各取总分前、后 0.27n（向上取整）人；Ebel 标准：D ≥ 0.40 优秀，0.30–0.39 良好，"
                     "0.20–0.29 需修改，< 0.20 差（提示“区分度低”）；题余相关 = 小题分与去掉该题后总分的相关。"),
        ("Items", "Facility P = item mean / item full marks; discrimination D (27 % method) = "
                  "(mean of the top group − mean of the bottom group) / full marks, groups of "
                  "0.27n (rounded up) by total score; Ebel: D ≥ 0.40 very good, 0.30–0.39 good, 0.20–0.29 "
                  "revise, < 0.20 poor (flagged); item-rest r = correlation of the item with the "
                  "total without it.")),
    "reliability": (
        ("信度", "Cronbach α（0/1 计分时即 KR-20）；删题后 α；测量标准误 SEM = 总分标准差 × √(1 − α)。"),
        ("Reliability", "Cronbach's α (KR-20 for 0/1 items); α if the item is deleted; "
                        "SEM = SD of the total × √(1 − α).")),
    "options": (
        ("选项分析", "各选项的选择率（全体、高分组、低分组）；干扰项被高分组选得多于正确答案，或正确答案被高分组选得"
                     "少于低分组时，提示“答案可能有误”。"),
        ("Options", "Share choosing each option, overall and in the top and bottom 27 %; a "
                    "distractor chosen more by the top group than the key, or a key chosen less "
                    "by the top group than by the bottom group, flags a possibly mis-keyed item.")),
    "knowledge": (
        ("知识点得分率", "该知识点相关小题的得分之和 / 满分之和（一题多知识点按权重分摊；未作答的小题不计入）。"),
        ("Knowledge-point rate", "Points earned / points possible on the items tagged with the "
                                 "point (weighted when an item carries several; items without a "
                                 "score count in neither).")),
    "weak": (
        ("薄弱点", "单位（学校对全区其余学生、班级对本校其余班级）在该知识点上显著偏低：学生得分率的 Welch t 检验"
                   "（单侧），同一单位各知识点的 p 值经 Benjamini–Hochberg 校正后 < 0.05，且差距至少 5 个"
                   "百分点；按 差距 × 知识点分值占比 排序。"),
        ("Weak points", "Knowledge points where a unit (a school against the rest of the district, "
                        "a class against the rest of its school) is significantly below: one-sided "
                        "Welch t-test of students' rates, p-values of a unit's points adjusted by "
                        "Benjamini–Hochberg < 0.05, and a gap of at least 5 percentage points; "
                        "ordered by gap × the point's share of the paper.")),
}

register({f"reports.col.{k}": v for k, v in COLUMNS.items()})
register({f"reports.flag.{k}": v for k, v in ITEM_FLAGS.items()})
register({f"reports.ebel.{k}": v for k, v in EBEL.items()})
register({f"reports.{k}": v for k, v in TEXT.items()})
register({f"reports.group.{k}": v for k, v in GROUPS.items()})


def col(key: str, lang: str) -> str:
    """The header of column ``key``."""
    return tr(f"reports.col.{key}", lang)


def text(key: str, lang: str, **params: object) -> str:
    """A report text (section title, note, …) with ``params`` filled in."""
    return tr(f"reports.{key}", lang, **params)


def subject(code: str, lang: str) -> str:
    """Subject label; unknown codes are shown as they are."""
    return SUBJECTS.label(code, lang) if code in SUBJECTS.terms else str(code)


def band(code: object, lang: str) -> str:
    key = f"reports.band.{code}"
    return tr(key, lang) if has(key) else ("" if code is None else str(code))


def peer(code: object, lang: str) -> str:
    if code is None or (isinstance(code, float) and code != code) or str(code) == "":
        return text("peer.none", lang)
    # short codes ('A', 'G1') read as '{code}组' / 'Group {code}'; names stay as they are
    return text("peer", lang, code=code) if len(str(code)) <= 3 else str(code)


def item_flag(code: str, lang: str) -> str:
    return tr(f"reports.flag.{code}", lang)


def ebel(code: object, lang: str) -> str:
    key = f"reports.ebel.{code}"
    return tr(key, lang) if has(key) else ("" if code is None else str(code))


def methods(keys: list[str], lang: str) -> list[tuple[str, str]]:
    """Definitions of the report sections named by ``keys`` (see :data:`METHODS`)."""
    return [METHODS[k][1 if lang == "en" else 0] for k in keys if k in METHODS]


def group(code: object, lang: str) -> str:
    key = f"reports.group.{code}"
    return tr(key, lang) if has(key) else str(code)


def exam_title(exam: ExamInfo, lang: str) -> str:
    """'2021-2022学年 八年级 期末' / '2021-2022 Grade 8 final'."""
    if lang == "en":
        kind = EXAM_TYPES.label(exam.exam_type, "en") if exam.exam_type in EXAM_TYPES.terms \
            else exam.exam_type
        return f"{exam.year_code} {grade_label(exam.grade, 'en')} {kind}"
    return f"{exam.year_code}学年{grade_label(exam.grade, 'zh')}{exam.name}"
