"""Round trips (hypothesis): a generated roster or score table, written as .xlsx or .csv in
each encoding and layout, imported, and read back from the database equals what was written.
The expected subject scores are computed here independently (sum of items, the optional group
17(1)/17(2) counting its better item)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.store import Database, open_database
from tests.conftest import STORES
from tests.ingest.conftest import EXAM, ITEMS, roster_sheets, write_xlsx

pytestmark = pytest.mark.slow  # every test here is slow: `make test` runs it, `make check` not

N = 30
IDS = [f"G{i:03d}" for i in range(100, 100 + N)]
CLASSES = [("S1", "1班"), ("S1", "2班"), ("S2", "1班")]
NAMES = ["张", "李", "王", "赵", "钱", "孙", "周", "吴", "郑", "冯", "陈", "褚"]
MATH_FULL = [5, 5, 10, 10, 12]
SUBJECTS = {"语文": ("E1/chinese", 100), "数学": ("E1/math", 32), "英语": ("E1/english", 150)}
ABSENT = ["缺考", "缺", "-", None]
FORMATS = ["xlsx", "utf-8", "utf-8-sig", "gbk"]
SETTINGS = settings(max_examples=10, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def _build_base(location: str | Path, tmp: Path) -> None:
    sheets = roster_sheets()
    sheets["学生"] = pd.DataFrame({
        "学籍号": IDS, "姓名": [NAMES[i % 12] + str(i) for i in range(N)],
        "性别": ["男", "女"] * (N // 2), "学校代码": [CLASSES[i % 3][0] for i in range(N)],
        "学年": "2021-2022", "年级": 9, "班级": [CLASSES[i % 3][1] for i in range(N)]})
    db = open_database(location)
    import_roster(db, write_xlsx(tmp / "r.xlsx", sheets))
    import_paper(db, write_xlsx(tmp / "p.xlsx", {"考试信息": EXAM, "试卷结构": ITEMS}))
    db.close()


@pytest.fixture(scope="module", params=STORES)
def base(request, tmp_path_factory) -> Iterator[Callable[[Path], Database]]:
    """The district, 30 students and the exam E1, on each store: a function that opens a new
    private copy of it (one per hypothesis example)."""
    tmp = tmp_path_factory.mktemp("base")
    opened: list[Database] = []
    if request.param == "duckdb":
        _build_base(tmp / "base.duckdb", tmp)

        def copy(into: Path) -> Database:
            path = into / f"db_{np.random.default_rng().integers(1 << 40)}.duckdb"
            shutil.copy(tmp / "base.duckdb", path)
            opened.append(open_database(path))
            return opened[-1]

        yield copy
    else:
        cluster = request.getfixturevalue("pg_cluster")
        cluster.create_database("eq_roundtrip")
        _build_base(cluster.url("eq_roundtrip"), tmp)
        urls: list[str] = []

        def copy(into: Path) -> Database:
            urls.append(cluster.create_database(template="eq_roundtrip"))
            opened.append(open_database(urls[-1]))
            return opened[-1]

        yield copy
        for db in opened:
            db.close()
        opened.clear()
        for url in urls:
            cluster.drop_database(url)
        cluster.drop_database(cluster.url("eq_roundtrip"))
    for db in opened:
        db.close()


def _write(path_stem: Path, rows: list[list[object]], fmt: str, merges=()) -> Path:
    if fmt == "xlsx":
        path = path_stem.with_suffix(".xlsx")
        wb = xlsxwriter.Workbook(str(path))
        ws = wb.add_worksheet("成绩")
        for (r0, c0, r1, c1, text) in merges:
            ws.merge_range(r0, c0, r1, c1, text)
        for r, row in enumerate(rows):
            for c, v in enumerate(row):
                if v is not None and not any(r0 <= r <= r1 and c0 <= c <= c1
                                             for r0, c0, r1, c1, _ in merges):
                    ws.write(r, c, v)
        wb.close()
        return path
    path = path_stem.with_suffix(".csv")
    text = pd.DataFrame(rows).to_csv(index=False, header=False)
    path.write_bytes(text.encode(fmt))
    return path


half = st.integers(0, 24).map(lambda k: k / 2)


@st.composite
def math_rows(draw):
    ids = draw(st.lists(st.sampled_from(range(N)), min_size=1, max_size=N, unique=True))
    out = []
    for i in ids:
        if draw(st.integers(0, 5)) == 0:
            out.append((i, None, draw(st.sampled_from(ABSENT))))
        else:
            out.append((i, [min(draw(half), f) for f in MATH_FULL], None))
    return out


@SETTINGS
@given(rows=math_rows(), fmt=st.sampled_from(FORMATS), two_rows=st.booleans(),
       summary=st.booleans())
def test_item_level_round_trip(base, tmp_path, rows, fmt, two_rows, summary):
    db = base(tmp_path)
    labels = ["1", "2", "3", "17(1)", "17(2)"]
    ident = ["学籍号", "姓名"]
    if two_rows:
        header = [[*ident, "数学", None, None, None, None], [None, None, *labels]]
        merges = [(0, 0, 1, 0, "学籍号"), (0, 1, 1, 1, "姓名"), (0, 2, 0, 6, "数学")]
    else:
        header, merges = [[*ident, *labels]], []
    body = []
    for i, items, absent in rows:
        cells = items if items is not None else [absent] * 5
        body.append([IDS[i], NAMES[i % 12] + str(i), *cells])
    if summary:
        body.append(["平均分", None, 1.5, 2, 3, 4, 5])
    path = _write(tmp_path / "数学", header + body, fmt, merges if fmt == "xlsx" else ())
    import_scores(db, path, "E1", None if two_rows else "数学")
    got = db.sql("""SELECT s.national_id, r.status, r.score FROM subject_result r
                    JOIN student s USING (student_id) ORDER BY 1""")
    expect = sorted(
        (IDS[i], "absent" if items is None else "present",
         None if items is None else sum(items[:3]) + max(items[3], items[4]))
        for i, items, _ in rows)
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        (a, b, c if c is not None else pytest.approx(np.nan, nan_ok=True)) for a, b, c in expect]
    scores = db.sql("""SELECT s.national_id, i.seq, i.score FROM item_score i
                       JOIN student s USING (student_id) ORDER BY 1, 2""")
    expect_items = sorted((IDS[i], j + 1, float(v)) for i, items, _ in rows if items is not None
                          for j, v in enumerate(items))
    assert [tuple(r) for r in scores.itertuples(index=False)] == expect_items
    db.close()


@st.composite
def total_rows(draw):
    ids = draw(st.lists(st.sampled_from(range(N)), min_size=1, max_size=N, unique=True))
    out = []
    for i in ids:
        marks = {}
        for subj, (_, full) in SUBJECTS.items():
            if draw(st.integers(0, 6)) == 0:
                marks[subj] = ("absent", draw(st.sampled_from(ABSENT)))
            else:
                marks[subj] = ("present", draw(st.integers(0, 2 * full)) / 2)
        out.append((i, marks))
    return out


@SETTINGS
@given(rows=total_rows(), fmt=st.sampled_from(FORMATS), with_total=st.booleans())
def test_subject_totals_round_trip(base, tmp_path, rows, fmt, with_total):
    db = base(tmp_path)
    header = ["考号", "学籍号", "姓名", "学校", "班级", *SUBJECTS] + (["总分"] if with_total else [])
    body = []
    for n, (i, marks) in enumerate(rows):
        school = {"S1": "一中", "S2": "二中"}[CLASSES[i % 3][0]] if n % 2 else CLASSES[i % 3][0]
        vals = [m[1] for m in marks.values()]
        total = sum(v for s, v in marks.values() if s == "present")
        body.append([f"K{n:04d}", IDS[i], NAMES[i % 12] + str(i), school, CLASSES[i % 3][1],
                     *vals] + ([total] if with_total else []))
    path = _write(tmp_path / "总分", [header, *body], fmt)
    import_scores(db, path, "E1")
    got = db.sql("""SELECT s.national_id, r.paper_id, r.status, coalesce(r.score, -1) AS score
                    FROM subject_result r JOIN student s USING (student_id) ORDER BY 1, 2""")
    expect = sorted((IDS[i], SUBJECTS[subj][0], status, value if status == "present" else -1)
                    for i, marks in rows for subj, (status, value) in marks.items())
    assert [tuple(r) for r in got.itertuples(index=False)] == expect
    reg = db.sql("""SELECT s.national_id, r.exam_number FROM exam_registration r
                    JOIN student s USING (student_id) ORDER BY 1""")
    assert [tuple(r) for r in reg.itertuples(index=False)] == sorted(
        (IDS[i], f"K{n:04d}") for n, (i, _) in enumerate(rows))
    db.close()


@st.composite
def students(draw):
    n = draw(st.integers(1, 12))
    return pd.DataFrame({
        "学籍号": [f"L{k:04d}" for k in draw(st.lists(st.integers(0, 9999), min_size=n,
                                                        max_size=n, unique=True))],
        "姓名": draw(st.lists(st.text(alphabet="张王李赵明华丽强伟芳", min_size=2, max_size=4),
                            min_size=n, max_size=n)),
        "性别": draw(st.lists(st.sampled_from(["男", "女"]), min_size=n, max_size=n)),
        "学校代码": "S1", "学年": "2021-2022", "年级": 9,
        "班级": draw(st.lists(st.sampled_from(["1班", "2班"]), min_size=n, max_size=n)),
        "留守儿童": draw(st.lists(st.sampled_from(["是", "否", ""]), min_size=n, max_size=n)),
    })


@SETTINGS
@given(frame=students(), fmt=st.sampled_from(FORMATS))
def test_roster_round_trip(base, tmp_path, frame, fmt):
    db = base(tmp_path)
    path = _write(tmp_path / "学生", [list(frame.columns), *frame.values.tolist()], fmt)
    import_roster(db, path)
    got = db.sql("""SELECT s.national_id, s.name, s.gender, s.left_behind, c.name AS cls
                    FROM student s JOIN class_membership m USING (student_id)
                    JOIN class c USING (class_id) WHERE s.national_id LIKE 'L%' ORDER BY 1""")
    want = frame.sort_values("学籍号")
    assert got["national_id"].tolist() == want["学籍号"].tolist()
    assert got["name"].tolist() == want["姓名"].tolist()
    assert got["gender"].tolist() == want["性别"].map({"男": "M", "女": "F"}).tolist()
    assert got["left_behind"].tolist() == (want["留守儿童"] == "是").tolist()
    assert got["cls"].tolist() == want["班级"].tolist()
    db.close()
