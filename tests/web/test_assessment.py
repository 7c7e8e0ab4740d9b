"""The assessment pages role by role: the bureau sees the district's page and every sheet; a
school's roles (principal, and teachers, who see their school's aggregates by the access
policy) only their own school's sheet (404 elsewhere, audited as denied); parents nothing.
The figures are the use case's."""

from __future__ import annotations

import pytest

from eduquality.analysis.assessment import assess
from eduquality.config import Settings
from tests.analysis.test_assessment import assessment_db
from tests.web.conftest import signed_in_clients

USERS = {"admin": dict(role="admin"), "res": dict(role="researcher"),
         "lead": dict(role="leader"), "p1": dict(role="principal", school_code="S1"),
         "p2": dict(role="principal", school_code="S2"),
         "t1": dict(role="teacher", teacher_id="T1"),
         "par": dict(role="parent", student="G000001")}


@pytest.fixture(scope="module")
def site():
    db = assessment_db()
    yield db, signed_in_clients(db, USERS)
    db.close()


def _denied(db, username, path):
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = 'denied' "
                     "AND object = ?", [username, path])


PAGES = {
    "/assessment/2021": {"admin", "res", "lead"},
    "/assessment/2021/schools/S1": {"admin", "res", "lead", "p1", "t1"},
    "/assessment/2021/schools/S2": {"admin", "res", "lead", "p2"},
}


@pytest.mark.parametrize("path", list(PAGES))
def test_each_role_sees_its_pages_and_gets_404_elsewhere(site, path):
    db, clients = site
    for user, client in clients.items():
        before = _denied(db, user, path)
        r = client.get(path)
        if user in PAGES[path]:
            assert r.status_code == 200, (user, path)
        else:
            assert r.status_code == 404, (user, path)
            assert _denied(db, user, path) == before + 1, (user, path)


def test_district_page_shows_totals_bands_and_components(site):
    db, clients = site
    text = clients["res"].get("/assessment/2021").text
    want = assess(db, 2021, Settings()).schools.set_index("school_code")
    for code in ("S1", "S2", "S3"):
        assert f'href="/assessment/2021/schools/{code}"' in text
        assert f"{want.loc[code, 'total']:.1f}" in text
    assert "第 1 档" in text and "控辍保学" in text and "内部资料" in text


def test_school_sheet_gives_the_evidence_and_what_is_absent(site):
    _, clients = site
    en = clients["p2"].get("/assessment/2021/schools/S2?lang=en").text
    assert "retention (no dropouts)" in en
    assert "dropouts" in en and "80" in en                       # 2 dropouts of 80 students
    assert "no school-condition statistics" in en                # balance absent, said why
    unknown = clients["res"].get("/assessment/2021/schools/S9")
    assert unknown.status_code == 404


def test_sheet_download_is_an_audited_export(site):
    db, clients = site
    r = clients["p1"].get("/assessment/2021/schools/S1?format=xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND action = "
                     "'export' AND object = 'assessment 2021 S1'") == 1
