"""The 控辍保学 pages on the hand-made cohort (tests/factories.py): who sees what, 404 out of
scope, masked IDs, group membership only where allowed, audited views."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.factories import dropout_db

PASSWORD = "correct-horse-9"
USERS = {"res": dict(role="researcher"), "lead": dict(role="leader"),
         "pj2": dict(role="principal", school_code="J2"),
         "tj1": dict(role="teacher", school_code="J1", class_id="J1-0-7"),
         "par": dict(role="parent", student="G530102200101010001")}


@pytest.fixture(scope="module")
def setup():
    db = dropout_db()
    for name, ties in USERS.items():
        ties = dict(ties)
        add_user(db, name, ties.pop("role"), PASSWORD, **ties)
    return db, create_app(db, Settings(), secret="test-secret")


def _client(setup, user):
    client = TestClient(setup[1], follow_redirects=False)
    r = client.post("/login", data={"username": user, "password": PASSWORD})
    assert r.status_code == 303, r.text
    return client


def _audits(db, obj):
    return db.scalar("SELECT count(*) FROM audit_log WHERE action = 'view' AND object = ?",
                     [obj])


def test_researcher_sees_rates_and_alerts_masked(setup):
    db = setup[0]
    before = _audits(db, "dropout")
    r = _client(setup, "res").get("/dropout?lang=en")
    assert r.status_code == 200
    assert "54.55" in r.text and "Alert list" in r.text
    assert "5301**********0004" in r.text and "530102200401010004" not in r.text
    assert "Registered poor" in r.text
    assert _audits(db, "dropout") == before + 1


def test_leader_sees_aggregates_only(setup):
    r = _client(setup, "lead").get("/dropout?lang=en")
    assert r.status_code == 200
    assert "54.55" in r.text and "Alert list" not in r.text and "学生4" not in r.text


def test_principal_sees_the_own_school_only(setup):
    c = _client(setup, "pj2")
    assert c.get("/dropout").status_code == 404
    assert c.get("/dropout/schools/J1").status_code == 404
    r = c.get("/dropout/schools/J2?lang=en")
    assert r.status_code == 200
    assert "学生12" in r.text and "学生7" in r.text and "学生4" not in r.text
    assert "33.33" in r.text  # J2's 巩固率, 1 of 3
    assert "Registered poor" in r.text


def test_teacher_sees_the_own_class_without_group_membership(setup):
    r = _client(setup, "tj1").get("/dropout/schools/J1?lang=en")
    assert r.status_code == 200
    assert "学生4" in r.text and "学生9" not in r.text
    assert "Registered poor" not in r.text


def test_parent_and_unknown_school_get_404(setup):
    assert _client(setup, "par").get("/dropout").status_code == 404
    assert _client(setup, "par").get("/dropout/schools/J1").status_code == 404
    assert _client(setup, "res").get("/dropout/schools/NOPE").status_code == 404


def test_download_is_audited(setup):
    db = setup[0]
    r = _client(setup, "res").get("/dropout?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'export' AND object = "
                     "'dropout'") == 1
