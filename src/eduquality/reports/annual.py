"""The district's annual education-quality report (年报, issue 13 §3) and each school's assessment
sheet, built from :class:`eduquality.results.AnnualData` (gathered by
:func:`eduquality.analysis.annual.annual_data`); the renderers lay the document out.

Sections: the action plan's indicators (the year's value, 95 % interval, the value the path
asks for, the target and the status; each indicator's trajectory against its target as a
chart and year by year), 义务教育优质均衡, the annual school assessment, the year's exam
monitoring, the programmes (控辍保学: the district's 巩固率 and 辍学率 with intervals and the open
alerts counted; 三名工程: mentoring coverage, studios' value-added, partner schools' DiD); a
methods appendix with each indicator's formula, the intervals, the status rule, the 优质均衡
rules, the assessment's weights and scales, and the publication policy.

Publication (GLOSSARY, rules on publishing; :mod:`eduquality.reports.policy`): the report is
marked 内部资料 unless cleared for publication (``public``) — and then it keeps the district's
figures only: no school's assessment, band or goal, no per-school indicator, no school named
below a 优质均衡 standard, no studio or partner school, no special-group figure (the assessment
and school goals are for internal use: never a published league table). Schools always appear
in the fixed order (kind or level, then school code), never sorted by score; an assessment
shows bands (tied schools share one), not ranks. Special-group figures (建档立卡 first) appear
only in an internal edition for a reader whose role may see group membership (``groups``: the
policy action ``view_group_membership``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from eduquality.config import ASSESSMENT_COMPONENTS, ASSESSMENT_KINDS, PublicationPolicy
from eduquality.i18n import has, register, tr
from eduquality.measures import assessment as _assessment  # noqa: F401  (its messages)
from eduquality.measures import trajectory as _trajectory  # noqa: F401  (its messages)
from eduquality.measures.balance import STANDARDS
from eduquality.measures.programmes import TREE_TARGETS
from eduquality.reports import charts
from eduquality.reports import labels as L
from eduquality.reports.dropout import group_label, rates_table
from eduquality.reports.formats import intervals
from eduquality.reports.model import (
    Block,
    Chart,
    Column,
    Report,
    Section,
    Table,
    Text,
    summary_table,
)
from eduquality.reports.proficiency import proficiency_table
from eduquality.results import AnnualData
from eduquality.vocab import EXAM_TYPES, SUBJECTS

__all__ = ["STATUS_BAND", "annual_report", "assessment_sheet", "balance_label", "number",
           "sheet_sections", "target_text", "trajectory_chart"]

STATUS_BAND = {"on_track": "above", "at_risk": "similar", "off_track": "below",
               "no_data": "too_few", "pending": "similar"}
"""A trajectory status → the band code whose colour shows it."""

NO_DIFFERENCE = "valueadded.band.no_difference"
"""The evidence note of a value-added estimate from a fit on τ² = 0: no figure is shown."""

MESSAGES = register({
    "reports.annual.title": ("{district}{year} 年度教育质量报告", "{district} annual education-quality "
                             "report {year}"),
    "reports.annual.subtitle": ("{year}—{next} 学年 · 依据《{plan}》（{document}）",
                                "school year {year}–{next} · under '{plan}' ({document})"),
    "reports.annual.meta.year": ("学年", "School year"),
    "reports.annual.meta.plan": ("行动计划", "Action plan"),
    "reports.annual.sec.plan": ("一、行动计划指标", "1. The action plan's indicators"),
    "reports.annual.sec.balance": ("二、义务教育优质均衡", "2. Quality-balanced compulsory education"),
    "reports.annual.sec.assessment": ("三、学校年度目标考核", "3. Annual school assessment"),
    "reports.annual.sec.exams": ("四、考试监测概况", "4. Exam monitoring"),
    "reports.annual.sec.programmes": ("五、控辍保学与三名工程", "5. Keeping students in school and "
                                      "the studios programme"),
    "reports.annual.prog.no_data": ("无控辍保学数据（{reason}）。", "No enrolment figures "
                                    "({reason})."),
    "reports.annual.prog.alerts": ("未结案的辍学预警（{date}）", "Open dropout alerts ({date})"),
    "reports.annual.prog.open": ("未结案预警数", "Open alerts"),
    "reports.annual.prog.mentoring": ("名师带教覆盖（按学科，对照 10/100/1000）", "Mentoring coverage "
                                      "(by subject, against 10/100/1,000)"),
    "reports.annual.prog.studios": ("名师工作室增值", "Studios' value-added"),
    "reports.annual.prog.partners": ("结对帮扶学校双重差分", "Partner schools' "
                                     "difference-in-differences"),
    "reports.annual.prog.none": ("无数据", "No data"),
    "reports.annual.prog.col.unit": ("范围", "Unit"),
    "reports.annual.prog.col.subject": ("学科", "Subject"),
    "reports.annual.prog.col.level": ("层级", "Level"),
    "reports.annual.prog.col.roots": ("工作室数", "Studios"),
    "reports.annual.prog.col.reached": ("覆盖教师数", "Teachers reached"),
    "reports.annual.prog.col.target": ("目标人数", "Target"),
    "reports.annual.prog.col.coverage": ("覆盖率", "Coverage"),
    "reports.annual.prog.col.studio": ("工作室", "Studio"),
    "reports.annual.prog.col.host_school": ("所在学校", "Host school"),
    "reports.annual.prog.col.effect": ("增值效应量", "Value-added (effect size)"),
    "reports.annual.prog.col.estimates": ("估计数", "Estimates"),
    "reports.annual.prog.col.lead": ("牵头学校", "Lead school"),
    "reports.annual.prog.col.partner": ("结对学校", "Partner school"),
    "reports.annual.prog.col.start": ("起始年", "Start year"),
    "reports.annual.prog.col.outcome": ("结果指标", "Outcome"),
    "reports.annual.prog.col.did": ("双重差分", "DiD"),
    "reports.annual.plan_intro": (
        "《{plan}》共 {n} 项指标。{year} 年：达标进度内 {on} 项，有风险 {risk} 项，未达进度 {off} 项，"
        "无数据 {none} 项。",
        "'{plan}' has {n} indicators. In {year}: {on} on track, {risk} at risk, {off} off "
        "track, {none} without data."),
    "reports.annual.tbl.indicators": ("{year} 年各指标", "The indicators in {year}"),
    "reports.annual.tbl.trajectory": ("各指标逐年进度（全区）", "Each indicator year by year "
                                      "(district)"),
    "reports.annual.tbl.by_school": ("分学校指标（{year} 年，内部资料）", "Indicators by school "
                                     "({year}, internal)"),
    "reports.annual.tbl.goals": ("学校发展目标（{year} 年，内部资料）", "School goals ({year}, "
                                 "internal)"),
    "reports.annual.chart.trajectory": ("{name}：逐年进度与目标", "{name}: year by year against "
                                        "its target"),
    "reports.annual.chart.path": ("进度要求", "the path to the target"),
    "reports.annual.chart.band": ("目标区间", "the target range"),
    "reports.annual.district": ("全区", "District"),
    "reports.annual.col.indicator": ("指标", "Indicator"),
    "reports.annual.col.year": ("年份", "Year"),
    "reports.annual.col.value": ("数值", "Value"),
    "reports.annual.col.unit": ("单位", "Unit"),
    "reports.annual.col.interval": ("95% 区间", "95 % interval"),
    "reports.annual.col.low": ("区间下限", "Interval low"),
    "reports.annual.col.high": ("区间上限", "Interval high"),
    "reports.annual.col.expected": ("进度要求", "Expected on the path"),
    "reports.annual.col.target": ("目标", "Target"),
    "reports.annual.col.status": ("状态", "Status"),
    "reports.annual.col.numerator": ("分子", "Numerator"),
    "reports.annual.col.denominator": ("分母", "Denominator"),
    "reports.annual.col.school": ("学校", "School"),
    "reports.annual.col.goal": ("目标", "Goal"),
    "reports.annual.col.rank": ("位次 / 所需", "Rank / required"),
    "reports.annual.col.standard": ("标准", "Standard"),
    "reports.annual.col.mean": ("全区均值（按学生数加权）", "District mean (enrolment-weighted)"),
    "reports.annual.col.cv": ("差异系数", "Coefficient of variation"),
    "reports.annual.col.limit": ("差异系数上限", "Largest allowed"),
    "reports.annual.col.within": ("差异系数达标", "Within the limit"),
    "reports.annual.col.below": ("低于标准的学校数", "Schools below the standard"),
    "reports.annual.col.gap": ("差距", "Gap"),
    "reports.annual.col.ratio": ("达到标准的比例", "Share of the standard"),
    "reports.annual.col.kind": ("学校类别", "Kind of school"),
    "reports.annual.col.band": ("档次", "Band"),
    "reports.annual.col.total": ("总分", "Total"),
    "reports.annual.col.se": ("标准误", "SE"),
    "reports.annual.col.weight": ("权重", "Weight"),
    "reports.annual.col.score": ("得分率", "Score (0–1)"),
    "reports.annual.col.points": ("得分", "Points"),
    "reports.annual.col.state": ("状态", "State"),
    "reports.annual.col.reason": ("说明", "Why"),
    "reports.annual.col.component": ("考核项目", "Component"),
    "reports.annual.col.item": ("项目", "Item"),
    "reports.annual.col.n": ("人数 / 基数", "n"),
    "reports.annual.col.note": ("说明", "Note"),
    "reports.annual.col.meets": ("达到目标", "Meets the target"),
    "reports.annual.quality.table": ("教育质量（优质均衡的质量指标）", "Quality (the quality indicators "
                                     "of 优质均衡)"),
    "reports.annual.quality.consolidation": ("巩固率（本学年）", "Consolidation (the year's)"),
    "reports.annual.quality.disabled_enrolment": ("残疾儿童少年入学率", "Enrolment of children with "
                                                  "disabilities"),
    "reports.annual.quality.monitoring_level": ("监测结果：良好及以上比例", "Monitoring: share at or "
                                                "above the good line"),
    "reports.annual.quality.note": (
        "巩固率为本学年 1 − 义务教育阶段辍学人数 / 在校生数（九年巩固率为九年之积）；残疾儿童少年入学率的分母为录入的"
        "适龄残疾儿童少年人数；监测结果为各监测考试各科达到良好线的学生比例；区间为 Wilson 95% 区间。",
        "Consolidation: the year's 1 − dropouts / students of grades 1–9 (the 9-year rate is the "
        "product over nine years); enrolment of children with disabilities over the entered "
        "school-age children with disabilities; monitoring: the share of students at or above "
        "the good line per monitoring exam and subject; Wilson 95 % intervals."),
    "reports.annual.band": ("第 {band} 档", "band {band}"),
    "reports.annual.tied": ("（并列）", " (tied)"),
    "reports.annual.none": ("无可计分数据", "nothing to score"),
    "reports.annual.balance.level.primary": ("小学", "Primary schools"),
    "reports.annual.balance.level.junior": ("初中（含九年一贯制学校）", "Junior schools (with nine-year "
                                            "schools)"),
    "reports.annual.balance.head": ("{level}：{n}/{total} 所学校资源配置达标（≥ 6 项达到标准，其余 ≥ 85 %）；"
                                    "差异系数达标 {within}/7 项。",
                                    "{level}: {n} of {total} schools meet the resource standard "
                                    "(≥ 6 of 7, the rest ≥ 85 %); {within} of 7 coefficients of "
                                    "variation within the limit."),
    "reports.annual.balance.summary": ("{level}：资源配置七项指标", "{level}: the seven resource "
                                       "indicators"),
    "reports.annual.balance.shortfalls": ("{level}：未达标准的学校与指标（内部资料）",
                                          "{level}: schools and indicators below the standard "
                                          "(internal)"),
    "reports.annual.balance.none": ("{year} 年没有学校的办学条件统计。", "No school-condition statistics "
                                    "for {year}."),
    "reports.annual.assessment.intro": (
        "各校按学校类别分别考核：总分 = 100 × Σ 权重 × 得分率 / Σ 权重（无数据的项目不计，其余权重重新归一），"
        "区间为 ±1.96 标准误；差异在不确定性之内的学校同档并列，不排先后。",
        "Schools are assessed within their kind: total = 100 × Σ weight × score / Σ weight "
        "(components without data are left out, the other weights renormalised), interval "
        "±1.96 SE; schools whose difference lies within the uncertainty share a band (tied), "
        "never ranked apart."),
    "reports.annual.assessment.public": (
        "各校年度目标考核结果为内部资料，不公开发布（不得公布学校排名）；本公开版仅说明考核办法（见方法说明）。",
        "Each school's assessment is internal and never published (no league tables); this "
        "public edition states the method only (see the methods)."),
    "reports.annual.assessment.table": ("{kind}：总分、区间、档次与各项得分", "{kind}: totals, "
                                        "intervals, bands and points"),
    "reports.annual.exams.none": ("本学年没有区级考试成绩。", "No district exam this school year."),
    "reports.annual.exams.table": ("{exam}（{type}，{grade} 年级）全区各科", "{exam} ({type}, grade "
                                   "{grade}): the district by subject"),
    "reports.annual.public_note": ("公开版：仅含全区数据，不含各校数据。", "Public edition: the "
                                   "district's figures only, no school's."),
    "reports.annual.sheet.title": ("{school} · {year} 学年年度目标考核", "{school} · annual assessment "
                                   "{year}"),
    "reports.annual.sheet.summary": ("总分与档次", "Total and band"),
    "reports.annual.sheet.components": ("各项得分", "Components"),
    "reports.annual.sheet.evidence": ("依据", "Evidence"),
    "reports.annual.m.formula": (
        "{definition} 计算：{numerator} ÷ {denominator} × {factor}，保留 {decimals} 位小数；"
        "区间：{uncertainty}；目标：{target}；基线 {baseline}。",
        "{definition} Computed as {numerator} ÷ {denominator} × {factor}, {decimals} decimals; "
        "interval: {uncertainty}; target: {target}; baseline {baseline}."),
    "reports.annual.m.uncertainty.proportion": ("Wilson 区间（比例）", "Wilson (a proportion)"),
    "reports.annual.m.uncertainty.count": ("Garwood 精确泊松区间（计数）", "Garwood exact Poisson (a "
                                           "count)"),
    "reports.annual.m.uncertainty.none": ("无（普查或行政统计）", "none (a census or administrative "
                                          "figure)"),
    "reports.annual.m.baseline_data": ("{year} 年的数据", "the {year} data"),
    "reports.annual.m.prog.rates.term": ("巩固率与辍学率（第五部分）",
                                         "Consolidation and dropout rates (section 5)"),
    "reports.annual.m.prog.rates": (
        "九年义务教育巩固率：初中毕业年级学生数 ÷ 同一届学生小学一年级入学时人数（按转入、转出调整）；"
        "本报告对 {start} 至 {end} 的窗口按同一规则计算：{rates}",
        "Nine-year consolidation rate: the lower-secondary graduating cohort ÷ the same "
        "cohort's grade-1 entrants, adjusted for transfers; this report applies the same rule "
        "to the window {start} to {end}: {rates}"),
    "reports.annual.m.prog.mentoring.term": ("名师带教覆盖（以一带十、以十带百、以百促千）",
                                             "Mentoring coverage (以一带十、以十带百、以百促千)"),
    "reports.annual.m.prog.mentoring": (
        "以工作室主持人为根，沿带教关系逐层计数：主持人直接带教的教师为第 1 层，第 1 层带教的为第 2 层，"
        "依此类推（每位教师在每棵树中只按最浅一层计一次，循环截断）。每个根在各层的目标人数为 {targets}；"
        "覆盖率 = 该层覆盖教师数 ÷（根数 × 目标人数），按学科（及学校）汇总。",
        "Each studio host is the root of a tree of mentoring links: the teachers the host "
        "mentors are level 1, those they mentor level 2, and so on (a teacher counts once per "
        "tree, at the shallowest level; cycles are cut). Each root's target is {targets}; "
        "coverage = teachers reached at the level ÷ (roots × target), by subject (and "
        "school)."),
    "reports.annual.m.prog.studios.term": ("名师工作室增值", "Studios' value-added"),
    "reports.annual.m.prog.studios": (
        "工作室成员任教学生的增值：在同一考试、学科的全部学生中以前测成绩回归本次成绩（OLS），"
        "工作室成员所教学生残差的均值即其增值，标准误 σ̂√(1/n − x̄′(X′X)⁻¹x̄)，95% 区间为估计 ± 1.96 标准误；"
        "换算为效应量（除以该学科成绩标准差）后按考试、学科合并。区间跨 0 的不能认为不同于全区。"
        "奖补依据增值、活动和覆盖，不依据原始升学率或平均分。",
        "The value-added of the students taught by the studio's members: within each exam and "
        "subject, the current score regressed on the prior score over all students (OLS); the "
        "members' students' mean residual is the estimate, SE σ̂√(1/n − x̄′(X′X)⁻¹x̄), 95 % "
        "interval ± 1.96 SE; as effect sizes (over the subject's SD), combined over exams and "
        "subjects. An interval that crosses 0 does not differ from the district. Rewards rest "
        "on value-added, activities and coverage, never on raw progression rates or means."),
    "reports.annual.m.prog.partners.term": ("结对学校双重差分", "Partner schools' "
                                            "difference-in-differences"),
    "reports.annual.m.prog.partners": (
        "DiD =（结对学校结对后均值 − 结对前均值）−（可比学校结对后均值 − 结对前均值），结对当年计入后期；"
        "方差为四个均值方差之和（各年估计视为独立），95% 区间为 DiD ± 1.96 标准误。仅在平行趋势假定下可解释为"
        "结对的效果（Angrist & Pischke 2009）；区间只含年度估计的抽样误差，不含只影响该校的年度波动。",
        "DiD = (the partner school's mean after − before) − (the comparable schools' mean "
        "after − before), the start year counted as after; its variance the sum of the four "
        "means' variances (yearly estimates taken as independent), 95 % interval DiD ± 1.96 "
        "SE. It reads as the partnership's effect only under parallel trends (Angrist & "
        "Pischke 2009); the interval covers the yearly estimates' sampling error, not shocks "
        "to that school alone."),
    "reports.annual.m.prog.groups.term": ("特殊群体数据的保护", "Special groups: suppression"),
    "reports.annual.m.prog.groups": (
        "特殊群体（建档立卡、残疾、随迁子女、留守儿童）的数据只出现在内部版，且仅提供给可查看群体身份的角色；"
        "某单位中该群体或其余学生不足 {min_n} 人时不报告（一名儿童对其余学生的差距就是这名儿童的情况），"
        "并隐去补充单元格，使被隐去学校的人数不能由全区减去已列学校求得。差距附 Welch（均值）或 "
        "Newcombe（比例）95% 区间。",
        "Special-group figures (registered poor, disability, migrant, left-behind children) "
        "appear in the internal edition only, for roles that may see group membership; a "
        "unit where the group or the other students number fewer than {min_n} is not "
        "reported (one child's gap against the rest is that child), and complementary cells "
        "are withheld so that no withheld school's count follows from the district's minus "
        "the schools shown. Gaps carry Welch's (means) or Newcombe's (proportions) 95 % "
        "intervals."),
    "reports.annual.m.intervals.term": ("95% 区间", "95 % intervals"),
    "reports.annual.m.intervals": (
        "比例类指标（分子为分母中的人数）用 Wilson 得分区间（Wilson 1927；Newcombe 1998）；小计数（如辍学人数）"
        "用 Garwood 精确泊松区间（下限 χ²(0.025; 2k)/2，上限 χ²(0.975; 2k+2)/2，Garwood 1936）"
        "除以分母再乘系数；普查和行政统计（人口、经费）无抽样误差，不给区间。",
        "Proportions (the numerator counts members of the denominator): Wilson's score interval "
        "(Wilson 1927; Newcombe 1998); small counts (dropouts): Garwood's exact Poisson interval "
        "(low χ²(0.025; 2k)/2, high χ²(0.975; 2k+2)/2, Garwood 1936) over the denominator times "
        "the factor; censuses and administrative figures (population, spending) have no "
        "sampling error and no interval."),
    "reports.annual.m.status.term": ("进度与状态", "Path and status"),
    "reports.annual.m.status": (
        "进度要求：“某年达到目标值”为从基线到目标年的直线 b₀ + (目标 − b₀)(y − y₀)/(目标年 − y₀)；"
        "“每年提高 s”为 b₀ + s(y − y₀)；“每年 ≥（≤）”为该值；“逐年提高”为上一年的值；“区间”为上下限。"
        "数值达到进度要求为“达标进度内”；未达到但 95% 区间覆盖要求或差距在容差内为“有风险”；否则“未达进度”"
        "（参照联合国统计司 SDG 进展评估：实际进展对比所需进展）。",
        "The path: 'reach v by year T' is the straight line b₀ + (v − b₀)(y − y₀)/(T − y₀) from "
        "the baseline; '+s a year' is b₀ + s(y − y₀); '≥ (≤) v every year' is v; 'rising' is "
        "last year's value; a range is its bounds. On track when the value reaches the path; "
        "at risk when it falls short but its 95 % interval reaches the path or the gap is "
        "within the tolerance; off track otherwise (after the UN Statistics Division's SDG "
        "progress assessment: actual against required progress)."),
    "reports.annual.m.balance.term": ("优质均衡", "Quality-balanced compulsory education"),
    "reports.annual.m.balance": (
        "依据《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）：七项资源配置指标按在校生数计算，"
        "每校至少 6 项达到标准、其余不低于标准的 85% 为达标；每项指标的校际差异系数 CV = SD / X̄，"
        "X̄ = ΣPᵢXᵢ / P，SD = √(ΣPᵢ(Xᵢ − X̄)² / P)（Pᵢ 为学校 i 的在校生数），小学 ≤ 0.50、初中 ≤ 0.45。"
        "标准：{standards}。",
        "After the 2017 national evaluation rules (教督〔2017〕6号): seven resource indicators "
        "over enrolment; a school meets the standard when at least 6 reach it and the rest reach "
        "85 % of it; each indicator's between-school coefficient of variation CV = SD / X̄, "
        "X̄ = ΣPᵢXᵢ / P, SD = √(ΣPᵢ(Xᵢ − X̄)² / P) (Pᵢ: school i's enrolment), at most 0.50 "
        "(primary) and 0.45 (junior). Standards: {standards}."),
    "reports.annual.m.weights.term": ("考核权重与计分", "Assessment weights and scores"),
    "reports.annual.m.weights": (
        "权重（按学校类别）：{weights}。得分率：监测结果增值 = clip(0.5 + ē/(2 × {va_span}), 0, 1)，"
        "ē 为各科多层模型增值估计除以学生成绩标准差的平均（从不只看平均分）；控辍保学 = 1 − min(1, 辍学率 / "
        "{dropout})；优质均衡 = 达标项数 / 7；教师发展 = min(1, 参加发展项目教师比例 / {teachers})；"
        "学校发展目标 = (达标进度内 + ½ 有风险) / 已评定目标数。两校之差在 1.96 倍合成标准误之内为同一档"
        "（Goldstein & Spiegelhalter 1996）。",
        "Weights (by kind of school): {weights}. Scores: value-added of monitoring results = "
        "clip(0.5 + ē/(2 × {va_span}), 0, 1), ē the mean over subjects of the multilevel "
        "estimates over the students' score SD (never raw averages alone); retention = 1 − "
        "min(1, dropout rate / {dropout}); balance = standards met / 7; teacher development = "
        "min(1, share of teachers in a programme / {teachers}); plan goals = (on track + ½ at "
        "risk) / goals assessed. Schools within 1.96 combined SE share a band (Goldstein & "
        "Spiegelhalter 1996)."),
    "reports.annual.m.policy.term": ("发布规定", "Publication policy"),
    "reports.annual.m.policy": (
        "内部版标注“内部资料”；公开版只含全区数据，不含各校的考核结果、档次、发展目标、分学校指标或未达标学校名单；"
        "任何版本都不按成绩给学校排名：学校按固定顺序（类别、学校代码）列出，考核只分档、同档并列；"
        "中考、高考成绩不得公开发布学校间比较（“十项严禁”）；人数少于 {min_n} 的单位不单独报告。",
        "The internal edition is marked 内部资料; a public edition carries the district's "
        "figures only — no school's assessment, band, goal, per-school indicator or list of "
        "schools below a standard; no edition ranks schools by results: schools are listed in a "
        "fixed order (kind, school code), the assessment gives bands, tied schools share one; "
        "中考/高考 results are never published as comparisons of schools (the 'ten "
        "prohibitions'); units of fewer than {min_n} students are not reported on their own."),
    "reports.annual.bal.qualified_teachers_per_100": ("每百名学生拥有高于规定学历教师数",
                                                      "Teachers above the required degree per "
                                                      "100 students"),
    "reports.annual.bal.backbone_teachers_per_100": ("每百名学生拥有县级以上骨干教师数",
                                                     "County-level or higher key teachers per "
                                                     "100 students"),
    "reports.annual.bal.pe_art_teachers_per_100": ("每百名学生拥有体育、艺术（美术、音乐）专任教师数",
                                                   "PE and arts teachers per 100 students"),
    "reports.annual.bal.teaching_floor_area_per_student": ("生均教学及辅助用房面积（平方米）",
                                                           "Teaching floor area per student "
                                                           "(m²)"),
    "reports.annual.bal.sports_area_per_student": ("生均体育运动场馆面积（平方米）",
                                                   "Sports area per student (m²)"),
    "reports.annual.bal.equipment_value_per_student": ("生均教学仪器设备值（元）",
                                                       "Teaching equipment per student (yuan)"),
    "reports.annual.bal.multimedia_classrooms_per_100": ("每百名学生拥有网络多媒体教室数",
                                                         "Networked multimedia classrooms per "
                                                         "100 students"),
    "reports.plan.target.level": ("{year} 年达到 {value}", "{value} by {year}"),
    "reports.plan.target.step": ("每年 {sign}{step}", "{sign}{step} a year"),
    "reports.plan.target.hold_up": ("每年 ≥ {value}", "≥ {value} every year"),
    "reports.plan.target.hold_down": ("每年 ≤ {value}", "≤ {value} every year"),
    "reports.plan.target.rising": ("逐年提高", "rising every year"),
    "reports.plan.target.band": ("保持在 {low}–{high}", "within {low}–{high}"),
})


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or bool(pd.isna(x))


def number(x: Any, decimals: int) -> str:
    """A value with the indicator's decimals ('–' when missing)."""
    return "–" if _missing(x) else f"{float(x):.{decimals}f}"


def target_text(target: Mapping[Any, Any], lang: str) -> str:
    """An indicator's target in words, from its fields ``target_kind``, ``direction``,
    ``target_value``, ``target_year``, ``step``, ``low``, ``high``.

    >>> target_text({"target_kind": "step", "step": 4.0}, "zh")
    '每年 +4'
    >>> target_text({"target_kind": "level", "target_value": 12.0, "target_year": 2022}, "en")
    '12 by 2022'
    """
    def n(key: str) -> str:
        x: Any = target.get(key)
        return "–" if _missing(x) else f"{float(x):g}"

    kind = str(target.get("target_kind"))
    if kind == "level":
        return tr("reports.plan.target.level", lang, value=n("target_value"),
                  year=target.get("target_year"))
    if kind == "step":
        step = float(target.get("step") or 0.0)
        return tr("reports.plan.target.step", lang, sign="+" if step >= 0 else "−",
                  step=f"{abs(step):g}")
    if kind == "hold":
        return tr(f"reports.plan.target.hold_{target.get('direction', 'up')}", lang,
                  value=n("target_value"))
    if kind == "band":
        return tr("reports.plan.target.band", lang, low=n("low"), high=n("high"))
    return tr("reports.plan.target.rising", lang)


def balance_label(code: str, lang: str) -> str:
    """The name of a 优质均衡 resource indicator."""
    return tr(f"reports.annual.bal.{code}", lang)


def _t(key: str, lang: str, **params: Any) -> str:
    return tr(f"reports.annual.{key}", lang, **params)


def _col(key: str, lang: str) -> str:
    return _t(f"col.{key}", lang)


def _name(ind: Mapping[Any, Any], lang: str) -> str:
    return str(ind["name_en" if lang == "en" else "name_zh"])


# ------------------------------------------------------------------------------------------
# the plan's indicators


def _value_rows(data: AnnualData, rows: pd.DataFrame, lang: str,
                unit_label: Mapping[str, str] | None = None) -> pd.DataFrame:
    inds = {str(i["code"]): i for i in data.indicators.to_dict("records")}
    out = []
    for r in rows.to_dict("records"):
        ind = inds[str(r["indicator"])]
        d = int(ind["decimals"])
        out.append({
            "unit_label": (unit_label or {}).get(str(r["unit"]), str(r["unit"])),
            "indicator": _name(ind, lang), "year": int(r["year"]),
            "value_text": number(r["value"], d), "value": r["value"], "unit": ind["unit"],
            "interval": "" if _missing(r["low"]) else f"{number(r['low'], d)}–"
                                                      f"{number(r['high'], d)}",
            "low": r["low"], "high": r["high"], "expected_text": number(r["expected"], d),
            "expected": r["expected"], "numerator": r["numerator"],
            "denominator": r["denominator"],
            "target": target_text(ind, lang),
            "status": tr(f"trajectory.{r['status']}", lang),
            "status_code": STATUS_BAND.get(str(r["status"]), "too_few")})
    return pd.DataFrame(out, columns=["unit_label", "indicator", "year", "value_text", "value",
                                      "unit", "interval", "low", "high", "expected_text",
                                      "expected", "numerator", "denominator", "target",
                                      "status", "status_code"])


def _value_columns(lang: str, *, unit: str = "", year: bool = False) -> list[Column]:
    cols = [Column("unit_label", unit)] if unit else []
    cols.append(Column("indicator", _col("indicator", lang)))
    if year:
        cols.append(Column("year", _col("year", lang), "text"))
    return [
        *cols,
        Column("value_text", _col("value", lang), "text", "print"),
        Column("value", _col("value", lang), "num2", "excel"),
        Column("unit", _col("unit", lang)),
        Column("interval", _col("interval", lang), "text", "print"),
        Column("low", _col("low", lang), "num2", "excel"),
        Column("high", _col("high", lang), "num2", "excel"),
        Column("expected_text", _col("expected", lang), "text", "print"),
        Column("expected", _col("expected", lang), "num2", "excel"),
        Column("numerator", _col("numerator", lang), "num2", "excel"),
        Column("denominator", _col("denominator", lang), "num2", "excel"),
        Column("target", _col("target", lang)),
        Column("status", _col("status", lang), band_key="status_code"),
    ]


def _district_rows(data: AnnualData) -> pd.DataFrame:
    v = data.values
    rows = v[(v["unit"] == "district") & (v["breakdown"] == "")]
    order = {c: i for i, c in enumerate(data.indicators["code"])}
    return rows.assign(_o=rows["indicator"].map(order)).sort_values(
        ["_o", "year"]).drop(columns="_o")


def trajectory_chart(ind: Mapping[Any, Any], rows: pd.DataFrame, lang: str,
                     series: list[tuple[str, pd.DataFrame]] | None = None) -> Chart:
    """The chart of one indicator's values by year (``rows``: the district's, or ``series``:
    (label, rows) per line, e.g. schools) against its path and target
    (:func:`eduquality.reports.charts.trajectory`)."""
    lines = series if series is not None else [(_t("district", lang), rows)]
    years = sorted({int(y) for _, r in lines for y in r["year"]})
    band = None
    target = None
    if ind["target_kind"] == "band":
        band = (None if _missing(ind["low"]) else float(ind["low"]),
                None if _missing(ind["high"]) else float(ind["high"]))
    elif ind["target_kind"] == "level" and not _missing(ind["target_value"]):
        target = (int(ind["target_year"]), float(ind["target_value"]))
    path = rows.set_index("year")["expected"] if len(rows) else pd.Series(dtype=float)
    expected = [float(path.get(y, math.nan)) for y in years] if ind["target_kind"] != "band" \
        else None
    label = _t("chart.band" if band is not None else "chart.path", lang)
    ylabel = str(ind["unit"])

    def by_year(r: pd.DataFrame, col: str) -> list[float]:
        s = r.set_index("year")[col]
        return [float(s.get(y, math.nan)) for y in years]

    def draw() -> bytes:
        data = [(name, by_year(r, "value"), by_year(r, "low"), by_year(r, "high"))
                for name, r in lines]
        return charts.trajectory(years, data, expected, label, ylabel, band=band,
                                 target=target, target_label=_col("target", lang))

    return Chart(_t("chart.trajectory", lang, name=_name(ind, lang)), draw)


def _plan_section(data: AnnualData, lang: str, public: bool) -> Section:
    year = data.year
    every = _district_rows(data)
    now = every[every["year"] == year]
    counts = now["status"].value_counts()
    title = data.plan["title_en" if lang == "en" else "title_zh"]
    blocks: list[Block] = [Text(_t(
        "plan_intro", lang, plan=title, n=len(data.indicators), year=year,
        on=int(counts.get("on_track", 0)), risk=int(counts.get("at_risk", 0)),
        off=int(counts.get("off_track", 0)),
        none=len(data.indicators) - int(counts.get("on_track", 0) + counts.get("at_risk", 0)
                                         + counts.get("off_track", 0))))]
    blocks.append(Table(_t("tbl.indicators", lang, year=year), _value_columns(lang),
                        _value_rows(data, now, lang), sheet=_t("tbl.indicators", lang,
                                                               year=year)))
    for ind in data.indicators.to_dict("records"):
        rows = every[every["indicator"] == ind["code"]]
        if rows["value"].notna().any():
            blocks.append(trajectory_chart(ind, rows, lang))
    blocks.append(Table(_t("tbl.trajectory", lang), _value_columns(lang, year=True),
                        _value_rows(data, every, lang), sheet=_t("tbl.trajectory", lang)))
    if not public:
        v = data.values
        schools = v[(v["unit"] != "district") & (v["breakdown"] == "") & (v["year"] == year)]
        if not schools.empty:
            order = {c: i for i, c in enumerate(data.indicators["code"])}
            schools = schools.assign(_o=schools["indicator"].map(order)).sort_values(
                ["_o", "unit"]).drop(columns="_o")   # fixed order: school code, never value
            t = Table(_t("tbl.by_school", lang, year=year),
                      _value_columns(lang, unit=_col("school", lang)),
                      _value_rows(data, schools, lang, data.school_names),
                      sheet=_t("tbl.by_school", lang, year=year), key_columns=2, print_=False)
            blocks.append(t)
        if not data.goals.empty:
            blocks.append(_goals_table(data, lang))
    return Section(_t("sec.plan", lang), blocks)


def _goals_table(data: AnnualData, lang: str) -> Table:
    g = data.goals.sort_values(["school", "goal"])
    frame = pd.DataFrame({
        "school": [data.school_names.get(str(s), str(s)) for s in g["school"]],
        "goal": list(g["text_en" if lang == "en" else "text_zh"]),
        "rank": ["" if _missing(r["rank"]) else f"{r['rank']}/{r['n']} (≤ {r['required_rank']})"
                 for r in g.to_dict("records")],
        "status": [tr(f"trajectory.{s}", lang) for s in g["status"]],
        "status_code": [STATUS_BAND.get(str(s), "too_few") for s in g["status"]]})
    cols = [Column("school", _col("school", lang)), Column("goal", _col("goal", lang)),
            Column("rank", _col("rank", lang)),
            Column("status", _col("status", lang), band_key="status_code")]
    return Table(_t("tbl.goals", lang, year=data.year), cols, frame,
                 sheet=_t("tbl.goals", lang, year=data.year))


# ------------------------------------------------------------------------------------------
# 优质均衡


def _balance_section(data: AnnualData, lang: str, public: bool) -> Section:
    blocks: list[Block] = []
    if not data.balance:
        blocks.append(Text(_t("balance.none", lang, year=data.year)))
    for level, parts in data.balance.items():
        name = _t(f"balance.level.{level}", lang)
        schools, summary = parts["schools"], parts["summary"]
        blocks.append(Text(_t("balance.head", lang, level=name,
                              n=int(schools["complies"].sum()), total=len(schools),
                              within=int(summary["within"].sum()))))
        frame = summary.assign(
            label=[balance_label(c, lang) for c in summary["indicator"]],
            within_text=[L.text("yes" if w else "no", lang) for w in summary["within"]],
            within_code=["similar" if w else "below" for w in summary["within"]])
        cols = [Column("label", _col("indicator", lang)),
                Column("standard", _col("standard", lang), "num2"),
                Column("mean", _col("mean", lang), "num2"),
                Column("cv", _col("cv", lang), "num3"),
                Column("limit", _col("limit", lang), "num2"),
                Column("within_text", _col("within", lang), band_key="within_code"),
                Column("schools_below", _col("below", lang), "int")]
        title = _t("balance.summary", lang, level=name)
        blocks.append(Table(title, cols, frame, sheet=title))
        short = parts["shortfalls"]
        if not public and not short.empty:
            sf = short.sort_values(["school", "indicator"]).assign(
                school_name=lambda f: [data.school_names.get(str(s), str(s)) for s in f["school"]],
                label=lambda f: [balance_label(c, lang) for c in f["indicator"]])
            cols = [Column("school_name", _col("school", lang)),
                    Column("label", _col("indicator", lang)),
                    Column("value", _col("value", lang), "num2"),
                    Column("standard", _col("standard", lang), "num2"),
                    Column("gap", _col("gap", lang), "num2"),
                    Column("ratio", _col("ratio", lang), "pct")]
            title = _t("balance.shortfalls", lang, level=name)
            blocks.append(Table(title, cols, sf.reset_index(drop=True), sheet=title))
    if not data.quality.empty:
        blocks.append(_quality_table(data, lang))
    return Section(_t("sec.balance", lang), blocks)


def _quality_table(data: AnnualData, lang: str) -> Table:
    q = data.quality
    frame = q.assign(
        label=[_t(f"quality.{c}", lang) for c in q["indicator"]],
        meets_text=["" if m is None or _missing(m) else L.text("yes" if m else "no", lang)
                    for m in q["meets"]],
        meets_code=["too_few" if m is None or _missing(m) else "similar" if m else "below"
                    for m in q["meets"]])
    cols = [Column("label", _col("indicator", lang)), Column("item", _col("item", lang)),
            Column("numerator", _col("numerator", lang), "int"),
            Column("denominator", _col("denominator", lang), "int"),
            Column("value", _col("value", lang), "pct"),
            Column("low", _col("low", lang), "pct"), Column("high", _col("high", lang), "pct"),
            Column("target", _col("target", lang), "pct"),
            Column("meets_text", _col("meets", lang), band_key="meets_code")]
    title = _t("quality.table", lang)
    return Table(title, cols, frame.reset_index(drop=True), sheet=title,
                 note=_t("quality.note", lang))


# ------------------------------------------------------------------------------------------
# the annual school assessment


def band_text(row: Mapping[Any, Any], lang: str) -> str:
    """'第 2 档（并列）' / 'band 2 (tied)', or nothing to score."""
    if _missing(row["band"]):
        return _t("none", lang)
    return _t("band", lang, band=int(row["band"])) + (_t("tied", lang) if bool(row["tied"])
                                                      else "")


def _num(x: Any, fmt: str = ".1f") -> str:
    return "–" if _missing(x) else format(float(x), fmt)


def _assessment_section(data: AnnualData, lang: str, public: bool) -> Section:
    blocks: list[Block] = [Text(_t("assessment.intro", lang))]
    if public:
        blocks.append(Text(_t("assessment.public", lang)))
        return Section(_t("sec.assessment", lang), blocks)
    schools = data.assessment["schools"]
    points = data.assessment["components"].pivot(index="school_code", columns="component",
                                                  values="points")
    for kind in ASSESSMENT_KINDS:
        rows = schools[schools["kind"] == kind].sort_values("school_code")  # fixed order
        if rows.empty:
            continue
        recs = []
        for r in rows.to_dict("records"):
            code = str(r["school_code"])
            recs.append({"school": r["name"], "band": band_text(r, lang), "total": r["total"],
                         "interval": "" if _missing(r["se"]) else
                         f"{_num(r['low'])}–{_num(r['high'])}",
                         "se": r["se"], "low": r["low"], "high": r["high"],
                         **{c: points.loc[code, c] if code in points.index and c in points
                            else math.nan for c in ASSESSMENT_COMPONENTS}})
        cols = [Column("school", _col("school", lang)), Column("band", _col("band", lang)),
                Column("total", _col("total", lang), "num1"),
                Column("interval", _col("interval", lang), "text", "print"),
                Column("se", _col("se", lang), "num2", "excel"),
                Column("low", _col("low", lang), "num1", "excel"),
                Column("high", _col("high", lang), "num1", "excel"),
                *[Column(c, tr(f"assessment.component.{c}", lang), "num1")
                  for c in ASSESSMENT_COMPONENTS]]
        title = _t("assessment.table", lang, kind=tr(f"assessment.kind.{kind}", lang))
        blocks.append(Table(title, cols, pd.DataFrame(recs), sheet=title))
    return Section(_t("sec.assessment", lang), blocks)


# ------------------------------------------------------------------------------------------
# exams


def _exam_section(data: AnnualData, lang: str, public: bool = False) -> Section:
    ex = data.exams
    if ex.empty:
        return Section(_t("sec.exams", lang), [Text(_t("exams.none", lang)),
                                                *_proficiency_tables(data, lang, public)])
    blocks: list[Block] = []
    for exam_id, rows in ex.groupby("exam_id", sort=False):
        first = rows.iloc[0]
        title = _t("exams.table", lang, exam=first["exam_name"],
                   type=EXAM_TYPES.label(str(first["exam_type"]), lang), grade=first["grade"])
        blocks.append(summary_table(rows, [SUBJECTS.label(s, lang) for s in rows["subject_code"]],
                                    L.col("subject_code", lang), lang, title=title,
                                    sheet=str(exam_id), compare=False))
    return Section(_t("sec.exams", lang), blocks + _proficiency_tables(data, lang, public))


_PROFICIENCY: dict[str, tuple[str, ...]] = {
    "sittings": ("n_takers", "rate", "rate_first", "n_retake", "rate_retake"),
    "first_sittings": ("n_students", "rate_first", "rate"),
    "all_pass": ("n_students", "n_all_passed", "rate")}
"""The number columns of each 合格考 table in the report (its labels:
:mod:`eduquality.reports.proficiency`)."""


def _proficiency_tables(data: AnnualData, lang: str, public: bool) -> list[Block]:
    """The year's 合格考 tables (none when the year has no results): the district's rows, and
    in the internal edition the schools' (withheld ones marked)."""
    out: list[Block] = []
    for name, numbers in _PROFICIENCY.items():
        frame = data.proficiency.get(name, pd.DataFrame())
        if frame.empty:
            continue
        if public:
            frame = frame[frame["level"] == 0]
        out.append(proficiency_table(name, frame, lang, data.school_names, numbers))
    return out


# ------------------------------------------------------------------------------------------
# the programmes (控辍保学, 三名工程)


def _frame_table(key: str, frame: pd.DataFrame, cols: list[Column], lang: str) -> Block:
    if frame.empty:
        return Text(_t(key, lang) + ("：" if lang == "zh" else ": ") + _t("prog.none", lang))
    return Table(_t(key, lang), cols, frame.reset_index(drop=True), sheet=_t(key, lang))


def _programmes_section(data: AnnualData, lang: str, public: bool, groups: bool) -> Section:
    p = data.programmes
    show_groups = groups and not public
    blocks: list[Block] = []
    if "rates" not in p:
        reason = p["window"]["error"].iloc[0] if "window" in p else ""
        blocks.append(Text(_t("prog.no_data", lang, reason=reason)))
    else:
        w = p["window"].iloc[0]
        rates = p["rates"] if show_groups else p["rates"][p["rates"]["level"] == "district"]
        blocks.append(rates_table(rates.reset_index(drop=True), lang, data.school_names,
                                  start=str(w["from_year"]), end=str(w["as_of"]),
                                  year=str(w["year_code"])))
        a = p["alerts"] if show_groups else p["alerts"][p["alerts"]["unit"] == "district"]
        a = a.assign(label=[_t("district", lang) if u == "district" else group_label(u, lang)
                            for u in a["unit"]])
        title = _t("prog.alerts", lang, date=w["as_of"])
        blocks.append(Table(title, [Column("label", _t("prog.col.unit", lang)),
                                    Column("open", _t("prog.open", lang), "int")],
                            a.reset_index(drop=True), sheet=_t("prog.open", lang)))
    if public:
        return Section(_t("sec.programmes", lang), blocks)
    m = p.get("mentoring", pd.DataFrame())
    m = m.assign(subject=[SUBJECTS.label(str(g), lang) if str(g) in SUBJECTS.terms else str(g)
                          for g in m["group"]]) if not m.empty else m
    blocks.append(_frame_table("prog.mentoring", m, [
        Column("subject", _t("prog.col.subject", lang)),
        Column("level", _t("prog.col.level", lang), "int"),
        Column("roots", _t("prog.col.roots", lang), "int"),
        Column("reached", _t("prog.col.reached", lang), "int"),
        Column("target", _t("prog.col.target", lang), "int"),
        Column("coverage", _t("prog.col.coverage", lang), "pct")], lang))
    st = p.get("studios", pd.DataFrame())
    if not st.empty:
        st = st.assign(school=[data.school_names.get(str(c), str(c)) for c in st["host_school"]],
                       ci=intervals(st["va_low"], st["va_high"], "num2"))
    blocks.append(_frame_table("prog.studios", st, [
        Column("name", _t("prog.col.studio", lang)),
        Column("school", _t("prog.col.host_school", lang)),
        Column("va_effect", _t("prog.col.effect", lang), "num2"),
        Column("ci", _col("interval", lang), "text", "print"),
        Column("va_low", _col("low", lang), "num2", "excel"),
        Column("va_high", _col("high", lang), "num2", "excel"),
        Column("va_estimates", _t("prog.col.estimates", lang), "int")], lang))
    pa = p.get("partners", pd.DataFrame())
    if not pa.empty:
        pa = pa.assign(lead=[data.school_names.get(str(c), str(c)) for c in pa["lead_school"]],
                       partner=[data.school_names.get(str(c), str(c))
                                for c in pa["partner_school"]],
                       outcome_label=[tr(f"programmes.outcome.{o}", lang)
                                      if has(f"programmes.outcome.{o}") else str(o)
                                      for o in pa["outcome"]],
                       ci=intervals(pa["ci_low"], pa["ci_high"], "num2"))
    blocks.append(_frame_table("prog.partners", pa, [
        Column("lead", _t("prog.col.lead", lang)),
        Column("partner", _t("prog.col.partner", lang)),
        Column("start_year", _t("prog.col.start", lang), "int"),
        Column("outcome_label", _t("prog.col.outcome", lang)),
        Column("did", _t("prog.col.did", lang), "num2"),
        Column("ci", _col("interval", lang), "text", "print"),
        Column("ci_low", _col("low", lang), "num2", "excel"),
        Column("ci_high", _col("high", lang), "num2", "excel")], lang))
    return Section(_t("sec.programmes", lang), blocks)


# ------------------------------------------------------------------------------------------
# methods


def _methods(data: AnnualData, lang: str, min_n: int) -> list[tuple[str, str]]:
    out = []
    for ind in data.indicators.to_dict("records"):
        baseline = (number(ind["baseline_value"], int(ind["decimals"]))
                    + f" ({ind['baseline_year']})" if not _missing(ind["baseline_value"])
                    else _t("m.baseline_data", lang, year=ind["baseline_year"]))
        out.append((_name(ind, lang), _t(
            "m.formula", lang, definition=ind["definition_en" if lang == "en"
                                              else "definition_zh"],
            numerator=ind["numerator"], denominator=ind["denominator"],
            factor=f"{float(ind['factor']):g}", decimals=int(ind["decimals"]),
            uncertainty=_t(f"m.uncertainty.{ind['uncertainty']}", lang),
            target=target_text(ind, lang), baseline=baseline)))
    out.append((_t("m.intervals.term", lang), _t("m.intervals", lang)))
    out.append((_t("m.status.term", lang), _t("m.status", lang)))
    sep = "；" if lang == "zh" else "; "
    standards = sep.join(f"{balance_label(c, lang)} {v['primary']:g} / {v['junior']:g}"
                         for c, v in STANDARDS.items())
    out.append((_t("m.balance.term", lang), _t("m.balance", lang, standards=standards)))
    out.append(_weights_method(data, lang))
    out += _programme_methods(data, lang, min_n)
    out.append((_t("m.policy.term", lang), _t("m.policy", lang, min_n=min_n)))
    return out


def _programme_methods(data: AnnualData, lang: str, min_n: int) -> list[tuple[str, str]]:
    """How section 5's figures are made: the rates (the glossary's 巩固率 and the 辍学率 with
    the 控辍保学 pages' own note), mentoring coverage, studios' value-added, partner schools'
    DiD and the special groups' suppression."""
    p = data.programmes
    w = p["window"].iloc[0] if "window" in p and "from_year" in p["window"] else None
    sep = "；" if lang == "zh" else "; "
    targets = sep.join(f"{d}: {n:,}" for d, n in TREE_TARGETS.items())
    return [
        (_t("m.prog.rates.term", lang), _t(
            "m.prog.rates", lang, start=w["from_year"] if w is not None else "—",
            end=w["as_of"] if w is not None else "—",
            rates=tr("dropout.note.rates", lang, n=min_n))),
        (_t("m.prog.mentoring.term", lang), _t("m.prog.mentoring", lang, targets=targets)),
        (_t("m.prog.studios.term", lang), _t("m.prog.studios", lang)),
        (_t("m.prog.partners.term", lang), _t("m.prog.partners", lang)),
        (_t("m.prog.groups.term", lang), _t("m.prog.groups", lang, min_n=min_n))]


def _weights_method(data: AnnualData, lang: str) -> tuple[str, str]:
    sep = "；" if lang == "zh" else "; "
    w = data.weights
    weights = sep.join(
        tr(f"assessment.kind.{k}", lang) + " " + ", ".join(
            f"{tr(f'assessment.component.{c}', lang)} {float(x):g}"
            for c, x in zip(g["component"], g["weight"], strict=True))
        for k, g in w.groupby("kind", sort=False))
    return (_t("m.weights.term", lang), _t(
        "m.weights", lang, weights=weights, va_span=f"{data.scales['va_span']:g}",
        dropout=f"{data.scales['dropout_rate_zero']:g}",
        teachers=f"{data.scales['teacher_share_full']:g}"))


def annual_report(data: AnnualData, lang: str, policy: PublicationPolicy | None = None,
                  public: bool = False, min_unit_n: int = 10, groups: bool = False) -> Report:
    """The annual report of ``data`` in ``lang`` (module docstring); ``public``: cleared for
    publication (district figures only, no 内部资料 mark when the policy marks internal
    documents); ``groups``: the reader's role may see special-group figures
    (``view_group_membership``)."""
    policy = policy or PublicationPolicy()
    title = data.plan["title_en" if lang == "en" else "title_zh"]
    sections = [_plan_section(data, lang, public), _balance_section(data, lang, public),
                _assessment_section(data, lang, public), _exam_section(data, lang, public),
                _programmes_section(data, lang, public, groups)]
    return Report(
        kind="annual", lang=lang,
        title=_t("title", lang, district=data.district, year=data.year),
        subtitle=_t("subtitle", lang, year=data.year, next=data.year + 1, plan=title,
                    document=data.plan["document"]),
        internal=policy.mark_internal and not public,
        meta=[(_t("meta.year", lang), f"{data.year}–{data.year + 1}"),
              (_t("meta.plan", lang), f"{title}（{data.plan['document']}）" if lang == "zh"
               else f"{title} ({data.plan['document']})")],
        sections=sections, methods=_methods(data, lang, min_unit_n),
        notes=[_t("public_note", lang)] if public else [])


# ------------------------------------------------------------------------------------------
# a school's assessment sheet


def _text(key: object, lang: str) -> str:
    return tr(str(key), lang) if isinstance(key, str) and key and has(key) else str(key or "")


def sheet_sections(assessment: Mapping[str, pd.DataFrame], school: str, lang: str
                   ) -> tuple[str, list[Section]]:
    """One school's assessment as (its name, sections): the total and band, each component's
    weight, score, SE, points or why it is absent, and the evidence behind every point — the
    sheet of the annual report (:func:`assessment_sheet`) and of the web's assessment pages.
    ``assessment``: 'schools', 'components', 'evidence' (``analysis.assessment.Assessment``'s
    frames). KeyError when the school was not assessed."""
    rows = assessment["schools"][assessment["schools"]["school_code"] == school]
    if rows.empty:
        raise KeyError(school)
    r = rows.iloc[0].to_dict()
    summary = pd.DataFrame([{"school": r["name"], "band": band_text(r, lang),
                             "total": r["total"], "interval": "" if _missing(r["se"]) else
                             f"{_num(r['low'])}–{_num(r['high'])}", "se": r["se"]}])
    scols = [Column("school", _col("school", lang)), Column("band", _col("band", lang)),
             Column("total", _col("total", lang), "num1"),
             Column("interval", _col("interval", lang)),
             Column("se", _col("se", lang), "num2")]
    comps = assessment["components"]
    comps = comps[comps["school_code"] == school]
    cframe = pd.DataFrame({
        "component": [tr(f"assessment.component.{c}", lang) for c in comps["component"]],
        "weight": list(comps["weight"]), "score": list(comps["score"]),
        "se": list(comps["se"]), "points": list(comps["points"]),
        "state": [tr(f"assessment.state.{s}", lang) for s in comps["state"]],
        "reason": [_text(x, lang) for x in comps["reason"]]})
    ccols = [Column("component", _col("component", lang)),
             Column("weight", _col("weight", lang), "num1"),
             Column("score", _col("score", lang), "num3"), Column("se", _col("se", lang), "num3"),
             Column("points", _col("points", lang), "num1"),
             Column("state", _col("state", lang)), Column("reason", _col("reason", lang))]
    ev = assessment["evidence"]
    ev = ev[ev["school_code"] == school]
    flat = ev["note"] == NO_DIFFERENCE     # τ² = 0: the note says so, no figure
    eframe = pd.DataFrame({
        "component": [tr(f"assessment.component.{c}", lang) for c in ev["component"]],
        "item": [_text(x, lang) for x in ev["item"]],
        "value": [None if f else v for v, f in zip(ev["value"], flat, strict=True)],
        "interval": ["" if f or _missing(lo) else f"{_num(lo, '.2f')}–{_num(hi, '.2f')}"
                     for lo, hi, f in zip(ev["low"], ev["high"], flat, strict=True)],
        "n": [None if _missing(n) else int(n) for n in ev["n"]],
        "note": [_text(x, lang) for x in ev["note"]]})
    ecols = [Column("component", _col("component", lang)), Column("item", _col("item", lang)),
             Column("value", _col("value", lang), "num2"),
             Column("interval", _col("interval", lang)), Column("n", _col("n", lang), "int"),
             Column("note", _col("note", lang))]
    titles = [_t(f"sheet.{k}", lang) for k in ("summary", "components", "evidence")]
    tables = [Table(titles[0], scols, summary, sheet=titles[0]),
              Table(titles[1], ccols, cframe, sheet=titles[1]),
              Table(titles[2], ecols, eframe, sheet=titles[2])]
    return str(r["name"]), [Section(title, [table])
                            for title, table in zip(titles, tables, strict=True)]


def assessment_sheet(data: AnnualData, school: str, lang: str,
                     policy: PublicationPolicy | None = None) -> Report:
    """One school's assessment sheet (:func:`sheet_sections`) as a document of its own,
    always internal (it carries the school's band), with the weights in its methods. KeyError
    when the school was not assessed."""
    policy = policy or PublicationPolicy()
    name, sections = sheet_sections(data.assessment, school, lang)
    return Report(
        kind="assessment", lang=lang, title=_t("sheet.title", lang, school=name, year=data.year),
        subtitle="", internal=policy.mark_internal,
        meta=[(_t("meta.year", lang), f"{data.year}–{data.year + 1}")], sections=sections,
        methods=[_weights_method(data, lang)])
