"""store.roles on PostgreSQL: the platform role imports, reads and writes rows and audit rows,
but cannot DROP, ALTER or TRUNCATE a table nor delete audit rows; a pending migration is
refused to it with a clear message and applied by the migration role."""

from __future__ import annotations

import itertools

import pandas as pd
import psycopg
import pytest

from eduquality.store import db as store_db
from eduquality.store import open_database
from eduquality.store.audit import audit
from eduquality.store.backup import backup_database, restore_database
from eduquality.store.migrations import Migration, all_migrations
from eduquality.store.principals import Principal
from eduquality.store.roles import (
    CannotMigrate,
    cluster_statements,
    database_statements,
    role_script,
)
from eduquality.store.transfer import table_checksum
from tests.factories import tiny_exam_db

_numbers = itertools.count(1)


@pytest.fixture
def district(pg_cluster):
    """An empty database set up by the printed statements, as the migration role's first
    init leaves it: (superuser URL, migrator URL, platform URL)."""
    n = next(_numbers)
    name, migrator, platform = f"eq_roles_{n}", f"eq_mig_{n}", f"eq_app_{n}"
    admin = psycopg.connect(pg_cluster.url(), autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for role in (migrator, platform):
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    for sql in cluster_statements(name, migrator, platform):
        admin.execute(sql)
    url = pg_cluster.url(name)
    with psycopg.connect(url, autocommit=True) as con:
        for sql in database_statements(name, migrator, platform):
            con.execute(sql)
    as_migrator = url.replace("postgres@", f"{migrator}@")
    open_database(as_migrator).close()              # the first init, as the migration role
    with psycopg.connect(url, autocommit=True) as con:   # then the grants once more
        for sql in database_statements(name, migrator, platform):
            con.execute(sql)
    yield url, as_migrator, url.replace("postgres@", f"{platform}@")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for role in (migrator, platform):
        admin.execute(f'DROP ROLE IF EXISTS "{role}"')
    admin.close()


def test_the_platform_role_writes_rows_but_cannot_change_the_schema(district):
    _, _, platform = district
    db = tiny_exam_db(location=platform)       # an import: many tables, sequences, one write
    assert db.scalar("SELECT count(*) FROM subject_result") > 300
    db.con.register("_roster", pd.DataFrame({"x": [1, 2]}))     # temporary tables (imports)
    assert db.scalar("SELECT sum(x) FROM _roster") == 3
    with db.write() as con:
        assert con.execute("SELECT nextval('student_id_seq')").fetchone()[0] == 1
        con.execute("INSERT INTO student (student_id, national_id, name) "
                    "VALUES (10000, 'NEW', '新生')")
        con.execute("UPDATE student SET name = '新名' WHERE national_id = 'NEW'")
        con.execute("DELETE FROM student WHERE national_id = 'NEW'")
    audit(db, Principal("admin", "admin"), "view", "exam/E1")
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    refused = ["DROP TABLE audit_log", "DROP TABLE student CASCADE",
               "ALTER TABLE student ADD COLUMN x INTEGER", "TRUNCATE audit_log",
               "DELETE FROM audit_log", "CREATE TABLE x (a INTEGER)"]
    for sql in refused:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            db.con.execute(sql)
    assert db.scalar("SELECT count(*) FROM audit_log") == 1
    db.close()


def test_a_pending_migration_is_refused_to_the_platform_role(district, monkeypatch):
    _, migrator, platform = district
    newer = [*all_migrations(), Migration(99, "m099_test", "CREATE TABLE later (a INTEGER);")]
    monkeypatch.setattr(store_db, "all_migrations", lambda: newer)
    with pytest.raises(CannotMigrate) as caught:
        open_database(platform, lang="en")
    text = caught.value.text("en")
    assert "needs upgrading" in text and "99" in text and "migration role" in text
    assert "迁移角色" in str(caught.value)
    with open_database(migrator) as db:                 # the migration role applies it
        assert db.schema_version() == 99
    with open_database(platform) as db:                 # and the platform uses the new table
        with db.write() as con:
            con.execute("INSERT INTO later VALUES (1)")
        assert db.scalar("SELECT count(*) FROM later") == 1


def test_the_script_is_one_psql_file():
    script = role_script("wuhua")
    assert 'CREATE ROLE "eduquality_migrate" LOGIN;' in script
    assert 'CREATE DATABASE "wuhua" OWNER "eduquality_migrate"' in script
    assert '\\connect "wuhua"' in script
    assert "TRUNCATE" not in script.split("GRANT SELECT, INSERT, UPDATE, DELETE")[1].split(";")[0]


def test_the_platform_role_backs_up(district, tmp_path, pg_cluster):
    _, _, platform = district
    with open_database(platform) as db:
        manifest = backup_database(db, tmp_path / "backup")
        assert manifest.tables["audit_log"] == list(table_checksum(db.con, "audit_log"))
    target = pg_cluster.create_database()     # same cluster: the grants' roles exist
    try:
        restore_database(tmp_path / "backup", target)
        with open_database(target, read_only=True) as back:
            assert back.schema_version() == manifest.schema_version
    finally:                                  # before the roles its grants name are dropped
        pg_cluster.drop_database(target)
