"""store.transfer: a district copied DuckDB → PostgreSQL → DuckDB, verified by row counts and
checksums; an occupied target or a copy that does not verify leaves the target unchanged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from eduquality.errors import EduQualityError
from eduquality.store import open_database, transfer
from eduquality.store.catalog import foreign_keys
from eduquality.store.transfer import copy_database, copy_order, table_checksum
from tests.factories import SEEDED_SUBJECTS
from tests.web.conftest import build_db


def _district():
    """The web tests' district, plus rows of the types it lacks: timestamps, arrays, NULLs."""
    db = build_db()
    with db.write() as con:
        con.execute("INSERT INTO audit_log (logged_at, username, role, action, object, detail,"
                    " address, count) VALUES (?, 'admin', 'admin', 'view', 'exam/E1', NULL,"
                    " '10.0.0.1', 3)", [dt.datetime(2026, 3, 1, 8, 30, 15, 250000)])
        con.execute("INSERT INTO item_parameter (paper_id, seq, model, fit_model, n_cats,"
                    " categories, a, d, b, se_b, scale) VALUES ('E1/math', 1, 'grm', 'grm', 3,"
                    " [0.0, 1.0, 2.0], 1.25, [0.5, -0.75], [-0.4, 0.6], NULL, 'E1/math')")
        con.execute("INSERT INTO import_log (kind, file_name, file_sha256, imported_by,"
                    " rows_read, rows_written, outcome) VALUES ('scores', '成绩.xlsx', 'ab',"
                    " 'admin', 10, 10, 'imported')")
    return db


def test_a_district_goes_to_postgres_and_back(pg_url):
    src = _district()
    pg = open_database(pg_url)
    there = copy_database(src, pg)
    back = open_database(":memory:")
    again = copy_database(pg, back)
    assert there == again
    counts = {t.table: t.rows for t in there}
    assert counts == {t: n for t, n in src.table_counts().items() if t != "schema_migrations"}
    assert counts["item_score"] > 100 and counts["audit_log"] == 1
    assert pg.con.execute("SELECT categories, d, se_b FROM item_parameter").fetchall() == [
        ([0.0, 1.0, 2.0], [0.5, -0.75], None)]
    assert back.scalar("SELECT logged_at FROM audit_log") == dt.datetime(2026, 3, 1, 8, 30, 15,
                                                                          250000)
    pd.testing.assert_frame_equal(back.sql("SELECT * FROM student ORDER BY student_id"),
                                  src.sql("SELECT * FROM student ORDER BY student_id"))
    for db in (pg, back):      # the next student and import get fresh keys
        with db.write() as con:
            con.execute("INSERT INTO student (national_id, name) VALUES ('NEW', '新生')")
            con.execute("INSERT INTO import_log (kind, file_name, file_sha256, imported_by,"
                        " rows_read, rows_written, outcome) VALUES ('roster', 'r.xlsx', 'cd',"
                        " 'admin', 1, 1, 'imported')")
        assert db.scalar("SELECT student_id FROM student WHERE national_id = 'NEW'") == (
            src.scalar("SELECT max(student_id) FROM student") + 1)
        assert db.scalar("SELECT max(import_id) FROM import_log") == 2
    for db in (src, pg, back):
        db.close()


def test_checksums_see_a_changed_value(db_location):
    with open_database(db_location) as db:
        before = table_checksum(db.con, "subject")
        with db.write() as con:
            con.execute("UPDATE subject SET name_en = 'Maths' WHERE subject_code = 'math'")
        after = table_checksum(db.con, "subject")
    assert before[0] == after[0] == SEEDED_SUBJECTS and before[1] != after[1]


def test_an_occupied_target_is_refused(db_location):
    src = _district()
    dst = open_database(db_location, "en")
    with dst.write() as con:
        con.execute("INSERT INTO district VALUES ('1', '区', NULL, NULL)")
    with pytest.raises(EduQualityError, match=r"not empty .*district"):
        copy_database(src, dst)
    assert dst.scalar("SELECT count(*) FROM student") == 0


def test_a_copy_that_does_not_verify_copies_nothing(db_location, monkeypatch):
    src = _district()
    dst = open_database(db_location, "en")
    real = transfer.table_checksum

    def off_by_one(con, table):
        rows, digest = real(con, table)
        return (rows + 1, digest) if con is not src.con and table == "item_score" else (
            rows, digest)

    monkeypatch.setattr(transfer, "table_checksum", off_by_one)
    with pytest.raises(EduQualityError, match=r"item_score .*nothing was copied"):
        copy_database(src, dst)
    assert all(n == 0 for t, n in dst.table_counts().items()
               if t not in ("subject", "schema_migrations"))
    assert dst.scalar("SELECT count(*) FROM subject") == SEEDED_SUBJECTS


def test_each_table_comes_after_the_tables_it_references():
    with open_database(":memory:") as db:
        order = copy_order(db.con)
        keys = foreign_keys(db.con)
    assert "schema_migrations" not in order and {"student", "item_score"} <= set(order)
    assert keys and all(order.index(t) > order.index(r) for t, r in keys)
