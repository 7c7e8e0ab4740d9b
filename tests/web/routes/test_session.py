"""Signing in and out, session limits, throttling, and password changes over HTTP
(web.routes.session, issue 11 §2)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient

from eduquality.config import SessionRules, Settings
from eduquality.store import passwords
from eduquality.store.credentials import must_change_password, stored_hash
from eduquality.store.passwords import ScryptCost, hash_password
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.web.conftest import PASSWORD

T0 = dt.datetime(2026, 3, 2, 8, 0)
NEW = "my own long passphrase"


class Clock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def app(db):
    """A fresh app over the shared tiny district (its own throttle) with a settable clock."""
    app = create_app(db, Settings(session=SessionRules(idle_minutes=30, absolute_hours=12)),
                     secret="s")
    app.state.clock = Clock(T0)
    app.state.throttle.clock = Clock(5000.0)
    return app


def client(app, address="10.1.1.1", **kw):
    return TestClient(app, follow_redirects=False, client=(address, 40000), **kw)


def sign_in(app, username, password=PASSWORD, address="10.1.1.1", next="/"):
    c = client(app, address)
    r = c.post("/login", data={"username": username, "password": password, "next": next})
    assert r.status_code == 303, r.text
    return c, r


def csrf(c, path="/"):
    return re.search(r'name="csrf" value="([0-9a-f]+)"', c.get(path).text).group(1)


def fresh_user(db, name, **kw):
    if stored_hash(db, name) is None:
        add_user(db, name, "researcher", PASSWORD, **kw)
    return name


# -- sessions -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_cookie_copied_before_logout_is_dead_afterwards(app):
    c, _ = sign_in(app, "res")
    thief = client(app, "10.6.6.6", cookies={"eq_session": c.cookies["eq_session"]})
    assert thief.get("/students/1").status_code == 200
    assert c.post("/logout", data={"csrf": csrf(c)}).status_code == 303
    r = thief.get("/students/1")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_the_cookie_holds_only_a_random_token_and_ends_with_the_browser(app):
    _, r = sign_in(app, "res")
    cookie = r.headers["set-cookie"]
    token = re.match(r"eq_session=([^;]+)", cookie).group(1)
    assert "res" not in token and len(token) >= 43
    low = cookie.lower()
    assert "httponly" in low and "samesite=lax" in low and "path=/" in low
    assert "max-age" not in low and "expires" not in low and "secure" not in low
    secure = create_app(app.state.db, Settings(), secret="s", cookie_secure=True)
    _, r = sign_in(secure, "res")
    assert "; secure" in r.headers["set-cookie"].lower()
    r = TestClient(app, base_url="https://testserver", follow_redirects=False).post(
        "/login", data={"username": "res", "password": PASSWORD})
    assert "; secure" in r.headers["set-cookie"].lower()                # served over TLS


def test_idle_timeout(app):
    c, _ = sign_in(app, "res")
    app.state.clock.t = T0 + dt.timedelta(minutes=29)
    assert c.get("/exams").status_code == 200
    app.state.clock.t += dt.timedelta(minutes=29)        # 58 minutes in, 29 idle
    assert c.get("/exams").status_code == 200
    app.state.clock.t += dt.timedelta(minutes=30, seconds=1)
    assert c.get("/exams").status_code == 303


def test_idle_timeout_follows_the_settings(app, db):
    short = create_app(db, Settings(session=SessionRules(idle_minutes=5)), secret="s")
    short.state.clock = Clock(T0)
    c, _ = sign_in(short, "res")
    short.state.clock.t = T0 + dt.timedelta(minutes=5, seconds=1)
    assert c.get("/exams").status_code == 303


@pytest.mark.slow
def test_absolute_lifetime(app):
    c, _ = sign_in(app, "res")
    while app.state.clock.t < T0 + dt.timedelta(hours=11, minutes=50):
        app.state.clock.t += dt.timedelta(minutes=20)
        assert c.get("/exams").status_code == 200
    app.state.clock.t = T0 + dt.timedelta(hours=12, seconds=1)
    assert c.get("/exams").status_code == 303


def test_signing_in_again_issues_a_new_token_and_ends_the_old_one(app):
    c, _ = sign_in(app, "res")
    old = c.cookies["eq_session"]
    r = c.post("/login", data={"username": "res", "password": PASSWORD})
    assert c.cookies["eq_session"] != old and r.status_code == 303
    assert client(app, cookies={"eq_session": old}).get("/exams").status_code == 303


# -- throttling and the audit log ------------------------------------------------------------------
@pytest.mark.slow
def test_spraying_names_from_one_address_is_slowed_not_others(app):
    spray = client(app, "10.7.7.7")
    codes = [spray.post("/login", data={"username": f"n{i}", "password": "x" * 12}).status_code
             for i in range(11)]
    assert codes == [401] * 10 + [429]
    assert "秒后再试" in spray.post("/login", data={"username": "res",
                                                  "password": PASSWORD}).text
    sign_in(app, "res", address="10.8.8.8")             # another address signs in at once
    app.state.throttle.clock.t += 1.5                   # the sprayer's delay has passed …
    assert spray.post("/login", data={"username": "res",
                                      "password": PASSWORD}).status_code == 303


@pytest.mark.slow
def test_one_account_is_slowed_across_addresses_but_never_locked(app, db):
    name = fresh_user(db, "victim")
    for i in range(5):
        r = client(app, f"10.2.0.{i}").post("/login", data={"username": name, "password": "x"})
        assert r.status_code == 401
    r = client(app, "10.2.0.9").post("/login", data={"username": name, "password": PASSWORD})
    assert r.status_code == 429                          # even the right password waits
    assert "try again in 1 seconds" in client(app, "10.2.0.9").post(
        "/login?lang=en", data={"username": name, "password": PASSWORD}).text
    app.state.throttle.clock.t += 61                    # at most the cap (one minute) later
    sign_in(app, name, address="10.2.0.9")


def test_failed_sign_ins_are_one_audit_row_per_account_and_address(app, db):
    before = db.scalar("SELECT count(*) FROM audit_log")
    for _ in range(4):
        client(app, "10.3.3.3").post("/login", data={"username": "ghost3", "password": "x"})
    rows = db.con.execute("SELECT detail, address, count FROM audit_log "
                          "WHERE username = 'ghost3'").fetchall()
    assert rows == [("wrong user name or password", "10.3.3.3", 4)]
    assert db.scalar("SELECT count(*) FROM audit_log") == before + 1


# -- hashing ---------------------------------------------------------------------------------------
def test_sign_in_rehashes_a_password_stored_at_an_older_cost(app, db):
    name = fresh_user(db, "oldhash")
    with db.write() as con:
        con.execute("UPDATE app_user SET password_hash = ? WHERE username = ?",
                    [hash_password(PASSWORD, cost=ScryptCost(2**10, 8, 1)), name])
    sign_in(app, name)
    assert stored_hash(db, name).startswith(f"scrypt${passwords.COST.n}$8$1$")
    sign_in(app, name)                                   # the new hash verifies


# -- password changes ------------------------------------------------------------------------------
def change(c, current, new, confirm=None, token=None, lang=None):
    path = "/account/password" + (f"?lang={lang}" if lang else "")
    return c.post(path, data={"current": current, "new": new, "confirm": confirm or new,
                              "csrf": token or csrf(c, "/account/password")})


@pytest.mark.slow
def test_an_initial_password_must_be_changed_first(app, db):
    name = fresh_user(db, "newbie", must_change=True)
    c, r = sign_in(app, name, next="/exams")
    assert r.headers["location"] == "/account/password?next=%2Fexams"
    r = c.get("/exams")
    assert r.status_code == 303 and r.headers["location"].startswith("/account/password")
    page = c.get("/account/password")
    assert page.status_code == 200 and "请先设置您自己的密码" in page.text
    r = change(c, PASSWORD, NEW)
    assert r.status_code == 303
    assert not must_change_password(db, name)
    assert c.get("/exams").status_code == 200


@pytest.mark.slow
def test_short_and_breached_passwords_are_refused(app, db):
    name = fresh_user(db, "picky")
    c, _ = sign_in(app, name)
    r = change(c, PASSWORD, "short-pw")
    assert r.status_code == 400 and "至少需要 12 个字符" in r.text
    r = change(c, PASSWORD, "short-pw", lang="en")
    assert r.status_code == 400 and "at least 12 characters" in r.text
    r = change(c, PASSWORD, "Qwerty123456", lang="zh")  # ?lang= sticks (a cookie)
    assert r.status_code == 400 and "泄露密码" in r.text
    r = change(c, PASSWORD, "qwerty123456", lang="en")
    assert r.status_code == 400 and "breached" in r.text
    assert change(c, PASSWORD, NEW, confirm=NEW + "x").status_code == 400
    assert change(c, PASSWORD, PASSWORD).status_code == 400
    assert change(c, "not my password", NEW).status_code == 400
    assert change(c, PASSWORD, NEW, token="bad").status_code == 400
    assert stored_hash(db, name) is not None and c.get("/exams").status_code == 200
    assert sign_in(app, name)                           # the old password still works


@pytest.mark.slow
def test_a_password_change_ends_every_other_session(app, db):
    name = fresh_user(db, "twice")
    here, _ = sign_in(app, name)
    there, _ = sign_in(app, name, address="10.4.4.4")
    old_here = here.cookies["eq_session"]
    assert change(here, PASSWORD, NEW).status_code == 303
    assert there.get("/exams").status_code == 303                     # the other browser
    assert client(app, cookies={"eq_session": old_here}).get("/exams").status_code == 303
    assert here.get("/exams").status_code == 200                       # this one, afresh
    sign_in(app, name, password=NEW)


@pytest.mark.slow
def test_the_current_password_is_throttled_too(app, db):
    name = fresh_user(db, "guessed")
    c, _ = sign_in(app, name)
    codes = [change(c, f"guess-{i}", NEW).status_code for i in range(6)]
    assert codes == [400] * 5 + [429]
