"""Stored exam analyses (issue 12, "Analyses persisted"): an exam's analysis is computed once
and kept, with what made it, so that pages, reports and the API read it instead of analysing
again on every first view.

- ``exam_analysis``: one row per exam (the newest analysis only): the exam's data fingerprint
  when analysed (:func:`eduquality.store.exams.exam_data_fingerprint`, as text), the hash of
  the settings that shape an analysis, the code version that computed it, when, and ``meta``:
  the analysis's small parts as JSON (exam record, display names, method notes, frame names).
- ``exam_analysis_frame``: the analysis's tables, one Arrow IPC stream each (never pickle:
  reading a stored analysis must not run code). Rows of an exam are replaced together with
  its ``exam_analysis`` row in one transaction.

Plain SQL types (VARCHAR, BLOB, TIMESTAMP) so that the tables port to PostgreSQL (BYTEA).
"""

VERSION = 11

SQL = """
CREATE TABLE exam_analysis (
    exam_id       VARCHAR PRIMARY KEY,
    fingerprint   VARCHAR NOT NULL,
    settings_hash VARCHAR NOT NULL,
    code_version  VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    meta          VARCHAR NOT NULL
);
CREATE TABLE exam_analysis_frame (
    exam_id VARCHAR NOT NULL,
    name    VARCHAR NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (exam_id, name)
);
"""
