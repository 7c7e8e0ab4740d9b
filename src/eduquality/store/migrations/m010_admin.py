"""Administration (issue 11 §3): the audit log records administrators' changes, and settings
changed on the platform are kept in the database.

- ``audit_log.action`` takes 'admin': a user created, changed, disabled, enabled or removed,
  a password reset, a setting changed (old → new value in ``detail``). DuckDB cannot alter a
  CHECK, so the table is rebuilt with its rows (nothing references it).
- ``app_setting``: one row per setting changed on the platform (a key of
  :data:`eduquality.config.EDITABLE`, its value as text, who changed it and when); it
  overrides the configuration file's value wherever the database is used.
"""

VERSION = 10

SQL = """
CREATE TABLE audit_log_m010 (
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
INSERT INTO audit_log_m010 (logged_at, username, role, action, object, detail, address, count)
SELECT logged_at, username, role, action, object, detail, address, count FROM audit_log
ORDER BY rowid;
DROP TABLE audit_log;
ALTER TABLE audit_log_m010 RENAME TO audit_log;
CREATE TABLE app_setting (
    key        VARCHAR PRIMARY KEY,
    value      VARCHAR NOT NULL,
    changed_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    changed_by VARCHAR
);
"""
