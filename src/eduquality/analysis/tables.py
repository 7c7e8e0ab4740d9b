"""Ibis expressions over the store: the long tables every exam analysis starts from.

Written once in Ibis so the same expressions run on DuckDB (a district) and on Spark (a
province) without a rewrite; :mod:`eduquality.analysis.unit_stats` aggregates them.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

LEVELS = ("district", "peer_group", "school", "class", "teacher")
"""Levels at which exam results are aggregated (GLOSSARY: 学校/班级/教师 …)."""


def subject_results(con: Any, exam_id: str) -> ir.Table:
    """One row per (paper, registered student) of ``exam_id``.

    Columns: exam_id, paper_id, subject_code, track, full_marks, student_id, school_code,
    class_id, peer_group, status, score (NULL unless status = 'present': 缺考/违纪 never 0).
    """
    paper = con.table("paper").filter(lambda p: p.exam_id == exam_id)
    result = con.table("subject_result")
    reg = con.table("exam_registration").filter(lambda r: r.exam_id == exam_id)
    school = con.table("school").select("school_code", "peer_group")
    joined = (
        result.join(paper, "paper_id")
        .join(reg.drop("exam_id"), "student_id")
        .join(school, "school_code")
    )
    return joined.select(
        "exam_id", "paper_id", "subject_code", "track", "full_marks", "student_id",
        "school_code", "class_id", "peer_group", "status",
        score=ibis.ifelse(joined.status == "present", joined.score, ibis.null()),
    )


def total_results(con: Any, exam_id: str, subjects: ir.Table | None = None) -> ir.Table:
    """The 总分 per student: the sum over the exam's papers, for students present in every paper
    they were registered for (a student absent from any subject has no total: it would not be
    comparable). Same columns as :func:`subject_results` with subject_code = 'total';
    ``subjects``: those rows already read (default: :func:`subject_results` of ``con``)."""
    sr = subjects if subjects is not None else subject_results(con, exam_id)
    per_student = sr.group_by(["student_id", "school_code", "class_id", "peer_group"]).aggregate(
        n_papers=sr.paper_id.count(),
        n_present=(sr.status == "present").cast("int64").sum(),
        total=sr.score.sum(),
        full_marks=sr.full_marks.sum(),
        track=sr.track.max(),
    )
    complete = per_student.n_papers == per_student.n_present
    return per_student.select(
        exam_id=ibis.literal(exam_id),
        paper_id=ibis.literal(f"{exam_id}/total"),
        subject_code=ibis.literal("total"),
        track=per_student.track,
        full_marks=per_student.full_marks,
        student_id=per_student.student_id,
        school_code=per_student.school_code,
        class_id=per_student.class_id,
        peer_group=per_student.peer_group,
        status=ibis.ifelse(complete, "present", "incomplete"),
        score=ibis.ifelse(complete, per_student.total, ibis.null()),
    )


def with_teacher(con: Any, results: ir.Table) -> ir.Table:
    """Attach the subject teacher (teaching_assignment by class and subject); rows without an
    assignment are dropped (teacher level only)."""
    ta = con.table("teaching_assignment")
    return results.join(ta, ["class_id", "subject_code"])
