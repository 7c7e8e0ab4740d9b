"""Retention of personal data and an explicit order of the audit log (issue 10 §2).

- ``student_anonymised``: which students ``eduquality retention apply`` has anonymised and
  when (:mod:`eduquality.store.retention`), so that a student is anonymised once and the audit
  can tell when. No foreign key to ``student`` (DuckDB refuses to change a referenced row's
  indexed columns, which anonymising does).
- ``audit_log.audit_id``: the log's order of insertion as a key from a sequence. Until now
  the order of rows logged at the same instant (PostgreSQL's ``current_timestamp`` is the
  transaction's start, shared by every row it writes) came from DuckDB's ``rowid``, whose
  PostgreSQL stand-in ``ctid`` moves when a row is updated (a repeated failure counting up),
  and a row was updated by its ``ctid``, which a concurrent update could have moved. DuckDB
  cannot add a column with a sequence default, so the table is rebuilt with its rows in
  their order of insertion (nothing references it), as migration 10 did.
"""

VERSION = 14

SQL = """
CREATE TABLE student_anonymised (
    student_id    INTEGER PRIMARY KEY,
    anonymised_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE SEQUENCE audit_id_seq START 1;
CREATE TABLE audit_log_m014 (
    audit_id  BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    logged_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    username  VARCHAR NOT NULL,
    role      VARCHAR NOT NULL,
    action    VARCHAR NOT NULL
              CHECK (action IN ('view', 'export', 'import', 'login', 'denied', 'admin')),
    object    VARCHAR NOT NULL,
    detail    VARCHAR,
    address   VARCHAR,
    count     INTEGER DEFAULT 1
);
INSERT INTO audit_log_m014 (logged_at, username, role, action, object, detail, address, count)
SELECT logged_at, username, role, action, object, detail, address, count FROM audit_log
ORDER BY rowid;
DROP TABLE audit_log;
ALTER TABLE audit_log_m014 RENAME TO audit_log;
"""
