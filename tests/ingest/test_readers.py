"""Reading cells: encodings, formula cells, .xls, empty files."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest
import xlsxwriter

from eduquality.ingest import ImportProblems, import_scores
from eduquality.ingest.readers import detect_encoding, read_sheets
from tests.ingest.conftest import assert_unchanged, snapshot

ROWS = "学籍号,姓名,数学\nG001,张三,20\nG002,李四,缺考\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "s.csv"
    path.write_bytes(ROWS.encode(encoding))
    (sheet,) = read_sheets(path)
    assert sheet.cells.iloc[0].tolist() == ["学籍号", "姓名", "数学"]
    assert sheet.cells.iloc[2].tolist() == ["G002", "李四", "缺考"]
    expected = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "gbk": "gb18030",
                "gb18030": "gb18030"}[encoding]
    assert sheet.encoding == expected == detect_encoding(path.read_bytes())


def test_ragged_csv_and_blank_lines_keep_row_numbers(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("学籍号,姓名,数学\n\nG001,张三,20\n平均分\n", encoding="utf-8")
    (sheet,) = read_sheets(path)
    assert sheet.cells.iloc[2, 0] == "G001"  # Excel row 3 stays row 3
    assert sheet.cells.iloc[3, 0] == "平均分"


@pytest.mark.slow
def test_gbk_score_file_imports(district, tmp_path):
    path = tmp_path / "成绩.csv"
    path.write_bytes("学籍号,姓名,数学\nG001,张三,20\nG002,李四,缺考\n".encode("gbk"))
    result = import_scores(district, path, "E1")
    assert result.counts["subject_result"] == 2
    got = district.sql("SELECT status, score FROM subject_result ORDER BY student_id")
    assert got["status"].tolist() == ["present", "absent"]
    assert got["score"].iloc[0] == 20


@pytest.mark.slow
def test_formula_with_cached_value_is_read(district, tmp_path):
    path = tmp_path / "f.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数学")
    ws.write_row(0, 0, ["学籍号", "姓名", "数学", "半"])
    ws.write_row(1, 0, ["G001", "张三"])
    ws.write_formula(1, 2, "=D2*2", None, 24)  # cached value 24
    ws.write(1, 3, 12)
    wb.close()
    import_scores(district, path, "E1", mapping=["半=-"])
    assert district.scalar("SELECT score FROM subject_result") == 24


@pytest.mark.slow
def test_formula_without_cached_value_is_a_problem(district, tmp_path):
    path = tmp_path / "f.xlsx"
    wb = openpyxl.Workbook()  # openpyxl writes formulas without a calculated value
    ws = wb.active
    ws.title = "数学"
    ws.append(["学籍号", "姓名", "数学"])
    ws.append(["G001", "张三", "=10+10"])
    wb.save(path)
    before = snapshot(district)
    with pytest.raises(ImportProblems) as err:
        import_scores(district, path, "E1")
    problem = err.value.problems[0]
    assert (problem.sheet, problem.row, problem.column) == ("数学", 2, "C")
    assert "公式单元格没有计算结果" in problem.message("zh")
    assert "formula cell without a calculated value" in problem.message("en")
    assert_unchanged(district, before)


@pytest.mark.slow
def test_empty_file_is_a_problem(district, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    before = snapshot(district)
    with pytest.raises(ImportProblems, match="文件中没有任何数据"):
        import_scores(district, path, "E1")
    with pytest.raises(ImportProblems, match="the file holds no data"):
        import_scores(district, path, "E1", lang="en")
    assert_unchanged(district, before)


def test_header_only_file_is_empty(district, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("学籍号,姓名,数学\n", encoding="utf-8")
    with pytest.raises(ImportProblems, match="没有任何数据"):
        import_scores(district, path, "E1")


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice (soffice) is needed to produce a real .xls file")
@pytest.mark.slow
def test_xls_file_from_libreoffice(district, tmp_path):
    src = tmp_path / "成绩.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("数学")
    ws.write_row(0, 0, ["学籍号", "姓名", "数学"])
    ws.write_row(1, 0, ["G001", "张三", 18.5])
    ws.write_row(2, 0, ["G002", "李四", "缺"])
    wb.close()
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=120)
    xls = tmp_path / "成绩.xls"
    assert xls.is_file()
    import_scores(district, xls, "E1")
    got = district.sql("SELECT status, score FROM subject_result ORDER BY student_id")
    assert got["status"].tolist() == ["present", "absent"]
    assert got["score"].iloc[0] == 18.5


def _workbook(path, rows):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("数学")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def test_rows_under_the_header_are_typed_on_their_own(tmp_path):
    """Numbers under a text header stay numbers; text that looks like a number ('001') stays
    text; a column with a status word is text, its numbers as Excel shows them."""
    path = _workbook(tmp_path / "b.xlsx", [
        ["成绩单", None, None, None],
        ["学籍号", "考号", "1", "语文"],
        ["G001", "001", 3, 90.5],
        ["G002", "002", None, "缺考"],
        ["G003", "003", 4.5, 88],
    ])
    (sheet,) = read_sheets(path)
    assert sheet.n_rows == 5
    assert sheet.row(1).tolist() == ["学籍号", "考号", "1", "语文"]
    body = sheet.body(2)
    assert body[0].tolist() == ["G001", "G002", "G003"]
    assert body[1].tolist() == ["001", "002", "003"]
    assert body[2].dtype == "float64"
    assert body[2].iloc[[0, 2]].tolist() == [3.0, 4.5] and body[2].isna().iloc[1]
    assert body[3].tolist() == ["90.5", "缺考", "88"]
    # the whole sheet typed at once (importers that read a sheet whole): as before, text that
    # reads as a number makes a numbers column
    whole = sheet.cells[2]
    assert whole.dtype == "float64" and whole.iloc[[1, 2, 4]].tolist() == [1.0, 3.0, 4.5]
    assert sheet.cells[1].iloc[1:].tolist() == ["考号", "001", "002", "003"]
    assert sheet.body(5).shape == (0, 4)


def test_a_header_only_sheet_has_an_empty_body(tmp_path):
    (sheet,) = read_sheets(_workbook(tmp_path / "h.xlsx", [["学籍号", "姓名", "数学"]]))
    assert sheet.body(1).shape == (0, 3)
    assert list(sheet.body(1).columns) == [0, 1, 2]
