"""The store's reads give the same answer on both stores (issue 10 §1): the district of the
web tests is built once on DuckDB and once on PostgreSQL by the same code, and every read
below must return equal values with equal dtypes (DataFrames), or equal objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from eduquality.store import exams, lines, papers, refs, rosters, scoped, students, units
from eduquality.store.exports import result_rows
from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from eduquality.store.users import list_users
from tests.web.conftest import USERS, build_db


@pytest.fixture(scope="module")
def both(pg_cluster):
    url = pg_cluster.create_database()
    pair = build_db(), build_db(url)
    yield pair
    for db in pair:
        db.close()
    pg_cluster.drop_database(url)


def _scoped(name: str, call: Callable[..., Any]) -> Callable[[Any], Any]:
    return lambda db: call(db, scope_for(db, load_principal(db, name)))


READS: dict[str, Callable[[Any], Any]] = {
    **{f"scoped_results/{u}": _scoped(u, lambda db, s: scoped.scoped_results(db, s, "E1"))
       for u in USERS},
    **{f"scoped_students/{u}": _scoped(u, lambda db, s: scoped.scoped_students(db, s,
                                                                                exam_id="E1"))
       for u in USERS},
    **{f"scoped_exams/{u}": _scoped(u, scoped.scoped_exams) for u in USERS},
    **{f"scoped_schools/{u}": _scoped(u, scoped.scoped_schools) for u in USERS},
    **{f"scoped_classes/{u}": _scoped(u, scoped.scoped_classes) for u in USERS},
    **{f"result_rows/{u}": _scoped(u, lambda db, s: result_rows(db, s, "E1", "math"))
       for u in ("admin", "p1", "t1", "par")},
    "list_users": list_users,
    "find_exam": lambda db: exams.find_exam(db, "E1"),
    "exam_subject_codes": lambda db: exams.exam_subject_codes(db, "E1"),
    "exams_of_type": lambda db: exams.exams_of_type(db, "mock"),
    "latest_exam_id": exams.latest_exam_id,
    "fingerprint": lambda db: exams.exam_data_fingerprint(db, "E1"),
    "exam_items": lambda db: papers.exam_items(db, "E1"),
    "exam_papers": lambda db: papers.exam_papers(db, "E1"),
    "papers_with_item_scores": lambda db: papers.papers_with_item_scores(db, "E1"),
    "papers_without_items": lambda db: papers.papers_without_items(db, "E1"),
    "present_item_scores": lambda db: papers.present_item_scores(db, "E1/math").to_pandas(),
    "students_item_scores": lambda db: papers.students_item_scores(db, "E1", [1, 2, 3, 99]),
    "registrations": lambda db: rosters.registrations(db, "E1"),
    "registered_identities": lambda db: rosters.registered_identities(db, "E1"),
    "exam_numbers": lambda db: rosters.exam_numbers(db, "E1"),
    "present_scores": lambda db: rosters.present_scores(db, "math", ["E1", "E3"]),
    "first_placement": lambda db: rosters.first_placement(db, "E1"),
    "unit_names": lambda db: units.unit_names(db, "E1"),
    "classes": lambda db: units.classes(db, "2021-2022"),
    "school_names": units.school_names,
    "district_name": units.district_name,
    "school_years": refs.school_years,
    "student_ids": students.student_ids,
    "year_roster": lambda db: students.year_roster(db, "2021-2022", 8),
    "cut_lines": lambda db: lines.cut_lines(db, "gaokao", 2022),
    "table_counts": lambda db: db.table_counts(),
}


def _same(a: Any, b: Any) -> None:
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame)
        assert len(a) > 0 or len(b) == 0
        key = list(a.columns)
        left = a.sort_values(key, ignore_index=True) if len(a) else a
        right = b.sort_values(key, ignore_index=True) if len(b) else b
        pd.testing.assert_frame_equal(left, right)
    else:
        assert a == b


@pytest.mark.parametrize("name", sorted(READS))
def test_the_same_answer_on_both_stores(both, name):
    duck, pg = both
    _same(READS[name](duck), READS[name](pg))


def test_the_reads_read_something(both):
    """The comparison above is not of empty tables."""
    duck, _ = both
    assert len(READS["scoped_results/admin"](duck)) > 100
    assert len(READS["exam_items"](duck)) == 3
    assert READS["table_counts"](duck)["item_score"] > 100
