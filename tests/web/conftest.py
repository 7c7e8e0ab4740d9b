"""A tiny district with one user per role, and a signed-in client factory."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store.users import add_user, grant_year
from eduquality.web.app import create_app
from tests.factories import tiny_exam_db

PASSWORD = "correct-horse-9"

USERS = {
    "admin": dict(role="admin"),
    "res": dict(role="researcher"),
    "lead": dict(role="leader"),
    "p1": dict(role="principal", school_code="S1"),
    "p2": dict(role="principal", school_code="S2"),
    "t1": dict(role="teacher", teacher_id="T1"),
    "par": dict(role="parent", student="G000001"),  # the ID number of student 1
}
"""Teacher T1 teaches 数学 in S1's class 1 only (2021-2022, a past year granted
to t1); the parent's child is student 1 (S1, class 1)."""


def build_db(location=":memory:"):
    db = tiny_exam_db(location=location)
    with db.write() as con:
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) VALUES "
                    "('T1', '张老师', 'S1', 'math'), ('T2', '李老师', 'S1', 'chinese'),"
                    " ('T3', '王老师', 'S2', 'math')")
        # E2: a 高考 (league rules), E3: a senior-secondary mock (ranks allowed), same takers
        con.execute("INSERT INTO exam VALUES ('E2', '高考', 'gaokao', 'province', '2021-2022', 2,"
                    " '2022-06-07', 12), ('E3', '一模', 'mock', 'district', '2021-2022', 2,"
                    " '2022-03-01', 12)")
        for e in ("E2", "E3"):
            con.execute(f"INSERT INTO paper SELECT replace(paper_id, 'E1', '{e}'), '{e}',"
                        " subject_code, track, full_marks FROM paper WHERE exam_id = 'E1'")
            con.execute(f"INSERT INTO exam_registration SELECT '{e}', student_id,"
                        f" '{e}' || exam_number, school_code, class_id FROM exam_registration"
                        " WHERE exam_id = 'E1'")
            con.execute(f"INSERT INTO subject_result SELECT replace(paper_id, 'E1', '{e}'),"
                        " student_id, status, score FROM subject_result WHERE paper_id LIKE 'E1/%'")
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'math', 'T1'),"
                    " ('S1-2021-8-2', 'chinese', 'T2'), ('S2-2021-8-1', 'math', 'T3')")
    for name, ties in USERS.items():
        ties = dict(ties)
        add_user(db, name, ties.pop("role"), PASSWORD, **ties)
    grant_year(db, "t1", "2021-2022")  # the tiny district's year is long past
    return db


def add_users(db, users: dict[str, dict]) -> None:
    """Add each user of ``users`` (name → its role and ties) with :data:`PASSWORD`."""
    for name, ties in users.items():
        ties = dict(ties)
        add_user(db, name, ties.pop("role"), PASSWORD, **ties)


def sign_in(app, username: str, password: str = PASSWORD) -> TestClient:
    """A TestClient of ``app`` signed in as ``username``."""
    client = TestClient(app, follow_redirects=False)
    r = client.post("/login", data={"username": username, "password": password})
    assert r.status_code == 303, r.text
    return client


def signed_in_clients(db, users: dict[str, dict]) -> dict[str, TestClient]:
    """``users`` added to ``db`` and each signed in on a new app over it, by user name."""
    add_users(db, users)
    app = create_app(db, Settings(), secret="test-secret")
    return {name: sign_in(app, name) for name in users}


@pytest.fixture(scope="package")
def db():
    return build_db()


@pytest.fixture(scope="package")
def app(db):
    return create_app(db, Settings(), secret="test-secret")


@pytest.fixture
def login(app):
    """``login("p1")`` → a TestClient signed in as p1."""

    def _login(username: str, password: str = PASSWORD) -> TestClient:
        return sign_in(app, username, password)

    return _login


@pytest.fixture(scope="module")
def role_clients(app):
    """One signed-in TestClient per user of :data:`USERS`, by user name."""
    return {name: sign_in(app, name) for name in USERS}
