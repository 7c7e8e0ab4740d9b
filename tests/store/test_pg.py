"""PgConnection: the DuckDB connection calls the store makes, answered by PostgreSQL the way
DuckDB answers them (issue 10 §1)."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.errors import EduQualityError
from eduquality.store import open_database
from eduquality.store.pg import PgConnection, is_postgres_url, safe_url, to_pyformat
from tests.factories import SEEDED_SUBJECTS

TYPES = ("SELECT CAST(1 AS INTEGER) AS i, CAST(2 AS SMALLINT) AS s, CAST(3 AS BIGINT) AS b, "
         "CAST(1.5 AS DOUBLE PRECISION) AS d, CAST('文' AS VARCHAR) AS v, TRUE AS t, "
         "CAST('2022-01-10' AS DATE) AS day, CAST('2022-01-10 08:30:00' AS TIMESTAMP) AS ts, "
         "CAST(NULL AS INTEGER) AS ni, CAST(NULL AS VARCHAR) AS nv, avg(x) AS mean, "
         "count(*) AS n FROM (SELECT 1 AS x UNION ALL SELECT 2) AS u")


@pytest.fixture
def con(pg_url):
    c = PgConnection(pg_url)
    yield c
    c.close()


def test_placeholders_outside_quotes_and_comments():
    assert to_pyformat("SELECT ? WHERE a LIKE '%?%' AND b = ? /* ? */", [1, 2]) == (
        "SELECT %s WHERE a LIKE '%?%' AND b = %s /* ? */", [1, 2])
    assert to_pyformat("SELECT x % 3 FROM t WHERE k = $1 OR j = $1", ["k"]) == (
        "SELECT x %% 3 FROM t WHERE k = %s OR j = %s", ["k", "k"])


def test_urls():
    assert is_postgres_url("postgresql://h/db") and is_postgres_url("postgres://h/db")
    assert not is_postgres_url("district.duckdb") and not is_postgres_url(":memory:")
    assert safe_url("postgresql://u:p%40ss@h/db") == "postgresql://u:***@h/db"


def test_rows_and_frames_as_duckdb_gives_them(con):
    duck = duckdb.connect()
    want = duck.execute(TYPES).fetchall()
    got = con.execute(TYPES).fetchall()
    assert got == want
    assert isinstance(got[0][10], float) and isinstance(got[0][11], int)
    pd.testing.assert_frame_equal(con.execute(TYPES).df(), duck.execute(TYPES).df())
    assert con.sql(TYPES).to_arrow_table().schema.field("day").type == pa.date32()


def test_parameters_of_python_and_numpy_types(con):
    row = con.execute("SELECT ?, ?, ?, ?, CAST(? AS DATE), ?", [
        np.int64(3), np.float64(2.5), np.bool_(True), "文", "2022-01-10",
        dt.datetime(2022, 1, 10, 8, 30)]).fetchone()
    assert row == (3, 2.5, True, "文", dt.date(2022, 1, 10), dt.datetime(2022, 1, 10, 8, 30))
    assert con.execute("SELECT 1 WHERE 'b' = ANY(?)", [["a", "b"]]).fetchall() == [(1,)]
    assert con.execute("SELECT 1 WHERE 'b' = ANY(?)", [[]]).fetchall() == []


def test_changes_report_their_count_as_duckdb_does(con):
    con.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v VARCHAR)")
    assert con.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')").fetchall() == [(2,)]
    assert con.execute("UPDATE t SET v = ? WHERE k > ?", ["c", 0]).fetchone() == (2,)
    assert con.execute("DELETE FROM t WHERE k = 1").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)


def test_transactions_are_the_statements(con):
    con.execute("CREATE TABLE t (k INTEGER)")
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO t VALUES (1)")
    con.execute("ROLLBACK")
    con.execute("BEGIN TRANSACTION")
    con.execute("INSERT INTO t VALUES (2)")
    con.execute("COMMIT")
    assert con.execute("SELECT k FROM t").fetchall() == [(2,)]


def test_register_joins_a_frame_like_a_table(con):
    frame = pd.DataFrame({"k": [1, 2, 3], "name": ["一", None, "三"],
                          "score": [1.5, np.nan, 3.0],
                          "day": pd.to_datetime(["2022-01-10", "2022-01-11", None]).date,
                          "mixed": ["a", 1, None]})
    con.register("_eq_frame", frame)
    got = con.execute("SELECT k, name, score, day, mixed FROM _eq_frame ORDER BY k").fetchall()
    assert got == [(1, "一", 1.5, dt.date(2022, 1, 10), "a"), (2, None, None,
                                                            dt.date(2022, 1, 11), "1"),
                   (3, "三", 3.0, None, None)]
    arrow = pa.table({"k": pa.array([1, 2], pa.int16()),
                      "cats": pa.array([[0.0, 1.0], [0.0, 1.0, 2.0]], pa.list_(pa.float64()))})
    con.register("_eq_frame", arrow)          # again under the same name: replaced
    assert con.execute("SELECT k, cats FROM _eq_frame ORDER BY k").fetchall() == [
        (1, [0.0, 1.0]), (2, [0.0, 1.0, 2.0])]
    con.unregister("_eq_frame")
    with pytest.raises(psycopg.errors.UndefinedTable):
        con.execute("SELECT * FROM _eq_frame")


def test_a_registered_frame_reads_back_value_for_value(con):
    """Registered frames travel as Arrow's CSV (strings quoted, NULL unquoted): every value
    comes back as it went — empty text is not NULL, quotes, commas, newlines, CJK, floats to
    the last bit, extreme integers, booleans, dates and timestamps (a list column takes the
    row-by-row path, above)."""
    tricky = ["", None, 'say "hi"', "a,b", "two\nlines", "五华区", "\\N", " "]
    n = len(tricky)
    floats = [0.1 + 0.2, 1e-300, -0.0, None, 123456789.123456789, 5e-324, 1.7976931348623157e308,
              2.5]
    frame = pa.table({
        "k": pa.array(range(n), pa.int32()), "text": pa.array(tricky, pa.string()),
        "x": pa.array(floats, pa.float64()),
        "big": pa.array([2**62, -(2**62), None, 0, 1, -1, 7, 8], pa.int64()),
        "flag": pa.array([True, False, None, True, False, True, None, False]),
        "day": pa.array([dt.date(2022, 1, 10)] * (n - 1) + [None], pa.date32()),
        "at": pa.array([dt.datetime(2022, 1, 10, 8, 30, 0, 123456)] * (n - 1) + [None],
                       pa.timestamp("us")),
        "cat": pa.array(["a", "b", None, "a", "b", "a", "a", "b"]).dictionary_encode(),
    })
    con.register("_eq_tricky", frame)
    got = con.execute('SELECT * FROM _eq_tricky ORDER BY k').fetchall()
    want = list(zip(*(frame.column(c).to_pylist() for c in frame.column_names), strict=True))
    assert got == want
    con.unregister("_eq_tricky")


def test_arrow_by_copy_equals_the_rows_as_execute_reads_them(con):
    """``con.sql(...).to_arrow_table()`` reads by COPY and Arrow's CSV reader: the same values
    and types as the row-by-row read — empty text is not NULL, text that Arrow would otherwise
    take for NULL ('NA', 'null', 'nan') stays text, 't'/'f' are booleans, floats to the last
    bit, NaN stays NaN; parameters (text with quotes, '?' and '%') are bound as literals; a
    temporary table of the same session and an open transaction's rows are seen; a column of
    another type (an array, a timestamp) takes the row-by-row read."""
    tricky = ["", None, 'say "hi"', "a,b", "two\nlines", "五华区", "NA", "null", "nan", "%?"]
    n = len(tricky)
    floats = [0.1 + 0.2, 1e-300, -0.0, None, float("nan"), 5e-324, 1.7976931348623157e308,
              2.5, -1.0, 3.0]
    frame = pa.table({
        "k": pa.array(range(n), pa.int32()), "text": pa.array(tricky, pa.string()),
        "x": pa.array(floats, pa.float64()),
        "big": pa.array([2**62, -(2**62), None, 0, 1, -1, 7, 8, 9, 10], pa.int64()),
        "flag": pa.array([True, False, None, True, False, True, None, False, True, True]),
        "day": pa.array([dt.date(2022, 1, 10)] * (n - 1) + [None], pa.date32()),
    })
    con.execute("BEGIN TRANSACTION")
    con.register("_eq_tricky", frame)
    query = ("SELECT k, text, x, big, flag, day, CAST(k AS SMALLINT) AS s, "
             "CAST(k AS NUMERIC) / 4 AS num FROM _eq_tricky WHERE text IS DISTINCT FROM ? "
             "OR k >= ? ORDER BY k")
    params = ["it's \"odd\" ? %", 0]
    by_copy = con.sql(query, params=params).to_arrow_table()
    by_rows = con.execute(query, params).to_arrow_table()
    assert by_copy.schema == by_rows.schema
    assert by_copy.num_rows == n
    for name in by_copy.column_names:
        got, want = by_copy.column(name).to_pylist(), by_rows.column(name).to_pylist()
        assert [("nan" if isinstance(v, float) and v != v else v) for v in got] == [
            ("nan" if isinstance(v, float) and v != v else v) for v in want], name
    assert by_copy.column("text").to_pylist()[:2] == ["", None]
    assert by_copy.column("x").to_pylist()[0] == 0.1 + 0.2
    pd.testing.assert_frame_equal(con.sql(query, params=params).df(),
                                  con.execute(query, params).df())
    assert con.sql("SELECT k FROM _eq_tricky WHERE k < 0").to_arrow_table().num_rows == 0
    other = con.sql("SELECT ARRAY[1.5, 2.0] AS a, now() AS at").to_arrow_table()
    assert other.column("a").to_pylist() == [[1.5, 2.0]]
    con.execute("ROLLBACK")


def test_a_write_that_changes_a_table_a_lot_refreshes_its_statistics(pg_url):
    """``Database.write`` on PostgreSQL analyses, before its checks, the tables its
    transaction changed a lot (≥ 1,000 rows and > 10 % of the estimate): the planner knows
    the new rows at once instead of after autovacuum; a small write analyses nothing."""
    from eduquality.store.pg import ANALYZE_MIN_ROWS

    def estimate(db, table):
        return db.scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass(?)", [table])

    db = open_database(pg_url)
    with db.write() as con:
        con.executemany("INSERT INTO district VALUES (?, ?, NULL, NULL)",
                        [(str(i), f"区{i}") for i in range(10)])
    assert estimate(db, "district") in (-1, 0)          # never analysed: too few rows
    n = ANALYZE_MIN_ROWS * 3
    with db.write() as con:
        con.register("_eq_people", pa.table({"i": pa.array(range(n), pa.int64())}))
        con.execute("INSERT INTO student (national_id, name) "
                    "SELECT 'N' || CAST(i AS VARCHAR), 'x' FROM _eq_people")
        con.unregister("_eq_people")
    assert estimate(db, "student") == n
    assert estimate(db, "district") in (-1, 0)
    db.close()


def test_a_registered_frame_goes_with_a_rolled_back_transaction(con):
    con.execute("BEGIN TRANSACTION")
    con.register("_eq_tx", pd.DataFrame({"k": [1]}))
    con.execute("ROLLBACK")
    con.unregister("_eq_tx")                  # nothing left to drop: no error
    assert con.execute("SELECT count(*) FROM pg_tables WHERE tablename = '_eq_tx'"
                       ).fetchone() == (0,)


def test_read_only_refuses_writes(pg_url):
    open_database(pg_url).close()
    with open_database(pg_url, read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM subject") == SEEDED_SUBJECTS
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.con.execute("INSERT INTO district VALUES ('1', '区', NULL, NULL)")


def test_read_only_registers_frames_still_refuses_writes_and_is_not_writable(pg_url):
    """The report commands open read-only and look students up through registered frames:
    the temporary table is made in a transaction of its own that may write (PostgreSQL refuses
    CREATE TEMPORARY TABLE in a read-only one); base tables stay refused; the analysis store
    knows not to save there."""
    from eduquality.store.analysis_store import is_writable

    open_database(pg_url).close()
    with open_database(pg_url, read_only=True) as db:
        db.con.register("_eq_ids", pd.DataFrame({"k": [1, 2]}))
        assert db.scalar("SELECT sum(k) FROM _eq_ids") == 3
        db.con.unregister("_eq_ids")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            db.con.execute("INSERT INTO district VALUES ('1', '区', NULL, NULL)")
        assert not is_writable(db)
    with open_database(pg_url) as db:
        assert is_writable(db)


def test_an_unreachable_server_is_a_clear_error(pg_cluster):
    url = f"postgresql://eq:secret@127.0.0.1:{pg_cluster.port}/no_such_database"
    with pytest.raises(EduQualityError) as caught:
        open_database(url, "en")
    text = str(caught.value)
    assert "cannot connect to the PostgreSQL database" in text and "no_such_database" in text
    assert "secret" not in text and "eq:***@" in text
    with pytest.raises(EduQualityError, match="无法连接 PostgreSQL 数据库"):
        open_database(url)


def test_a_second_handle_is_another_session(pg_url):
    db = open_database(pg_url)
    other = db.cursor()
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('1', '区', NULL, NULL)")
        assert other.scalar("SELECT count(*) FROM district") == 0   # not yet committed
    assert other.scalar("SELECT count(*) FROM district") == 1
    other.close()
    db.close()


def test_the_commands_take_a_url(pg_url):
    """``--db postgresql://…``: init creates the schema, info reads it."""
    runner = CliRunner()
    done = runner.invoke(main, ["--db", pg_url, "--lang", "en", "init"])
    assert done.exit_code == 0, done.output
    info = runner.invoke(main, ["--db", pg_url, "--lang", "en", "info"])
    assert info.exit_code == 0, info.output
    assert "subject" in info.output and pg_url in info.output
