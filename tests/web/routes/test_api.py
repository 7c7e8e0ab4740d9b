"""The JSON API under /api (web.routes.api, issue 11 §4): every role × every resource, allowed
and refused with the right status; masked IDs; the OpenAPI document; the sign-in throttle."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.reports.formats import shown_number
from eduquality.store.policy import scope_for
from eduquality.store.principals import load_principal
from eduquality.store.redaction import restrict_analysis
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.web.conftest import PASSWORD, build_db

ROLES = ("admin", "res", "lead", "p1", "p2", "t1", "par")


@pytest.fixture(scope="module")
def db():
    """The web tests' district plus E4, taken by S1's class 2 only: an exam that p2, t1 (class
    1) and the parent (child in class 1) may not know exists."""
    db = build_db()
    with db.write() as con:
        con.execute("INSERT INTO exam VALUES ('E4', '期中', 'final', 'district', '2021-2022', 1,"
                    " '2021-11-10', 8)")
        con.execute("INSERT INTO paper SELECT replace(paper_id, 'E1', 'E4'), 'E4', subject_code,"
                    " track, full_marks FROM paper WHERE exam_id = 'E1'")
        con.execute("INSERT INTO exam_registration SELECT 'E4', student_id, 'E4' || exam_number,"
                    " school_code, class_id FROM exam_registration WHERE exam_id = 'E1'"
                    " AND class_id = 'S1-2021-8-2'")
        con.execute("INSERT INTO subject_result SELECT replace(r.paper_id, 'E1', 'E4'),"
                    " r.student_id, r.status, r.score FROM subject_result r"
                    " JOIN exam_registration g ON g.exam_id = 'E4' AND g.student_id = r.student_id"
                    " WHERE r.paper_id LIKE 'E1/%'")
    return db


@pytest.fixture(scope="module")
def app(db):
    return create_app(db, Settings(), secret="api-secret")


def api(app, user: str | None = None, address: str = "10.9.0.1") -> TestClient:
    """A client of ``app``, with the bearer token of ``user`` (signed in once per app)."""
    c = TestClient(app, follow_redirects=False, client=(address, 40000))
    if user is not None:
        tokens = getattr(app.state, "test_tokens", None)
        if tokens is None:
            tokens = app.state.test_tokens = {}
        if user not in tokens:
            r = c.post("/api/login", json={"username": user, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[user] = r.json()["token"]
        c.headers["Authorization"] = f"Bearer {tokens[user]}"
    return c


def audit_rows(db, user, action, obj):
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = ? "
                     "AND object = ?", [user, action, obj])


# -- signing in and out ---------------------------------------------------------------------
@pytest.mark.slow
def test_login_returns_a_session_token_and_cookie(app, db):
    r = api(app).post("/api/login", json={"username": "res", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["role"] == "researcher"
    assert body["must_change_password"] is False and len(body["token"]) >= 43
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith(f"eq_session={body['token'].lower()}")
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert r.headers["cache-control"] == "no-store" and r.headers["x-frame-options"] == "DENY"
    by_cookie = api(app)
    by_cookie.cookies.set("eq_session", body["token"])
    assert by_cookie.get("/api/exams").status_code == 200


def test_wrong_password_is_401_and_audited_like_the_page(app, db):
    r = api(app, address="10.9.1.1").post("/api/login",
                                          json={"username": "nobody1", "password": "x" * 12})
    assert r.status_code == 401 and r.json() == {"detail": "wrong user name or password"}
    assert db.con.execute("SELECT detail, address FROM audit_log WHERE username = 'nobody1'"
                          ).fetchall() == [("wrong user name or password", "10.9.1.1")]


def test_state_changing_calls_take_json_only(app):
    c = api(app)
    r = c.post("/api/login", data={"username": "res", "password": PASSWORD})
    assert r.status_code == 415
    signed = api(app, "res")
    assert signed.post("/api/logout").status_code == 415       # no JSON body: not ended
    assert signed.get("/api/exams").status_code == 200


def test_logout_kills_the_token(app):
    c = api(app)
    token = c.post("/api/login", json={"username": "lead", "password": PASSWORD}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/exams", headers=headers).status_code == 200
    assert c.post("/api/logout", json={}, headers=headers).status_code == 204
    r = api(app).get("/api/exams", headers=headers)
    assert r.status_code == 401 and r.json() == {"detail": "not signed in"}
    assert api(app).post("/api/logout", json={}, headers=headers).status_code == 401


@pytest.mark.slow
def test_api_and_page_share_the_throttle(db):
    app = create_app(db, Settings(), secret="s")
    app.state.throttle.clock = lambda: 5000.0          # time stands still: delays hold
    name = "sprayed"
    add_user(db, name, "researcher", PASSWORD)
    for i in range(5):                                  # the page, from several addresses
        r = TestClient(app, client=(f"10.5.0.{i}", 1)).post(
            "/login", data={"username": name, "password": "wrong"})
        assert r.status_code == 401
    r = api(app, address="10.5.1.1").post("/api/login",
                                          json={"username": name, "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    spray = api(app, address="10.5.9.9")               # one address across many names
    codes = [spray.post("/api/login", json={"username": f"x{i}", "password": "y" * 12}
                        ).status_code for i in range(11)]
    assert codes == [401] * 10 + [429]
    page = TestClient(app, client=("10.5.9.9", 1)).post(
        "/login", data={"username": "res", "password": PASSWORD})
    assert page.status_code == 429                     # the page sees the API's failures
    assert api(app, "res", address="10.5.2.2").get("/api/exams").status_code == 200


def test_an_initial_password_must_be_changed_on_the_pages_first(app, db):
    add_user(db, "fresh-api", "researcher", PASSWORD, must_change=True)
    c = api(app)
    body = c.post("/api/login", json={"username": "fresh-api", "password": PASSWORD}).json()
    assert body["must_change_password"] is True
    r = c.get("/api/exams", headers={"Authorization": f"Bearer {body['token']}"})
    assert r.status_code == 403


# -- not signed in ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/exams", "/api/exams/E1/units", "/api/exams/E1/results",
                                  "/api/exams/NOPE/units"])
def test_not_signed_in_is_401_json(app, path):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic x"}):
        r = api(app).get(path, headers=headers)
        assert r.status_code == 401 and r.json() == {"detail": "not signed in"}
        assert r.headers["content-type"] == "application/json"


# -- exams ----------------------------------------------------------------------------------------
EXAMS = {"admin": {"E1", "E2", "E3", "E4"}, "res": {"E1", "E2", "E3", "E4"},
         "lead": {"E1", "E2", "E3", "E4"}, "p1": {"E1", "E2", "E3", "E4"},
         "p2": {"E1", "E2", "E3"}, "t1": {"E1", "E2", "E3"}, "par": {"E1", "E2", "E3"}}


@pytest.mark.parametrize("user", ROLES)
def test_exams_are_those_the_role_may_see(app, user):
    r = api(app, user).get("/api/exams")
    assert r.status_code == 200
    got = r.json()
    assert {e["exam_id"] for e in got} == EXAMS[user]
    assert [e["exam_date"] for e in got] == sorted((e["exam_date"] for e in got), reverse=True)


# -- units ------------------------------------------------------------------------------------
LEVELS = {"admin": {"district", "peer_group", "school", "class", "teacher"},
          "res": {"district", "peer_group", "school", "class", "teacher"},
          "lead": {"district", "peer_group", "school"},
          "p1": {"district", "school", "class", "teacher"},
          "p2": {"district", "school", "class", "teacher"},
          "t1": {"district", "school", "class", "teacher"},
          "par": {"district"}}

SCHOOLS = {"admin": {"S1", "S2", "S3"}, "res": {"S1", "S2", "S3"}, "lead": {"S1", "S2", "S3"},
           "p1": {"S1"}, "p2": {"S2"}, "t1": {"S1"}, "par": set()}


@pytest.mark.slow
@pytest.mark.parametrize("user", ROLES)
def test_units_are_the_pages_redacted_analysis(app, db, user):
    r = api(app, user).get("/api/exams/E1/units")
    assert r.status_code == 200
    got = r.json()
    assert {u["level"] for u in got} == LEVELS[user]
    assert {u["unit"] for u in got if u["level"] == "school"} == SCHOOLS[user]
    scope = scope_for(db, load_principal(db, user))
    shown = restrict_analysis(app.state.cache.get(db, "E1"), scope, Settings().min_unit_n)
    school = shown.summaries["school"]
    for u in (u for u in got if u["level"] == "school"):
        row = school.loc[(school["school_code"] == u["unit"])
                         & (school["subject_code"] == u["subject"])].iloc[0]
        assert u["mean"] == shown_number(row["mean"], "num2")
        assert u["pass_rate"] == shown_number(row["pass_rate"], "pct")
    district = [u for u in got if u["level"] == "district"]
    assert [u["subject"] for u in district] == ["chinese", "math", "total"]  # canonical order
    assert all(isinstance(u["n"], int) for u in district)


@pytest.mark.parametrize(("user", "query", "status"), [
    ("admin", "level=school&unit=S2", 200), ("lead", "level=school&unit=S2", 200),
    ("p1", "level=school&unit=S1", 200), ("p1", "level=school&unit=S2", 404),
    ("p2", "level=school&unit=S1", 404), ("p1", "level=class&unit=S2-2021-8-1", 404),
    ("t1", "level=class&unit=S1-2021-8-1", 200), ("t1", "level=class&unit=S1-2021-8-2", 404),
    ("t1", "level=teacher&unit=T1", 200), ("t1", "level=teacher&unit=T2", 404),
    ("lead", "level=class", 404), ("lead", "level=class&unit=S1-2021-8-1", 404),
    ("par", "level=school", 404), ("par", "level=district", 200),
    ("admin", "level=school&unit=NOPE", 404), ("admin", "level=galaxy", 404),
    ("res", "level=peer_group&unit=B", 200), ("p1", "level=peer_group&unit=A", 404),
])
@pytest.mark.slow
def test_one_level_or_unit(app, user, query, status):
    r = api(app, user).get(f"/api/exams/E1/units?{query}")
    assert r.status_code == status, r.text
    if status == 200:
        level = dict(p.split("=") for p in query.split("&"))
        assert r.json() and {u["level"] for u in r.json()} == {level["level"]}
        if "unit" in level:
            assert {u["unit"] for u in r.json()} == {level["unit"]}
    else:
        assert r.json() == {"detail": "not found"}


@pytest.mark.slow
@pytest.mark.parametrize("user", ROLES)
def test_an_exam_out_of_scope_is_404_like_an_unknown_one(app, db, user):
    for resource in ("units", "results"):
        unknown = api(app, user).get(f"/api/exams/NOPE/{resource}")
        assert unknown.status_code == 404 and unknown.json() == {"detail": "not found"}
        r = api(app, user).get(f"/api/exams/E4/{resource}")
        if "E4" in EXAMS[user]:
            assert r.status_code == (403 if user == "lead" and resource == "results" else 200)
        else:
            assert r.status_code == 404 and r.json() == unknown.json()
    if "E4" not in EXAMS[user]:                         # the refusal is audited
        assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = "
                         "'denied' AND object = '/api/exams/E4/units'", [user]) >= 1


@pytest.mark.slow
def test_small_units_are_withheld_for_a_role_without_student_data(db):
    app = create_app(db, Settings(min_unit_n=61), secret="s")   # schools of 60: all small
    lead = [u for u in api(app, "lead").get("/api/exams/E1/units?level=school").json()]
    assert lead and all(u["mean"] is None and u["n"] is None and u["pass_rate"] is None
                        for u in lead)
    res = api(app, "res").get("/api/exams/E1/units?level=school").json()
    assert all(u["mean"] is not None and u["band"] == "too_few" for u in res)


# -- results ------------------------------------------------------------------------------------
STUDENTS = {"admin": 180, "res": 180, "p1": 60, "p2": 60, "t1": 30, "par": 1}


@pytest.mark.slow
@pytest.mark.parametrize("user", ROLES)
def test_results_only_for_roles_with_student_data(app, db, user):
    r = api(app, user).get("/api/exams/E1/results")
    if user == "lead":
        assert r.status_code == 403
        return
    assert r.status_code == 200
    got = r.json()
    assert len({x["student_id"] for x in got}) == STUDENTS[user]
    schools = {"p1": {"S1"}, "p2": {"S2"}, "t1": {"S1"}, "par": {"S1"}}
    if user in schools:
        assert {x["school"] for x in got} == schools[user]
    if user == "t1":
        assert {x["class"] for x in got} == {"S1-2021-8-1"}
    if user == "par":
        assert {x["student_id"] for x in got} == {1}
    assert audit_rows(db, user, "view", "exam:E1/results") >= 1


@pytest.mark.slow
def test_id_numbers_are_masked_as_on_the_pages(app):
    full = {x["student_id"]: x["national_id"]
            for x in api(app, "admin").get("/api/exams/E1/results").json()}
    assert full[1] == "G000001" and full[123] == "G000123"
    for user in ("res", "p1", "t1", "par"):
        for x in api(app, user).get("/api/exams/E1/results").json():
            assert x["national_id"] == "G" + "*" * 5 + full[x["student_id"]][-1]
    page = TestClient(app, follow_redirects=False)   # the page's own masking, for comparison
    assert page.post("/login", data={"username": "res", "password": PASSWORD}).status_code == 303
    assert "G*****1" in page.get("/students/1").text


@pytest.mark.slow
def test_results_follow_the_publication_rules(app):
    def fields(user, exam):
        rows = api(app, user).get(f"/api/exams/{exam}/results").json()
        return {k for x in rows for k in x}
    base = {"student_id", "name", "national_id", "school", "class", "subject", "status",
            "grade_letter"}
    scores = {"score", "full_marks"}
    ranks = {"t", "pr", "rank"}
    assert fields("admin", "E1") == base | scores            # compulsory: no ranks
    assert fields("par", "E1") == base                       # … and no scores for families
    assert fields("admin", "E3") == base | scores | ranks    # a senior mock: ranks
    assert fields("par", "E3") == base | scores | ranks
    assert fields("admin", "E2") == base | scores            # 高考: no league tables


def test_scores_are_rounded_as_shown_and_missing_is_null(app):
    rows = api(app, "admin").get("/api/exams/E1/results").json()
    absent = [x for x in rows if x["status"] == "absent"]
    assert absent and all(x["score"] is None for x in absent)
    assert all(x["score"] == round(x["score"], 1) for x in rows if x["score"] is not None)


# -- the OpenAPI description ----------------------------------------------------------------------
def test_openapi_lists_the_api_paths_only(app):
    r = api(app).get("/api/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert set(doc["paths"]) == {"/login", "/logout", "/exams", "/exams/{exam_id}/units",
                                 "/exams/{exam_id}/results"}
    assert doc["servers"] == [{"url": "/api"}]
    assert set(doc["paths"]["/login"]) == {"post"} and "429" in doc["paths"]["/login"]["post"][
        "responses"]
    assert "CSRF" in doc["info"]["description"]
    assert api(app).get("/openapi.json").status_code == 404   # the pages publish none
    assert api(app).get("/api/docs").status_code == 404


def test_a_bearer_token_opens_the_api_only(app):
    token = api(app, "res").headers["Authorization"]
    c = api(app)                                        # pages take the cookie (and CSRF forms)
    c.headers["Authorization"] = token
    assert not c.cookies
    r = c.get("/exams")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert c.get("/api/exams").status_code == 200
