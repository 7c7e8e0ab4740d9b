"""The migrations on PostgreSQL: the frozen DuckDB text of each, rendered for PostgreSQL.

A migration's ``SQL`` is written once, for DuckDB, and frozen (its hash is recorded in
``tests/store/test_migrations.py``). PostgreSQL runs the same text after :func:`render`:

- generic rewrites of DuckDB's type names: ``DOUBLE`` → ``DOUBLE PRECISION`` (arrays too),
  ``BLOB`` → ``BYTEA``;
- :data:`REPLACED`: a passage PostgreSQL cannot run, replaced by its PostgreSQL form, per
  migration version. The passage must occur in the migration exactly once, so a migration
  whose text changed fails loudly here instead of being rendered wrongly.

Applied versions are recorded in ``schema_migrations`` as on DuckDB. A new migration that uses
DuckDB-only SQL needs an entry in :data:`REPLACED` (``tests/store/test_pg_schema.py`` applies
every migration on a real PostgreSQL and compares the schema with DuckDB's).
"""

from __future__ import annotations

import re

from eduquality.store.migrations import Migration

_STUDENT_STATUS_DUCKDB = """CREATE VIEW student_status AS
SELECT student_id,
       arg_max(event_type, event_date) AS last_event,
       arg_max(school_code, event_date) AS school_code,
       max(event_date) AS since,
       CASE arg_max(event_type, event_date)
            WHEN 'transfer_out' THEN 'left'
            WHEN 'suspension'   THEN 'suspended'
            WHEN 'dropout'      THEN 'dropped_out'
            WHEN 'graduation'   THEN 'graduated'
            ELSE 'enrolled' END AS status
FROM enrolment_event
GROUP BY student_id;"""

# PostgreSQL has no arg_max: the latest event of each student by DISTINCT ON (ties of one date
# broken by the event type, where DuckDB's arg_max takes either).
_STUDENT_STATUS_POSTGRES = """CREATE VIEW student_status AS
SELECT DISTINCT ON (student_id)
       student_id,
       event_type AS last_event,
       school_code,
       event_date AS since,
       CASE event_type
            WHEN 'transfer_out' THEN 'left'
            WHEN 'suspension'   THEN 'suspended'
            WHEN 'dropout'      THEN 'dropped_out'
            WHEN 'graduation'   THEN 'graduated'
            ELSE 'enrolled' END AS status
FROM enrolment_event
ORDER BY student_id, event_date DESC, event_type;"""

REPLACED: dict[int, list[tuple[str, str]]] = {
    1: [(_STUDENT_STATUS_DUCKDB, _STUDENT_STATUS_POSTGRES)],
    # m010_admin copies the audit log in its order of insertion: DuckDB's rowid is
    # PostgreSQL's ctid (rows of the log are appended, and updated only in their count)
    10: [("FROM audit_log\nORDER BY rowid;", "FROM audit_log\nORDER BY ctid;")],
    # m014 rebuilds the log with an explicit key, in the order m010 took
    14: [("FROM audit_log\nORDER BY rowid;", "FROM audit_log\nORDER BY ctid;")],
}
"""Migration version → (DuckDB passage, PostgreSQL passage) pairs."""

_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)")
_BLOB = re.compile(r"\bBLOB\b")


def render(migration: Migration) -> str:
    """``migration``'s SQL for PostgreSQL.

    >>> render(Migration(99, "m099_x", "CREATE TABLE t (x DOUBLE NOT NULL, y DOUBLE[]);"))
    'CREATE TABLE t (x DOUBLE PRECISION NOT NULL, y DOUBLE PRECISION[]);'
    >>> render(Migration(99, "m099_x", "CREATE TABLE t (data BLOB NOT NULL);"))
    'CREATE TABLE t (data BYTEA NOT NULL);'
    """
    sql = migration.sql
    for duckdb_text, postgres_text in REPLACED.get(migration.version, []):
        if sql.count(duckdb_text) != 1:
            raise RuntimeError(f"{migration.name}: the passage that PostgreSQL renders "
                               "differently is not in the migration once; update "
                               "eduquality.store.pg_schema.REPLACED")
        sql = sql.replace(duckdb_text, postgres_text)
    return _BLOB.sub("BYTEA", _DOUBLE.sub("DOUBLE PRECISION", sql))
