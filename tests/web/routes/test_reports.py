"""/reports/{exam}/…: the reports' documents as PDF or Excel, role by role: allowed, refused
with 404, audited as exports; each holds only what the role may see."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.web.conftest import USERS

ROLES = tuple(USERS)

DOWNLOADS: dict[str, set[str]] = {
    "/reports/E1/district": {"admin", "res", "lead"},
    "/reports/E1/schools/S1": {"admin", "res", "lead", "p1", "t1"},
    "/reports/E1/classes/S1-2021-8-1": {"admin", "res", "p1", "t1"},
    "/reports/E1/classes/S1-2021-8-2": {"admin", "res", "p1"},
    "/reports/E1/students/1": {"admin", "res", "p1", "t1", "par"},
    "/reports/E1/students/61": {"admin", "res", "p2"},
}
"""Each report and the users who may download it; every other user gets 404."""


@pytest.fixture(scope="module")
def clients(role_clients):
    return role_clients


def _exports(db, username: str, obj: str) -> int:
    return db.scalar("SELECT count(*) FROM audit_log WHERE username = ? AND action = 'export' "
                     "AND object = ?", [username, obj])


def _text(content: bytes) -> str:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(" | ".join("" if v is None else str(v) for v in row)
                     for ws in wb.worksheets for row in ws.iter_rows(values_only=True))


@pytest.mark.parametrize("path", list(DOWNLOADS))
def test_each_role_downloads_its_reports_and_gets_404_elsewhere(clients, db, path):
    kind_unit = path.removeprefix("/reports/E1/").replace("schools/", "school:").replace(
        "classes/", "class:").replace("students/", "student:")
    obj = f"report:E1/{kind_unit}"
    for user in ROLES:
        before = _exports(db, user, obj)
        r = clients[user].get(f"{path}?format=xlsx")
        if user in DOWNLOADS[path]:
            assert r.status_code == 200, (user, path)
            assert r.content[:2] == b"PK" and "attachment" in r.headers["content-disposition"]
            assert _exports(db, user, obj) == before + 1
        else:
            assert r.status_code == 404, (user, path)
            assert _exports(db, user, obj) == before


def test_out_of_scope_exam_and_unknown_units(clients):
    assert clients["admin"].get("/reports/E9/district").status_code == 404
    assert clients["admin"].get("/reports/E1/schools/S9").status_code == 404
    assert clients["admin"].get("/reports/E1/students/99999").status_code == 404
    assert clients["admin"].get("/reports/E1/district?format=docx").status_code == 400


def test_a_school_report_holds_no_other_school(clients):
    text = _text(clients["p1"].get("/reports/E1/schools/S1?format=xlsx").content)
    assert "甲校" in text and "乙校" not in text and "丙校" not in text


def test_student_report_names_the_child_only_with_a_masked_id(clients):
    text = _text(clients["par"].get("/reports/E1/students/1?format=xlsx").content)
    assert "学生1" in text and "学生2" not in text
    assert "G*****1" in text and "G000001" not in text


def test_pdf_download(clients, db):
    r = clients["p1"].get("/reports/E1/schools/S1?format=pdf")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert r.headers["content-type"] == "application/pdf"
    assert _exports(db, "p1", "report:E1/school:S1") >= 1


def test_pages_offer_the_reports_their_role_may_download(clients):
    assert "/reports/E1/district?format=pdf" in clients["res"].get("/exams/E1").text
    assert "/reports/E1/district" not in clients["p1"].get("/exams/E1").text
    assert "/reports/E1/schools/S1?format=xlsx" in clients["p1"].get(
        "/exams/E1/schools/S1").text
    assert "/reports/E1/classes/S1-2021-8-1?format=pdf" in clients["t1"].get(
        "/exams/E1/classes/S1-2021-8-1").text
    assert "/reports/E2/students/1?format=pdf" in clients["par"].get("/students/1").text
