"""The 控辍保学 pages on the hand-made cohort (tests/factories.py): who sees what, 404 out of
scope, masked IDs, group membership only where allowed, audited views."""

from __future__ import annotations

import re

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
         "pj1": dict(role="principal", school_code="J1"),
         "par": dict(role="parent", student="G530102200101010001")}


def _setup():
    db = dropout_db()
    for name, ties in USERS.items():
        ties = dict(ties)
        add_user(db, name, ties.pop("role"), PASSWORD, **ties)
    return db, create_app(db, Settings(), secret="test-secret")


@pytest.fixture(scope="module")
def setup():
    return _setup()


@pytest.fixture
def fresh():
    """A database of its own, for a test that writes."""
    return _setup()


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


# -- the follow-up form -----------------------------------------------------------------------

STUDENT7 = "G530102200701010007"  # J2, left without a receiving school: an open alert


def _token(client, path):
    return re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(path).text).group(1)


def _count(db):
    return db.scalar("SELECT count(*) FROM dropout_followup")


def _post(client, token, school="J2", lang="en", **fields):
    data = {"csrf": token, "school": school, "person": STUDENT7, "action": "contacted",
            "done_on": "2022-07-10", **fields}
    return client.post(f"/dropout/followups?lang={lang}", data=data)


def test_the_form_is_shown_to_the_roles_that_may_record(setup):
    assert 'action="/dropout/followups"' in _client(setup, "pj2").get(
        "/dropout/schools/J2?lang=en").text
    assert 'action="/dropout/followups"' in _client(setup, "res").get("/dropout").text
    r = _client(setup, "tj1").get("/dropout/schools/J1?lang=en")
    assert r.status_code == 200 and 'action="/dropout/followups"' not in r.text
    assert "Record a follow-up" not in r.text


def test_refused_roles_and_a_missing_csrf_token_write_nothing(setup):
    db = setup[0]
    before = _count(db)
    teacher = _client(setup, "tj1")
    assert _post(teacher, _token(teacher, "/"), school="J1").status_code == 404
    leader = _client(setup, "lead")
    assert _post(leader, _token(leader, "/"), school="").status_code == 404
    principal = _client(setup, "pj2")
    assert _post(principal, "").status_code == 400
    assert _post(principal, "0" * 64).status_code == 400
    # J1's principal: J2's child is answered as unknown, on its own page or on J2's
    pj1 = _client(setup, "pj1")
    r = _post(pj1, _token(pj1, "/"), school="J1")
    assert r.status_code == 404 and "no student or child with ID" in r.text
    assert _post(pj1, _token(pj1, "/"), school="J2").status_code == 404
    assert _count(db) == before


def test_bad_values_come_back_beside_their_field(setup):
    db = setup[0]
    before = _count(db)
    c = _client(setup, "pj2")
    token = _token(c, "/dropout/schools/J2")
    r = _post(c, token, action="transferred", done_on="2022-07-32", note="x" * 501)
    assert r.status_code == 400
    assert "Date: &#39;2022-07-32&#39; is not a date (YYYY-MM-DD)" in r.text
    assert "Proof of transfer: a transfer needs its proof" in r.text
    assert "Note: longer than 500 characters" in r.text
    assert 'value="2022-07-32"' in r.text  # what was entered stays in the form
    r = _post(c, token, lang="zh", action="", person="")
    assert r.status_code == 400 and "学籍号或身份证号：必填" in r.text and "跟进方式：必填" in r.text
    assert _count(db) == before


def test_a_followup_recorded_shows_on_the_page_and_is_audited(fresh):
    db = fresh[0]
    c = _client(fresh, "pj2")
    r = _post(c, _token(c, "/dropout/schools/J2"), action="transferred",
              proof="曲靖某校学籍确认", note="电话核实")
    assert r.status_code == 200, r.text
    fid = db.scalar("SELECT max(followup_id) FROM dropout_followup")
    assert f"Follow-up #{fid} recorded (transferred (with proof))." in r.text
    assert db.scalar("SELECT recorded_by FROM dropout_followup WHERE followup_id = ?",
                     [fid]) == "pj2"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'import' AND object = "
                     "'dropout:followup' AND username = 'pj2'") == 1
    page = c.get("/dropout/schools/J2?lang=en").text
    row = next(tr for tr in page.split("<tr>") if "学生7" in tr)
    assert "closed" in row and "transferred (with proof)" in row and "2022-07-10" in row
