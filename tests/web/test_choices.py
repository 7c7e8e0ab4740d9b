"""选科 pages role by role (issue 15 §2) on the hand-made 3+1+2 高考 of tests/factories
(P1–P10 物理类 = students 1–10, H1–H10 历史类 = 11–20; odd in S1, even in S2): the bureau sees
the district page, a school's principal the school's page, anyone else 404 (audited); the
navigation links to what each role may open; small units withheld as the CLI does (10)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from eduquality.config import Settings
from eduquality.store.users import add_user
from eduquality.web.app import create_app
from tests.factories import new_regime_db

PASSWORD = "correct-horse-9"
USERS = {"res": dict(role="researcher"), "lead": dict(role="leader"),
         "p1": dict(role="principal", school_code="S1"),
         "p2": dict(role="principal", school_code="S2")}
EXAM = "2025-gaokao"


@pytest.fixture(scope="module")
def site():
    """new_regime_db with one class per school (S1-1, S2-1), genders (student id % 4 in 1, 2:
    男) and the same 选科 recorded for 2023-2024 and 2024-2025."""
    db = new_regime_db()
    with db.write() as con:
        con.execute("INSERT INTO school_year VALUES ('2023-2024', '2023-09-01', '2024-07-15')")
        con.execute("INSERT INTO class VALUES ('S1-1', 'S1', '2024-2025', 12, '高三1班', NULL,"
                    " NULL), ('S2-1', 'S2', '2024-2025', 12, '高三2班', NULL, NULL)")
        con.execute("UPDATE exam_registration SET class_id = school_code || '-1'")
        con.execute("UPDATE student SET gender = CASE WHEN student_id % 4 IN (1, 2) THEN 'M'"
                    " ELSE 'F' END")
        for year in ("2023-2024", "2024-2025"):
            con.execute("INSERT INTO student_subject_choice SELECT student_id, ?, CASE WHEN"
                        " student_id <= 10 THEN 'physics' ELSE 'history' END, CASE WHEN"
                        " student_id <= 10 THEN 'chemistry' ELSE 'politics' END, CASE WHEN"
                        " student_id IN (5, 9, 10) OR student_id > 10 THEN 'geography'"
                        " ELSE 'biology' END, FALSE FROM student", [year])
    for name, ties in USERS.items():
        ties = dict(ties)
        add_user(db, name, ties.pop("role"), PASSWORD, **ties)
    app = create_app(db, Settings(), secret="test-secret")
    clients = {}
    for name in USERS:
        client = TestClient(app, follow_redirects=False)
        assert client.post("/login", data={"username": name, "password": PASSWORD}
                           ).status_code == 303
        clients[name] = client
    yield db, clients
    db.close()


PAGES = {f"/choices/{EXAM}": {"res", "lead"},
         f"/choices/{EXAM}/schools/S1": {"res", "lead", "p1"},
         f"/choices/{EXAM}/schools/S2": {"res", "lead", "p2"},
         f"/choices/{EXAM}/schools/S9": set(),
         "/choices/no-such-exam": set()}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_sees_its_pages_and_404_elsewhere_audited(site, path):
    db, clients = site
    for user, client in clients.items():
        r = client.get(path)
        if user in PAGES[path]:
            assert r.status_code == 200, (user, path, r.text[:300])
            assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action ="
                             " 'view' AND object = ?", [user, path[len("/"):]]) >= 1
        else:
            assert r.status_code == 404, (user, path)
    # a school's principal asking for the other school: refused as denied in the audit log
    if path.endswith("/S2"):
        assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND action ="
                         " 'denied' AND object = ?", [path]) >= 1


def test_navigation_links_what_each_role_may_open(site):
    _, clients = site
    want = {"res": f'href="/choices/{EXAM}"', "lead": f'href="/choices/{EXAM}"',
            "p1": f'href="/choices/{EXAM}/schools/S1"',
            "p2": f'href="/choices/{EXAM}/schools/S2"'}
    for user, client in clients.items():
        home = client.get("/")
        assert home.status_code == 200
        assert want[user] in home.text, user
        if user.startswith("p"):
            assert f'href="/choices/{EXAM}"' not in home.text


def _rows(html: str, section: str) -> str:
    return html.split(section, 1)[1]


def test_district_page_by_school_over_years_and_results(site):
    _, clients = site
    html = clients["res"].get(f"/choices/{EXAM}").text
    assert "各校选科组合" in html and "全区历年选科组合" in html and "各组合成绩" in html
    # 甲中 (S1, 10 students): 物化生 P1 P3 P7 (30 %), 物化地 P5 P9 (20 %), 史政地 H odd (50 %)
    by_school = _rows(html, "各校选科组合")
    s1 = by_school.split("甲中", 1)[1]
    assert "物化生" in s1 and "30.0%" in s1 and "20.0%" in s1 and "50.0%" in s1
    # the results: 物化生 (7) and 物化地 (3) under 10: withheld; 史政地 (10) shown
    results = _rows(html, "各组合成绩（总分 750，含赋分）</h2>")
    assert results.count("人数过少，不显示") == 2
    # over the years: 20 a year, 40 together
    years = _rows(html, "全区历年选科组合")
    assert "2023-2024" in years and "2024-2025" in years


def test_school_page_by_class_and_gender_withholds_small_units(site):
    _, clients = site
    html = clients["p1"].get(f"/choices/{EXAM}/schools/S1").text
    assert "各班选科组合" in html and "高三1班" in html
    gender = _rows(html, "选科组合（按性别）").split("各组合成绩", 1)[0]
    # S1's 10 students are 5 男 and 5 女: both under 10, withheld (the school's row shown)
    assert gender.count("人数过少，不显示") >= 2 and "全校" in gender
    assert "乙中" not in html
    xlsx = clients["p1"].get(f"/choices/{EXAM}/schools/S1?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
