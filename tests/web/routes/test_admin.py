"""/admin: users and settings for the admin role only (404 for every other role), each change
made by the store's own function and audited ('admin')."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.web.app import create_app
from tests.web.conftest import PASSWORD, USERS, build_db

PAGES = ("/admin/users", "/admin/settings")


@pytest.fixture(scope="module")
def fresh():
    db = build_db()
    return db, create_app(db, Settings(), secret="s")


def _client(app, username: str, password: str = PASSWORD) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    assert c.post("/login", data={"username": username, "password": password}
                  ).status_code == 303
    return c


def _csrf(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)


def _audit(db, obj: str) -> list[str]:
    return db.sql("SELECT detail FROM audit_log WHERE action = 'admin' AND object = ? "
                  "ORDER BY logged_at, rowid", [obj])["detail"].tolist()


@pytest.mark.parametrize("username", USERS)
def test_only_the_admin_knows_the_pages_exist(fresh, username):
    _, app = fresh
    c = _client(app, username)
    home = c.get("/").text
    for page in PAGES:
        status = c.get(page).status_code
        assert status == (200 if username == "admin" else 404), (username, page)
    posts = ("/admin/users", "/admin/users/lead/disable", "/admin/users/lead/password",
             "/admin/users/lead/remove", "/admin/users/lead/role", "/admin/settings")
    if username != "admin":
        assert 'href="/admin/users"' not in home
        for url in posts:
            assert c.post(url, data={"csrf": _csrf(c), "role": "admin"}).status_code == 404
    else:
        assert 'href="/admin/users"' in home


def test_create_user_with_an_initial_password_shown_once(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    r = admin.post("/admin/users?lang=en", data={
        "csrf": _csrf(admin), "username": "p3", "role": "principal", "school_code": "S3",
        "display_name": "丙校长"})
    assert r.status_code == 200 and "User p3 created" in r.text
    password = re.search(r'<code class="secret">([^<]+)</code>', r.text).group(1)
    assert len(password) == 16
    assert "secret" not in admin.get("/admin/users").text              # shown once only
    assert _audit(db, "user p3") == [
        "created role=principal {'display_name': '丙校长', 'school_code': 'S3'}"]
    new = TestClient(app, follow_redirects=False)
    r = new.post("/login", data={"username": "p3", "password": password})
    assert r.headers["location"].startswith("/account/password")     # must change it first
    assert password not in "".join(_audit(db, "user p3"))


def test_create_refuses_bad_input_and_forged_forms(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    r = admin.post("/admin/users?lang=en", data={"csrf": _csrf(admin), "username": "px",
                                                 "role": "principal"})
    assert r.status_code == 400 and "role principal needs --school" in r.text
    r = admin.post("/admin/users?lang=en", data={"csrf": _csrf(admin), "username": "py",
                                                 "role": "principal", "school_code": "S404"})
    assert r.status_code == 400
    r = admin.post("/admin/users?lang=en", data={"csrf": _csrf(admin), "username": "p1",
                                                 "role": "leader"})
    assert r.status_code == 400 and "already exists" in r.text
    assert admin.post("/admin/users", data={"csrf": "forged", "username": "pz",
                                            "role": "leader"}).status_code == 400
    assert db.scalar("SELECT count(*) FROM app_user WHERE username IN ('px', 'py', 'pz')") == 0
    assert admin.post("/admin/users/nobody/disable",
                      data={"csrf": _csrf(admin)}).status_code == 404


def test_disable_kills_open_sessions_and_enable_restores(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    lead = _client(app, "lead")
    assert lead.get("/").status_code == 200
    r = admin.post("/admin/users/lead/disable?lang=en", data={"csrf": _csrf(admin)})
    assert r.status_code == 200 and "lead is disabled" in r.text
    assert lead.get("/").status_code == 303                          # the session is dead
    assert TestClient(app).post("/login", data={"username": "lead", "password": PASSWORD},
                                follow_redirects=False).status_code == 401
    admin.post("/admin/users/lead/enable", data={"csrf": _csrf(admin)})
    assert _client(app, "lead").get("/").status_code == 200
    assert _audit(db, "user lead")[-2:] == ["disabled", "enabled"]


def test_reset_password_ends_sessions_and_forces_a_change(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    t1 = _client(app, "t1")
    r = admin.post("/admin/users/t1/password?lang=en", data={"csrf": _csrf(admin)})
    password = re.search(r'<code class="secret">([^<]+)</code>', r.text).group(1)
    assert t1.get("/").status_code == 303
    r = TestClient(app, follow_redirects=False).post(
        "/login", data={"username": "t1", "password": password})
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    assert _audit(db, "user t1")[-1] == "password reset; sessions ended"


def test_change_role_and_the_last_admin(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    r = admin.post("/admin/users/p2/role?lang=en", data={
        "csrf": _csrf(admin), "role": "leader", "display_name": "乙"})
    assert r.status_code == 200 and "Saved the role" in r.text
    assert db.scalar("SELECT role FROM app_user WHERE username = 'p2'") == "leader"
    assert _audit(db, "user p2")[-1].startswith("role principal → leader")
    r = admin.post("/admin/users/admin/role?lang=en", data={"csrf": _csrf(admin),
                                                            "role": "leader"})
    assert r.status_code == 400 and "last enabled admin" in r.text
    r = admin.post("/admin/users/admin/disable?lang=en", data={"csrf": _csrf(admin)})
    assert r.status_code == 400
    r = admin.post("/admin/users/admin/remove?lang=en", data={"csrf": _csrf(admin)})
    assert r.status_code == 400
    assert db.scalar("SELECT role FROM app_user WHERE username = 'admin'") == "admin"


def test_remove_keeps_the_audit_trail(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    admin.post("/admin/users", data={"csrf": _csrf(admin), "username": "gone",
                                     "role": "leader"})
    r = admin.post("/admin/users/gone/remove?lang=en", data={"csrf": _csrf(admin)})
    assert r.status_code == 200 and "gone is removed" in r.text
    assert db.scalar("SELECT count(*) FROM app_user WHERE username = 'gone'") == 0
    assert _audit(db, "user gone")[-1] == "removed"


def test_settings_change_is_audited_and_applied(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    page = admin.get("/admin/settings?lang=en").text
    assert 'name="thresholds.pass" value="0.6"' in page
    form = {"csrf": _csrf(admin), "thresholds.excellent": "0.85", "thresholds.good": "0.7",
            "thresholds.pass": "0.65", "thresholds.low": "0.4", "min_unit_n": "5",
            "publication.grades_not_ranks_compulsory": ["false", "true"],
            "publication.forbid_exam_league_tables": ["false", "true"],
            "publication.mark_internal": "false"}  # the box unticked: its hidden field only
    r = admin.post("/admin/settings?lang=en", data=form)
    assert r.status_code == 200 and "Saved 3 change(s)" in r.text
    assert "thresholds.pass: 0.6 → 0.65" in r.text
    assert _audit(db, "setting thresholds.pass") == ["0.6 → 0.65"]
    assert _audit(db, "setting min_unit_n") == ["10 → 5"]
    assert _audit(db, "setting publication.mark_internal") == ["true → false"]
    who = db.sql("SELECT username, logged_at FROM audit_log WHERE object = "
                 "'setting min_unit_n'")
    assert who["username"].tolist() == ["admin"] and who["logged_at"].notna().all()
    settings = app.state.settings
    assert (settings.thresholds.pass_, settings.min_unit_n,
            settings.publication.mark_internal) == (0.65, 5, False)
    assert app.state.cache.settings is settings
    # a new app over the same database starts with the changed values
    assert create_app(db, Settings(), secret="s").state.settings.min_unit_n == 5
    # nothing changed: nothing audited
    r = admin.post("/admin/settings?lang=en", data=form)
    assert "Nothing changed" in r.text and len(_audit(db, "setting min_unit_n")) == 1


def test_settings_refuse_bad_values_and_write_nothing(fresh):
    db, app = fresh
    admin = _client(app, "admin")
    before = db.scalar("SELECT count(*) FROM app_setting")
    for field, value in (("thresholds.pass", "0.95"), ("min_unit_n", "zero"),
                         ("min_unit_n", "0")):
        r = admin.post("/admin/settings?lang=en", data={"csrf": _csrf(admin), field: value})
        assert r.status_code == 400, (field, value)
    assert db.scalar("SELECT count(*) FROM app_setting") == before
    assert admin.post("/admin/settings", data={"csrf": "forged",
                                               "min_unit_n": "3"}).status_code == 400


def test_a_changed_line_is_used_by_the_next_analysis(fresh):
    db, app = fresh
    admin = _client(app, "admin")

    def math_pass_rate() -> float:
        units = admin.get("/api/exams/E1/units?level=district").json()
        return next(u["pass_rate"] for u in units if u["subject"] == "math")

    def by_hand(line: float) -> float:  # takers at or above line × 10 marks
        n, hit = db.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE score >= ?) FROM subject_result "
            "WHERE paper_id = 'E1/math' AND status = 'present'", [line * 10]).fetchone()
        return round(hit / n, 3)

    current = app.state.settings.thresholds.pass_
    assert math_pass_rate() == by_hand(current)
    form = {"csrf": _csrf(admin), "thresholds.excellent": "0.85", "thresholds.good": "0.7",
            "thresholds.pass": "0.3", "thresholds.low": "0.2"}
    assert admin.post("/admin/settings", data=form).status_code == 200
    assert math_pass_rate() == by_hand(0.3) != by_hand(current)
    publication = app.state.settings.publication  # fields not in the form: unchanged
    assert publication.grades_not_ranks_compulsory and publication.forbid_exam_league_tables
