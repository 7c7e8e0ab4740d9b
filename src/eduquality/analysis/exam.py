"""Use case: analyse one exam — everything the bulletin and the school/class/student reports show.

Reads the exam's results from the store (Ibis expressions, see :mod:`tables`), aggregates per
unit (:mod:`unit_stats`), and adds student-level standard scores, item, knowledge-point and
group analyses from the pure ``measures``. Writes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.analysis.item_stats import analyse_items
from eduquality.analysis.online import exam_lines, online_analysis
from eduquality.analysis.tables import subject_results, total_results, with_teacher
from eduquality.analysis.unit_stats import LEVEL_KEYS, unit_summaries
from eduquality.config import Settings
from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.measures.groups import (
    borderline,
    struggling_students,
    top_students,
    weak_subjects,
)
from eduquality.measures.scores import (
    all_pass_rate,
    competition_rank,
    grade_letters,
    one_point_table,
    percentile_rank,
    score_bands,
    stanine,
    t_scores,
    z_scores,
)
from eduquality.results import ExamAnalysis, ExamInfo
from eduquality.store import Database

MESSAGES = register({
    "analysis.no_exam": ("找不到考试 {exam_id}", "exam not found: {exam_id}"),
    "analysis.no_results": ("考试 {exam_id} 还没有成绩", "exam {exam_id} has no results yet"),
})


def exam_info(db: Database, exam_id: str) -> ExamInfo:
    row = db.sql("SELECT * FROM exam WHERE exam_id = ?", [exam_id])
    if row.empty:
        raise NotFoundError(tr("analysis.no_exam", db.lang, exam_id=exam_id))
    papers = db.sql("SELECT subject_code FROM paper WHERE exam_id = ? ORDER BY rowid", [exam_id])
    subjects = list(dict.fromkeys(papers["subject_code"]))
    if len(subjects) > 1:
        subjects.append("total")
    r = row.iloc[0]
    return ExamInfo(
        exam_id=exam_id, name=str(r["name"]), exam_type=str(r["exam_type"]),
        scope=str(r["scope"]), year_code=str(r["year_code"]), grade=int(r["grade"]),
        exam_date=None if pd.isna(r["exam_date"]) else str(r["exam_date"])[:10],
        subjects=subjects,
    )


def student_scores(results: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per (student, subject): Z, T, 百分等级, competition rank, stanine and 等级 in the district
    (:mod:`eduquality.measures.scores`; 等级 by the settings' lines,
    :func:`~eduquality.measures.scores.grade_letters`)."""
    df = results.reset_index(drop=True)
    by = df["subject_code"]
    df["z"] = z_scores(df["score"], by)
    df["t"] = t_scores(df["score"], by)
    df["pr"] = percentile_rank(df["score"], by)
    df["rank"] = competition_rank(df["score"], by)
    df["stanine"] = stanine(df["score"], by)
    df["grade_letter"] = grade_letters(df["score"], df["full_marks"], settings.thresholds)
    return df


def score_distributions(students: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per subject, the 一分一段表 (:func:`~eduquality.measures.scores.one_point_table` over the
    distinct scores: subject_code, score, count, cumulative, cum_share; highest score first) and
    the 分数段 (:func:`~eduquality.measures.scores.score_bands` of tenths of full marks, the
    last closed at full marks: subject_code, band, lower, upper, count, share)."""
    points, bands = [], []
    for subject, rows in students.groupby("subject_code", sort=True):
        scores = rows["score"].dropna()
        table = one_point_table(scores, step=None).rename(columns={"cum_count": "cumulative"})
        points.append(table.assign(subject_code=subject))
        full = float(rows["full_marks"].max())
        bands.append(score_bands(scores, full, edges=np.linspace(0.0, full, 11))
                     .assign(subject_code=subject))
    point_cols = ["subject_code", "score", "count", "cumulative", "cum_share"]
    band_cols = ["subject_code", "band", "lower", "upper", "count", "share"]
    return (pd.concat(points, ignore_index=True)[point_cols] if points
            else pd.DataFrame(columns=point_cols),
            pd.concat(bands, ignore_index=True)[band_cols] if bands
            else pd.DataFrame(columns=band_cols))


def add_all_pass_rates(summaries: dict[str, pd.DataFrame], students: pd.DataFrame,
                       settings: Settings) -> None:
    """全科及格率 (share of students passing every subject they took) on the 'total' rows of
    every level except teacher (:func:`eduquality.measures.scores.all_pass_rate`)."""
    subj = students[students["subject_code"] != "total"]
    if subj["subject_code"].nunique() < 2:
        return
    wide = subj.pivot_table(index="student_id", columns="subject_code", values="score",
                            aggfunc="first")
    full = subj.groupby("subject_code")["full_marks"].max().reindex(wide.columns)
    units = subj.drop_duplicates("student_id").set_index("student_id")[
        ["school_code", "class_id", "peer_group"]].reindex(wide.index)
    keys = {"district": None, "peer_group": ["peer_group"], "school": ["school_code"],
            "class": ["school_code", "class_id"]}
    for level, cols in keys.items():
        frame = summaries.get(level)
        if frame is None or frame.empty:
            continue
        by = None if cols is None else [units[c] for c in cols]
        rate = all_pass_rate(wide, full.to_numpy(), settings.thresholds.pass_, by=by)
        if cols is None:
            frame.loc[frame["subject_code"] == "total", "all_pass_rate"] = rate
            continue
        assert isinstance(rate, pd.Series)
        r = rate.rename("all_pass_rate").reset_index()
        r.columns = [*cols, "all_pass_rate"]
        merged = frame[cols].merge(r, on=cols, how="left")["all_pass_rate"].to_numpy()
        frame["all_pass_rate"] = np.where(frame["subject_code"] == "total", merged, np.nan)


def student_groups(students: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """尖子生, 学困生, 临界生 (by the total, or the only subject) and 弱科 (per subject) with the
    configured rules; one row per (student_id, group, subject_code)."""
    rules, th = settings.groups, settings.thresholds
    subjects = [s for s in students["subject_code"].unique() if s != "total"]
    main = "total" if "total" in set(students["subject_code"]) else subjects[0]
    tot = students[students["subject_code"] == main].set_index("student_id")
    score, full = tot["score"], tot["full_marks"]
    flags = {
        "top": top_students(score, rules.top_share),
        "struggling": struggling_students(score, rules.struggling_share, line=None)
        | (score < th.low * full),
        "borderline": borderline(score, th.pass_ * full,
                                 rules.borderline_band * float(full.max())),
    }
    rows = [pd.DataFrame({"student_id": f.index[f.to_numpy()], "group": name,
                          "subject_code": main}) for name, f in flags.items()]
    if len(subjects) >= 2:
        wide = students[students["subject_code"].isin(subjects)].pivot(
            index="student_id", columns="subject_code", values="score")
        weak = weak_subjects(wide, rules.weak_subject_k)
        stacked = weak.stack()
        hit = stacked[stacked.astype(bool).to_numpy()]
        rows.append(pd.DataFrame({"student_id": hit.index.get_level_values(0),
                                  "group": "weak_subject",
                                  "subject_code": hit.index.get_level_values(1)}))
    return pd.concat(rows, ignore_index=True)


def _names(db: Database, exam_id: str) -> dict[str, dict[str, str]]:
    schools = db.sql("SELECT school_code, name FROM school")
    classes = db.sql("""SELECT DISTINCT c.class_id, c.name FROM class c
                        JOIN exam_registration r ON r.class_id = c.class_id
                        WHERE r.exam_id = ?""", [exam_id])
    teachers = db.sql("SELECT teacher_id, name FROM teacher")
    return {
        "school": dict(zip(schools.school_code, schools.name, strict=True)),
        "class": dict(zip(classes.class_id, classes.name, strict=True)),
        "teacher": dict(zip(teachers.teacher_id, teachers.name, strict=True)),
    }


def analyse_exam(db: Database, exam_id: str, settings: Settings) -> ExamAnalysis:
    """Analyse ``exam_id``: summaries at every level, per subject and for the total."""
    info = exam_info(db, exam_id)
    con = db.ibis()
    subj = subject_results(con, exam_id)
    combined = subj.union(total_results(con, exam_id)) if "total" in info.subjects else subj
    summaries = unit_summaries(con, combined, list(LEVEL_KEYS), settings.thresholds,
                               teacher_results=with_teacher(con, subj))
    if summaries["district"].empty:
        raise NotFoundError(tr("analysis.no_results", db.lang, exam_id=exam_id))
    raw = combined.execute()
    students = student_scores(raw, settings)
    add_all_pass_rates(summaries, students, settings)
    distribution, bands = score_distributions(students)
    item_frames = analyse_items(db, exam_id, min_gap=settings.knowledge.min_gap)
    lines = exam_lines(db, info, students)
    subject_lines, online = online_analysis(students, lines)
    return ExamAnalysis(
        exam=info, summaries=summaries, students=students, distribution=distribution,
        bands=bands,
        items=item_frames["items"], options=item_frames["options"],
        reliability=item_frames["reliability"], knowledge=item_frames["knowledge"],
        weak_points=item_frames["weak_points"], groups=student_groups(students, settings),
        lines=lines, subject_lines=subject_lines, online=online,
        names=_names(db, exam_id), methods=methods_text(settings, db.lang),
    )


def methods_text(settings: Settings, lang: str) -> list[tuple[str, str]]:
    """The definitions used, for the methods appendix of every report."""
    th = settings.thresholds
    pct = {k: f"{v:.0%}" for k, v in
           {"e": th.excellent, "g": th.good, "p": th.pass_, "l": th.low}.items()}
    if lang == "en":
        return [
            ("Mean", "Mean of valid scores; absent and disqualified students are excluded, "
                     "never counted as 0."),
            ("SD", "Sample standard deviation (n − 1)."),
            ("Rates", f"Excellent/good/pass rate: share of valid takers at or above "
                      f"{pct['e']}/{pct['g']}/{pct['p']} of full marks; low-score rate: below "
                      f"{pct['l']}."),
            ("Total", "Sum of subject scores, only for students present in every subject."),
            ("Confidence interval", "95 % t-interval of the mean: mean ± t(0.975, n−1)·SD/√n."),
            ("Comparison", "A unit is 'above'/'below' the district only when a t-test of its "
                           "mean against the district mean gives p < 0.05; otherwise 'similar'. "
                           "Units are not ranked."),
            ("Percentile rank", "100 × (number below + ½ number equal) / n."),
            ("Grades", f"A ≥ {pct['e']}, B ≥ {pct['g']}, C ≥ {pct['p']} of full marks, else D."),
        ]
    return [
        ("平均分", "有效成绩的算术平均；缺考、违纪学生不计入，绝不按 0 分计。"),
        ("标准差", "样本标准差（分母 n − 1）。"),
        ("三率", f"优秀率/良好率/及格率：得分不低于满分的 {pct['e']}/{pct['g']}/{pct['p']} 的有效考生"
                 f"占比；低分率：低于满分 {pct['l']} 的占比。"),
        ("总分", "各科成绩之和，仅统计全部科目均正常参考的学生。"),
        ("置信区间", "平均分的 95% t 置信区间：均值 ± t(0.975, n−1)·SD/√n。"),
        ("比较", "单位平均分与全区平均分做 t 检验，p < 0.05 时才判为“显著高于/低于”，否则为“无显著差异”；"
                 "不对单位排名。"),
        ("百分等级", "100 ×（低于该分人数 + ½ 同分人数）/ 总人数。"),
        ("等级", f"A：≥ 满分 {pct['e']}；B：≥ {pct['g']}；C：≥ {pct['p']}；其余为 D。"),
    ]
