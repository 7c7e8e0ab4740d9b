"""The migrations on PostgreSQL (issue 10 §1): the frozen DuckDB text rendered for PostgreSQL
gives the same tables, columns, constraints and reference data as on DuckDB; versions are
recorded the same way; a database of an earlier schema upgrades; two processes migrating one
database at once apply each migration once."""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import pytest

from eduquality.store import db as store_db
from eduquality.store import open_database
from eduquality.store.migrations import Migration, all_migrations
from eduquality.store.pg_schema import REPLACED, render
from tests.store.test_migrations import CHECKED, FIXTURES, _check_codes

PG_TYPE = {"VARCHAR": "character varying", "DOUBLE": "double precision", "INTEGER": "integer",
           "SMALLINT": "smallint", "BOOLEAN": "boolean", "DATE": "date", "BIGINT": "bigint",
           "TIMESTAMP": "timestamp without time zone", "DOUBLE[]": "double precision[]",
           "BLOB": "bytea"}
"""DuckDB's name of each column type the migrations use → PostgreSQL's (format_type)."""

KINDS = {"PRIMARY KEY": "p", "UNIQUE": "u", "CHECK": "c", "FOREIGN KEY": "f"}


def _duckdb_shape(db) -> dict[str, object]:
    here = "database_name = current_database() AND schema_name = 'main'"
    columns = [(t, c, PG_TYPE[ty], bool(n)) for t, c, ty, n in db.con.execute(
        "SELECT table_name, column_name, data_type, is_nullable FROM duckdb_columns() "
        f"WHERE {here} AND table_name IN (SELECT table_name FROM duckdb_tables() "
        f"WHERE {here}) ORDER BY table_name, column_index").fetchall()]
    constraints = Counter((t, KINDS[k]) for t, k in db.con.execute(
        f"SELECT table_name, constraint_type FROM duckdb_constraints() WHERE {here}"
    ).fetchall() if k in KINDS)
    views = {r[0] for r in db.con.execute(
        f"SELECT view_name FROM duckdb_views() WHERE {here} AND NOT internal").fetchall()}
    sequences = {r[0] for r in db.con.execute(
        f"SELECT sequence_name FROM duckdb_sequences() WHERE {here}").fetchall()}
    return {"columns": columns, "constraints": constraints, "views": views,
            "sequences": sequences, **_data(db)}


def _pg_shape(db) -> dict[str, object]:
    columns = [(t, c, ty, n == "YES") for t, c, ty, n in db.con.execute(
        "SELECT c.table_name, c.column_name, format_type(a.atttypid, a.atttypmod), "
        "c.is_nullable FROM information_schema.columns c "
        "JOIN information_schema.tables t USING (table_schema, table_name) "
        "JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(c.table_name)) "
        "AND a.attname = c.column_name WHERE c.table_schema = 'public' "
        "AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position").fetchall()]
    constraints = Counter((t, k) for t, k in db.con.execute(
        "SELECT conrelid::regclass::text, contype FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace").fetchall())
    views = {r[0] for r in db.con.execute(
        "SELECT table_name FROM information_schema.views WHERE table_schema = 'public'"
    ).fetchall()}
    sequences = {r[0] for r in db.con.execute(
        "SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = "
        "'public'").fetchall()}
    return {"columns": columns, "constraints": constraints, "views": views,
            "sequences": sequences, **_data(db)}


def _data(db) -> dict[str, object]:
    return {
        "subjects": sorted(db.con.execute("SELECT * FROM subject").fetchall()),
        "migrations": sorted(db.con.execute(
            "SELECT version, name FROM schema_migrations").fetchall()),
    }


def _pg_check_codes(db, table: str, column: str) -> set[str]:
    for (text,) in db.con.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'c' "
            "AND conrelid = to_regclass(?)", [f'"{table}"']).fetchall():
        found = re.search(rf"\(\(?{column}\)::text = ANY \(\(ARRAY\[(.*?)\]", text)
        if found:
            return set(re.findall(r"'([^']*)'::", found.group(1)))
    raise AssertionError(f"no CHECK on {table}.{column}")


def test_postgres_gets_duckdbs_schema(pg_url):
    """Every migration renders and applies; the schema matches DuckDB's column for column,
    constraint kind for constraint kind, with the same reference data and versions."""
    pg = open_database(pg_url)
    duck = open_database(":memory:")
    assert pg.dialect == "postgres" and pg.schema_version() == duck.schema_version()
    want, got = _duckdb_shape(duck), _pg_shape(pg)
    for part in want:
        assert got[part] == want[part], part
    for (table, column), _vocabulary in CHECKED.items():
        assert _pg_check_codes(pg, table, column) == _check_codes(duck, table, column)
    assert pg.migrate() == []
    pg.close()
    duck.close()


def test_the_student_status_view_agrees(pg_url):
    """The one view PostgreSQL renders differently (no arg_max) gives DuckDB's rows."""
    rows = ["INSERT INTO district VALUES ('D', '区', '市', '省')",
            "INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban', NULL, "
            "NULL, NULL), ('S2', '乙校', 'D', 'junior', 'public', 'urban', NULL, NULL, NULL)",
            "INSERT INTO student (national_id, name) VALUES ('G1', '一'), ('G2', '二'), "
            "('G3', '三')",
            "INSERT INTO enrolment_event VALUES (1, '2019-09-01', 'admission', 'S1', NULL), "
            "(1, '2021-03-01', 'transfer_out', 'S1', NULL), "
            "(2, '2019-09-01', 'admission', 'S1', NULL), "
            "(2, '2020-09-01', 'transfer_in', 'S2', NULL), "
            "(3, '2019-09-01', 'admission', 'S2', NULL), (3, '2022-07-01', 'graduation', 'S2', "
            "NULL)"]
    seen = []
    for location in (":memory:", pg_url):
        with open_database(location) as db:
            with db.write() as con:
                for sql in rows:
                    con.execute(sql)
            seen.append(db.con.execute("SELECT student_id, last_event, school_code, since, "
                                       "status FROM student_status ORDER BY student_id"
                                       ).fetchall())
    assert seen[0] == seen[1]
    assert [r[4] for r in seen[1]] == ["left", "enrolled", "graduated"]
    assert seen[1][1][2] == "S2"


def test_render_refuses_a_migration_whose_passage_changed():
    first = all_migrations()[0]
    passage = REPLACED[1][0][0]
    assert passage in first.sql and "arg_max" not in render(first)
    changed = Migration(1, first.name, first.sql.replace("GROUP BY student_id", "GROUP BY 1"))
    with pytest.raises(RuntimeError, match="REPLACED"):
        render(changed)


def _data_of_release(path: Path) -> list[str]:
    """The data rows of the 0.1.0 fixture (plain SQL both stores run)."""
    text = path.read_text(encoding="utf-8").split("-- data", 1)[1]
    return [s.strip() for s in text.split(";\n") if s.strip().startswith("INSERT")]


def test_a_database_of_an_earlier_schema_upgrades(pg_url, monkeypatch):
    """A PostgreSQL database at 0.1.0's schema (migrations 1–3) with 0.1.0's rows upgrades to
    the schema a new one gets, and its data survive and take new rows."""
    early = [m for m in all_migrations() if m.version <= 3]
    monkeypatch.setattr(store_db, "all_migrations", lambda: early)
    with open_database(pg_url) as old, old.write() as con:
        for sql in _data_of_release(FIXTURES / "release_0.1.0.sql"):
            con.execute(sql)
    monkeypatch.undo()
    db = open_database(pg_url)
    assert db.schema_version() == max(m.version for m in all_migrations())
    fresh = open_database(":memory:")
    upgraded, want = _pg_shape(db), _duckdb_shape(fresh)
    for part in want:
        assert upgraded[part] == want[part], part
    assert db.scalar("SELECT count(*) FROM student") == 2
    assert db.con.execute("SELECT status, score FROM subject_result ORDER BY student_id"
                          ).fetchall() == [("present", 7.0), ("absent", None)]
    assert db.scalar("SELECT sum(score) FROM item_score") == 7
    assert db.scalar("SELECT status FROM student_status WHERE student_id = 2") == "enrolled"
    with db.write() as con:
        con.execute("INSERT INTO student (national_id, name) VALUES ('G000003', '学生3')")
    assert db.scalar("SELECT max(student_id) FROM student") == 3
    db.close()
    fresh.close()


def test_two_processes_migrating_at_once_apply_each_migration_once(pg_url):
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            open_database(pg_url).close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with open_database(pg_url, read_only=True) as db:
        assert db.con.execute("SELECT version, count(*) FROM schema_migrations GROUP BY version "
                              "HAVING count(*) > 1").fetchall() == []
        assert db.schema_version() == max(m.version for m in all_migrations())
