"""选科 of the 新高考 3+1+2 (issue 15): each student's 首选 (物理 or 历史) and two 再选 subjects
(of 化学, 生物, 思想政治, 地理) in a school year, and whether they changed (选科调整) since
the year before. One row per student and year; the 再选 pair is stored in the order of
``eduquality.vocab.SUBJECTS`` (second_1 before second_2). Plain SQL: the same text runs on
PostgreSQL."""

VERSION = 12

SQL = """
CREATE TABLE student_subject_choice (
    student_id   INTEGER NOT NULL REFERENCES student (student_id),
    year_code    VARCHAR NOT NULL REFERENCES school_year (year_code),
    first_choice VARCHAR NOT NULL CHECK (first_choice IN ('physics', 'history')),
    second_1     VARCHAR NOT NULL CHECK (second_1 IN (
                     'chemistry', 'biology', 'politics', 'geography')),
    second_2     VARCHAR NOT NULL CHECK (second_2 IN (
                     'chemistry', 'biology', 'politics', 'geography')),
    changed      BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (student_id, year_code),
    CHECK (second_1 <> second_2)
);
"""
