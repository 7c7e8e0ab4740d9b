"""`read_csv_table`: the one CSV reading of the commands that take a plain table (items, irt,
growth), on files written by hand here."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.ingest.readers import ReadError, read_csv_table

TEXT = "考号, 第1题 ,第2题\nA,1, 0\n\nB,,1\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_encodings_header_blank_lines(tmp_path, encoding):
    path = tmp_path / "t.csv"
    path.write_bytes(TEXT.encode(encoding))
    table = read_csv_table(path)
    assert list(table.columns) == ["考号", "第1题", "第2题"]
    assert table.index.tolist() == [2, 4]  # the lines of the file; the blank line skipped
    assert table.loc[2].tolist() == ["A", "1", " 0"]  # text as written
    assert pd.isna(table.loc[4, "第1题"])


def test_excel_unicode_text_and_semicolons(tmp_path):
    """Excel's "Unicode text" (UTF-16 LE with BOM, tab-separated, CRLF) and a semicolon CSV
    give the table the comma CSV gives."""
    unicode_text = tmp_path / "t.txt"
    unicode_text.write_bytes(b"\xff\xfe" + TEXT.replace(",", "\t").replace("\n", "\r\n")
                             .encode("utf-16-le"))
    semicolon = tmp_path / "s.csv"
    semicolon.write_bytes(TEXT.replace(",", ";").encode("utf-8"))
    comma = tmp_path / "c.csv"
    comma.write_bytes(TEXT.encode("utf-8"))
    for path in (unicode_text, semicolon):
        pd.testing.assert_frame_equal(read_csv_table(path), read_csv_table(comma))
    assert list(read_csv_table(unicode_text).columns) == ["考号", "第1题", "第2题"]


def test_trailing_commas_are_not_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,\n1,2,\n3,4,\n", encoding="utf-8")
    assert list(read_csv_table(path).columns) == ["a", "b"]


@pytest.mark.parametrize(("text", "message"), [
    ("a,a\n1,2\n", "duplicate column names in the header of"),
    ("a,,b\n1,2,3\n", "column B of the header has no name"),
    ("", "is empty"),
])
def test_header_problems(tmp_path, text, message):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReadError, match=message):
        read_csv_table(path, "en")


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="找不到文件"):
        read_csv_table(tmp_path / "none.csv")
