"""Accounts: disable, enable, remove, and teachers' school years (issue 11 §2)."""

from __future__ import annotations

from datetime import date

import pytest

from eduquality.errors import EduQualityError, NotFoundError
from eduquality.store.audit import audit
from eduquality.store.db import IntegrityError
from eduquality.store.principals import load_principal
from eduquality.store.users import (
    add_user,
    authenticate,
    disable_user,
    enable_user,
    grant_year,
    list_users,
    remove_user,
    revoke_year,
    set_password,
    set_user_lang,
)
from tests.factories import tiny_exam_db

PW = "correct-horse-9"


@pytest.fixture
def db(db_location):
    db = tiny_exam_db(n_per_class=2, location=db_location)
    with db.write() as con:
        con.execute("INSERT INTO school_year VALUES ('2022-2023', '2022-09-01', '2023-07-15')")
        con.execute("INSERT INTO class VALUES ('S1-2022-9-1', 'S1', '2022-2023', 9, '1班',"
                    " NULL, 'T1'), ('S1-2022-9-2', 'S1', '2022-2023', 9, '2班', NULL, NULL)")
        con.execute("INSERT INTO teacher (teacher_id, name, school_code, subject_code) VALUES "
                    "('T1', '张老师', 'S1', 'math')")
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'math', 'T1'),"
                    " ('S1-2022-9-2', 'math', 'T1')")
    add_user(db, "boss", "admin", PW)
    add_user(db, "t1", "teacher", PW, teacher_id="T1")
    return db


@pytest.mark.slow
def test_disabled_user_cannot_sign_in_and_is_not_loaded(db):
    assert authenticate(db, "t1", PW) is not None
    disable_user(db, "t1")
    assert authenticate(db, "t1", PW) is None
    with pytest.raises(NotFoundError):
        load_principal(db, "t1")                       # a session of t1 resolves to no one
    assert list_users(db).set_index("username").loc["t1", "disabled"]
    set_password(db, "t1", "another-horse-10")         # an admin may still reset it
    enable_user(db, "t1")
    assert authenticate(db, "t1", "another-horse-10") is not None
    assert not list_users(db).set_index("username").loc["t1", "disabled"]


@pytest.mark.slow
def test_remove_keeps_the_audit_rows(db):
    audit(db, load_principal(db, "t1"), "login", "session")
    remove_user(db, "t1")
    assert "t1" not in set(list_users(db).username)
    assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 't1'") == 1
    with pytest.raises(NotFoundError):
        remove_user(db, "t1")


@pytest.mark.slow
def test_the_last_enabled_admin_stays(db):
    with pytest.raises(EduQualityError, match="boss"):
        disable_user(db, "boss")
    with pytest.raises(EduQualityError, match="boss"):
        remove_user(db, "boss")
    add_user(db, "boss2", "admin", PW)
    disable_user(db, "boss")
    with pytest.raises(EduQualityError, match="boss2"):
        remove_user(db, "boss2")


@pytest.mark.slow
def test_teacher_sees_the_current_years_classes_and_granted_years_only(db):
    in_2022 = date(2022, 10, 1)                        # school year 2022-2023
    p = load_principal(db, "t1", today=in_2022)
    assert p.class_ids == {"S1-2022-9-1", "S1-2022-9-2"}   # 班主任 of 1, teaches 2
    in_2021 = load_principal(db, "t1", today=date(2022, 3, 1))
    assert in_2021.class_ids == {"S1-2021-8-1"}
    assert load_principal(db, "t1", today=date(2030, 1, 1)).class_ids == frozenset()
    grant_year(db, "t1", "2021-2022")
    granted = load_principal(db, "t1", today=in_2022).class_ids
    assert granted == {"S1-2022-9-1", "S1-2022-9-2", "S1-2021-8-1"}
    assert list_users(db).set_index("username").loc["t1", "years"] == "2021-2022"
    revoke_year(db, "t1", "2021-2022")
    assert "S1-2021-8-1" not in load_principal(db, "t1", today=in_2022).class_ids


def test_grants_are_checked(db):
    with pytest.raises(NotFoundError, match="2015-2016"):
        grant_year(db, "t1", "2015-2016")
    with pytest.raises(EduQualityError, match="boss"):
        grant_year(db, "boss", "2021-2022")
    with pytest.raises(NotFoundError):
        grant_year(db, "nobody", "2021-2022")


def test_change_user_checks_ties_and_keeps_the_last_admin(db):
    from eduquality.store.users import change_user

    add_user(db, "x", "leader", PW)
    p = change_user(db, "x", "principal", school_code="S2", display_name="乙校长")
    assert (p.role, p.school_code, p.display_name) == ("principal", "S2", "乙校长")
    with pytest.raises(EduQualityError, match="--school"):
        change_user(db, "x", "principal")
    with pytest.raises(EduQualityError):
        change_user(db, "x", "principal", school_code="S404")
    with pytest.raises(EduQualityError, match="最后一个"):
        change_user(db, "boss", "leader")
    with pytest.raises(NotFoundError):
        change_user(db, "nobody", "leader")
    assert list_users(db).set_index("username").loc["x", "role"] == "principal"


def test_saving_the_language_skips_the_full_integrity_check(monkeypatch):
    """A language preference is written on the light path (issue 11: saving it ran the check
    over every item score): with the check made to fail, the setting is still saved, while
    the same update on the full write path is refused and rolled back."""
    db = tiny_exam_db(n_per_class=2)
    add_user(db, "res", "researcher", PW)

    def full_check(**_: object) -> None:
        raise IntegrityError("the full integrity check ran")

    monkeypatch.setattr(db, "check_integrity", full_check)
    set_user_lang(db, "res", "en")
    assert db.scalar("SELECT lang FROM app_user WHERE username = 'res'") == "en"
    with pytest.raises(IntegrityError, match="full integrity check ran"), db.write() as con:
        con.execute("UPDATE app_user SET lang = 'zh' WHERE username = 'res'")
    assert db.scalar("SELECT lang FROM app_user WHERE username = 'res'") == "en"
