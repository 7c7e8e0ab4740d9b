"""合格考 pages role by role (issue 15 §1) on the hand-made cohort of tests/factories
(students 1–4 in H1 甲中, 5–7 in H2 乙中): the bureau sees the district page, a school's
principal the school's page (with the district's rows), anyone else 404 (audited); the
navigation links to what each role may open once results exist; small schools withheld."""

from __future__ import annotations

import pytest

from eduquality.config import Settings
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.factories import proficiency_all_subjects, proficiency_db, proficiency_risk_db
from tests.web.conftest import PASSWORD, add_users, sign_in, signed_in_clients

USERS = {"res": dict(role="researcher"), "lead": dict(role="leader"),
         "p1": dict(role="principal", school_code="H1"),
         "p2": dict(role="principal", school_code="H2")}


@pytest.fixture(scope="module")
def site():
    """June 2023 历史: students 2 and 6 fail, the others pass; January 2024: both retake,
    2 passes. min_unit_n 4: 乙中 (3 students) is withheld, and 甲中 with it."""
    db = proficiency_db()
    with db.write() as con:
        con.executemany(
            "INSERT INTO proficiency_result VALUES (?, 'history', ?, ?, ?, ?, ?, NULL)",
            [(k, "2023-06", "不合格" if k in (2, 6) else "合格", k not in (2, 6), False,
              "H1" if k <= 4 else "H2") for k in range(1, 8)]
            + [(2, "2024-01", "合格", True, True, "H1"), (6, "2024-01", "不合格", False, True,
                                                         "H2")])
    add_users(db, USERS)
    app = create_app(db, Settings().with_overrides(min_unit_n=4), secret="test-secret")
    yield db, {name: sign_in(app, name) for name in USERS}
    db.close()


PAGES = {"/proficiency": {"res", "lead"},
         "/proficiency/schools/H1": {"res", "lead", "p1"},
         "/proficiency/schools/H2": {"res", "lead", "p2"},
         "/proficiency/schools/X9": set()}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_sees_its_pages_and_404_elsewhere_audited(site, path):
    db, clients = site
    for user, client in clients.items():
        r = client.get(path)
        if user in PAGES[path]:
            assert r.status_code == 200, (user, path, r.text[:300])
            assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action ="
                             " 'view' AND object = ?", [user, path[1:]]) >= 1
        else:
            assert r.status_code == 404, (user, path)
    if path.endswith("/H2"):
        assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND action ="
                         " 'denied' AND object = ?", [path]) >= 1


def test_navigation_links_what_each_role_may_open(site):
    _, clients = site
    want = {"res": 'href="/proficiency"', "lead": 'href="/proficiency"',
            "p1": 'href="/proficiency/schools/H1"', "p2": 'href="/proficiency/schools/H2"'}
    for user, client in clients.items():
        home = client.get("/")
        assert home.status_code == 200 and want[user] in home.text, user
        if user.startswith("p"):
            assert 'href="/proficiency"' not in home.text


def test_district_page_rates_and_withheld_schools(site):
    _, clients = site
    html = clients["res"].get("/proficiency").text
    assert "各批次合格率" in html and "一次合格率与补考后合格率" in html
    assert "2023年6月" in html and "历史" in html
    # the district: 7 takers, 5 passed (71.4%); after the 补考 6 of 7 (85.7%)
    assert "71.4%" in html and "85.7%" in html
    # 乙中 has 3 students (< 4): withheld, and 甲中 with it (district − 甲中 = 乙中)
    assert html.count("人数过少，不显示") >= 4
    xlsx = clients["res"].get("/proficiency?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_all_subject_pass_rate_on_the_pages():
    db = proficiency_db()
    proficiency_all_subjects(db)
    add_user(db, "res", "researcher", PASSWORD)
    add_user(db, "p2", "principal", PASSWORD, school_code="H2")
    app = create_app(db, Settings().with_overrides(min_unit_n=1), secret="s")
    for user, path, want, never in (("res", "/proficiency", ["60.0%", "50.0%"], []),
                                    ("p2", "/proficiency/schools/H2", ["60.0%", "100.0%"],
                                     ["50.0%"])):
        html = sign_in(app, user).get(path).text
        assert "全科合格率（按年级）" in html and "2022级" in html, user
        # the district 3 of 5, 甲中 2 of 4, 乙中 1 of 1
        table = html[html.index("全科合格率（按年级）"):]
        assert all(w in table for w in want) and not any(n in table for n in never), user
    db.close()


def test_school_page_shows_the_school_beside_the_district(site):
    _, clients = site
    html = clients["p1"].get("/proficiency/schools/H1").text
    assert "甲中" in html and "全区" in html and "乙中" not in html


def test_a_principal_uploads_the_own_schools_results_only():
    import io
    import re

    import openpyxl

    db = proficiency_db()
    add_user(db, "p1", "principal", PASSWORD, school_code="H1")
    client = sign_in(create_app(db, Settings(), secret="s"), "p1")

    def upload(students):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["考籍号", "学籍号", "姓名", "科目", "成绩", "考试批次"])
        for k in students:
            ws.append([f"K{k}", f"G53010020070101{k:04d}", f"学生{k}", "地理", "合格", "2023年6月"])
        body = io.BytesIO()
        wb.save(body)
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        r = client.post("/uploads?lang=zh", data={"csrf": csrf},
                        files={"file": ("合格考.xlsx", body.getvalue(), "application/x")})
        token = re.search(r"/uploads/([A-Za-z0-9_-]+)/import", r.text)
        return r, csrf, token.group(1) if token else None

    r, _, token = upload([1, 5])           # 5 is 乙中's
    assert "合格考成绩" in r.text and token is None and "H2" in r.text
    r, csrf, token = upload([1, 2])
    assert token is not None
    assert client.post(f"/uploads/{token}/import", data={"csrf": csrf}).status_code == 200
    assert db.scalar("SELECT count(*) FROM proficiency_result WHERE school_code = 'H1'") == 2
    db.close()


RISK_USERS = {"admin": dict(role="admin"), "res": dict(role="researcher"),
              "lead": dict(role="leader"), "p1": dict(role="principal", school_code="H1"),
              "p2": dict(role="principal", school_code="H2"),
              "t1": dict(role="teacher", class_id="H1-2023-11"),
              "t2": dict(role="teacher", class_id="H1-2023-11-2"),
              "t3": dict(role="teacher", class_id="H2-2023-11"),
              "par": dict(role="parent", student="G530100200701010003")}


@pytest.fixture(scope="module")
def risk_site():
    """tests/factories.proficiency_risk_db: still to pass, 3 (甲中 1班, physics twice), 4 (甲中
    2班, geography), 6 (乙中, math); a teacher of each class, a parent of student 3."""
    db = proficiency_risk_db()
    yield db, signed_in_clients(db, RISK_USERS)
    db.close()


AT_RISK = {  # reader → the students of 甲中's list it sees (None: 404)
    "admin": {3, 4}, "res": {3, 4}, "p1": {3, 4}, "t1": {3}, "t2": {4},
    "lead": None, "p2": None, "t3": None, "par": None}


@pytest.mark.parametrize("user", list(AT_RISK))
def test_the_students_at_risk_by_role_in_the_data_layer_404_elsewhere_audited(risk_site, user):
    db, clients = risk_site
    path = "/proficiency/schools/H1/at-risk"
    r = clients[user].get(path)
    seen = AT_RISK[user]
    if seen is None:
        assert r.status_code == 404, (user, r.text[:300])
        assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action ="
                         " 'denied' AND object = ?", [user, path]) >= 1
        return
    assert r.status_code == 200, (user, r.text[:300])
    assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = 'view'"
                     " AND object = ?", [user, path[1:]]) >= 1
    html = r.text
    shown = {k for k in (3, 4, 6) if f"学生{k}" in html}
    assert shown == seen, user
    if 3 in seen:
        assert "物理：2023年6月、2024年1月" in html and "高二1班" in html
    # IDs masked except for the administrator
    full = "G530100200701010003" in html or "G530100200701010004" in html
    assert full == (user == "admin")
    if user != "admin":
        assert "学籍号（已遮蔽）" in html
    # an unknown school answers as a refused one
    assert clients[user].get("/proficiency/schools/X9/at-risk").status_code == 404


def test_the_school_page_links_its_students_at_risk_for_who_sees_students(risk_site):
    _, clients = risk_site
    link = 'href="/proficiency/schools/H1/at-risk"'
    assert link in clients["p1"].get("/proficiency/schools/H1").text
    assert link not in clients["lead"].get("/proficiency/schools/H1").text
    xlsx = clients["res"].get("/proficiency/schools/H1/at-risk?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
