"""Server-side sessions and forced password changes (issue 11 §2, OWASP ASVS 4.0 V3).

- ``web_session``: one row per signed-in browser. The cookie carries a random token; the row
  is keyed by its SHA-256 (a copy of the database gives no live cookie). Signing out, a
  password change and the idle and absolute limits delete rows (:mod:`eduquality.store.sessions`).
  No foreign key to ``app_user``: DuckDB could then no longer add columns to ``app_user``.
- ``app_user.must_change_password``: set when an administrator creates a user or resets a
  password; the user is sent to the password page after signing in until they change it.
"""

VERSION = 7

SQL = """
CREATE TABLE web_session (
    token_hash  VARCHAR PRIMARY KEY,
    username    VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL,
    client      VARCHAR
);
ALTER TABLE app_user ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
"""
