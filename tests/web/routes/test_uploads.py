"""/uploads: who may upload (404 for the others), the dry run with its mapping and every
problem, the all-or-nothing import on confirmation, a principal limited to the own school, and
the size rules (oversized upload, zip bomb, oversized sheet)."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from eduquality.analysis.stored import analysis_key
from eduquality.config import Settings
from eduquality.store import Database
from eduquality.store.analysis_store import stored_keys
from eduquality.web.app import create_app
from eduquality.web.uploads import UploadLimits
from tests.web.conftest import PASSWORD, USERS, build_db

ALLOWED = ("admin", "res", "p1", "p2")
REFUSED = ("lead", "t1", "par")

TEACHERS_OK = "工号,姓名,学校代码,任教学科\nT9,赵老师,S1,数学\nT8,钱老师,S1,语文\n"
TEACHERS_BAD = "工号,姓名,学校代码,任教学科\nT6,赵老师,S1,舞蹈\nT5,,S1,语文\n"
TEACHERS_S2 = "工号,姓名,学校代码,任教学科\nT7,孙老师,S2,数学\n"
SCHOOLS = "学校代码,学校名称,学段,办学性质,城乡类型\nS9,丁校,初中,公办,城区\n"


def _fresh(location: str = ":memory:") -> tuple[Database, FastAPI]:
    db = build_db(location=location)
    with db.write() as con:  # the roster of the exam's year: a score sheet is checked against it
        con.execute("INSERT INTO class_membership SELECT student_id, '2021-2022', class_id "
                    "FROM exam_registration WHERE exam_id = 'E1'")
    app = create_app(db, Settings(), secret="s",
                     upload_limits=UploadLimits(max_bytes=64 << 10, max_rows=1000))
    return db, app


@pytest.fixture(scope="module")
def fresh():
    """A database and app of this module's own (uploads write; each test writes rows of its
    own), with small limits."""
    return _fresh()


def _client(app, username: str) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    assert c.post("/login", data={"username": username, "password": PASSWORD}
                  ).status_code == 303
    return c


def _csrf(c: TestClient) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get("/").text).group(1)


def _upload(c: TestClient, name: str, body: bytes, lang: str = "zh", **fields: str):
    return c.post(f"/uploads?lang={lang}", data={"csrf": _csrf(c), **fields},
                  files={"file": (name, body, "application/octet-stream")})


def _token(html: str) -> str | None:
    m = re.search(r'/uploads/([A-Za-z0-9_-]+)/import', html)
    return m.group(1) if m else None


def _teachers(db) -> set[str]:
    return set(db.sql("SELECT teacher_id FROM teacher")["teacher_id"])


@pytest.mark.parametrize("username", USERS)
def test_who_may_upload(fresh, username):
    _, app = fresh
    c = _client(app, username)
    page = c.get("/uploads?lang=en")
    home = c.get("/?lang=en").text
    if username in ALLOWED:
        assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
        assert 'href="/uploads"' in home
    else:
        assert page.status_code == 404                       # not 403: no such page for them
        assert 'href="/uploads"' not in home
        assert _upload(c, "t.csv", TEACHERS_OK.encode()).status_code == 404
        assert c.post("/uploads/whatever/import", data={"csrf": _csrf(c)}).status_code == 404


def test_signed_out_is_sent_to_sign_in(fresh):
    _, app = fresh
    c = TestClient(app, follow_redirects=False)
    assert c.get("/uploads").status_code == 303
    assert c.post("/uploads", files={"file": ("t.csv", b"x")}).status_code == 401


def test_bad_file_shows_every_problem_row_by_row_and_writes_nothing(fresh):
    db, app = fresh
    c = _client(app, "p1")
    r = _upload(c, "教师.csv", TEACHERS_BAD.encode(), lang="en")
    assert r.status_code == 200
    assert "Read as: Roster" in r.text and "teacher_id" in r.text    # kind and mapping
    assert "2 problem(s)" in r.text and _token(r.text) is None       # nothing to confirm
    rows = re.findall(r"<tr><td>教师</td><td class=\"int\">(\d+)</td><td>([^<]*)</td>"
                      r"<td>([^<]*)</td>", r.text)
    assert sorted(rows) == [("2", "D（任教学科）", "舞蹈"), ("3", "B（姓名）", "")]
    assert not _teachers(db) & {"T5", "T6"}
    assert not any(app.state.uploads.root.iterdir())               # the bad file is not kept


def test_fix_and_import_all_or_nothing_then_the_token_is_spent(fresh):
    db, app = fresh
    c = _client(app, "p1")
    r = _upload(c, "教师.csv", TEACHERS_OK.encode(), lang="en")
    token = _token(r.text)
    assert token and "No problems" in r.text and "teacher 2" in r.text
    assert not _teachers(db) & {"T8", "T9"}                          # the check wrote nothing
    assert c.post(f"/uploads/{token}/import", data={"csrf": "forged"}).status_code == 400
    other = _client(app, "p1")                                       # same user, other session
    assert other.post(f"/uploads/{token}/import",
                      data={"csrf": _csrf(other)}).status_code == 404
    done = c.post(f"/uploads/{token}/import?lang=en", data={"csrf": _csrf(c)})
    assert done.status_code == 200 and "2 rows read, 2 database rows added or changed" in done.text
    assert _teachers(db) >= {"T8", "T9"}
    assert db.scalar("SELECT imported_by FROM import_log ORDER BY import_id DESC LIMIT 1") == "p1"
    assert c.post(f"/uploads/{token}/import", data={"csrf": _csrf(c)}).status_code == 404
    assert not any(app.state.uploads.root.iterdir())
    log = db.sql("SELECT action, object, detail FROM audit_log WHERE username = 'p1' "
                 "AND action = 'import' ORDER BY logged_at, audit_id")
    assert log["object"].tolist()[-2:] == ["check 教师.csv", "教师.csv"]
    assert "outcome=imported" in log["detail"].iloc[-1]


def test_an_excel_unicode_text_upload_is_checked_and_imported(fresh):
    """Excel's "Unicode text" (.txt: UTF-16 with BOM, tab-separated) is taken by the form and
    read as the command line reads it."""
    db, app = fresh
    c = _client(app, "p1")
    assert 'accept=".xlsx,.xlsm,.csv,.txt"' in c.get("/uploads").text
    body = b"\xff\xfe" + TEACHERS_OK.replace(",", "\t").encode("utf-16-le")
    r = _upload(c, "教师.txt", body, lang="en")
    token = _token(r.text)
    assert token and "No problems" in r.text
    done = c.post(f"/uploads/{token}/import?lang=en", data={"csrf": _csrf(c)})
    assert done.status_code == 200
    assert _teachers(db) >= {"T8", "T9"}


def test_the_platform_imports_an_upload_on_postgresql(pg_cluster):
    """The check and the confirmed import of an upload on the PostgreSQL store: all or
    nothing, logged as the uploader, audited."""
    url = pg_cluster.migrated_database()
    db, app = _fresh(url)
    try:
        c = _client(app, "p1")
        bad = _upload(c, "教师.csv", TEACHERS_BAD.encode(), lang="en")
        assert _token(bad.text) is None and "舞蹈" in bad.text
        token = _token(_upload(c, "教师.csv", TEACHERS_OK.encode(), lang="en").text)
        assert token and not _teachers(db) & {"T8", "T9"}
        done = c.post(f"/uploads/{token}/import?lang=en", data={"csrf": _csrf(c)})
        assert done.status_code == 200 and "2 rows read, 2 database rows added or changed" in done.text
        assert _teachers(db) >= {"T8", "T9"}
        assert db.scalar("SELECT imported_by FROM import_log ORDER BY import_id DESC "
                         "LIMIT 1") == "p1"
        assert db.scalar("SELECT count(*) FROM audit_log WHERE username = 'p1' AND "
                         "action = 'import' AND detail LIKE '%outcome=imported%'") == 1
    finally:
        db.close()
        pg_cluster.drop_database(url)


def test_cancel_drops_the_file(fresh):
    db, app = fresh
    c = _client(app, "res")
    token = _token(_upload(c, "教师.csv", TEACHERS_OK.replace("T9", "T4").replace(
        "T8", "T0").encode()).text)
    assert c.post(f"/uploads/{token}/cancel", data={"csrf": _csrf(c)}).status_code == 200
    assert not any(app.state.uploads.root.iterdir())
    assert c.post(f"/uploads/{token}/import", data={"csrf": _csrf(c)}).status_code == 404
    assert not _teachers(db) & {"T4", "T0"}


def test_a_principal_imports_for_the_own_school_only(fresh):
    db, app = fresh
    p1 = _client(app, "p1")
    other = _upload(p1, "教师.csv", TEACHERS_S2.encode(), lang="en")
    assert "data of other schools (S2)" in other.text and _token(other.text) is None
    district = _upload(p1, "学校.csv", SCHOOLS.encode(), lang="en")
    assert "district-wide data (school)" in district.text and _token(district.text) is None
    assert "T7" not in _teachers(db)
    assert db.scalar("SELECT count(*) FROM school WHERE school_code = 'S9'") == 0
    # the district's roles import for any school, and district-wide data
    res = _client(app, "res")
    for name, body in (("教师.csv", TEACHERS_S2), ("学校.csv", SCHOOLS)):
        token = _token(_upload(res, name, body.encode()).text)
        assert token, name
        assert res.post(f"/uploads/{token}/import", data={"csrf": _csrf(res)}
                        ).status_code == 200
    assert "T7" in _teachers(db)
    assert db.scalar("SELECT count(*) FROM school WHERE school_code = 'S9'") == 1


def _scores_xlsx(rows: list[tuple[str, float]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "语文"
    ws.append(["考号", "语文"])
    for number, score in rows:
        ws.append([number, score])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_score_sheet_of_another_schools_students_is_refused(fresh):
    db, app = fresh
    # students 1-60 are S1's (K00001 …), 61-120 S2's
    mine = _scores_xlsx([("K00001", 88), ("K00002", 77)])
    theirs = _scores_xlsx([("K00001", 88), ("K00061", 66)])
    p1 = _client(app, "p1")
    r = _upload(p1, "语文.xlsx", theirs, exam="E1", lang="en")
    assert "Read as: Scores" in r.text and "data of other schools (S2)" in r.text
    assert _token(r.text) is None
    token = _token(_upload(p1, "语文.xlsx", mine, exam="E1").text)
    assert token
    assert p1.post(f"/uploads/{token}/import", data={"csrf": _csrf(p1)}).status_code == 200
    assert db.scalar("SELECT score FROM subject_result WHERE paper_id = 'E1/chinese' "
                     "AND student_id = 2") == 77
    # once the answer was sent, the exam was analysed with the new scores and stored
    assert stored_keys(db)["E1"] == analysis_key(db, "E1", app.state.settings)


def test_an_exam_outside_the_school_is_not_found(fresh):
    _, app = fresh
    db = app.state.db
    with db.write() as con:  # an exam S1 took no part in
        con.execute("INSERT INTO exam VALUES ('E9', '他校考试', 'final', 'school', '2021-2022', 1,"
                    " '2022-01-10', 8)")
        con.execute("INSERT INTO exam_registration SELECT 'E9', student_id, 'X' || exam_number,"
                    " school_code, class_id FROM exam_registration WHERE exam_id = 'E1'"
                    " AND school_code = 'S2'")
    p1 = _client(app, "p1")
    assert "E9" not in p1.get("/uploads").text
    assert _upload(p1, "语文.xlsx", _scores_xlsx([]), exam="E9").status_code == 404


def test_oversized_upload_is_refused_before_it_is_read(fresh):
    db, app = fresh
    c = _client(app, "admin")
    big = b"a,b\n" + b"1,2\n" * (20 << 10)                           # 80 KiB > 64 KiB
    r = _upload(c, "big.csv", big, lang="en")
    assert r.status_code == 413 and "too large (at most 64 KiB)" in r.text
    assert not any(app.state.uploads.root.iterdir())
    assert db.scalar("SELECT count(*) FROM audit_log WHERE action = 'denied' "
                     "AND username = 'admin'") >= 1


def test_zip_bomb_and_oversized_sheet_are_refused(fresh):
    _, app = fresh
    c = _client(app, "admin")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (30 << 20))
    assert len(bomb.getvalue()) < 64 << 10
    r = _upload(c, "bomb.xlsx", bomb.getvalue(), lang="en")
    assert r.status_code == 413 and "zip bomb" in r.text
    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A5000"] = "工号", "x"                 # 5000 rows > 1000
    out = io.BytesIO()
    wb.save(out)
    r = _upload(c, "far.xlsx", out.getvalue(), lang="en")
    assert r.status_code == 413 and "is too large (5000 rows" in r.text
    csv = "工号,姓名\n" + "T,x\n" * 1200
    r = _upload(c, "long.csv", csv.encode(), lang="en")
    assert r.status_code == 413 and "1201 rows" in r.text
    assert not any(app.state.uploads.root.iterdir())


def test_wrong_types_missing_file_and_csrf(fresh):
    _, app = fresh
    c = _client(app, "admin")
    r = _upload(c, "旧表.xls", b"\xd0\xcf\x11\xe0", lang="en")
    assert r.status_code == 400 and "save an .xls as .xlsx" in r.text
    r = c.post("/uploads?lang=en", data={"csrf": _csrf(c)})
    assert r.status_code == 400 and "choose a file" in r.text
    r = c.post("/uploads", data={"csrf": "forged"}, files={"file": ("t.csv", b"a")})
    assert r.status_code == 400


def test_signing_out_deletes_the_sessions_uploads(fresh):
    _, app = fresh
    c = _client(app, "p2")
    token = _token(_upload(c, "教师.csv", TEACHERS_S2.replace("T7", "T6").encode()).text)
    assert token and any(app.state.uploads.root.iterdir())
    assert c.post("/logout", data={"csrf": _csrf(c)}).status_code == 303
    assert not any(app.state.uploads.root.iterdir())
