"""Reading cells: encodings, formula cells, .xls, empty files."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from eduquality.ingest import ImportProblems, import_scores
from eduquality.ingest.csv_text import detect_encoding
from eduquality.ingest.readers import ReadError, read_csv_table, read_sheets
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


def _unicode_text(text: str, bom: bytes = b"\xff\xfe", codec: str = "utf-16-le") -> bytes:
    """What Excel's "Unicode text" (Unicode 文本) export holds: a BOM, then UTF-16, CRLF."""
    return bom + text.replace("\n", "\r\n").encode(codec)


TEXT_FILES = [
    ("unicode.txt", _unicode_text(ROWS.replace(",", "\t")), "utf-16-le"),
    ("renamed.csv", _unicode_text(ROWS.replace(",", "\t")), "utf-16-le"),
    ("be.csv", _unicode_text(ROWS.replace(",", "\t"), b"\xfe\xff", "utf-16-be"), "utf-16-be"),
    ("utf16_comma.csv", _unicode_text(ROWS), "utf-16-le"),
    ("tab.txt", ROWS.replace(",", "\t").encode("utf-8"), "utf-8"),
    ("semicolon.csv", ROWS.replace(",", ";").encode("utf-8-sig"), "utf-8-sig"),
    ("semicolon_gbk.csv", ROWS.replace(",", ";").encode("gbk"), "gb18030"),
]


@pytest.mark.parametrize(("name", "data", "encoding"), TEXT_FILES, ids=[f[0] for f in TEXT_FILES])
def test_utf16_tab_and_semicolon_files_are_read_as_columns(tmp_path, name, data, encoding):
    """Excel's "Unicode text" export (UTF-16 with BOM, tab-separated, saved as .txt or renamed
    .csv), a tab-separated UTF-8 .txt and semicolon CSVs give the cells of the comma CSV."""
    path = tmp_path / name
    path.write_bytes(data)
    (sheet,) = read_sheets(path)
    assert sheet.cells.shape == (3, 3)
    assert sheet.cells.iloc[0].tolist() == ["学籍号", "姓名", "数学"]
    assert sheet.cells.iloc[2].tolist() == ["G002", "李四", "缺考"]
    assert sheet.encoding == encoding == detect_encoding(data)


def test_the_separator_is_read_from_the_header_not_inside_quotes(tmp_path):
    """A title line without separators is passed over; commas inside a quoted header cell (more
    of them than tabs) do not make a tab file a comma file; in a semicolon file, commas in the
    values (and a semicolon inside quotes) stay in their cells, as does a blank line."""
    tab = tmp_path / "tab.txt"
    tab.write_bytes(_unicode_text('期末成绩\n学籍号\t姓名\t数学\t"备注,说明,其他,更多,再多"\n'
                                  'G001\t张三\t20\t"迟到,早退"\n'))
    (sheet,) = read_sheets(tab)
    assert sheet.cells.iloc[1].tolist() == ["学籍号", "姓名", "数学", "备注,说明,其他,更多,再多"]
    assert sheet.cells.iloc[2].tolist() == ["G001", "张三", "20", "迟到,早退"]
    semi = tmp_path / "semi.csv"
    semi.write_bytes('学籍号;姓名;备注\nG001;张三;"1,5;2"\n\nG002;李四;a,b,c,d\n'.encode())
    (sheet,) = read_sheets(semi)
    assert sheet.cells.shape == (4, 3) and sheet.cells.iloc[2].isna().all()
    assert sheet.cells.iloc[1].tolist() == ["G001", "张三", "1,5;2"]
    assert sheet.cells.iloc[3].tolist() == ["G002", "李四", "a,b,c,d"]


UNDECODABLE = [
    ("gbk_bad.csv", "学籍号,数学\nG001,20\n".encode("gbk") + b"G002,\xff\xfe\n", 3),
    ("no_bom.txt", "学籍号\t数学\nG001\t20\n".encode("utf-16-le"), 1),  # UTF-16 without BOM
    ("bad_utf16.txt", _unicode_text("学籍号\t数学\n") + b"\x00\xd8G\x00", 2),  # lone surrogate
]


@pytest.mark.parametrize(("name", "data", "line"), UNDECODABLE, ids=[f[0] for f in UNDECODABLE])
def test_an_undecodable_file_names_itself_and_what_to_do(tmp_path, name, data, line):
    """Never the codec's own text: the file, the line, and how to save it, in both languages."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as zh:
        read_sheets(path)
    assert str(zh.value) == (
        f"无法读取文件 {path}：从第 {line} 行起的文字既不是 UTF-8、UTF-16，也不是 GBK/GB18030 编码。"
        "请用 Excel 打开该文件，“另存为”“CSV UTF-8（逗号分隔）”后导入新保存的文件")
    with pytest.raises(ReadError) as en:
        read_csv_table(path, "en")
    assert f"cannot read {path}: from line {line} on" in str(en.value)
    assert "save it as 'CSV UTF-8 (Comma delimited)'" in str(en.value)
    assert "codec" not in str(en.value)


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
def test_an_error_cell_is_a_problem_not_a_blank(district, tmp_path):
    """A formula that failed ('#DIV/0!') is named at its cell, never read as a blank (which
    would make the student absent)."""
    path = tmp_path / "e.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数学"
    ws.append(["学籍号", "姓名", "数学"])
    ws.append(["G001", "张三", 20])
    ws.append(["G002", "李四", "#DIV/0!"])
    ws["C3"].data_type = "e"
    wb.save(path)
    before = snapshot(district)
    with pytest.raises(ImportProblems) as err:
        import_scores(district, path, "E1")
    (problem,) = err.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "数学", 3, "C（数学）", "#DIV/0!")
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


def test_workbook_cells_are_text_as_excel_shows_them(tmp_path):
    """Every cell is text, as Excel shows it: numbers ('3', '4.5', not '3.0'), text that looks
    like a number ('001') kept, dates as date and time; a blank cell is missing."""
    path = _workbook(tmp_path / "b.xlsx", [
        ["成绩单", None, None, None],
        ["学籍号", "考号", 1, "语文"],
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
    assert body[2].iloc[[0, 2]].tolist() == ["3", "4.5"] and body[2].isna().iloc[1]
    assert body[3].tolist() == ["90.5", "缺考", "88"]
    assert sheet.body(5).shape == (0, 4)


def test_workbook_and_csv_give_the_same_cells(tmp_path):
    """A table that starts at B3 keeps its blank rows and column (problems name the cells a
    user sees), and reads as the CSV with the same text does: one typing for both formats."""
    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"))
    ws = wb.add_worksheet("s")
    date = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(2, 1, ["学籍号", "出生日期", "数学"])
    ws.write_row(3, 1, ["G001"])
    ws.write_datetime(3, 2, dt.datetime(2008, 9, 1), date)
    ws.write_number(3, 3, 96)
    ws.write_row(4, 1, ["G002", "2008/9/2", "缺考"])
    wb.close()
    (sheet,) = read_sheets(tmp_path / "t.xlsx")
    csv_path = tmp_path / "t.csv"
    csv_path.write_text(",,,\n,,,\n,学籍号,出生日期,数学\n,G001,2008-09-01 00:00:00,96\n"
                        ",G002,2008/9/2,缺考\n", encoding="utf-8")
    (from_csv,) = read_sheets(csv_path)
    assert sheet.cells.shape == (5, 4)
    assert sheet.cells.iloc[2, 1] == "学籍号" and sheet.cells.iloc[3, 3] == "96"
    pd.testing.assert_frame_equal(sheet.cells, from_csv.cells)


def test_a_header_only_sheet_has_an_empty_body(tmp_path):
    (sheet,) = read_sheets(_workbook(tmp_path / "h.xlsx", [["学籍号", "姓名", "数学"]]))
    assert sheet.body(1).shape == (0, 3)
    assert list(sheet.body(1).columns) == [0, 1, 2]


def test_cells_merged_down_are_shown_in_every_data_row(tmp_path):
    """A 学校 cell merged over its students' rows reads in each of them, as Excel shows it; a
    merge that begins in the header (考号 over two header rows) stays the header's; a covered
    cell that holds a value keeps it; a merge across a row is left alone."""
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [["考号", "学校", "班级", "成绩"], [None, None, None, "卷Ⅰ"],
                ["001", "一中", "1班", 90], ["002", None, None, 80], ["003", None, "2班", 70],
                ["合计", None, None, 240]]:
        ws.append(row)
    ws.merge_cells("A1:A2")       # header merged down
    ws.merge_cells("B3:B5")       # 学校 over three students
    ws.merge_cells("C3:C4")       # 班级 over two
    ws.merge_cells("A6:C6")       # a total row merged across
    wb.save(tmp_path / "m.xlsx")
    raw = read_sheets(tmp_path / "m.xlsx")[0]
    assert sorted(raw.merged_down) == [(0, 0, 1), (1, 2, 4), (2, 2, 3)]
    body = raw.body(2)
    assert body[1].tolist()[:3] == ["一中", "一中", "一中"]
    assert body[2].tolist()[:3] == ["1班", "1班", "2班"]
    assert pd.isna(body[1].iloc[3]) and pd.isna(body[2].iloc[3])
    assert pd.isna(raw.body(1)[0].iloc[0])   # the header merge is not filled into row 2
