"""What the student reports need beyond the exam analysis, read from the store: names and ID
numbers, and a student's own knowledge-point rates.

The IDs stay unmasked in memory (to find a student by 学籍号); every renderer shows them only
through :func:`eduquality.reports.policy.mask_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import pandas as pd

from eduquality.measures.knowledge import item_matrix, student_tag_rates
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.papers import exam_items, exam_knowledge_tags, students_item_scores
from eduquality.store.rosters import registered_identities


def with_identities(analysis: ExamAnalysis, db: Database) -> ExamAnalysis:
    """``analysis`` with ``name`` and the unmasked ``national_id`` on every student row. Reads."""
    st = analysis.students
    if st.empty or ("name" in st and "national_id" in st
                    and not st["national_id"].astype(str).str.contains(r"\*").any()):
        return analysis
    ids = registered_identities(db, analysis.exam.exam_id)
    ids["student_id"] = ids["student_id"].astype(st["student_id"].dtype)
    merged = st.drop(columns=[c for c in ("name", "national_id") if c in st]).merge(
        ids, on="student_id", how="left")
    merged["name"] = merged["name"].fillna("")
    return replace(analysis, students=pd.DataFrame(merged))


def student_knowledge(db: Database, exam_id: str, student_ids: Iterable[int]) -> pd.DataFrame:
    """Each student's 知识点得分率 (GLOSSARY: points earned / points possible on the items tagged
    with the point, weighted; items without a score count in neither), computed with
    :func:`eduquality.measures.knowledge.student_tag_rates`. Reads.

    Columns: paper_id, subject_code, kind ('knowledge'), level ('student'), unit (student id as
    text), knowledge_point, rate — the shape of ``ExamAnalysis.knowledge``."""
    ids = [int(s) for s in student_ids]
    columns = ["paper_id", "subject_code", "kind", "level", "unit", "knowledge_point", "rate"]
    if not ids:
        return pd.DataFrame(columns=columns)
    scores = students_item_scores(db, exam_id, ids)
    items = exam_items(db, exam_id)
    tags = exam_knowledge_tags(db, exam_id)
    out = []
    for paper, mapping in tags.groupby("paper_id"):
        rows = scores[scores["paper_id"] == paper]
        paper_items = items[items["paper_id"] == paper].set_index("seq")
        if rows.empty or paper_items.empty:
            continue
        wide = item_matrix(rows, item="seq").reindex(columns=paper_items.index)
        rates = student_tag_rates(wide, paper_items["full_marks"],
                                  mapping[["item", "tag", "weight"]])
        long = rates.stack().reset_index()
        long.columns = ["unit", "knowledge_point", "rate"]
        long["unit"] = long["unit"].astype(str)
        long = long.assign(paper_id=paper, subject_code=paper_items["subject_code"].iloc[0],
                           kind="knowledge", level="student")
        out.append(long[columns])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)


def with_student_knowledge(analysis: ExamAnalysis, db: Database,
                           student_ids: Iterable[int]) -> ExamAnalysis:
    """``analysis`` with the students' own knowledge-point rates added at level 'student'."""
    own = student_knowledge(db, analysis.exam.exam_id, student_ids)
    if own.empty:
        return analysis
    knowledge = own if analysis.knowledge.empty else pd.concat(
        [analysis.knowledge, own], ignore_index=True)
    return replace(analysis, knowledge=knowledge)
