"""The scope's lazily read level (store.policy.Levels): a principal's teachers are read on first
use, once, on the thread that resolved the scope."""

from __future__ import annotations

import threading

import pytest

from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from tests.web.conftest import build_db


@pytest.fixture(scope="module")
def db():
    """The small district of the web tests: S1's staff T1 and T2, S2's T3 (tests/web/conftest)."""
    return build_db()


def _add_teacher(db, teacher_id: str, school: str) -> None:
    with db.write() as con:
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) "
                    "VALUES (?, '新老师', ?, 'math')", [teacher_id, school])


def test_principal_teachers_read_on_first_use_then_kept(db):
    scope = scope_for(db, load_principal(db, "p1"))
    assert "teacher" in scope.levels and set(scope.levels) >= {"exam", "teacher", "student"}
    _add_teacher(db, "T8", "S1")           # after scope_for, before the first use: seen
    assert scope.filter("teacher").teacher_id == {"T1", "T2", "T8"}
    _add_teacher(db, "T9", "S1")           # after the first use: the request keeps what it read
    assert scope.filter("teacher").teacher_id == {"T1", "T2", "T8"}
    assert scope.admits("teacher", teacher_id="T2") and not scope.admits("teacher",
                                                                          teacher_id="T3")


def test_pending_level_refuses_another_thread_until_resolved(db):
    scope = scope_for(db, load_principal(db, "p2"))
    seen: list[object] = []

    def use() -> None:
        try:
            seen.append(scope.filter("teacher").teacher_id)
        except RuntimeError as exc:
            seen.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert isinstance(seen[0], RuntimeError)   # never the request's handle off its thread
    assert scope.resolve() is scope
    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert seen[1] == {"T3"}


def test_other_roles_have_nothing_pending(db):
    result: list[object] = []

    def read_all(scope) -> None:
        result.append({level: scope.filter(level) for level in scope.levels})

    for user in ("admin", "res", "lead", "t1", "par"):
        worker = threading.Thread(target=read_all,
                                  args=(scope_for(db, load_principal(db, user)),))
        worker.start()
        worker.join()
        assert isinstance(result[-1], dict), user
