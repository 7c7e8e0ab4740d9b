"""Labels of the reports in Chinese (default) and English: columns, sections, bands, titles.

Column keys are the column names of :class:`eduquality.results.ExamAnalysis` frames, so a
renderer can label any documented column; subject, grade and exam-type labels come from
:mod:`eduquality.vocab`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from eduquality.i18n import has, join_list, register, tr
from eduquality.reports.formats import Fmt, format_value, is_missing
from eduquality.results import ExamAnalysis, ExamInfo
from eduquality.vocab import CUT_LINES, EXAM_TYPES, SUBJECTS, TRACKS, grade_label

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
    "scaled_score": ("赋分", "Scaled score"),
    "scaled_grade": ("赋分等级", "Scaling grade"),
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
    "va_n": ("追踪人数", "Linked students"),
    "va_multilevel": ("增值（多层模型）", "Value-added (multilevel)"),
    "va_band": ("增值判断", "Value-added band"),
    "va_residual": ("增值（残差法）", "Value-added (residual)"),
    "va_residual_band": ("残差法判断", "Residual band"),
    "va_mean_sgp": ("平均SGP", "Mean SGP"),
    "va_mean_sgp_band": ("平均SGP判断", "Mean SGP band"),
    "va_median_sgp": ("SGP中位数", "Median SGP"),
    "track": ("科类", "Track"),
    "line": ("分数线", "Line"),
    "line_score": ("上年分数线", "Last year's line"),
    "line_rank": ("上年线位次", "Rank of the line"),
    "line_share": ("上年线以上考生占比", "Share above the line"),
    "forecast_line": ("本次考试等效分（位次法）", "Equivalent score in this exam (rank method)"),
    "fc_n": ("参考人数", "Takers"),
    "fc_count": ("预测上线人数", "Forecast count"),
    "fc_count_pi": ("人数95%预测区间", "Count, 95% prediction interval"),
    "fc_count_low": ("人数预测下限", "Count, low"),
    "fc_count_high": ("人数预测上限", "Count, high"),
    "fc_share": ("预测上线率", "Forecast share"),
    "fc_share_pi": ("上线率95%预测区间", "Share, 95% prediction interval"),
    "fc_share_low": ("上线率预测下限", "Share, low"),
    "fc_share_high": ("上线率预测上限", "Share, high"),
    "fc_share_linked": ("上线率（等百分位链接）", "Share (equipercentile linking)"),
    "cal_bin": ("预测概率区间", "Predicted probability"),
    "cal_n": ("人次", "Students × lines"),
    "cal_predicted": ("平均预测概率", "Mean predicted"),
    "cal_observed": ("实际上线比例", "Observed"),
    "cal_observed_ci": ("实际比例 95% 区间", "Observed 95% CI"),
    "plan_line": ("计算所用分数线", "Line counted"),
    "plan_province_share": ("全省该线以上考生占比", "Province share above the line"),
    "year": ("高考年份", "Gaokao year"),
    "plan_rate": ("实际上线率", "Actual rate"),
    "plan_base": ("基准年上线率", "Base-year rate"),
    "plan_target": ("规划目标", "Plan target"),
    "plan_gap": ("与目标差距", "Gap to target"),
    "plan_on_track": ("是否达成", "On track"),
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
    "note.too_few": ("人数少于 {n} 人的单位不作比较；公开文件及无权查看学生数据的读者所见文件中，"
                     "这些单位的数据及可据以推算出它们的单位的数据以“—”隐去。",
                     "Units with fewer than {n} takers are not compared; in published documents "
                     "and for readers without access to student data, their numbers and those "
                     "of units they could be derived from are withheld (—)."),
    "note.grades_only": ("义务教育阶段的学业结果以等级（A–D）呈现。",
                         "In compulsory education results are shown as grades (A–D)."),
    "note.no_weak": ("本次考试未发现需要特别加强的知识点。", "No knowledge point needs particular attention."),
    "note.no_items.items": ("{subjects}只有学科总分、没有小题分：试题分析、选项分析和信度分析不适用。",
                            "{subjects}: subject totals only, no item scores; item, option and "
                            "reliability analyses do not apply."),
    "note.no_items.knowledge": ("{subjects}只有学科总分、没有小题分：知识点分析不适用。",
                                "{subjects}: subject totals only, no item scores; knowledge-point "
                                "analysis does not apply."),
    "note.no_items.all": ("{subjects}只有学科总分、没有小题分：试题分析、选项分析、信度和知识点分析不适用。",
                          "{subjects}: subject totals only, no item scores; item, option, "
                          "reliability and knowledge-point analyses do not apply."),
    "method.no_items": ("只有学科总分的学科", "Subjects with totals only"),
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
    "sec.district_va": ("七、增值评价（供内部改进）", "7. Value-added (for internal improvement)"),
    "sec.district_forecast": ("八、高考上线预测", "8. Gaokao forecast"),
    "sec.school_va": ("四、增值评价（供内部改进）", "4. Value-added (for internal improvement)"),
    "sec.school_forecast": ("五、高考上线预测", "5. Gaokao forecast"),
    "tbl.va_schools": ("{subject}增值：各校（按同类组、学校代码排列，不排名）",
                       "{subject} value-added: schools (by peer group and school code, "
                       "not ranked)"),
    "tbl.va_classes": ("{subject}增值：各班（按班级排列，不排名）",
                       "{subject} value-added: classes (in class order, not ranked)"),
    "tbl.va_school": ("{subject}增值：本校", "{subject} value-added: this school"),
    "chart.va": ("{subject}：多层模型增值及95%置信区间（虚线 0 = 与预期一致）",
                 "{subject}: multilevel value-added with 95% CIs (dashed: 0 = as expected)"),
    "note.va": ("增值 = 学生本次成绩相对于“前测成绩相同的全区学生”预期成绩的平均差异（分），"
                "以 {priors} 为前测，仅计入前后测均有成绩的学生。多层模型估计对人数少的单位向 0 收缩，"
                "作为主要结果；残差法与学生成长百分位（SGP，50 为与预期一致）并列供参照。"
                "增值评价用于学校、班级的内部诊断与改进，不得用于排名或公开发布。",
                "Value-added = how far the students' scores lie, on average, from what district "
                "students with the same prior scores reached (in points), with {priors} as prior "
                "exam(s) and only students with both scores. The multilevel estimate shrinks "
                "small units towards 0 and is the main result; the residual estimate and the "
                "student growth percentiles (SGP, 50 = as expected) are shown beside it. "
                "Value-added serves internal diagnosis and improvement only: never a ranking, "
                "never published."),
    "note.va_tracks": ("按类别分别建模：各类别（如物理类、历史类）的总分由不同科目组成，不在同一量尺上，"
                       "学生只与同类别、前测成绩相同的学生比较，各类别的增值分列，不合并。",
                       "Modelled within each track: the tracks' totals (e.g. 物理类, 历史类) are "
                       "sums over different subjects, not one scale, so students are compared "
                       "with students of their own track with the same prior scores; each "
                       "track's value-added is listed on its own, never pooled."),
    "note.va_bands": ("“高于/低于预期”：估计值与标准误之比 ≥ 2 或 ≤ −2；其余为“符合预期”。人数少于 {n} 人的"
                      "单位不列出。不排名。",
                      "'Above'/'below expected': estimate / SE ≥ 2 or ≤ −2; otherwise 'as "
                      "expected'. Units with fewer than {n} linked students are not listed. "
                      "Not ranked."),
    "note.va_public": ("按规定，增值评价仅用于内部改进，公开文件不列出学校、班级的增值结果。",
                       "Value-added is for internal improvement only: a document cleared for "
                       "publication lists no school's or class's value-added."),
    "va_band.above": ("高于预期", "Above expected"),
    "va_band.expected": ("符合预期", "As expected"),
    "va_band.below": ("低于预期", "Below expected"),
    "va_band.insufficient": ("人数过少", "Too few"),
    "note.forecast": ("以上一届同类考试（{mock}）与高考（{gaokao}）标定：位次法把上年分数线换算为本次考试的"
                      "等效分；逻辑回归给出每名学生的上线概率，预测上线人数为概率之和，95% 预测区间来自"
                      "泊松二项分布；另列等百分位链接（本次成绩换算为高考分）得出的上线率作对照。"
                      "预测用于教学安排与内部改进，不作为考核排名的依据。",
                      "Calibrated on the previous cohort's same mock ({mock}) and its gaokao "
                      "({gaokao}): the rank method turns last year's lines into equivalent "
                      "scores of this exam; a logistic model gives each student a probability of "
                      "reaching each line; the forecast count is the sum of the probabilities, "
                      "with a 95% prediction interval from the Poisson-binomial distribution; "
                      "the share from equipercentile linking (this exam → gaokao scores) is "
                      "shown beside it. Forecasts serve planning and internal improvement, not "
                      "rankings."),
    "note.fc_public": ("按规定不公开发布各校上线人数和上线率（不得按升学率排名）；各校预测仅在内部资料中提供。",
                       "Schools' forecast counts and shares are not published (no league tables "
                       "of admission rates); they appear in internal documents only."),
    "tbl.fc_lines": ("上年高考分数线及其在本次考试中的等效分（位次法）",
                     "Last year's gaokao lines and their equivalents in this exam (rank method)"),
    "tbl.fc_district": ("全区预测上线人数", "District forecast"),
    "tbl.fc_schools": ("各校预测上线人数（按同类组、学校代码排列，不排名）",
                       "Schools' forecasts (by peer group and school code, not ranked)"),
    "tbl.fc_school": ("本校预测上线人数", "This school's forecast"),
    "tbl.plan_district": ("全区历年上线率与规划目标", "District rate against the plan"),
    "tbl.plan_schools": ("各校历年上线率与规划目标（按同类组、学校代码排列，不排名）",
                         "Schools' rates against the plan (by peer group and school code, not ranked)"),
    "tbl.plan_school": ("本校历年上线率与规划目标", "This school's rate against the plan"),
    "note.plan": ("规划目标：以首个年份为基准，每年提高 {step} 个百分点。",
                  "Plan target: the first year's rate plus {step} percentage points a year."),
    "note.fc_uncertainty": (
        "95% 预测区间包含模型的不确定性：逻辑回归（Firth 惩罚似然，几乎全员上线时仍有限）系数按其估计"
        "协方差抽样（标定届全员上线或无人上线的分数线：按上线比例的 Beta 后验抽样），并加入年度偏移（上线线与本次"
        "考试成绩关系逐年变化，对数优势尺度标准差 τ = {shift_sd}，由此前 {history} 个年度偏移与先验"
        "估计）和学校自身偏差（τ_u = {unit_sd}，由标定届各校估计），共 {draws} 次抽样的泊松二项混合分布。",
        "The 95% prediction intervals carry the model's uncertainty: the logistic coefficients "
        "(Firth's penalised fit, finite when nearly everyone reaches a line) drawn from their "
        "estimated covariance (a line that all or none of the calibration cohort reached: its "
        "share drawn from its Beta posterior), a yearly shift of the line-vs-mock relation "
        "(sd τ = {shift_sd} on the log-odds scale, from {history} earlier yearly shifts and a "
        "prior) and each school's own deviation (τ_u = {unit_sd}, from the calibration cohort's "
        "schools): a mixture of Poisson-binomial distributions over {draws} draws."),
    "note.fc_known_model": (
        "95% 预测区间只反映学生个体的随机性，不含模型误差。",
        "The 95% prediction intervals carry the students' own chance only, not model error."),
    "note.fc_bridge": (
        "本届为新高考（3+1+2）考生，标定届为文理分科：按对应关系标定（{pairs}）。两种分科的模考科目与分数"
        "尺度不同，因此按学生在本类别模考中的位次（而非分数）对应标定届同一位次的上线概率。新分数线按各自的"
        "位次比例在重新选科后的全省考生中划定，本区考生在其中的位置无往年数据可估计，因此本次预测的不确定性"
        "远大于常年：每条分数线另加一项换轨偏移（对数优势尺度上的尺度参数 {bridge_sd}，为设定的先验，按 t 分布抽取，"
        "尾部较重）。",
        "This cohort sits the 3+1+2 gaokao while its calibration cohort sat 文科/理科: it is "
        "calibrated across the bridge ({pairs}). The two regimes' mocks differ in subjects and "
        "scale, so each student is placed by their rank in their track's mock, not their score, "
        "and given the calibration cohort's chance at the same rank. The new lines are set at "
        "their own rank shares among the province's candidates as they re-chose their subjects, "
        "and where the district stands among them no earlier year can measure, so this forecast "
        "is much less certain than usual: each line carries an extra bridge shift (scale "
        "{bridge_sd} on the log-odds scale, a stated prior, drawn from a heavy-tailed t)."),
    "note.fc_backtest": (
        "回测：用同样方法以 {calibration_mock} 所在届之前一届标定，预测该届（{exam}）并与其高考结果比较——"
        "各校及全区上线人数落入 95% 预测区间的比例为 {coverage}（{units} 个单位×分数线），Brier 分数 "
        "{brier}（0 为完全准确，0.25 相当于随机猜测）。",
        "Backtest: the same method calibrated on the cohort before {calibration_mock}'s forecast "
        "that cohort ({exam}) and was compared with its gaokao — {coverage} of the schools' and "
        "the district's counts ({units} unit × line) fell inside their 95% prediction "
        "intervals; Brier score {brier} (0 is perfect, 0.25 a coin toss)."),
    "tbl.fc_calibration": ("回测校准表（预测概率与实际上线比例）",
                           "Backtest calibration (predicted against observed)"),
    "note.plan_bridge": (
        "分数线口径变化：{old_year} 年及以前按{old_line}计算，{new_year} 年起按{new_line}计算"
        "（新高考中与{old_line}对应的分数线）。两线在全省考生中的位次占比分别为 {old_share}"
        "（{old_year}）与 {new_share}（{new_year}），{old_year}→{new_year} 的变化包含这一口径差异，"
        "不完全是质量变化；规划目标序列按同一基准延续。",
        "Change of line: up to {old_year} the rate counts {old_line}, from {new_year} "
        "{new_line} (the 3+1+2 line matching {old_line}). The province shares above the two "
        "lines are {old_share} ({old_year}) and {new_share} ({new_year}): the change from "
        "{old_year} to {new_year} includes this difference, not only a change in quality; the "
        "plan's target series carries on from the same base."),
}

GROUPS: dict[str, tuple[str, str]] = {
    "top": ("尖子生", "Top students"),
    "struggling": ("学困生", "Struggling students"),
    "weak_subject": ("弱科生", "Weak subject"),
    "borderline": ("临界生", "Borderline students"),
    "line_borderline": ("上线临界生", "Just below a cut line"),
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

ANALYSIS_METHODS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "mean": (("平均分", "有效成绩的算术平均；缺考、违纪学生不计入，绝不按 0 分计。"),
             ("Mean", "Mean of valid scores; absent and disqualified students are excluded, "
                      "never counted as 0.")),
    "sd": (("标准差", "样本标准差（分母 n − 1）。"), ("SD", "Sample standard deviation (n − 1).")),
    "rates": (("三率", "优秀率/良好率/及格率：得分不低于满分的 {e}/{g}/{p} 的有效考生占比；低分率：低于满分 {l} "
                     "的占比。"),
              ("Rates", "Excellent/good/pass rate: share of valid takers at or above {e}/{g}/{p} "
                        "of full marks; low-score rate: below {l}.")),
    "total": (("总分", "各科成绩之和，仅统计全部科目均正常参考的学生。"),
              ("Total", "Sum of subject scores, only for students present in every subject.")),
    "ci": (("置信区间", "平均分的 95% t 置信区间：均值 ± t(0.975, n−1)·SD/√n。"),
           ("Confidence interval", "95 % t-interval of the mean: mean ± t(0.975, n−1)·SD/√n.")),
    "comparison": (("比较", "单位平均分与全区平均分做 t 检验，p < 0.05 时才判为“显著高于/低于”，否则为“无显著差异”；"
                           "不对单位排名。"),
                   ("Comparison", "A unit is 'above'/'below' the district only when a t-test of "
                                  "its mean against the district mean gives p < 0.05; otherwise "
                                  "'similar'. Units are not ranked.")),
    "pr": (("百分等级", "100 ×（低于该分人数 + ½ 同分人数）/ 总人数。"),
           ("Percentile rank", "100 × (number below + ½ number equal) / n.")),
    "grades": (("等级", "A：≥ 满分 {e}；B：≥ {g}；C：≥ {p}；其余为 D。"),
               ("Grades", "A ≥ {e}, B ≥ {g}, C ≥ {p} of full marks, else D.")),
    "scaling": (("等级赋分", "新高考 3+1+2：再选科目（{subjects}）按{rule}的规则赋分（各等级比例 {shares}，"
                           "赋分区间 {ranges}，四舍五入），参照人群为{basis}；总分 = 语数外 + 首选科目原始分 + "
                           "两门再选科目赋分（满分 750）。原始分与赋分均保留。"),
                ("Grade-based scaling", "3+1+2 regime: the re-selected subjects ({subjects_en}) are "
                                        "scaled by the rules of {rule} (grade shares {shares}, "
                                        "ranges {ranges}, rounded half up) over {basis_en}; total "
                                        "= Chinese, maths, foreign language and the first-choice "
                                        "subject raw + the two re-selected subjects scaled (750). "
                                        "Raw and scaled scores are both kept.")),
    "bridge": (("新旧高考分数线衔接", "{year} 年高考仍为文理分科，本次考试（3+1+2）的上线分数线按位次法由 {year} 年的"
                              "分数线衔接：{pairs}（括号内为 {year} 年该线以上考生占比，在本次考试同类考生中取"
                              "同一比例处的分数；特控线对应一本，本科批对应二本）。"),
               ("Bridging the old and new lines", "The {year} gaokao still had arts/science "
                "tracks: this exam's (3+1+2) lines are carried from the {year} lines by the "
                "rank method: {pairs_en} (in brackets the {year} share of candidates above the "
                "old line, taken at the same share of this exam's candidates of the track; "
                "特控线 corresponds to 一本, 本科批 to 二本).")),
}
"""The definitions behind every analysis (``ExamAnalysis.methods`` names them by these keys,
with the thresholds as parameters), as ((zh term, zh text), (en term, en text))."""

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
                   "（单侧），同一单位各知识点的 p 值经 Benjamini–Hochberg 校正后 < 0.05，且差距至少 {gap} 个"
                   "百分点；按 差距 × 知识点分值占比 排序。"),
        ("Weak points", "Knowledge points where a unit (a school against the rest of the district, "
                        "a class against the rest of its school) is significantly below: one-sided "
                        "Welch t-test of students' rates, p-values of a unit's points adjusted by "
                        "Benjamini–Hochberg < 0.05, and a gap of at least {gap} percentage points; "
                        "ordered by gap × the point's share of the paper.")),
    "value_added": (
        ("增值评价", "残差法：本次成绩对前测成绩做最小二乘回归，单位增值 = 其学生残差的平均值；多层模型："
                     "y_ij = x_ij'β + u_j + e_ij（随机截距，REML 估计），单位增值为经验贝叶斯估计 û_j = λ_j r̄_j，"
                     "λ_j = τ²/(τ² + σ²/n_j)；学生成长百分位 SGP：前测相同的学生中本次成绩的百分位（分位数回归，"
                     "Betebenner 2009），单位取平均数与中位数（Castellano & Ho 2013）。95% 置信区间 = 估计值 ± "
                     "1.96 × 标准误；|估计值/标准误| ≥ 2 判为高于或低于预期。仅供内部改进。"),
        ("Value-added", "Residual: OLS of the current score on the prior score(s); a unit's "
                        "value-added is its students' mean residual. Multilevel: random "
                        "intercept model y_ij = x_ij'β + u_j + e_ij fitted by REML; the unit's "
                        "value-added is the empirical-Bayes estimate û_j = λ_j r̄_j, λ_j = "
                        "τ²/(τ² + σ²/n_j). Student growth percentile (SGP): the percentile of the "
                        "current score among students with the same prior scores (quantile "
                        "regression, Betebenner 2009); units get the mean and median SGP "
                        "(Castellano & Ho 2013). 95% CI = estimate ± 1.96 SE; |estimate / SE| ≥ "
                        "2 is above or below expected. For internal improvement only.")),
    "forecast": (
        ("高考上线预测", "位次法：上年分数线 → 在上年一分一段表中的位次 → 考生占比 p → 本次考试中"
                         "第 pN（向上取整）名的分数；"
                         "等百分位链接：上一届同类考试与高考成绩按百分位对应（对数线性预平滑，Kolen & Brennan "
                         "2014）；逻辑回归：在上一届学生上拟合 P(高考 ≥ 分数线 | 本次成绩)，单位预测上线人数 = "
                         "Σp_i，95% 预测区间取混合泊松二项分布的 2.5% 与 97.5% 分位数：系数按估计协方差抽样"
                         "（参数自助法），加年度随机截距 δ ~ N(0, τ²)（τ² 由此前各届的年度偏移与先验按尺度逆 χ² "
                         "更新估计，Gelman 等 2013）与学校随机截距（矩估计，DerSimonian & Laird 1986）。"
                         "新旧高考过渡年：物理类按理科、历史类按文科，特控线按一本、本科批按二本标定。"
                         "规划目标：基准年上线率每年提高规定的百分点（默认 4 个）。"),
        ("Gaokao forecast", "Rank method: last year's line → its rank in last year's score "
                            "distribution → share p of candidates → the score at rank pN (rounded "
                            "up) in this exam. Equipercentile linking of the previous cohort's mock and "
                            "gaokao scores (log-linear presmoothing, Kolen & Brennan 2014). "
                            "Logistic model of P(gaokao ≥ line | mock score) fitted on the "
                            "previous cohort; a unit's forecast count = Σp_i with a 95% prediction "
                            "interval from the 2.5% and 97.5% quantiles of a mixture of "
                            "Poisson-binomial distributions: coefficients drawn from their "
                            "estimated covariance (parametric bootstrap), a yearly random "
                            "intercept δ ~ N(0, τ²) (τ² from the earlier cohorts' shifts and a "
                            "prior, scaled-inverse-χ² update, Gelman et al. 2013) and a school "
                            "random intercept (moment estimator, DerSimonian & Laird 1986). "
                            "Across the change to 3+1+2: the physics track calibrated on "
                            "science, the history track on arts, the special control line on "
                            "the tier-1 line, the undergraduate line on the tier-2 line. Plan "
                            "target: the base year's rate plus a set step a year (4 points by "
                            "default).")),
}


register({f"reports.col.{k}": v for k, v in COLUMNS.items()})
register({f"reports.flag.{k}": v for k, v in ITEM_FLAGS.items()})
register({f"reports.ebel.{k}": v for k, v in EBEL.items()})
register({f"reports.{k}": v for k, v in TEXT.items()})
register({f"reports.group.{k}": v for k, v in GROUPS.items()})
register({f"reports.method.{k}": (zh[0], en[0]) for k, (zh, en) in ANALYSIS_METHODS.items()})
register({f"reports.method.{k}.text": (zh[1], en[1]) for k, (zh, en) in ANALYSIS_METHODS.items()})


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


def cell(value: object, fmt: Fmt, lang: str) -> str:
    """A table cell as text, the same on the web pages and in the PDF/HTML reports:
    :func:`eduquality.reports.formats.format_value`, band codes as their labels."""
    if fmt == "band" and not is_missing(value):
        return band(value, lang)
    return format_value(value, fmt)


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


def analysis_methods(notes: Sequence[tuple[str, Mapping[str, str]]], lang: str
                     ) -> list[tuple[str, str]]:
    """The (term, definition) rows of an analysis' ``methods`` notes (key, parameters) in
    ``lang`` (see :data:`ANALYSIS_METHODS`)."""
    return [(tr(f"reports.method.{k}", lang), tr(f"reports.method.{k}.text", lang, **params))
            for k, params in notes]


def methods(keys: list[str], lang: str, **params: object) -> list[tuple[str, str]]:
    """Definitions of the report sections named by ``keys`` (see :data:`METHODS`), with the
    settings they quote filled in (``gap``: the weak-point gap in percentage points)."""
    out = [METHODS[k][1 if lang == "en" else 0] for k in keys if k in METHODS]
    return [(term, text.format(**params)) for term, text in out] if params else out


def group(code: object, lang: str) -> str:
    key = f"reports.group.{code}"
    return tr(key, lang) if has(key) else str(code)


def exam_title(exam: ExamInfo, lang: str) -> str:
    """'2021-2022学年 八年级 期末' / '2021-2022 Grade 8 final'."""
    if lang == "en":
        kind = EXAM_TYPES.label(exam.exam_type, "en") if exam.exam_type in EXAM_TYPES.terms \
            else exam.exam_type
        return f"{exam.year_code} {grade_label(exam.grade, 'en')} {kind}"
    prefix = f"{exam.year_code}学年{grade_label(exam.grade, 'zh')}"
    # exam names often carry the year and grade already ("2021-2022学年六年级质量监测")
    return exam.name if exam.name.startswith(prefix) else prefix + exam.name


def no_items(analysis: ExamAnalysis, lang: str, what: str = "all") -> str:
    """The sentence saying that the analyses ``what`` ('items': items, options, reliability;
    'knowledge'; 'all') do not apply to the subjects whose papers have no item scores
    (``analysis.no_items``, in the exam's subject order); '' when every paper has items."""
    codes = set(no_item_subjects(analysis))
    if not codes:
        return ""
    order = [s for s in analysis.exam.subjects if s in codes] + sorted(
        codes - set(analysis.exam.subjects))
    return text(f"note.no_items.{what}", lang,
                subjects=join_list((subject(s, lang) for s in order), lang))


def no_item_subjects(analysis: ExamAnalysis) -> list[str]:
    """Codes of the subjects whose papers are defined by their total only (no items)."""
    frame = analysis.no_items
    if frame.empty or "subject_code" not in frame:
        return []
    return list(dict.fromkeys(frame["subject_code"].astype(str)))


def line(code: object, lang: str) -> str:
    """A 高考 line (一本, 本科批 …: :data:`eduquality.vocab.CUT_LINES`); unknown codes are shown
    as they are."""
    found = CUT_LINES.parse(str(code))
    return CUT_LINES.label(found, lang) if found else str(code)


def track(label: object, lang: str) -> str:
    """A 高考 track given by its code or Chinese label (理科, 物理类 …)."""
    code = TRACKS.parse(str(label)) if label is not None else None
    return TRACKS.label(code, lang) if code else ("" if label is None else str(label))


def va_band(code: object, lang: str) -> str:
    """A value-added band: 'above' | 'expected' | 'below' | 'insufficient', or
    'no_difference' (the multilevel fit on τ² = 0: the measures' own message)."""
    for key in (f"reports.va_band.{code}", f"valueadded.band.{code}"):
        if has(key):
            return tr(key, lang)
    return "" if code is None else str(code)
