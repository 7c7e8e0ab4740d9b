"""`read_number_csv`: the one reader of the commands that take a CSV of numbers (irt fit/dif,
items, growth sgp), on files written by hand here; its typed (Arrow) and text readings give
the same table on random files."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduquality.ingest.number_csv import (
    MISSING,
    BadCells,
    _from_text,
    _typed,
    read_number_csv,
)
from eduquality.ingest.readers import ReadError, read_csv_table


def ids_and_numbers(header: list[str]) -> tuple[list[str], list[str]]:
    return header[:1], header[1:]


def write(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_plain_file_is_read_typed_in_every_encoding(tmp_path, encoding):
    path = write(tmp_path, "考号,第1题,第2题\nA,1,0\nB,,2.5\nC,NA,1e1\n", encoding)
    assert _typed(path.read_bytes(), ids_and_numbers) is not None  # the fast reading ran
    table = read_number_csv(path, ids_and_numbers)
    assert table.text["考号"].tolist() == ["A", "B", "C"]
    assert list(table.numbers.columns) == ["第1题", "第2题"]
    expected = [[1.0, 0.0], [math.nan, 2.5], [math.nan, 10.0]]
    np.testing.assert_array_equal(table.numbers.to_numpy(), expected)
    assert table.numbers.index.tolist() == [2, 3, 4]  # the lines of the file


TABLE = "考号,第1题,第2题\nA,1,0\nB,,2.5\nC,NA,1e1\n"


@pytest.mark.parametrize("data", [
    # Excel's "Unicode text": a BOM, UTF-16 LE, tab-separated, CRLF
    b"\xff\xfe" + TABLE.replace(",", "\t").replace("\n", "\r\n").encode("utf-16-le"),
    b"\xfe\xff" + TABLE.replace(",", "\t").encode("utf-16-be"),
    TABLE.replace(",", "\t").encode("gbk"),
    TABLE.replace(",", ";").encode("utf-8-sig"),
], ids=["unicode_text", "utf16_be_tab", "gbk_tab", "semicolon"])
def test_utf16_tab_and_semicolon_files_are_read_typed(tmp_path, data):
    """The typed reading takes UTF-16 with BOM, tabs and semicolons, and gives the table the
    text reading gives."""
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    typed = _typed(data, ids_and_numbers)
    assert typed is not None  # the fast reading ran
    table = read_number_csv(path, ids_and_numbers)
    assert table.text["考号"].tolist() == ["A", "B", "C"]
    expected = [[1.0, 0.0], [math.nan, 2.5], [math.nan, 10.0]]
    np.testing.assert_array_equal(table.numbers.to_numpy(), expected)
    assert table.numbers.index.tolist() == [2, 3, 4]
    slow = _from_text(read_csv_table(path), ids_and_numbers, set(), "zh")
    np.testing.assert_array_equal(slow.values, typed.values)
    assert list(slow.number_columns) == ["第1题", "第2题"]


def test_an_undecodable_number_file_is_a_read_error_in_the_users_language(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("考号\t第1题\nA\t1\n".encode("utf-16-le"))  # UTF-16 without its BOM
    assert _typed(path.read_bytes(), ids_and_numbers) is None
    with pytest.raises(ReadError, match=r"^cannot read .*t\.csv: from line 1 on, its text is "
                                        r"neither UTF-8, UTF-16 nor GBK/GB18030"):
        read_number_csv(path, ids_and_numbers, lang="en")


def test_a_file_of_many_blocks_is_read_whole(tmp_path):
    """A file larger than the typed reader's 1 MiB blocks (Arrow returns each column in
    several chunks): every cell lands in its row, blanks as NaN, against the values written."""
    rng = np.random.default_rng(5)
    n = 60_000
    values = rng.integers(0, 100, size=(n, 3)).astype(float) / 4
    values[rng.random((n, 3)) < 0.05] = np.nan
    cells = np.where(np.isnan(values), "", values.astype(str))
    lines = ["id,a,b,c", *(f"S{i},{r[0]},{r[1]},{r[2]}" for i, r in enumerate(cells))]
    path = write(tmp_path, "\n".join(lines) + "\n")
    assert path.stat().st_size > 3 << 20 // 2       # more than one block of 1 MiB
    data = path.read_bytes()
    typed = _typed(data, ids_and_numbers)
    assert typed is not None
    assert typed.text_cells["id"].num_chunks > 1
    np.testing.assert_array_equal(typed.values, values)
    assert typed.text_values["id"][-1] == f"S{n - 1}"


@pytest.mark.parametrize("text", [
    "id,a\nS1,1,2\nS2,2\n",          # a row wider than the header
    "id,a\nS1,1\n\nS2,2\n",           # a blank line
    '"id",a\nS1,1\nS2,2\n',           # a quoted header
    "id,a\nS1,缺考\nS2,2\n",           # a status word
    "id,a\nS1,1\n,\nS2,2\n",          # a row without any value
    "id,a\nS1,1\n \t\nS2,2\n",        # a line of spaces
    "id,a\nS1,1\nS2,2\n\n",           # a blank line at the end
    "a\n1\n\n2\n",                    # a blank line in a file of one column
])
def test_other_files_are_read_as_text(tmp_path, text):
    path = write(tmp_path, text)
    assert _typed(path.read_bytes(), ids_and_numbers) is None


def test_status_words_are_missing_only_when_the_caller_says_so(tmp_path):
    path = write(tmp_path, "学号,本次\nS1, 缺考 \nS2,ABSENT\nS3,80\n", "gbk")
    table = read_number_csv(path, ids_and_numbers, missing_words=["缺考", "absent"])
    np.testing.assert_array_equal(table.numbers["本次"].to_numpy(), [math.nan, math.nan, 80.0])
    with pytest.raises(BadCells) as err:
        read_number_csv(path, ids_and_numbers, lang="en")
    assert [(c.line, c.column, c.value) for c in err.value.cells] == [
        (2, "本次", "缺考"), (3, "本次", "ABSENT")]
    assert str(err.value).splitlines()[0] == "line 2, column '本次': '缺考' is not a number"


def test_bad_cells_by_line_then_column_with_the_lines_of_the_file(tmp_path):
    rows = "\n".join(f"S{k},x{k},y{k}" for k in range(4))
    path = write(tmp_path, f"id,a,b\n\n{rows}\n")  # a blank line 2: data from line 3
    with pytest.raises(BadCells) as err:
        read_number_csv(path, ids_and_numbers)
    assert err.value.count == 8
    assert [(c.line, c.column) for c in err.value.cells] == [
        (3, "a"), (3, "b"), (4, "a"), (4, "b"), (5, "a")]
    assert str(err.value).splitlines() == [
        "第 3 行、列 “a” 的值 “x0” 不是数字", "第 3 行、列 “b” 的值 “y0” 不是数字",
        "第 4 行、列 “a” 的值 “x1” 不是数字", "第 4 行、列 “b” 的值 “y1” 不是数字",
        "第 5 行、列 “a” 的值 “x2” 不是数字", "……另有 3 个非数字单元格"]


def test_a_number_spelt_nan_is_a_bad_cell_not_a_missing_one(tmp_path):
    path = write(tmp_path, "id,a\nS1,NAN\nS2,1\n")  # not one of MISSING's spellings
    with pytest.raises(BadCells):
        read_number_csv(path, ids_and_numbers)


def test_select_sees_the_header_and_its_error_reaches_the_caller(tmp_path):
    path = write(tmp_path, "id, a ,b\nS1,1,2\n")

    def need_c(header: list[str]) -> tuple[list[str], list[str]]:
        assert header == ["id", "a", "b"]
        raise KeyError("c")

    with pytest.raises(KeyError):
        read_number_csv(path, need_c)
    with pytest.raises(ReadError, match="file not found"):
        read_number_csv(tmp_path / "none.csv", ids_and_numbers, lang="en")


CELLS = st.sampled_from(["0", "1", "2", "1.5", "-3", "1e2", " 4", "5 ", "", "NA", "null", " NA",
                         "缺考", "x", "NAN", "nan", "inf", ".5", "+1"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELLS, min_size=2, max_size=2), min_size=1, max_size=6),
       st.sampled_from(["utf-8", "gbk", "utf-16"]), st.sampled_from([",", "\t", ";"]),
       st.booleans())
def test_typed_and_text_readings_agree(rows, encoding, sep, words):
    """Whenever the typed reading takes a file, the text reading of the same file gives the
    same table (numbers, text, lines); a file with a bad cell is never taken typed. In UTF-8,
    GBK and UTF-16 with BOM (Python's "utf-16"), separated by commas, tabs or semicolons."""
    text = sep.join(["id", "a", "b"]) + "\n" + "".join(
        sep.join([f"S{k}", a, b]) + "\n" for k, (a, b) in enumerate(rows))
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp), text, encoding)
        missing = {"缺考"} if words else set()
        typed = _typed(path.read_bytes(), ids_and_numbers)
        try:
            slow = _from_text(read_csv_table(path), ids_and_numbers, missing, "zh")
        except BadCells:
            assert typed is None
            return
    if typed is not None:
        pd.testing.assert_frame_equal(typed.numbers, slow.numbers)
        pd.testing.assert_frame_equal(typed.text, slow.text)
    blank = [all(c.strip() in MISSING or c.strip() in missing for c in row) for row in rows]
    assert slow.numbers.index.tolist() == [k + 2 for k in range(len(rows))]
    assert slow.numbers.isna().all(axis=1).tolist() == blank


def assert_same_arrays(typed, slow):
    """The typed reading's arrays equal the careful (text) reading's, cell for cell."""
    assert typed.number_columns == slow.number_columns
    np.testing.assert_array_equal(typed.values, slow.values)  # NaN where missing, in both
    np.testing.assert_array_equal(typed.lines, slow.lines)
    assert list(typed.text_values) == list(slow.text_values)
    for col, values in typed.text_values.items():
        assert values.tolist() == slow.text_values[col].tolist(), col


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_typed_arrays_equal_the_careful_reading_by_hand(tmp_path, encoding):
    """Issue 12's reader (Arrow's typed columns read from its buffers, no pandas) on a file
    written here: Chinese names and ids, blanks, NA, a decimal and an exponent, a row whose
    only value is its id, in UTF-8, UTF-8 with BOM and GBK."""
    text = ("考号,第1题,第2题,第3题\n"
            "张01,1,0,2\n"
            "李02,,NA,1.5\n"
            "王03,0,1e1,\n"
            "赵04,,,\n"
            ",1,1,0\n")
    path = write(tmp_path, text, encoding)
    typed = _typed(path.read_bytes(), ids_and_numbers)
    assert typed is not None
    slow = _from_text(read_csv_table(path), ids_and_numbers, set(), "zh")
    assert_same_arrays(typed, slow)
    expected = [[1, 0, 2], [np.nan, np.nan, 1.5], [0, 10, np.nan], [np.nan] * 3, [1, 1, 0]]
    np.testing.assert_array_equal(typed.values, expected)
    assert typed.lines.tolist() == [2, 3, 4, 5, 6]
    assert typed.text_values["考号"].tolist() == ["张01", "李02", "王03", "赵04", None]
    pd.testing.assert_frame_equal(read_number_csv(path, ids_and_numbers).numbers, slow.numbers)


@pytest.mark.parametrize("cell, line", [("x", 3), ("1,5", 3), ("NAN", 3)])
def test_a_bad_cell_falls_back_to_the_located_error(tmp_path, cell, line):
    """A cell Arrow cannot take as a number sends the file to the careful reading, whose
    message names the file's line, the column and the value (the same message as before)."""
    quoted = f'"{cell}"' if "," in cell else cell
    path = write(tmp_path, f"id,a,b\nS1,1,0\nS2,{quoted},1\n", "gbk")
    assert _typed(path.read_bytes(), ids_and_numbers) is None
    with pytest.raises(BadCells) as err:
        read_number_csv(path, ids_and_numbers, lang="en")
    assert str(err.value) == f"line {line}, column 'a': '{cell}' is not a number"


def test_the_typed_reading_loads_no_pandas():
    """Reading a plain file typed, arrays, text cells and the test of a label all, does not
    import pandas (0.5–1 s of a command's start, issue 12); asking for the frames does."""
    import json
    import os
    import subprocess
    import sys

    import eduquality

    probe = (
        "import json, sys, tempfile, pathlib\n"
        "from eduquality.ingest.number_csv import read_number_csv\n"
        "p = pathlib.Path(tempfile.mkdtemp()) / 'r.csv'\n"
        "p.write_bytes('学号,a,b\\nS1,1,\\nS2,NA,2\\n'.encode('gbk'))\n"
        "t = read_number_csv(p, lambda h: (h[:1], h[1:]))\n"
        "assert t.text_is('学号', 'S2').tolist() == [False, True]\n"
        "assert t.text_values['学号'].tolist() == ['S1', 'S2']\n"
        "before = 'pandas' in sys.modules\n"
        "frame = t.numbers\n"
        "print(json.dumps([before, 'pandas' in sys.modules, t.values.tolist()]))\n")
    src = str(Path(eduquality.__file__).resolve().parent.parent)
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": src}, check=True, timeout=60)
    before, after, values = json.loads(done.stdout)
    assert (before, after) == (False, True)
    np.testing.assert_array_equal(values, [[1.0, math.nan], [math.nan, 2.0]])


def ids_and_groups(header: list[str]) -> tuple[list[str], list[str]]:
    return header[:2], header[2:]


def test_text_is_compares_the_stripped_cells_in_both_readings(tmp_path):
    """``text_is`` (the focal group of ``irt dif``): the cell stripped of spaces equals the
    value, a blank cell reads as ""; the typed reading (cells kept as Arrow) and the text
    reading (a status word sends this file there) agree."""
    rows = "id,group,a\nS1, F ,1\nS2,M,0\nS3,,1\nS4,FF,0\nS5,F,{last}\n"
    typed = _typed(write(tmp_path, rows.format(last="1")).read_bytes(), ids_and_groups)
    assert typed is not None and isinstance(typed.text_cells["group"], pa.ChunkedArray)
    (tmp_path / "slow").mkdir()
    slow = read_number_csv(write(tmp_path / "slow", rows.format(last="缺考")), ids_and_groups,
                           missing_words=["缺考"])
    assert isinstance(slow.text_cells["group"], np.ndarray)
    for table in (typed, slow):
        assert table.text_is("group", "F").tolist() == [True, False, False, False, True]
        assert table.text_is("group", "").tolist() == [False, False, True, False, False]
        assert table.text_values["group"].tolist() == [" F ", "M", None, "FF", "F"]
