"""upsert: a corrected file updates rows whose columns are tied by a CHECK (status and score);
pending_rows: the rows an upsert would insert or change; delete_where: only the rows of the one
value go."""

from __future__ import annotations

import pandas as pd

from eduquality.ingest.writes import delete_where, pending_rows, upsert
from eduquality.store import open_database


def test_upsert_changes_tied_columns_together(db_location):
    db = open_database(db_location)
    with db.write(check_scores=False) as con:
        con.execute("CREATE TABLE r (k INTEGER PRIMARY KEY, status VARCHAR, "
                    "score DOUBLE PRECISION, CHECK ((status = 'present') = (score IS NOT NULL)))")
        con.execute("INSERT INTO r VALUES (1, 'absent', NULL), (2, 'present', 7), (3, 'present', 5)")
    new = pd.DataFrame({"k": [1, 2, 3, 4], "status": ["present", "absent", "present", "absent"],
                        "score": [50.0, None, 5.0, None]})
    with db.write(check_scores=False) as con:
        n = upsert(con, "r", new, ["k"])
    assert n == 3  # two changed, one inserted, one unchanged
    got = db.sql("SELECT * FROM r ORDER BY k")
    assert got["status"].tolist() == ["present", "absent", "present", "absent"]
    assert got["score"].fillna(-1).tolist() == [50.0, -1, 5.0, -1]


def test_delete_where_removes_only_that_value(db_location):
    db = open_database(db_location)
    with db.write(check_scores=False) as con:
        con.execute("CREATE TABLE r (year INTEGER, name VARCHAR)")
        con.execute("INSERT INTO r VALUES (2023, 'a'), (2024, 'b'), (2024, 'c'), (NULL, 'd')")
    with db.write(check_scores=False) as con:
        delete_where(con, "r", "year", 2024)
    got = db.sql("SELECT name FROM r ORDER BY name")
    assert got["name"].tolist() == ["a", "d"]


def test_pending_rows_counts_new_and_changed_rows_only(db_location):
    db = open_database(db_location)
    with db.write(check_scores=False) as con:
        con.execute("CREATE TABLE r (k INTEGER, j VARCHAR, v VARCHAR, w DOUBLE PRECISION, "
                    "PRIMARY KEY (k, j))")
        con.execute("INSERT INTO r VALUES (1, 'a', 'x', NULL), (2, 'a', NULL, 1.5), "
                    "(3, 'a', 'z', 2)")
    same = pd.DataFrame({"k": [1, 2, 3], "j": ["a", "a", "a"], "v": ["x", None, "z"],
                         "w": [None, 1.5, 2.0]})
    # 1: v changed; 2: NULL → value; 3: unchanged; 3/b: new key (same k, other j)
    new = pd.DataFrame({"k": [1, 2, 3, 3], "j": ["a", "a", "a", "b"],
                        "v": ["y", "q", "z", "z"], "w": [None, 1.5, 2.0, 2.0]})
    with db.write(check_scores=False) as con:
        assert pending_rows(con, "r", same, ["k", "j"]) == 0
        assert pending_rows(con, "r", same.iloc[:0], ["k", "j"]) == 0
        assert pending_rows(con, "r", new, ["k", "j"]) == 3
        assert pending_rows(con, "r", new, ["k", "j"]) == upsert(con, "r", new, ["k", "j"])
        assert pending_rows(con, "r", new, ["k", "j"]) == 0
