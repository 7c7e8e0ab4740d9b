"""require_exam: one query for an exam in scope; unknown and out-of-scope exams told apart."""

from __future__ import annotations

import pytest

from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from eduquality.store.scoped import require_exam
from tests.web.conftest import build_db


@pytest.fixture(scope="module")
def db():
    db = build_db()
    with db.write() as con:  # an exam nobody sat: known, but in no one's exam scope
        con.execute("INSERT INTO exam VALUES ('E9', '空考试', 'mock', 'district', '2021-2022', 2,"
                    " '2022-05-01', 8)")
    return db


@pytest.mark.parametrize("user", ["admin", "res", "lead", "p1", "p2", "t1", "par"])
def test_exam_in_scope_passes(db, user):
    require_exam(db, scope_for(db, load_principal(db, user)), "E1")


@pytest.mark.parametrize("user", ["admin", "p1"])
def test_unknown_exam_is_not_found_and_unsat_exam_denied(db, user):
    scope = scope_for(db, load_principal(db, user))
    with pytest.raises(NotFoundError):
        require_exam(db, scope, "NOPE")
    with pytest.raises(PermissionDenied):
        require_exam(db, scope, "E9")


def test_exam_outside_a_school_is_denied(db):
    with db.write() as con:  # E4: sat by S2's students only
        con.execute("INSERT INTO exam VALUES ('E4', '二校', 'mock', 'district', '2021-2022', 2,"
                    " '2022-05-02', 8)")
        con.execute("INSERT INTO exam_registration SELECT 'E4', student_id, 'E4' || exam_number,"
                    " school_code, class_id FROM exam_registration WHERE exam_id = 'E1'"
                    " AND school_code = 'S2'")
    require_exam(db, scope_for(db, load_principal(db, "p2")), "E4")
    with pytest.raises(PermissionDenied):
        require_exam(db, scope_for(db, load_principal(db, "p1")), "E4")
