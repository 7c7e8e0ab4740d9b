"""控辍保学 as document blocks (labels and layout only; the numbers come from
:mod:`eduquality.analysis.dropout` and :mod:`eduquality.analysis.early_warning`): the rates
table, population against enrolment, the alert list, and the early warning's performance.
The ``eduquality dropout`` commands and the web's 控辍保学 page show these same tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from eduquality.i18n import register, tr
from eduquality.reports.formats import MISSING, intervals
from eduquality.reports.model import Column, Section, Table, Text
from eduquality.store.plan_data import GROUP_LABELS
from eduquality.vocab import DROPOUT_ALERTS, FOLLOWUP_ACTIONS

__all__ = ["alerts_table", "population_table", "rates_table", "risk_section", "risk_table",
           "warning_section", "warning_summary"]

MESSAGES = register({
    "dropout.sec.rates": ("巩固率与辍学率", "Consolidation and dropout rates"),
    "dropout.sec.population": ("适龄人口与在校生（按年龄）",
                               "School-age population against enrolment (by age)"),
    "dropout.sec.alerts": ("控辍保学预警名单", "Alert list (控辍保学)"),
    "dropout.sec.warning": ("辍学风险预警模型", "The dropout early warning"),
    "dropout.note.rates": (
        "巩固率 = 期末仍在校（在读、休学或九年级毕业）人数 ÷（期初在校 + 区外转入 − 有证明的转出）× 100；"
        "辍学率 = 学年内辍学人数 ÷ 学年初在校生数 × 100；均附 95% Wilson 区间。"
        "学校按代码排列，不排名；不足 {n} 人的群体不报告。",
        "Consolidation rate = students still in school at the end (enrolled, suspended, or "
        "graduated from grade 9) ÷ (in school at the start + transfers in from outside − "
        "transfers out with proof) × 100; dropout rate = dropouts in the year ÷ enrolment at "
        "its start × 100; both with 95 % Wilson intervals. Schools in code order, not ranked; "
        "groups under {n} students are not reported."),
    "dropout.col.measure": ("指标", "Measure"),
    "dropout.col.unit": ("单位", "Unit"),
    "dropout.col.numerator": ("分子", "Numerator"),
    "dropout.col.denominator": ("分母", "Denominator"),
    "dropout.col.rate": ("比率（%）", "Rate (%)"),
    "dropout.col.ci": ("95% 区间", "95 % CI"),
    "dropout.col.ci_low": ("区间下限", "CI low"),
    "dropout.col.ci_high": ("区间上限", "CI high"),
    "dropout.consolidation": ("巩固率 {start}–{end}", "Consolidation {start}–{end}"),
    "dropout.dropout": ("辍学率 {year}", "Dropout rate {year}"),
    "dropout.district": ("全区", "District"),
    "dropout.withheld": ("人数过少，不报告", "too few, not reported"),
    "dropout.col.age": ("年龄", "Age"),
    "dropout.col.population": ("常住人口", "Population"),
    "dropout.col.enrolled": ("在校生", "Enrolled"),
    "dropout.col.gap": ("差额", "Gap"),
    "dropout.note.population": ("人口为统计数据「常住人口（单岁组）」；"
                                "在校生为本区学籍中该年龄（8 月 31 日）有班级的学生。"
                                "差额含在区外就读者，需逐一核实。",
                                "Population: the statistic 'resident population by single year "
                                "of age'; enrolled: the district's students of that age (on 31 "
                                "August) with a class. The gap includes children schooled "
                                "outside the district: each is checked one by one."),
    "dropout.col.state": ("状态", "State"),
    "dropout.col.kind": ("预警类型", "Alert"),
    "dropout.col.person": ("学籍号/身份证号", "Student / ID number"),
    "dropout.col.name": ("姓名", "Name"),
    "dropout.col.school": ("学校", "School"),
    "dropout.col.class": ("班级", "Class"),
    "dropout.col.grade": ("年级", "Grade"),
    "dropout.col.since": ("起始日期", "Since"),
    "dropout.col.detail": ("说明", "Detail"),
    "dropout.col.group": ("建档立卡", "Registered poor"),
    "dropout.col.followups": ("跟进次数", "Follow-ups"),
    "dropout.col.last_action": ("最近跟进", "Last follow-up"),
    "dropout.col.last_done_on": ("跟进日期", "Date"),
    "dropout.col.risk": ("辍学风险", "Risk"),
    "dropout.col.raising": ("主要风险因素", "Factors raising it"),
    "dropout.open": ("待跟进", "open"),
    "dropout.closed": ("已解决", "closed"),
    "dropout.yes": ("是", "yes"),
    "dropout.note.alerts": ("义务教育适龄（{lo}–{hi} 岁）未在校或失联者：辍学、转出未确认接收学校、"
                            "小学毕业未升学、当月缺勤（病假除外）满 {days} 天、户籍名单中未入学。"
                            "登记「已返校」或附证明的「已转学」后解决。",
                            "Children of compulsory-school age ({lo}–{hi}) not in school or "
                            "missing: dropped out, left without a confirmed receiving school, "
                            "did not continue after primary school, {days} days or more absent "
                            "in a month (sick leave aside), on the register but not enrolled. "
                            "Closed by a follow-up 'returned' or 'transferred' with proof."),
    "dropout.note.no_alerts": ("没有预警。", "No alert."),
    "dropout.sec.flagged": ("辍学风险达到预警阈值的学生（次学年）",
                            "Students above the early warning's threshold (next school year)"),
    "dropout.note.screening": (
        "筛查辅助，不是结论：风险分由出勤、学业变化、转学与休学记录{flags}估计，列出的是达到阈值"
        "（按召回率 {recall:.0%} 选定）的学生及抬高其风险的主要因素。检验样本 AUC {auc:.3f}，"
        "该阈值下召回 {recall_test:.0%}、预警 {flagged:.1%} 的学生：多数被列出者并不会辍学，"
        "也有辍学者不在其中。请结合班主任的了解逐一核实，不据此给学生贴标签，名单不外传。",
        "A screening aid, not a verdict: the score is estimated from attendance, achievement "
        "change, transfers, suspensions{flags}; listed are the students at or above the "
        "threshold (chosen for {recall:.0%} recall) with the factors that raise their score. "
        "On the held-out cohort: AUC {auc:.3f}; at this threshold recall {recall_test:.0%}, "
        "{flagged:.1%} of students flagged — most of those listed will not drop out, and some "
        "who do are not listed. Check each with the class teacher; never label a student by "
        "it, never pass the list on."),
    "dropout.note.flags": ("以及家庭情况（建档立卡、残疾、随迁、留守）",
                           ", family flags (registered poor, disability, migrant, left "
                           "behind)"),
    "dropout.note.flags_unnamed": ("以及家庭情况（本角色不显示学生的家庭情况因素）",
                                   ", family circumstances (not named to your role)"),
    "dropout.note.no_flagged": ("没有学生达到预警阈值。", "No student is above the threshold."),
    "dropout.col.factor": ("因素", "Factor"),
    "dropout.col.flagged": ("达到预警阈值", "Above the threshold"),
    "dropout.sec.risk": ("辍学风险最高的学生（次学年）", "Students at highest risk (next school year)"),
    "dropout.col.coef": ("系数（每标准差）", "Log-odds per SD"),
    "dropout.col.odds_ratio": ("比值比（每标准差）", "Odds ratio per SD"),
    "dropout.col.band": ("风险分组", "Band"),
    "dropout.col.n": ("人数", "n"),
    "dropout.col.predicted": ("平均预测", "Mean predicted"),
    "dropout.col.observed": ("实际辍学比例", "Observed"),
    "dropout.col.events": ("辍学人数", "Dropouts"),
    "dropout.warning.summary": (
        "逻辑回归（因素标准化，岭惩罚 1），以 {train} 学年数据拟合（{n_train} 人次，次年辍学 {e_train} 人），"
        "在 {test} 学年检验（{n_test} 人，次年辍学 {e_test} 人）：AUC {auc_test:.3f}（拟合样本 "
        "{auc_train:.3f}），Brier {brier:.5f}。按拟合样本召回率 {recall:.0%} 取阈值 {threshold:.4f}："
        "检验样本召回 {recall_test:.0%}，预警 {flagged:.1%} 的学生。",
        "Logistic regression (standardised factors, ridge 1) fitted on {train} ({n_train} "
        "student-years, {e_train} dropouts the next year), tested on {test} ({n_test} "
        "students, {e_test} dropouts the next year): AUC {auc_test:.3f} (fitting sample "
        "{auc_train:.3f}), Brier {brier:.5f}. Threshold {threshold:.4f} for {recall:.0%} "
        "recall on the fitting sample: recall {recall_test:.0%} on the test cohort, "
        "{flagged:.1%} of students flagged."),
})


def _t(key: str, lang: str, **params: Any) -> str:
    return tr(f"dropout.{key}", lang, **params)


def _c(key: str, lang: str) -> str:
    return tr(f"dropout.col.{key}", lang)


def group_label(code: str, lang: str) -> str:
    zh, en = GROUP_LABELS[code]
    return en if lang == "en" else zh


def rates_table(rates: pd.DataFrame, lang: str, names: Mapping[str, str], *, start: str,
                end: str, year: str) -> Table:
    """The rates (:attr:`eduquality.analysis.dropout.Reconciliation.rates`) in their order:
    consolidation then dropout; district, schools by code, groups."""
    out = rates.copy()
    out["measure_label"] = [
        _t("consolidation", lang, start=start, end=end) if m == "consolidation"
        else _t("dropout", lang, year=year) for m in out["measure"]]
    out["unit_label"] = [
        _t("district", lang) if lv == "district" else group_label(u, lang) if lv == "group"
        else names.get(u, u) for lv, u in zip(out["level"], out["unit"], strict=True)]
    out["ci"] = intervals(out["ci_low"], out["ci_high"], "num2")
    out.loc[out["withheld"], "ci"] = _t("withheld", lang)
    out.loc[out["ci"] == "", "ci"] = MISSING
    cols = [Column("measure_label", _c("measure", lang)),
            Column("unit_label", _c("unit", lang)),
            Column("numerator", _c("numerator", lang), "int"),
            Column("denominator", _c("denominator", lang), "int"),
            Column("rate", _c("rate", lang), "num2"),
            Column("ci", _c("ci", lang), "text", "print"),
            Column("ci_low", _c("ci_low", lang), "num2", "excel"),
            Column("ci_high", _c("ci_high", lang), "num2", "excel")]
    return Table(_t("sec.rates", lang), cols, out, key_columns=2)


def population_table(population: pd.DataFrame, lang: str) -> Table:
    cols = [Column("age", _c("age", lang), "int"),
            Column("population", _c("population", lang), "int"),
            Column("enrolled", _c("enrolled", lang), "int"),
            Column("gap", _c("gap", lang), "int")]
    return Table(_t("sec.population", lang), cols, population.copy(),
                 note=_t("note.population", lang))


def alerts_table(alerts: pd.DataFrame, lang: str, names: Mapping[str, str]) -> Table:
    """The alert list as :func:`eduquality.analysis.dropout.restrict_alerts` left it (its
    order; the 建档立卡 column only when the frame carries it; risk when scored)."""
    out = alerts.copy()
    out["state_label"] = [_t(s, lang) for s in out["state"]]
    out["kind_label"] = [DROPOUT_ALERTS.label(k, lang) for k in out["kind"]]
    out["school_label"] = [names.get(s, s) if s else "" for s in out["school_code"]]
    out["action_label"] = [FOLLOWUP_ACTIONS.label(a, lang) if isinstance(a, str) else ""
                           for a in out["last_action"]]
    cols = [Column("state_label", _c("state", lang)), Column("kind_label", _c("kind", lang)),
            Column("person_id", _c("person", lang)), Column("name", _c("name", lang)),
            Column("school_label", _c("school", lang)), Column("class_id", _c("class", lang)),
            Column("grade", _c("grade", lang), "int"), Column("age", _c("age", lang), "int"),
            Column("since", _c("since", lang)), Column("detail", _c("detail", lang))]
    if "poverty_registered" in out:
        out["group_label"] = [_t("yes", lang) if g else "" for g in out["poverty_registered"]]
        cols.append(Column("group_label", _c("group", lang)))
    if "risk" in out:
        cols += [Column("risk", _c("risk", lang), "pct"),
                 Column("raising", _c("raising", lang))]
    cols += [Column("followups", _c("followups", lang), "int"),
             Column("action_label", _c("last_action", lang)),
             Column("last_done_on", _c("last_done_on", lang))]
    return Table(_t("sec.alerts", lang), cols, out, key_columns=4)


def alerts_section(alerts: pd.DataFrame, lang: str, names: Mapping[str, str], *, lo: int,
                   hi: int, days: int) -> Section:
    blocks: list[Table | Text] = [Text(_t("note.alerts", lang, lo=lo, hi=hi, days=days))]
    blocks.append(alerts_table(alerts, lang, names) if len(alerts)
                  else Text(_t("note.no_alerts", lang)))
    return Section(_t("sec.alerts", lang), list(blocks))


def warning_summary(wm: Any, lang: str) -> str:
    """How the early warning was fitted and how it did on the held-out cohort (AUC, Brier,
    the threshold and the recall and share flagged it gives)."""
    return _t("warning.summary", lang, train="、".join(wm.train_years),
              test="、".join(wm.test_years), n_train=wm.n_train, e_train=wm.events_train,
              n_test=wm.n_test, e_test=wm.events_test, auc_test=wm.auc_test,
              auc_train=wm.auc_train, brier=wm.calibration.attrs["brier"],
              recall=wm.target_recall, threshold=wm.threshold, recall_test=wm.recall_test,
              flagged=wm.flagged_test)


def risk_section(wm: Any, scored: pd.DataFrame, lang: str, names: Mapping[str, str],
                 factor_labels: Mapping[str, str], *, family_flags: bool) -> Section:
    """The students of ``scored`` (:func:`eduquality.analysis.early_warning.scored_students`,
    already cut to the reader's scope) at or above the threshold, with the factors raising
    their score, under the note that it is a screening aid (AUC and recall at the threshold
    from ``wm``) and the model's summary; ``family_flags``: whether the reader may see the
    family flags among the factors (said in the note)."""
    note = _t("note.screening", lang, recall=wm.target_recall, auc=wm.auc_test,
              recall_test=wm.recall_test, flagged=wm.flagged_test,
              flags=_t("note.flags" if family_flags else "note.flags_unnamed", lang))
    flagged = scored[scored["flagged"]].reset_index(drop=True)
    blocks: list[Table | Text] = [Text(note), Text(warning_summary(wm, lang))]
    if len(flagged):
        table = risk_table(flagged, lang, names, factor_labels)
        table.title = _t("sec.flagged", lang)
        blocks.append(table)
    else:
        blocks.append(Text(_t("note.no_flagged", lang)))
    return Section(_t("sec.flagged", lang), list(blocks))


def warning_section(wm: Any, lang: str, factor_labels: Mapping[str, str]) -> Section:
    """The early warning's performance (a fitted
    :class:`eduquality.analysis.early_warning.WarningModel`): a summary, the calibration on
    the held-out cohort, the weights (factors named by ``factor_labels``)."""
    summary = warning_summary(wm, lang)
    cal = Table(_t("sec.warning", lang) + " · calibration", [
        Column("band", _c("band", lang), "int"), Column("n", _c("n", lang), "int"),
        Column("mean_predicted", _c("predicted", lang), "pct"),
        Column("observed", _c("observed", lang), "pct"),
        Column("events", _c("events", lang), "int")], wm.calibration.copy(),
        sheet="calibration")
    weights = wm.model.weights()
    weights["factor_label"] = [factor_labels.get(f, f) for f in weights["factor"]]
    w = Table(_t("sec.warning", lang) + " · weights", [
        Column("factor_label", _c("factor", lang)), Column("coef", _c("coef", lang), "num3"),
        Column("odds_ratio", _c("odds_ratio", lang), "num2")], weights, sheet="weights")
    return Section(_t("sec.warning", lang), [Text(summary), cal, w])


def risk_table(scored: pd.DataFrame, lang: str, names: Mapping[str, str],
               factor_labels: Mapping[str, str]) -> Table:
    """Students with their risk and the factors raising it
    (:func:`eduquality.analysis.early_warning.scored_students`, in its order)."""
    out = scored.copy()
    out["school_label"] = [names.get(s, s) for s in out["school_code"]]
    sep = ", " if lang == "en" else "、"
    out["raising_label"] = [sep.join(factor_labels.get(f, f) for f in r) for r in out["raising"]]
    out["flagged_label"] = [_t("yes", lang) if f else "" for f in out["flagged"]]
    cols = [Column("national_id", _c("person", lang)), Column("name", _c("name", lang)),
            Column("school_label", _c("school", lang)), Column("class_id", _c("class", lang)),
            Column("grade", _c("grade", lang), "int"), Column("risk", _c("risk", lang), "pct"),
            Column("flagged_label", _c("flagged", lang)),
            Column("raising_label", _c("raising", lang))]
    return Table(_t("sec.risk", lang), cols, out, key_columns=2)
