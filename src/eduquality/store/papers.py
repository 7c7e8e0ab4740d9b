"""Reads of papers, their items, knowledge-point tags and item scores.

Column contracts (DataFrames unless said otherwise):

* :func:`papers_with_item_scores`: ``paper_id``, ``subject_code``, ``full_marks``.
* :func:`papers_without_items`: ``paper_id``, ``subject_code``; by paper ID.
* :func:`paper_items`: ``seq``, ``item_no``, ``item_type``, ``full_marks``, ``answer_key``,
  ``ability_level``, ``optional_group``; by seq.
* :func:`present_item_scores` (an Arrow table, for dense matrices): ``student_id``, ``seq``,
  ``score`` (NaN/NULL: not answered), ``choice``; by student and seq.
* :func:`item_tags`: ``seq``, ``tag``, ``weight``, ``kind`` ('knowledge' | 'ability').
* :func:`exam_items`: ``paper_id``, ``subject_code``, ``seq``, ``full_marks``.
* :func:`exam_papers`: ``paper_id``, ``subject_code``, ``track``, ``full_marks``.
* :func:`exam_item_keys`: ``paper_id``, ``seq``, ``item_no``, ``item_type``, ``full_marks``,
  ``answer_key``, ``optional_group``, ``n_counted`` (of the group; NULL when none); by paper
  and seq.
* :func:`exam_knowledge_tags`: ``paper_id``, ``item`` (seq), ``tag``, ``weight``.
* :func:`students_item_scores`: ``paper_id``, ``student_id``, ``seq``, ``score``.
* :func:`item_level_results`: ``paper_id``, ``student_id``, ``status``, ``score``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow as pa

from eduquality.store.db import Database

__all__ = [
    "exam_item_keys",
    "exam_items",
    "exam_knowledge_tags",
    "exam_papers",
    "item_level_results",
    "item_tags",
    "paper_items",
    "papers_with_item_scores",
    "papers_without_items",
    "present_item_scores",
    "students_item_scores",
]


def papers_with_item_scores(db: Database, exam_id: str) -> pd.DataFrame:
    """The papers of ``exam_id`` that have item scores, by paper ID. ``item_score`` has no
    index: DuckDB probes each paper for one row (its zone maps skip to the paper's rows and
    stop at the first; the semi-join read every item score of every exam, 0.24 s at 45 M
    rows), PostgreSQL runs the semi-join (one scan of the table, where a probe per paper could
    scan it once per paper)."""
    if db.dialect != "duckdb":
        return db.sql("""SELECT p.paper_id, p.subject_code, p.full_marks FROM paper p
                         WHERE p.exam_id = ? AND EXISTS (SELECT 1 FROM item_score s
                                                         WHERE s.paper_id = p.paper_id)
                         ORDER BY p.paper_id""", [exam_id])
    papers = db.sql("SELECT paper_id, subject_code, full_marks FROM paper WHERE exam_id = ? "
                    "ORDER BY paper_id", [exam_id])
    scored = [db.scalar("SELECT count(*) FROM (SELECT 1 FROM item_score WHERE paper_id = ? "
                        "LIMIT 1) AS probe", [paper]) > 0 for paper in papers["paper_id"]]
    return papers.loc[scored].reset_index(drop=True)


def item_level_results(db: Database, paper_ids: list[str]) -> pd.DataFrame:
    """The subject results on ``paper_ids`` of the students who have item scores on them (the
    results an item-level import wrote from those items)."""
    if not paper_ids:
        return pd.DataFrame({"paper_id": [], "student_id": [], "status": [], "score": []})
    return db.sql("""SELECT r.paper_id, r.student_id, r.status, r.score
                     FROM subject_result r
                     WHERE r.paper_id = ANY(?) AND EXISTS (
                         SELECT 1 FROM item_score s
                         WHERE s.paper_id = r.paper_id AND s.student_id = r.student_id)""",
                  [paper_ids])


def papers_without_items(db: Database, exam_id: str) -> pd.DataFrame:
    """The papers of ``exam_id`` defined by their total only (no items), by paper ID."""
    return db.sql("""SELECT paper_id, subject_code FROM paper p
                     WHERE exam_id = ? AND NOT EXISTS (
                         SELECT 1 FROM item i WHERE i.paper_id = p.paper_id)
                     ORDER BY paper_id""", [exam_id])


def paper_items(db: Database, paper_id: str) -> pd.DataFrame:
    """The items of ``paper_id``."""
    return db.sql(
        """SELECT seq, item_no, item_type, full_marks, answer_key, ability_level, optional_group
           FROM item WHERE paper_id = ? ORDER BY seq""", [paper_id])


def present_item_scores(db: Database, paper_id: str) -> pa.Table:
    """Item scores on ``paper_id`` of the students present in it (status 'present')."""
    table: pa.Table = db.con.sql(
        """SELECT s.student_id, s.seq, s.score, s.choice
           FROM item_score s JOIN subject_result r
             ON r.paper_id = s.paper_id AND r.student_id = s.student_id
           WHERE s.paper_id = ? AND r.status = 'present'
           ORDER BY s.student_id, s.seq""", params=[paper_id]).to_arrow_table()
    return table


def item_tags(db: Database, paper_id: str) -> pd.DataFrame:
    """What each item of ``paper_id`` assesses: its knowledge points (weighted) and its ability
    level (weight 1)."""
    return db.sql("""SELECT seq, knowledge_point AS tag, weight, 'knowledge' AS kind
                     FROM item_knowledge WHERE paper_id = ?
                     UNION ALL
                     SELECT seq, ability_level, 1.0, 'ability' FROM item
                     WHERE paper_id = ? AND ability_level IS NOT NULL""", [paper_id, paper_id])


def exam_items(db: Database, exam_id: str) -> pd.DataFrame:
    """The items of every paper of ``exam_id``."""
    return db.sql("""SELECT i.paper_id, p.subject_code, i.seq, i.full_marks FROM item i
                     JOIN paper p USING (paper_id) WHERE p.exam_id = ?""", [exam_id])


def exam_papers(db: Database, exam_id: str) -> pd.DataFrame:
    """The papers of ``exam_id`` (one per subject, or per subject and track)."""
    return db.sql("SELECT paper_id, subject_code, track, full_marks FROM paper "
                  "WHERE exam_id = ?", [exam_id])


def exam_item_keys(db: Database, exam_id: str) -> pd.DataFrame:
    """The items of every paper of ``exam_id`` as a score sheet is matched and scored against
    them: number, type, full marks, answer key, and the optional group with how many of its
    items count (选做题)."""
    return db.sql("""SELECT i.paper_id, seq, item_no, item_type, full_marks, answer_key,
                            optional_group, g.n_counted
                     FROM item i LEFT JOIN optional_group g
                       ON g.paper_id = i.paper_id AND g.group_code = i.optional_group
                     WHERE i.paper_id IN (SELECT paper_id FROM paper WHERE exam_id = ?)
                     ORDER BY i.paper_id, seq""", [exam_id])


def exam_knowledge_tags(db: Database, exam_id: str) -> pd.DataFrame:
    """The knowledge-point tags of the items of every paper of ``exam_id``."""
    return db.sql("""SELECT k.paper_id, k.seq AS item, k.knowledge_point AS tag, k.weight
                     FROM item_knowledge k JOIN paper p USING (paper_id)
                     WHERE p.exam_id = ?""", [exam_id])


def students_item_scores(db: Database, exam_id: str, student_ids: Iterable[int]
                         ) -> pd.DataFrame:
    """The item scores of ``student_ids`` on the papers of ``exam_id``."""
    ids = pd.DataFrame({"student_id": [int(s) for s in student_ids]})
    db.con.register("_wanted_students", ids)
    try:
        return db.sql("""SELECT s.paper_id, s.student_id, s.seq, s.score FROM item_score s
                         JOIN paper p USING (paper_id)
                         WHERE p.exam_id = ? AND s.student_id IN
                               (SELECT student_id FROM _wanted_students)""", [exam_id])
    finally:
        db.con.unregister("_wanted_students")
