"""Accounts (issue 11 §2): disabled users, teachers' grants of past school years, and the audit
log's client address and repeat count.

- ``user_disabled``: one row per disabled account (``eduquality user disable``); a disabled
  user cannot sign in and their open sessions stop working (:mod:`eduquality.store.principals`
  treats them as not found). A side table, not a column of ``app_user``, so that no later
  table referencing ``app_user`` blocks the change, and so that ``enable`` is a DELETE.
- ``user_year_grant``: the past school years whose classes a teacher may still see
  (``eduquality user grant USERNAME --year 2020-2021``); without a grant a teacher sees the
  classes of the current school year only (:func:`eduquality.vocab.school_year_of`). The
  year is checked against ``school_year`` by :mod:`eduquality.store.users` (no foreign key:
  ``school_year`` must stay rebuildable).
- ``audit_log.address``: the client address of a web request (NULL for the CLI).
- ``audit_log.count``: how many identical events the row stands for (repeated failed
  sign-ins are aggregated into one row by the sign-in code); 1 for every other row.
"""

VERSION = 8

SQL = """
CREATE TABLE user_disabled (
    username    VARCHAR PRIMARY KEY,
    disabled_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    disabled_by VARCHAR
);
CREATE TABLE user_year_grant (
    username   VARCHAR NOT NULL,
    year_code  VARCHAR NOT NULL,
    granted_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    granted_by VARCHAR,
    PRIMARY KEY (username, year_code)
);
ALTER TABLE audit_log ADD COLUMN address VARCHAR;
ALTER TABLE audit_log ADD COLUMN count INTEGER DEFAULT 1;
"""
