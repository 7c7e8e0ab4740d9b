"""The programmes' pages role by role (issue 14 §1, §4): the bureau sees studios and partner
schools; a teacher their own studio only; special groups only for roles that may see group
membership (a principal: the own school); 404 elsewhere, audited as denied."""

from __future__ import annotations

import pytest

from tests.factories import add_prior_year, tiny_exam_db
from tests.web.conftest import signed_in_clients

USERS = {"res": dict(role="researcher"), "lead": dict(role="leader"),
         "p1": dict(role="principal", school_code="S1"),
         "t1": dict(role="teacher", teacher_id="T1"), "t2": dict(role="teacher", teacher_id="T2"),
         "t3": dict(role="teacher", teacher_id="T3")}


@pytest.fixture(scope="module")
def site():
    """tiny_exam_db + E0; studio W hosted by T1 (语文 in S1) with member T2; T3 outside; S2
    S1's partner from 2021; students of 2021-2022 in classes, every 5th 建档立卡."""
    db = tiny_exam_db(n_per_class=40)
    add_prior_year(db)
    with db.write() as con:
        con.execute("INSERT INTO teacher VALUES ('T1', '王老师', NULL, 'S1', 'chinese', NULL,"
                    " NULL), ('T2', '李老师', NULL, 'S2', 'chinese', NULL, NULL),"
                    " ('T3', '张老师', NULL, 'S3', 'chinese', NULL, NULL)")
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'chinese', 'T1'),"
                    " ('S1-2021-8-2', 'chinese', 'T1')")
        con.execute("INSERT INTO studio VALUES ('W', '王语文工作室', 'studio', 'T1', 'chinese',"
                    " 'city', '2020-09-01', NULL)")
        con.execute("INSERT INTO studio_member VALUES ('W', 'T2', '2020-09-01', NULL)")
        con.execute("INSERT INTO school_partnership VALUES ('S1', 'S2', 'merger', 2021)")
        con.execute("INSERT INTO class_membership SELECT student_id, '2021-2022', class_id "
                    "FROM exam_registration WHERE exam_id = 'E1'")
        con.execute("UPDATE student SET poverty_registered = (student_id % 5 = 0)")
    yield db, signed_in_clients(db, USERS)
    db.close()


PAGES = {
    "/programmes/2021/studios": {"res", "lead"},
    "/programmes/2021/studios/W": {"res", "lead", "t1", "t2"},
    "/programmes/partners": {"res", "lead"},
    "/programmes/2021/groups": {"res", "p1"},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_sees_its_pages_and_gets_404_elsewhere(site, path):
    db, clients = site
    for user, client in clients.items():
        before = db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = "
                           "'denied' AND object = ?", [user, path])
        r = client.get(path)
        if user in PAGES[path]:
            assert r.status_code == 200, (user, path, r.text[:300])
        else:
            assert r.status_code == 404, (user, path)
            assert db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = "
                             "'denied' AND object = ?", [user, path]) == before + 1


def test_pages_show_the_figures(site):
    db, clients = site
    text = clients["res"].get("/programmes/2021/studios").text
    assert 'href="/programmes/2021/studios/W"' in text and "王语文工作室" in text
    assert "1/10 / 0/100 / 0/1000" in text     # T2, a member and "内部资料" in text
    own = clients["t2"].get("/programmes/2021/studios/W?lang=en").text
    assert "李老师" in own and "member" in own and "Value-added by exam and subject" in own
    assert clients["res"].get("/programmes/2021/studios/X").status_code == 404
    partners = clients["res"].get("/programmes/partners").text
    assert "名校融民校" in partners and "成绩（标准分）" in partners
    views = ("SELECT count(*) FROM audit_log WHERE username = 'p1' AND action = 'view' "
             "AND object = 'special groups 2021'")
    before = db.scalar(views)
    groups = clients["p1"].get("/programmes/2021/groups").text
    assert "全区" in groups and "家庭经济困难（建档立卡）" in groups
    assert ">S2<" not in groups and ">S3<" not in groups     # a principal: the own school only
    assert db.scalar(views) == before + 1


def test_a_teacher_finds_the_own_studio_in_the_navigation(site):
    _, clients = site
    link = '<a href="/programmes/2021/studios/W">'
    for user in ("t1", "t2"):  # the host and a member
        home = clients[user].get("/?lang=en").text
        nav = home.split("<nav>", 1)[1].split("</nav>", 1)[0]
        assert link in nav and "My studio" in nav, user
        assert clients[user].get("/programmes/2021/studios/W").status_code == 200
    for user in ("t3", "p1", "res"):  # no studio of their own (the bureau: all studios)
        assert link not in clients[user].get("/").text.split("</nav>", 1)[0], user
