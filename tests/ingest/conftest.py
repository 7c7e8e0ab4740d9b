"""A small district built through the importers themselves, and file-writing helpers."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from eduquality.ingest import ImportProblems, import_paper, import_roster, import_scores
from eduquality.store import Database, open_database
from eduquality.store.catalog import column_types
from tests.conftest import STORES

STUDENTS = pd.DataFrame({
    "学籍号": ["G001", "G002", "G003", "G004", "G005", "G006"],
    "姓名": ["张三", "李四", "王五", "赵六", "钱七", "孙八"],
    "性别": ["男", "女", "男", "女", "男", "女"],
    "学校代码": ["S1", "S1", "S1", "S2", "S2", "S2"],
    "学年": ["2021-2022"] * 6,
    "年级": ["九年级", "九年级", 9, "初三", 9, 9],
    "班级": ["1班", "1班", "2班", "1班", "1班", "1班"],
    "建档立卡": ["是", "", "否", "", "", "√"],
    "入学日期": ["2019-09-01", None, None, None, None, None],
})

ITEMS = pd.DataFrame({
    "学科": ["数学"] * 5 + ["语文"] * 2 + ["英语"],
    "题号": ["1", "2", "3", "17(1)", "17(2)", "1", "2", "1"],
    "题型": ["选择题", "选择题", "主观题", "主观题", "主观题", "客观题", "主观题", "主观题"],
    "满分": [5, 5, 10, 10, 12, 3, 97, 150],
    "答案": ["A", "B,D", None, None, None, "C", None, None],
    "知识点": ["函数:0.5；几何", "集合", None, "导数", "导数、数列", None, None, None],
    "选做组": [None, None, None, "G1", "G1", None, None, None],
    "选做数": [None, None, None, 1, 1, None, None, None],
})

EXAM = pd.DataFrame({
    "字段": ["考试代码", "考试名称", "考试类型", "范围", "学年", "学期", "考试日期", "年级"],
    "值": ["E1", "2021学年九年级期末", "期末", "区级", "2021-2022", 1, "2022-01-10", "九年级"],
})


def write_xlsx(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="xlsxwriter") as w:
        for name, frame in sheets.items():
            frame.to_excel(w, sheet_name=name, index=False)
    return path


def write_sheets(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook of the named sheets, each its rows as given (header rows included), written
    by openpyxl (dates stay dates)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_rows(path: Path, rows: list[list[object]], sheet: str = "Sheet1") -> Path:
    """Rows as given (header rows included) into .xlsx or .csv (UTF-8)."""
    if path.suffix == ".csv":
        pd.DataFrame(rows).to_csv(path, index=False, header=False)
        return path
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


def roster_sheets() -> dict[str, pd.DataFrame]:
    return {
        "区县": pd.DataFrame({"区县代码": ["530102"], "区县名称": ["五华区"], "市": ["昆明市"],
                            "省": ["云南省"]}),
        "学年": pd.DataFrame({"学年": ["2021-2022"], "开始日期": ["2021-09-01"],
                            "结束日期": ["2022-07-15"]}),
        "学校": pd.DataFrame({"学校代码": ["S1", "S2"], "学校名称": ["一中", "二中"],
                            "学段": ["初中", "初中"], "办学性质": ["公办", "民办"],
                            "城乡": ["城区", "乡村"]}),
        "班级": pd.DataFrame({"学年": ["2021-2022"] * 3, "学校代码": ["S1", "S1", "S2"],
                            "年级": [9, 9, 9], "班级": ["1班", "2班", "1班"]}),
        "学生": STUDENTS,
    }



def until(condition, seconds: float = 30) -> bool:
    """Whether ``condition()`` became true within ``seconds`` (polled every 50 ms): for tests
    that wait on another session or thread."""
    end = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True

def snapshot(db) -> dict[str, pd.DataFrame]:
    """Every table's full contents (to show that a failed import changed nothing), ordered by
    every column (on both stores)."""
    out = {}
    for t in db.table_counts():
        order = ", ".join(str(i + 1) for i in range(len(column_types(db.con, t))))
        out[t] = db.sql(f'SELECT * FROM "{t}" ORDER BY {order}')
    return out


def assert_unchanged(db, before: dict[str, pd.DataFrame]) -> None:
    after = snapshot(db)
    assert after.keys() == before.keys()
    for t in before:
        pd.testing.assert_frame_equal(after[t], before[t], obj=t)


def fails_to_import_scores(db, path, *args, **kw) -> ImportProblems:
    """``import_scores`` must fail and leave every table as it was; its problems."""
    before = snapshot(db)
    with pytest.raises(ImportProblems) as err:
        import_scores(db, path, *args, **kw)
    assert_unchanged(db, before)
    return err.value


def _build_district(location: str | Path, tmp: Path) -> None:
    db = open_database(location)
    import_roster(db, write_xlsx(tmp / "名册.xlsx", roster_sheets()))
    import_paper(db, write_xlsx(tmp / "试卷.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS}))
    db.close()


@pytest.fixture(scope="session")
def district_file(tmp_path_factory) -> Path:
    """A database file with the roster and the exam E1 (数学, 语文, 英语), built once through
    the importers."""
    tmp = tmp_path_factory.mktemp("district")
    _build_district(tmp / "base.duckdb", tmp)
    return tmp / "base.duckdb"


@pytest.fixture(scope="session")
def district_pg(pg_cluster, tmp_path_factory) -> str:
    """The district of :func:`district_file` as a PostgreSQL database (to copy as template)."""
    url = pg_cluster.create_database("eq_district")
    _build_district(url, tmp_path_factory.mktemp("district_pg"))
    return "eq_district"


@pytest.fixture()
def district(district_file, tmp_path):
    """A private copy of the district database."""
    path = tmp_path / "d.duckdb"
    shutil.copy(district_file, path)
    db = open_database(path)
    yield db
    db.close()


def private_copy(request, store: str, built_file: str, built_pg: str, tmp_path: Path,
                 name: str = "d.duckdb") -> Iterator[Database]:
    """A private copy of a database built once, on ``store``: the DuckDB file of the fixture
    ``built_file`` copied into ``tmp_path``, or a new PostgreSQL database from the template
    the fixture ``built_pg`` names; closed (and dropped) after the test."""
    if store == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template=request.getfixturevalue(built_pg))
        db = open_database(url)
        yield db
        db.close()
        cluster.drop_database(url)
        return
    path = tmp_path / name
    shutil.copy(request.getfixturevalue(built_file), path)
    db = open_database(path)
    yield db
    db.close()


@pytest.fixture()
def twin(request, district, tmp_path):
    """A second private copy of the district database, on the store of ``district`` (so a
    module that runs ``district`` on both stores compares like with like)."""
    yield from private_copy(request, district.dialect, "district_file", "district_pg", tmp_path,
                            "twin.duckdb")


@pytest.fixture(params=STORES)
def any_district(request, tmp_path):
    """A private copy of the district database, on each store (a module whose tests run on
    both overrides ``district`` with it)."""
    yield from private_copy(request, request.param, "district_file", "district_pg", tmp_path)
