"""Retention of personal data (issue 10 §2): which students have been anonymised, and when.

``eduquality retention apply`` anonymises the students who left (graduation, transfer out,
dropout) more than the configured number of years ago (:mod:`eduquality.store.retention`);
this table records each one, so that a student is anonymised once and the audit can tell
when. No foreign key to ``student`` (DuckDB refuses to change a referenced row's indexed
columns, which anonymising does).
"""

VERSION = 14

SQL = """
CREATE TABLE student_anonymised (
    student_id    INTEGER PRIMARY KEY,
    anonymised_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""
