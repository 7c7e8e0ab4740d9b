"""`eduquality template programmes`, `eduquality import programmes` and `eduquality programmes …`
end to end."""

from __future__ import annotations

import openpyxl
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


def test_template_then_import(tmp_path):
    r = CliRunner().invoke(main, ["--lang", "en", "template", "programmes", "--out",
                                  str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    book = openpyxl.load_workbook(tmp_path / "t" / "programmes.xlsx")
    book["师徒结对"].append(["T1", "T2", None, "2023-09-01", None])
    book.save(tmp_path / "p.xlsx")
    db_path = tmp_path / "d.duckdb"
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
