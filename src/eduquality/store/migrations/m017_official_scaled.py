"""The official 等级赋分 of the 新高考 3+1+2 (issue 15): for an exam whose 再选 scores come with
the province's converted scores (the 高考's score file gives 原始分 and 赋分 side by side), the
赋分 as the province published it. ``subject_result`` keeps the raw score; this table holds
the converted one, per paper and student, and the analysis counts it instead of converting
again over the district's candidates (:mod:`eduquality.analysis.scaling`). Like
``subject_result`` it references nothing: a paper re-imported replaces its rows. Plain SQL:
the same text runs on PostgreSQL."""

VERSION = 17

SQL = """
CREATE TABLE official_scaled_score (
    paper_id   VARCHAR NOT NULL,
    student_id INTEGER NOT NULL,
    score      DOUBLE NOT NULL CHECK (score >= 0),
    PRIMARY KEY (paper_id, student_id)
);
"""
