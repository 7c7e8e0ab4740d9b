"""`export results`: one row per student and subject, masked IDs, statuses, audit, CSV/xlsx."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from eduquality.analysis.exports import (
    COLUMNS,
    STATUS_EXPORT,
    export_results,
    operator,
    results_table,
)
from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.store import Database, open_database
from eduquality.store.principals import Principal
from eduquality.store.users import add_user


def _db(path: str = ":memory:") -> Database:
    """Two schools, three students; 数学 and 语文; every status once."""
    db = open_database(path)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '测试省')")
        con.execute("INSERT INTO school_year VALUES ('2021-2022', '2021-09-01', '2022-07-15')")
        for code in ("S1", "S2"):
            con.execute("INSERT INTO school VALUES (?, ?, 'D', 'junior', 'public', 'urban', NULL,"
                        " 'A', NULL)", [code, code + "校"])
        con.execute("INSERT INTO exam VALUES ('E1', '期末', 'final', 'district', '2021-2022', 1,"
                    " '2022-01-10', 8)")
        con.execute("INSERT INTO exam VALUES ('E2', '期中', 'midterm', 'district', '2021-2022', 1,"
                    " '2021-11-10', 8)")
        con.execute("INSERT INTO paper VALUES ('E1/math', 'E1', 'math', NULL, 100),"
                    " ('E1/chinese', 'E1', 'chinese', NULL, 120)")
        con.execute("INSERT INTO class VALUES ('C1', 'S1', '2021-2022', 8, '1班', NULL, NULL),"
                    " ('C2', 'S2', '2021-2022', 8, '2班', NULL, NULL)")
        con.execute("INSERT INTO student (student_id, national_id, name) VALUES"
                    " (1, 'G530102200801011234', '张三'), (2, 'G530102200802022345', '李四'),"
                    " (3, 'G530102200803033456', '王五')")
        con.execute("INSERT INTO exam_registration VALUES ('E1', 1, 'K002', 'S1', 'C1'),"
                    " ('E1', 2, 'K001', 'S1', 'C1'), ('E1', 3, 'K100', 'S2', 'C2')")
        con.execute("INSERT INTO subject_result VALUES ('E1/math', 1, 'present', 87.5),"
                    " ('E1/math', 2, 'absent', NULL), ('E1/math', 3, 'cheating', NULL),"
                    " ('E1/chinese', 1, 'present', 0), ('E1/chinese', 2, 'exempt', NULL),"
                    " ('E1/chinese', 3, 'present', 101)")
    return db


OPERATOR = Principal(username="ops", role="researcher")

# by school, class, exam number, subject code (chinese < math)
EXPECTED = [
    ("G530***********2345", "K001", "李四", "S1", "1班", "chinese", "exempt", None),
    ("G530***********2345", "K001", "李四", "S1", "1班", "math", "absent", None),
    ("G530***********1234", "K002", "张三", "S1", "1班", "chinese", "normal", 0.0),
    ("G530***********1234", "K002", "张三", "S1", "1班", "math", "normal", 87.5),
    ("G530***********3456", "K100", "王五", "S2", "2班", "chinese", "normal", 101.0),
    ("G530***********3456", "K100", "王五", "S2", "2班", "math", "disqualified", None),
]


def _rows(frame: pd.DataFrame) -> list[tuple[object, ...]]:
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in frame.itertuples(index=False)]


def test_status_mapping_covers_every_stored_status() -> None:
    assert STATUS_EXPORT == {"present": "normal", "absent": "absent",
                             "cheating": "disqualified", "exempt": "exempt"}


def test_rows_masked_for_the_operator(db_location: str) -> None:
    table = results_table(_db(db_location), OPERATOR, "E1")
    assert list(table.columns) == list(COLUMNS)
    assert _rows(table) == EXPECTED


def test_one_subject_by_its_chinese_name(db_location: str) -> None:
    table = results_table(_db(db_location), OPERATOR, "E1", "数学")
    assert _rows(table) == [r for r in EXPECTED if r[5] == "math"]


@pytest.mark.slow
def test_full_ids_only_for_admin(db_location: str) -> None:
    db = _db(db_location)
    with pytest.raises(PermissionDenied):
        results_table(db, OPERATOR, "E1", unmasked=True)
    add_user(db, "root", "admin", "password-123")
    admin = operator(db, "root")
    assert results_table(db, admin, "E1")["national_id"].iloc[0] == "G530***********2345"
    full = results_table(db, admin, "E1", unmasked=True)
    assert full["national_id"].iloc[0] == "G530102200802022345"


def test_a_principal_sees_only_the_own_school(db_location: str) -> None:
    db = _db(db_location)
    head = Principal(username="p", role="principal", school_code="S2")
    assert _rows(results_table(db, head, "E1")) == [r for r in EXPECTED if r[3] == "S2"]


def test_csv_export_is_audited(tmp_path: Path, db_location: str) -> None:
    db = _db(db_location)
    done = export_results(db, OPERATOR, "E1", tmp_path / "r.csv")
    assert done.rows == 6 and not done.unmasked
    back = pd.read_csv(done.path, encoding="utf-8-sig", dtype={"exam_number": str})
    assert list(back.columns) == list(COLUMNS)
    assert _rows(back) == EXPECTED
    log = db.sql("SELECT username, role, action, object, detail FROM audit_log")
    assert _rows(log) == [("ops", "researcher", "export", "results:E1",
                           "format=csv rows=6 unmasked=False")]


def test_xlsx_has_chinese_headers_and_labels(tmp_path: Path, db_location: str) -> None:
    done = export_results(_db(db_location), OPERATOR, "E1", tmp_path / "r.xlsx",
                          subject="语文")
    back = pd.read_excel(done.path, dtype={"考号": str}, engine="openpyxl")
    assert list(back.columns) == ["学籍号", "考号", "姓名", "学校代码", "班级", "学科", "状态",
                                  "成绩"]
    assert list(back["状态"]) == ["免考", "正常", "正常"]
    assert set(back["学科"]) == {"语文"}
    assert list(back["成绩"].fillna(-1)) == [-1, 0, 101]


def test_unknown_exam_and_empty_exam(tmp_path: Path, db_location: str) -> None:
    db = _db(db_location)
    with pytest.raises(NotFoundError):
        export_results(db, OPERATOR, "NOPE", tmp_path / "r.csv")
    assert db.scalar("SELECT count(*) FROM audit_log") == 0


@pytest.mark.slow
def test_cli(tmp_path: Path) -> None:
    from eduquality.cli import main

    path = str(tmp_path / "d.duckdb")
    _db(path).close()
    runner = CliRunner()
    out = tmp_path / "r.csv"
    res = runner.invoke(main, ["--db", path, "export", "results", "E1", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert _rows(pd.read_csv(out, encoding="utf-8-sig", dtype={"exam_number": str})) == EXPECTED
    res = runner.invoke(main, ["--db", path, "export", "results", "E1", "--out", str(out),
                               "--unmasked"])
    assert res.exit_code == 2
    db = open_database(path)
    add_user(db, "root", "admin", "password-123")
    db.close()
    xlsx = tmp_path / "r.xlsx"
    res = runner.invoke(main, ["--db", path, "export", "results", "E1", "--subject", "数学",
                               "--out", str(xlsx), "--user", "root", "--unmasked"])
    assert res.exit_code == 0, res.output
    assert "已导出 3 行" in res.output
    back = pd.read_excel(xlsx, engine="openpyxl")
    assert list(back["学籍号"]) == ["G530102200802022345", "G530102200801011234",
                                 "G530102200803033456"]
    assert list(back["状态"]) == ["缺考", "正常", "违纪"]
    db = open_database(path)
    log = _rows(db.sql("SELECT username, role, detail FROM audit_log ORDER BY logged_at"))
    db.close()
    assert len(log) == 3
    assert log[0][1:] == ("researcher", "format=csv rows=6 unmasked=False")  # the OS user
    assert log[1][1:] == ("researcher", "export unmasked=True")  # refused: 'denied'
    assert log[2] == ("root", "admin", "format=xlsx rows=3 unmasked=True")
