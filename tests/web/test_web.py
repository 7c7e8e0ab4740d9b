"""The web platform over HTTP: sign-in, each role's scope, masking, audit, exports, languages."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store.users import add_user, set_password
from eduquality.web.app import HERE, create_app
from tests.conftest import STORES
from tests.web.conftest import PASSWORD, build_db

RAW_ID = re.compile(r"G\d{6}")          # an unmasked ID number of the tiny district
MASKED_ID = re.compile(r"G\*{5}\d")


@pytest.fixture(scope="module", params=STORES)
def db(request):
    """The web tests' district on each store: every test of this module runs on both (the
    platform on PostgreSQL: issue 10 §1)."""
    if request.param == "duckdb":
        yield build_db()
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create_database()
    database = build_db(url)
    yield database
    database.close()
    cluster.drop_database(url)


@pytest.fixture(scope="module")
def app(db):
    return create_app(db, Settings(), secret="test-secret")


def audit_count(db, username: str, action: str, like: str = "%") -> int:
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = ? "
                     "AND object LIKE ?", [username, action, like])


def sheet_text(content: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(" | ".join("" if v is None else str(v) for v in row)
                     for ws in wb.worksheets for row in ws.iter_rows(values_only=True))


def table_after(html: str, heading: str) -> str:
    """The HTML of the section whose heading starts with ``heading``."""
    start = html.index(f"<h2>{heading}")
    end = html.find("</section>", start)
    return html[start:end]


# -- signing in ---------------------------------------------------------------------------
def test_pages_need_sign_in(app):
    client = TestClient(app, follow_redirects=False)
    for path in ("/", "/exams", "/exams/E1", "/students/1", "/audit"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_wrong_password_refused_and_logged(app, db):
    client = TestClient(app, follow_redirects=False)
    before = audit_count(db, "p1", "denied", "login")
    r = client.post("/login", data={"username": "p1", "password": "not-the-password"})
    assert r.status_code == 401 and "eq_session" not in r.cookies
    assert "用户名或密码错误" in r.text
    assert audit_count(db, "p1", "denied", "login") == before + 1
    assert client.get("/exams").status_code == 303


def test_repeated_failures_are_throttled(app):
    client = TestClient(app, follow_redirects=False)
    codes = [client.post("/login", data={"username": "ghost", "password": "x" * 9}).status_code
             for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_forged_cookie_and_open_redirect(app, login):
    client = TestClient(app, follow_redirects=False, cookies={"eq_session": "forged.value.x"})
    assert client.get("/exams").status_code == 303
    r = TestClient(app, follow_redirects=False).post(
        "/login", data={"username": "res", "password": PASSWORD, "next": "//evil.example/x"})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_password_change_ends_sessions(app, db, login):
    add_user(db, "temp", "researcher", PASSWORD)
    client = login("temp")
    assert client.get("/exams").status_code == 200
    set_password(db, "temp", "another-password-2")
    assert client.get("/exams").status_code == 303


def test_logout_needs_csrf_token(app, login):
    client = login("res")
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 400
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get("/").text).group(1)
    r = client.post("/logout", data={"csrf": token})
    assert r.status_code == 303
    client.cookies.clear()
    assert client.get("/exams").status_code == 303


# -- each role sees exactly its scope -------------------------------------------------------
@pytest.mark.slow
def test_principal_sees_own_school_only(login):
    c = login("p1")
    page = c.get("/exams/E1").text
    assert "甲校" in page and "乙校" not in page and "丙校" not in page
    assert c.get("/exams/E1/schools/S1").status_code == 200
    assert c.get("/exams/E1/schools/S2").status_code == 404
    assert c.get("/exams/E1/classes/S2-2021-8-1").status_code == 404
    assert c.get("/students/61").status_code == 404          # student 61 is in S2
    assert c.get("/students/1").status_code == 200
    assert c.get("/audit").status_code == 404                # may not know the page exists
    assert c.get("/exams/E1/schools/S9").status_code == 404
    # out of scope answers exactly as unknown: the same page, but the refusal is audited
    hidden, unknown = c.get("/exams/E1/schools/S2"), c.get("/exams/E1/schools/S9")
    assert hidden.text.replace("S2", "S9") == unknown.text


def test_principal_gets_no_other_schools_on_gaokao(login):
    page = login("p1").get("/exams/E2").text
    assert "乙校" not in page and "丙校" not in page
    assert "不得用于学校排名" in page


@pytest.mark.slow
def test_teacher_sees_own_classes_only(login):
    c = login("t1")
    assert c.get("/exams/E1/classes/S1-2021-8-1").status_code == 200
    assert c.get("/exams/E1/classes/S1-2021-8-2").status_code == 404
    assert c.get("/students/1").status_code == 200
    assert c.get("/students/31").status_code == 404          # student 31 is in class 2
    school = c.get("/exams/E1/schools/S1").text
    assert "/classes/S1-2021-8-1" in school and "/classes/S1-2021-8-2" not in school
    assert "张老师" in school and "李老师" not in school


def test_parent_sees_own_child_only(login):
    c = login("par")
    child = c.get("/students/1")
    assert child.status_code == 200 and "学生1" in child.text
    assert c.get("/students/2").status_code == 404
    assert c.get("/exams/E1/classes/S1-2021-8-1").status_code == 404
    assert c.get("/exams/E1/schools/S1").status_code == 404
    overview = c.get("/exams/E1").text
    assert "甲校" not in overview and not re.search(r"学生\d", overview)
    # grade 8 is compulsory education: the parent sees grades, no scores, no ranks
    e1 = table_after(child.text, "期末")
    assert "等级" in e1 and "百分等级" not in e1 and "名次" not in e1 and ">成绩<" not in e1
    gaokao = table_after(child.text, "高考")                 # grade 12: scores, but no ranks
    assert ">成绩<" in gaokao and "名次" not in gaokao and "不得用于学校排名" in gaokao
    mock = table_after(child.text, "一模")                   # senior mock: ranks allowed
    assert "全区名次" in mock


def test_leader_sees_school_aggregates_in_fixed_order_and_no_students(login):
    c = login("lead")
    page = c.get("/exams/E1?subject=math").text
    schools = table_after(page, "学校")
    positions = [schools.index(name) for name in ("甲校", "乙校", "丙校")]
    assert positions == sorted(positions)                   # S1, S2 (group A), S3 (group B)
    assert "同类学校组" in page and "同类组 A" in page
    assert c.get("/exams/E1/classes/S1-2021-8-1").status_code == 404
    assert c.get("/students/1").status_code == 404
    assert not re.search(r"学生\d", page)


@pytest.mark.slow
def test_researcher_sees_everything_but_ranks_follow_the_rules(login):
    c = login("res")
    for path in ("/exams/E1/schools/S3", "/exams/E1/classes/S3-2021-8-2", "/students/150",
                 "/audit"):
        assert c.get(path).status_code == 200, path
    mock = c.get("/exams/E3/classes/S1-2021-8-1").text        # senior mock: ranks allowed
    gaokao = c.get("/exams/E2/classes/S1-2021-8-1").text      # 高考: no ranking of students
    compulsory = c.get("/exams/E1/classes/S1-2021-8-1").text  # grade 8: grades only
    assert "百分等级" in mock and "全区名次" in mock
    assert "百分等级" not in gaokao and "全区名次" not in gaokao
    assert "百分等级" not in compulsory and "全区名次" not in compulsory


# -- masking, audit, exports ----------------------------------------------------------------
@pytest.mark.parametrize("user, path", [
    ("res", "/exams/E1/classes/S1-2021-8-1"), ("p1", "/exams/E1/classes/S1-2021-8-1"),
    ("t1", "/exams/E1/classes/S1-2021-8-1"), ("par", "/students/1"), ("res", "/students/1"),
])
@pytest.mark.slow
def test_ids_are_masked_in_pages_and_exports(login, user, path):
    c = login(user)
    page = c.get(path)
    export = c.get(path, params={"format": "xlsx"})
    assert export.headers["content-type"].startswith("application/vnd.openxmlformats")
    text = sheet_text(export.content)
    for body in (page.text, text):
        assert not RAW_ID.search(body)
        assert MASKED_ID.search(body)
    assert "内部资料" in text


@pytest.mark.slow
def test_admin_sees_full_ids(login):
    page = login("admin").get("/exams/E1/classes/S1-2021-8-1").text
    assert "G000001" in page


@pytest.mark.slow
def test_views_of_students_and_exports_are_audited(login, db):
    c = login("t1")
    views = audit_count(db, "t1", "view", "%class:S1-2021-8-1%")
    exports = audit_count(db, "t1", "export")
    denied = audit_count(db, "t1", "denied")
    c.get("/exams/E1/classes/S1-2021-8-1")
    c.get("/students/1")
    c.get("/exams/E1", params={"format": "xlsx"})
    c.get("/exams/E1/classes/S1-2021-8-2")
    assert audit_count(db, "t1", "view", "%class:S1-2021-8-1%") == views + 1
    assert audit_count(db, "t1", "view", "student:1") >= 1
    assert audit_count(db, "t1", "export") == exports + 1
    assert audit_count(db, "t1", "denied") == denied + 1
    log = login("res").get("/audit", params={"user": "t1"}).text
    assert "student:1" in log and "导出" in log


@pytest.mark.slow
def test_export_holds_what_the_page_shows(login):
    c = login("p1")
    page = c.get("/exams/E1/classes/S1-2021-8-1").text
    text = sheet_text(c.get("/exams/E1/classes/S1-2021-8-1", params={"format": "xlsx"}).content)
    names_page = set(re.findall(r">(学生\d+)<", page))
    names_xlsx = set(re.findall(r"学生\d+", text))
    assert len(names_page) == 30 and names_page == names_xlsx


# -- offline, languages, headers ------------------------------------------------------------
@pytest.mark.slow
def test_no_external_urls_anywhere(login):
    external = re.compile(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}|@import|url\(", re.I)
    c = login("res")
    for path in ("/", "/exams", "/exams/E1", "/exams/E1/schools/S1",
                 "/exams/E1/classes/S1-2021-8-1", "/students/1", "/audit", "/login"):
        assert not external.search(c.get(path).text), path
    css = (HERE / "static" / "style.css").read_text()
    assert not external.search(css)
    assert c.get("/static/style.css").status_code == 200


@pytest.mark.slow
def test_chinese_by_default_english_on_request(app, login):
    c = login("p1")
    zh = c.get("/exams/E1")
    assert '<html lang="zh-CN">' in zh.text and "平均分" in zh.text
    en = c.get("/exams/E1", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "Mean" in en.text and "平均分" not in en.text
    assert "Mean" in c.get("/exams/E1").text                # the choice is remembered
    login_page = TestClient(app).get("/login", params={"lang": "en"}).text
    assert "Sign in" in login_page


def test_language_as_user_setting(login, db):
    c = login("p2")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/").text).group(1)
    assert c.post("/settings/lang", data={"lang": "en", "csrf": token}).status_code == 303
    assert db.scalar("SELECT lang FROM app_user WHERE username = 'p2'") == "en"
    fresh = login("p2")
    assert "Exams" in fresh.get("/exams").text
    assert c.post("/settings/lang", data={"lang": "zh", "csrf": "bad"}).status_code == 400


def test_security_headers_and_cookie_flags(app, login):
    r = login("res").get("/exams/E1/classes/S1-2021-8-1")
    assert "script-src 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["cache-control"] == "no-store"
    signin = TestClient(app, follow_redirects=False).post(
        "/login", data={"username": "res", "password": PASSWORD})
    cookie = signin.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie


def test_analysis_is_cached_per_exam(app, login):
    c = login("res")
    c.get("/exams/E1")
    misses = app.state.cache.misses
    c.get("/exams/E1?subject=math")
    c.get("/exams/E1/schools/S2")
    assert app.state.cache.misses == misses


def test_error_pages_are_html(login):
    c = login("res")
    missing = c.get("/no/such/page")
    assert missing.status_code == 404 and "<html" in missing.text
    bad = c.get("/students/not-a-number")
    assert bad.status_code == 400 and "<html" in bad.text
    assert c.get("/exams/E9").status_code == 404


@pytest.mark.slow
def test_knowledge_points_of_own_units_only(login):
    c = login("p1")
    school = c.get("/exams/E1/schools/S1").text
    assert "知识点" in school and "函数" in school
    klass = table_after(c.get("/exams/E1/classes/S1-2021-8-2").text, "知识点")
    assert "几何" in klass


@pytest.mark.slow
def test_first_analysis_runs_off_the_event_loop_on_its_own_cursor(app, db, login):
    import threading

    from eduquality.store.analysis_store import forget_analyses

    cache = app.state.cache
    seen = []
    original = cache.analyse

    def spy(reader, exam_id, settings):
        seen.append((threading.current_thread().name, reader is db, reader.con is db.con))
        return original(reader, exam_id, settings)

    cache.analyse = spy
    try:
        cache._items.clear()
        forget_analyses(db)  # nor stored: the first view analyses
        c = login("res")
        assert c.get("/exams/E1").status_code == 200
        assert c.get("/exams/E1/schools/S1").status_code == 200   # cached: no second run
    finally:
        cache.analyse = original
    assert len(seen) == 1
    thread, same_db, same_con = seen[0]
    assert not same_db and not same_con and thread != threading.main_thread().name
