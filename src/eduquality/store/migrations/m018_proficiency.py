"""普通高中学业水平合格性考试 (合格考, issue 15 §1): each student's result in a subject at a sitting,
as the province's 学业水平考试 system exports it to the schools (imported by
:mod:`eduquality.ingest.proficiency`; grade schemes per province and cohort in
:mod:`eduquality.measures.proficiency`).

- ``proficiency_result``: one row per student, subject and sitting (``sitting``: 'YYYY-MM', the
  批次); ``grade`` as the province reports it (合格/不合格, or A–D …), ``passed`` whether that
  grade counts as 合格 under the province's rule, ``retake`` whether the sitting was a 补考 (the
  student had sat the subject before); ``school_code``: the school the student belonged to in
  the sitting's school year (roster), NULL when the roster has none; ``exam_number``: the
  province's 考籍号 when the file gives it.
- the subject 通用技术 (General Technology), a 合格考 subject that the subject list lacked.

Plain SQL: the same text runs on PostgreSQL."""

VERSION = 18

SQL = """
INSERT INTO subject VALUES ('tech', '通用技术', 'General Technology');

CREATE TABLE proficiency_result (
    student_id   INTEGER NOT NULL REFERENCES student (student_id),
    subject_code VARCHAR NOT NULL REFERENCES subject (subject_code),
    sitting      VARCHAR NOT NULL CHECK (length(sitting) = 7 AND sitting LIKE '20__-__'),
    grade        VARCHAR NOT NULL,
    passed       BOOLEAN NOT NULL,
    retake       BOOLEAN NOT NULL DEFAULT FALSE,
    school_code  VARCHAR REFERENCES school (school_code),
    exam_number  VARCHAR,
    PRIMARY KEY (student_id, subject_code, sitting)
);
"""
