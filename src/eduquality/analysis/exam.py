"""Use case: analyse one exam — everything the bulletin and the school/class/student reports show.

Reads the exam's results from the store (Ibis expressions, see :mod:`tables`), aggregates per
unit (:mod:`unit_stats`), and adds student-level standard scores, item, knowledge-point and
group analyses from the pure ``measures``. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.analysis.item_stats import analyse_items
from eduquality.analysis.online import (
    bridge_note,
    exam_lines,
    line_borderline,
    online_analysis,
)
from eduquality.analysis.scaling import (
    add_scaled_scores,
    exam_official,
    exam_rule,
    exam_totals,
)
from eduquality.analysis.student_stats import (
    cluster_rows,
    codes_as_categories,
    encode_codes,
    on_cluster,
    result_frame,
    student_score_expr,
    wide_scores,
)
from eduquality.analysis.tables import subject_results, with_teacher
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
from eduquality.measures.scaling_rules import ScalingRule
from eduquality.measures.scores import (
    all_pass_rate,
    grade_letters,
    one_point_table,
    rank_statistics,
    score_bands,
    stanine_from_z,
    t_from_z,
    z_scores,
)
from eduquality.results import ExamAnalysis, ExamInfo
from eduquality.store import Database
from eduquality.store.exams import exam_subject_codes, find_exam
from eduquality.store.units import unit_names
from eduquality.vocab import SUBJECTS

MESSAGES = register({
    "analysis.no_exam": ("找不到考试 {exam_id}", "exam not found: {exam_id}"),
    "analysis.no_results": ("考试 {exam_id} 还没有成绩", "exam {exam_id} has no results yet"),
})


def exam_info(db: Database, exam_id: str) -> ExamInfo:
    r = find_exam(db, exam_id)
    if r is None:
        raise NotFoundError(tr("analysis.no_exam", db.lang, exam_id=exam_id))
    subjects = list(dict.fromkeys(exam_subject_codes(db, exam_id)))
    if len(subjects) > 1:
        subjects.append("total")
    return ExamInfo(
        exam_id=exam_id, name=r.name, exam_type=r.exam_type, scope=r.scope,
        year_code=r.year_code, grade=r.grade, exam_date=r.exam_date, subjects=subjects,
    )


def student_scores(results: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per (student, subject): Z, T, 百分等级, competition rank, stanine and 等级 in the district
    (:mod:`eduquality.measures.scores`; 等级 by the settings' lines,
    :func:`~eduquality.measures.scores.grade_letters`), from a pandas frame of the results;
    :func:`~eduquality.analysis.student_stats.student_score_expr` computes Z, PR and rank in
    the engine instead (the same numbers)."""
    df = results.reset_index(drop=True)
    by = df["subject_code"]
    df["z"] = z_scores(df["score"], by)
    ranks = rank_statistics(df["score"], by)
    df["pr"], df["rank"] = ranks["pr"], ranks["rank"]
    return finish_student_scores(df, settings)


def finish_student_scores(scored: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The results with their Z, PR and rank (``z``, ``pr``, ``rank``) completed: T and
    stanine from Z (:func:`~eduquality.measures.scores.t_from_z`,
    :func:`~eduquality.measures.scores.stanine_from_z`) and 等级, in the students' columns'
    order."""
    df = scored.reset_index(drop=True)
    z, pr, rank = df.pop("z").astype(float), df.pop("pr").astype(float), df.pop("rank")
    df["z"] = z
    df["t"] = t_from_z(z)
    df["pr"] = pr
    df["rank"] = rank.astype("Int64")
    df["stanine"] = stanine_from_z(z)
    df["grade_letter"] = grade_letters(df["score"], df["full_marks"], settings.thresholds)
    return codes_as_categories(df)


def score_distributions(students: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per subject, the 一分一段表 (:func:`~eduquality.measures.scores.one_point_table` over the
    distinct scores: subject_code, score, count, cumulative, cum_share; highest score first) and
    the 分数段 (:func:`~eduquality.measures.scores.score_bands` of tenths of full marks, the
    last closed at full marks: subject_code, band, lower, upper, count, share)."""
    points, bands = [], []
    for subject, rows in students[["subject_code", "score", "full_marks"]].groupby(
            "subject_code", sort=True, observed=True):
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


def subject_scores(students: pd.DataFrame) -> pd.DataFrame:
    """The students × subjects scores of the students frame, the total left out
    (:func:`~eduquality.analysis.student_stats.wide_scores`): read by the 全科及格率 and the
    弱科 (:func:`add_all_pass_rates`, :func:`student_groups`)."""
    return wide_scores(students.loc[students["subject_code"] != "total",
                                    ["student_id", "subject_code", "score"]])


def add_all_pass_rates(summaries: dict[str, pd.DataFrame], students: pd.DataFrame,
                       settings: Settings, wide: pd.DataFrame | None = None) -> None:
    """全科及格率 (share of students passing every subject they took) on the 'total' rows of
    every level except teacher (:func:`eduquality.measures.scores.all_pass_rate`); ``wide``:
    :func:`subject_scores` of ``students`` when already made."""
    codes = students["subject_code"]
    if len(set(codes.unique()) - {"total"}) < 2:
        return
    wide = subject_scores(students) if wide is None else wide
    full = students["full_marks"].groupby(codes, observed=True).max().reindex(wide.columns)
    units = students.loc[codes == "total",      # a student's units: on his 'total' row
                         ["student_id", "school_code", "class_id", "peer_group"]].set_index(
        "student_id").reindex(wide.index)
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


def student_groups(students: pd.DataFrame, settings: Settings,
                   wide: pd.DataFrame | None = None) -> pd.DataFrame:
    """尖子生, 学困生, 临界生 (by the total, or the only subject) and 弱科 (per subject) with the
    configured rules; one row per (student_id, group, subject_code); ``wide``:
    :func:`subject_scores` of ``students`` when already made."""
    rules, th = settings.groups, settings.thresholds
    codes = [str(s) for s in students["subject_code"].unique()]
    subjects = [s for s in codes if s != "total"]
    main = "total" if "total" in codes else subjects[0]
    tot = students.loc[students["subject_code"] == main,
                       ["student_id", "score", "full_marks"]].set_index("student_id")
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
        weak = weak_subjects(subject_scores(students) if wide is None else wide,
                             rules.weak_subject_k)
        stacked = weak.stack()
        hit = stacked[stacked.astype(bool).to_numpy()]
        rows.append(pd.DataFrame({"student_id": hit.index.get_level_values(0),
                                  "group": "weak_subject",
                                  "subject_code": hit.index.get_level_values(1)}))
    return pd.concat(rows, ignore_index=True)


def _names(db: Database, exam_id: str) -> dict[str, dict[str, str]]:
    names = unit_names(db, exam_id)
    return {kind: names[kind] for kind in ("school", "class", "teacher")}


def analyse_exam(db: Database, exam_id: str, settings: Settings,
                 engine: Any = None) -> ExamAnalysis:
    """Analyse ``exam_id``: summaries at every level, per subject and for the total.

    ``engine``: the Ibis backend the long tables and the unit summaries run on (default: the
    database's own, :meth:`~eduquality.store.db.Database.ibis`; Spark over the Parquet exchange:
    :func:`eduquality.analysis.spark.exchange.spark_ibis`) — the same expressions, the same
    numbers."""
    info = exam_info(db, exam_id)
    with _items_beside(db, exam_id, settings, engine) as items_beside:
        return _analyse(db, info, settings, engine, items_beside)


@contextmanager
def _items_beside(db: Database, exam_id: str, settings: Settings, engine: Any,
                  ) -> Iterator[Future[dict[str, pd.DataFrame]] | None]:
    """On the store's own DuckDB, the item analysis
    (:func:`~eduquality.analysis.item_stats.analyse_items`) run on a second connection to
    the same database in a thread beside the rest of the analysis (both are CPU-bound and
    use about 1.6 of two cores alone: 200,000 students, 9 papers; the same numbers); None
    elsewhere (Spark, or PostgreSQL, whose analysis reads one snapshot)."""
    if engine is not None or db.dialect != "duckdb":
        yield None
        return
    reader = db.cursor()
    pool = ThreadPoolExecutor(1)
    try:
        yield pool.submit(analyse_items, reader, exam_id, min_gap=settings.knowledge.min_gap,
                          con=reader.ibis(exam_id))
    finally:
        pool.shutdown(wait=True)
        reader.close()


def _analyse(db: Database, info: ExamInfo, settings: Settings, engine: Any,
             items_beside: Future[dict[str, pd.DataFrame]] | None) -> ExamAnalysis:
    exam_id = info.exam_id
    con = engine if engine is not None else db.ibis(exam_id)
    subj = subject_results(con, exam_id)
    rule = exam_rule(db, info)
    with_total = "total" in info.subjects
    rows = None
    if on_cluster(con):
        combined = subj.union(exam_totals(db, exam_id, con)) if with_total else subj
    else:   # in process: the joins run once, the totals and the summaries read their rows
        rows = subj.to_pyarrow()
        subj = ibis.memtable(rows)
        if with_total:
            totals = exam_totals(db, exam_id, con, subjects=subj).to_pyarrow()
            rows = pa.concat_tables([rows, totals.cast(rows.schema)])
        rows = encode_codes(rows)
        combined = ibis.memtable(rows)
        subj = combined.filter(combined.subject_code != "total")
        if rows.num_rows == 0:
            raise NotFoundError(tr("analysis.no_results", db.lang, exam_id=exam_id))
    official = exam_official(db, exam_id) if rule is not None else None

    def students_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
        """The students frame and its subject-score matrix (no store read)."""
        if rows is None:    # Z, PR and rank by the cluster's window functions
            scored = finish_student_scores(
                result_frame(cluster_rows(con, student_score_expr(combined))), settings)
        else:
            scored = student_scores(result_frame(rows), settings)
        students = add_scaled_scores(scored, rule, official)
        return students, subject_scores(students)

    def distributions_and_groups(students: pd.DataFrame, wide: pd.DataFrame,
                                 ) -> tuple[tuple[pd.DataFrame, pd.DataFrame], pd.DataFrame]:
        return score_distributions(students), student_groups(students, settings, wide)

    def summarise() -> dict[str, pd.DataFrame]:
        return unit_summaries(con, combined, list(LEVEL_KEYS), settings.thresholds,
                              teacher_results=with_teacher(con, subj))

    def by_students(summaries: dict[str, pd.DataFrame], students: pd.DataFrame,
                    wide: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                 pd.DataFrame]:
        """The 全科及格率 (added to ``summaries``), the lines, the 上线 analysis and the
        临界生 of the lines (the store is read on this thread only)."""
        add_all_pass_rates(summaries, students, settings, wide)
        lines = exam_lines(db, info, students)
        subject_lines, online = online_analysis(students, lines)
        main = students["subject_code"] == ("total" if "total" in info.subjects
                                            else info.subjects[0])
        band = settings.groups.borderline_band * float(students.loc[main, "full_marks"].max())
        return lines, subject_lines, online, line_borderline(students, lines, band)

    if rows is None:        # a cluster: one job after another
        summaries = summarise()
        if summaries["district"].empty:
            raise NotFoundError(tr("analysis.no_results", db.lang, exam_id=exam_id))
        students, wide = students_frame()
        (distribution, bands), groups = distributions_and_groups(students, wide)
        lines, subject_lines, online, near = by_students(summaries, students, wide)
    else:   # in process: the students' pandas work (the frame, then its distributions and
        with ThreadPoolExecutor(1) as pool:     # groups) beside the engine's unit summaries
            students_done = pool.submit(students_frame)
            rest = pool.submit(lambda: distributions_and_groups(*students_done.result()))
            summaries = summarise()
            students, wide = students_done.result()
            lines, subject_lines, online, near = by_students(summaries, students, wide)
            (distribution, bands), groups = rest.result()
    item_frames = (items_beside.result() if items_beside is not None else
                   analyse_items(db, exam_id, min_gap=settings.knowledge.min_gap, con=con))
    if not near.empty:
        groups = pd.concat([groups, near], ignore_index=True)
    return ExamAnalysis(
        exam=info, summaries=summaries, students=students, distribution=distribution,
        bands=bands,
        items=item_frames["items"], options=item_frames["options"],
        reliability=item_frames["reliability"], knowledge=item_frames["knowledge"],
        weak_points=item_frames["weak_points"], groups=groups,
        lines=lines, subject_lines=subject_lines, online=online,
        names=_names(db, exam_id),
        methods=method_notes(settings, rule if students["new_regime"].any() else None,
                             info.exam_type, official=official is not None,
                             bridge=bridge_note(db, info, lines)),
        no_items=item_frames["no_items"],
    )


def method_notes(settings: Settings, rule: ScalingRule | None = None,
                 exam_type: str = "", *, official: bool = False,
                 bridge: dict[str, str] | None = None,
                 ) -> list[tuple[str, dict[str, str]]]:
    """The definitions used, for the methods appendix of every report: message keys of
    :data:`eduquality.reports.labels.ANALYSIS_METHODS` with the grade and rate lines as
    parameters; the reports render them in the reader's language. With the 赋分 ``rule`` of a
    3+1+2 exam, its note too (reference population: this exam's candidates; with ``official``
    the province's, whose official 赋分 was imported; a 高考 without it: the district's
    candidates as an approximation of the province's, :mod:`eduquality.analysis.scaling`).
    With ``bridge`` (:func:`eduquality.analysis.online.bridge_note`), the note that this mock's
    lines were carried from last year's 文科/理科 lines."""
    th = settings.thresholds
    pct = {k: f"{v:.0%}" for k, v in
           {"e": th.excellent, "g": th.good, "p": th.pass_, "l": th.low}.items()}
    notes: list[tuple[str, dict[str, str]]] = [
        ("mean", {}), ("sd", {}), ("rates", pct), ("total", {}), ("ci", {}),
        ("comparison", {}), ("pr", {}), ("grades", pct)]
    if rule is not None:
        scheme = rule.scheme
        gaokao = exam_type == "gaokao"
        notes.append(("scaling", {
            "subjects": "、".join(SUBJECTS.label(c) for c in rule.subjects),
            "subjects_en": ", ".join(SUBJECTS.label(c, "en") for c in rule.subjects),
            "rule": rule.province,
            "shares": "/".join(f"{g} {s:.0%}" for g, s in zip(scheme.grades, scheme.shares,
                                                                strict=True)),
            "ranges": "/".join(f"{hi:g}–{lo:g}" for hi, lo in scheme.ranges),
            "basis": "全省考生（采用随成绩文件导入的省级正式赋分，不再换算）" if official
            else "本区本次考试考生（高考的正式赋分以全省考生为参照，此处为近似）" if gaokao
            else "本区本次考试考生",
            "basis_en": "the province's candidates (the official scaled scores imported with "
            "the score file, not converted again)" if official
            else "the district's candidates at this exam (the official 高考 scaling "
            "is over the province's candidates: an approximation)" if gaokao
            else "the district's candidates at this exam",
        }))
    if bridge is not None:
        notes.append(("bridge", bridge))
    return notes
