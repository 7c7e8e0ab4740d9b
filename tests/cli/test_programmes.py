"""`eduquality template programmes`, `eduquality import programmes` and `eduquality programmes …`
end to end."""

from __future__ import annotations

import re

import openpyxl
import pytest
from click.testing import CliRunner

from eduquality.cli import main
from eduquality.store import open_database


def _db(path):
    db = open_database(path)
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', NULL, NULL)")
        con.execute("INSERT INTO school VALUES ('S1', '甲校', 'D', 'junior', 'public', 'urban',"
                    " NULL, NULL, NULL)")
        con.execute("INSERT INTO teacher (teacher_id, name, school_code) VALUES"
                    " ('T1', '王', 'S1'), ('T2', '李', 'S1')")
    db.close()


def test_template_then_import(tmp_path, command_db):
    r = CliRunner().invoke(main, ["--lang", "en", "template", "programmes", "--out",
                                  str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(tmp_path / "t" / "programmes.xlsx")
    book["师徒结对"].append(["T1", "T2", None, "2023-09-01", None])
    book.save(tmp_path / "p.xlsx")
    db_path = command_db
    _db(db_path)
    r = CliRunner().invoke(main, ["--db", str(db_path), "import", "programmes",
                                  str(tmp_path / "p.xlsx"), "--user", "t"])
    assert r.exit_code == 0, r.output
    with open_database(db_path, read_only=True) as db:
        assert db.con.execute("SELECT mentor_id, mentee_id FROM mentoring").fetchall() == [
            ("T1", "T2")]
    book["师徒结对"].append(["T1", "T1", None, "2023-09-01", None])
    book.save(tmp_path / "bad.xlsx")
    r = CliRunner().invoke(main, ["--db", str(db_path), "import", "programmes",
                                  str(tmp_path / "bad.xlsx"), "--user", "t"])
    assert r.exit_code == 2 and "导师与学员是同一人" in r.output


@pytest.fixture(scope="module")
def district(module_command_db):
    """tiny_exam_db with E0, a studio hosted by T1 (teaching 语文 in S1), S2 S1's partner from
    2021, students of 2021-2022 in their classes, a fifth of them 建档立卡; a teacher account."""
    from eduquality.store.users import add_user
    from tests.factories import add_prior_year, tiny_exam_db

    path = module_command_db
    db = tiny_exam_db(n_per_class=40, location=path)
    add_prior_year(db)
    with db.write() as con:
        con.execute("INSERT INTO teacher VALUES ('T1', '王', NULL, 'S1', 'chinese', NULL, NULL),"
                    " ('T2', '李', NULL, 'S2', 'chinese', NULL, NULL)")
        con.execute("INSERT INTO teaching_assignment VALUES ('S1-2021-8-1', 'chinese', 'T1'),"
                    " ('S1-2021-8-2', 'chinese', 'T1')")
        con.execute("INSERT INTO studio VALUES ('W', '王语文工作室', 'studio', 'T1', 'chinese',"
                    " 'city', '2020-09-01', NULL)")
        con.execute("INSERT INTO studio_member VALUES ('W', 'T2', '2020-09-01', NULL)")
        con.execute("INSERT INTO programme_activity VALUES ('W', '2021-10-01', 'outreach', "
                    "'送教', 'S2', 30)")
        con.execute("INSERT INTO school_partnership VALUES ('S1', 'S2', 'branch', 2021)")
        con.execute("INSERT INTO class_membership SELECT student_id, '2021-2022', class_id "
                    "FROM exam_registration WHERE exam_id = 'E1'")
        con.execute("UPDATE student SET poverty_registered = (student_id % 5 = 0)")
    add_user(db, "t1", "teacher", "Secret-pass-2026", school_code="S1", teacher_id="T1")
    db.close()
    return str(path)


def _run_cli(*args):
    return CliRunner().invoke(main, list(args))


def test_mentoring_studios_partners(district):
    r = _run_cli("--db", district, "programmes", "mentoring", "2021")
    assert r.exit_code == 0, r.output
    assert "第 1 层 1/10（10%）" in r.output
    r = _run_cli("--db", district, "--lang", "en", "programmes", "studios", "2021")
    assert r.exit_code == 0, r.output
    assert "王语文工作室 (master teacher studio, city) 2 members" in r.output
    assert "outreach 1" in r.output
    assert re.search(r"value-added -?\d+\.\d\d \[-?\d+\.\d\d, -?\d+\.\d\d\] ", r.output)
    r = _run_cli("--db", district, "programmes", "partners")
    assert r.exit_code == 0, r.output
    assert "S1 → S2（名校办分校，2021 年起，对照 1 所）成绩（标准分）" in r.output


def test_groups_for_the_district_and_refused_to_a_teacher(district, tmp_path):
    r = _run_cli("--db", district, "programmes", "groups", "2021", "--out",
                 str(tmp_path / "g.xlsx"))
    assert r.exit_code == 0, r.output
    assert "全区 家庭经济困难（建档立卡）" in r.output
    assert (tmp_path / "g.xlsx").exists()
    r = _run_cli("--db", district, "programmes", "groups", "2021", "--user", "t1")
    assert r.exit_code != 0 and "view_group_membership" in r.output
    with open_database(district, read_only=True) as db:
        assert db.scalar("SELECT count(*) FROM audit_log WHERE object = 'special_groups:2021'"
                         ) == 1
