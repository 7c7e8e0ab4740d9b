"""store.choices and table student_subject_choice (migration 12), on both stores, with rows
written by hand here."""

from __future__ import annotations

import pytest

from eduquality.store import Database, open_database
from eduquality.store.choices import chosen_subjects, subject_choices


@pytest.fixture()
def db(db_location) -> Database:
    """Students 1 and 2 with a 选科 in 2024-2025; student 1 also in 2025-2026 (changed)."""
    d = open_database(db_location)
    with d.write() as con:
        for y in ("2024-2025", "2025-2026"):
            con.execute("INSERT INTO school_year VALUES (?, ?, ?)",
                        [y, f"{y[:4]}-09-01", f"{y[5:]}-07-15"])
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (1, 'G1', '甲'), (2, 'G2', '乙')")
        con.execute("INSERT INTO student_subject_choice VALUES"
                    " (1, '2024-2025', 'physics', 'chemistry', 'biology', FALSE),"
                    " (2, '2024-2025', 'history', 'politics', 'geography', FALSE),"
                    " (1, '2025-2026', 'physics', 'chemistry', 'geography', TRUE)")
    yield d
    d.close()


def test_choices_of_a_year(db):
    got = subject_choices(db, "2024-2025")
    assert got.to_dict("records") == [
        {"student_id": 1, "first_choice": "physics", "second_1": "chemistry",
         "second_2": "biology", "changed": False},
        {"student_id": 2, "first_choice": "history", "second_1": "politics",
         "second_2": "geography", "changed": False}]
    assert subject_choices(db, "2025-2026")["changed"].tolist() == [True]
    long = chosen_subjects(db, "2025-2026")
    assert long.values.tolist() == [[1, "chemistry"], [1, "geography"], [1, "physics"]]


@pytest.mark.parametrize("row", [
    "(2, '2025-2026', 'chemistry', 'politics', 'geography', FALSE)",  # 首选 not 物理/历史
    "(2, '2025-2026', 'history', 'physics', 'geography', FALSE)",     # 物理 is no 再选
    "(2, '2025-2026', 'history', 'geography', 'geography', FALSE)",   # the same 再选 twice
    "(1, '2024-2025', 'history', 'politics', 'geography', FALSE)",    # one per student, year
])
def test_the_table_refuses_what_is_no_choice(db, row):
    with pytest.raises(Exception), db.write() as con:  # noqa: B017 (DuckDB's or psycopg's)
        con.execute(f"INSERT INTO student_subject_choice VALUES {row}")
    assert len(subject_choices(db, "2025-2026")) == 1
