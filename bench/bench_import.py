"""Benchmark: importing 200,000 students' scores from .xlsx and .csv.

Three files per format: one subject at item level (25 items), one sheet of 9 subject totals, and
the item-level file as a marking system exports it (two header rows with merged 客观题/主观题
group labels over ``第N题`` labels, 客观分/主观分/总分/备注 columns, students named by 考号, 姓名,
school name and class only; 考号 registered beforehand from a 学籍 export with ``--exam``).
Our import (read + header mapping + validation + roster matching + one DuckDB transaction with
the integrity check + import log) is timed against, in the same run:

* the DuckDB peer (issue 12, :mod:`import_peer`): DuckDB's own ``read_csv`` of the file (for
  .xlsx fastexcel's typed read), the join to the roster and the INSERTs of the same rows into
  tables with our keys, in a fresh DuckDB database; goal ours ≤ 2× the peer;
* plain readers: ``pandas.read_csv`` / ``pandas.read_excel`` of the same file (read only).

The roster (schools, classes, 200k students) is generated here and imported once through
``import_roster`` (timed too). Results: ``import.md`` and ``import.goals.json``; with
``--postgresql`` also the same imports into a throw-away PostgreSQL cluster beside DuckDB's
(issue 10): ``import_postgresql.md`` and its goals.

    .venv/bin/python bench/bench_import.py                 # 200,000 students
    .venv/bin/python bench/bench_import.py --n 20000 --formats csv --no-readers  # quick
    .venv/bin/python bench/bench_import.py --postgresql    # both stores
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import xlsxwriter

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.pgcluster
import import_peer
from common import Goal, machine_line, write_goals, write_result
from eduquality.ingest import import_paper, import_roster, import_scores
from eduquality.store import open_database

SUBJECTS = ["语文", "数学", "英语", "物理", "化学", "生物", "思想政治", "历史", "地理"]
FULL = {"语文": 150, "数学": 150, "英语": 150}
N_ITEMS = 25
N_OBJECTIVE = 12   # items 1–12 are objective (客观题), scored by the marking system
ITEM_FULL = [4] * 12 + [6] * 10 + [12, 12, 6]  # 48 + 60 + 30 = 138 … plus below
ITEM_FULL[-1] = 18  # → 150
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂")


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def time_call(fn: Callable[[], object]) -> float:
    """Wall seconds of ``fn()``."""
    return _timed(fn)[0]


def _timed_cpu(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, all its threads together, result): on a
    shared machine the CPU seconds move much less with the load than the wall time does."""
    c = time.process_time()
    wall, out = _timed(fn)
    return wall, time.process_time() - c, out


def make_roster(n: int, rng: np.random.Generator) -> pd.DataFrame:
    per_class = 50
    n_classes = -(-n // per_class)
    classes_per_school = 40
    cls = np.arange(n) // per_class
    school = cls // classes_per_school
    names = (np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
             + np.array(GIVEN)[rng.integers(0, len(GIVEN), n)]
             + np.array(GIVEN)[rng.integers(0, len(GIVEN), n)])
    del n_classes
    return pd.DataFrame({
        "学籍号": [f"G5301{i:013d}" for i in range(n)],
        "姓名": names,
        "性别": np.where(rng.random(n) < 0.5, "男", "女"),
        "学校代码": [f"S{s:03d}" for s in school],
        "学年": "2021-2022", "年级": 9,
        "班级": [f"{c % classes_per_school + 1}班" for c in cls],
    })


def write_roster(tmp: Path, students: pd.DataFrame) -> list[Path]:
    schools = sorted(students["学校代码"].unique())
    files = {
        "district.csv": pd.DataFrame({"区县代码": ["530102"], "区县名称": ["五华区"]}),
        "years.csv": pd.DataFrame({"学年": ["2021-2022"], "开始日期": ["2021-09-01"],
                                   "结束日期": ["2022-07-15"]}),
        "schools.csv": pd.DataFrame({"学校代码": schools,
                                     "学校名称": [f"第{s[1:]}中学" for s in schools],
                                     "学段": "初中", "办学性质": "公办", "城乡": "城区"}),
        "classes.csv": students[["学年", "学校代码", "年级", "班级"]].drop_duplicates(),
        "students.csv": students,
    }
    paths = []
    for name, frame in files.items():
        frame.to_csv(tmp / name, index=False)
        paths.append(tmp / name)
    return paths


def write_paper(tmp: Path) -> Path:
    items = [{"学科": "数学", "题号": str(j + 1),
              "题型": "客观题" if j < N_OBJECTIVE else "主观题", "满分": f}
             for j, f in enumerate(ITEM_FULL)]   # objective items without a key: scored files
    items += [{"学科": s, "题号": "1", "题型": "主观题", "满分": FULL.get(s, 100)}
              for s in SUBJECTS if s != "数学"]
    info = pd.DataFrame({"字段": ["考试代码", "考试名称", "考试类型", "范围", "学年", "年级"],
                         "值": ["B1", "基准考试", "期末", "区级", "2021-2022", 9]})
    path = tmp / "paper.xlsx"
    with pd.ExcelWriter(path, engine="xlsxwriter") as w:
        info.to_excel(w, sheet_name="考试信息", index=False)
        pd.DataFrame(items).to_excel(w, sheet_name="试卷结构", index=False)
    return path


def score_frames(students: pd.DataFrame, rng: np.random.Generator,
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    n = len(students)
    ident = pd.DataFrame({
        "考号": [f"K{i:07d}" for i in range(n)], "学籍号": students["学籍号"],
        "姓名": students["姓名"], "学校": students["学校代码"], "班级": students["班级"]})
    ability = rng.random(n)
    items = {str(j + 1): np.round(np.clip(ability * f + rng.normal(0, f / 4, n), 0, f))
             for j, f in enumerate(ITEM_FULL)}
    item_frame = pd.concat([ident, pd.DataFrame(items)], axis=1)
    totals = {s: np.round(np.clip(ability * FULL.get(s, 100) + rng.normal(0, 10, n), 0,
                                  FULL.get(s, 100)), 1) for s in SUBJECTS}
    total_frame = pd.concat([ident, pd.DataFrame(totals)], axis=1).astype(
        {s: object for s in SUBJECTS})
    absent = rng.random(n) < 0.01
    total_frame.loc[absent, "英语"] = "缺考"
    item_frame.loc[rng.random(n) < 0.01, [str(j + 1) for j in range(N_ITEMS)]] = np.nan
    return item_frame, total_frame



def marking_frame(item_frame: pd.DataFrame, students: pd.DataFrame) -> tuple[list[list[str]],
                                                                              pd.DataFrame]:
    """The item-level scores as a marking system writes them: header rows and the body."""
    items = [str(j + 1) for j in range(N_ITEMS)]
    scores = item_frame[items].to_numpy(dtype=float)
    obj = np.nansum(scores[:, :N_OBJECTIVE], axis=1)
    sub = np.nansum(scores[:, N_OBJECTIVE:], axis=1)
    absent = np.isnan(scores).all(axis=1)
    body = pd.DataFrame({
        "考号": item_frame["考号"], "姓名": item_frame["姓名"],
        "学校": "第" + students["学校代码"].str[1:] + "中学", "班级": item_frame["班级"]})
    for j, item in enumerate(items):
        body[f"第{item}题"] = scores[:, j]
    body["客观分"] = np.where(absent, np.nan, obj)
    body["主观分"] = np.where(absent, np.nan, sub)
    body["总分"] = np.where(absent, np.nan, obj + sub)
    body["备注"] = np.where(absent, "缺考", "")
    ident = ["考号", "姓名", "学校", "班级"]
    upper = (ident + ["客观题"] + [""] * (N_OBJECTIVE - 1) + ["主观题"]
             + [""] * (N_ITEMS - N_OBJECTIVE - 1) + ["客观分", "主观分", "总分", "备注"])
    lower = [""] * len(ident) + [f"第{i}题" for i in items] + [""] * 4
    return [upper, lower], body


def write_marking_xlsx(path: Path, heads: list[list[str]], body: pd.DataFrame) -> None:
    """Merged cells as the marking system writes them (identity and sums span both rows)."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("成绩单")
    upper, lower = heads
    n_id = 4
    for j in range(n_id):
        ws.merge_range(0, j, 1, j, upper[j])
    ws.merge_range(0, n_id, 0, n_id + N_OBJECTIVE - 1, "客观题")
    ws.merge_range(0, n_id + N_OBJECTIVE, 0, n_id + N_ITEMS - 1, "主观题")
    for j in range(n_id + N_ITEMS, len(upper)):
        ws.merge_range(0, j, 1, j, upper[j])
    ws.write_row(1, n_id, lower[n_id:n_id + N_ITEMS])
    for r, row in enumerate(body.itertuples(index=False), start=2):
        for c, v in enumerate(row):
            if isinstance(v, str):
                if v:
                    ws.write_string(r, c, v)
            elif v == v:
                ws.write_number(r, c, v)
    wb.close()


def write_marking_csv(path: Path, heads: list[list[str]], body: pd.DataFrame) -> None:
    """The CSV a marking system exports: the two header rows, then the body, in GBK."""
    text = pd.DataFrame(heads).to_csv(index=False, header=False) + body.to_csv(
        index=False, header=False)
    path.write_bytes(text.encode("gbk"))


def write_xlsx(path: Path, frame: pd.DataFrame, sheet: str) -> None:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, list(frame.columns))
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, v in enumerate(row):
            if isinstance(v, str) or (v is not None and v == v):
                ws.write(r, c, v)
    wb.close()


LABELS = {"items": "数学, 25 items", "totals": "9 subject totals",
          "marking": "数学, 25 items, marking-system layout"}
PEER_GOAL = 2.0
"""Every file within this many times the DuckDB peer (issue 12)."""
WALL_GOAL = {".csv": 3.0, ".xlsx": 10.0}
"""Seconds per 200,000-student file (issue 9)."""


@dataclass
class Inputs:
    """The generated files: the roster's, the paper, the 学籍 export, the score files."""

    roster: list[Path]
    paper: Path
    export: Path
    scores: dict[str, tuple[Path, ...]]
    n_schools: int


@dataclass
class Row:
    """One score file imported: ours (first, again with --force; wall and CPU seconds), the
    peers, the rows written."""

    kind: str
    path: Path
    ours: float
    ours_cpu: float
    again: float
    again_cpu: float
    counts: dict[str, int]
    duck: float | None = None
    duck_counts: dict[str, int] = field(default_factory=dict)
    pg_peer: float | None = None
    """PostgreSQL's own peer (on the PostgreSQL rows, .csv files): COPY + INSERT."""
    pg_peer_counts: dict[str, int] = field(default_factory=dict)
    readers: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{LABELS[self.kind]} {self.path.suffix}"

    @property
    def subject(self) -> str | None:
        return None if self.kind == "totals" else "数学"

    @property
    def same_rows(self) -> bool:
        return all(self.counts.get(t, 0) == n for t, n in self.duck_counts.items())


def prepare(tmp: Path, n: int, formats: list[str]) -> Inputs:
    """Write the roster's files, the paper, the 学籍 export and the score files."""
    rng = np.random.default_rng(2021)
    students = make_roster(n, rng)
    roster = write_roster(tmp, students)
    paper = write_paper(tmp)
    item_frame, total_frame = score_frames(students, rng)
    export = tmp / "xueji.csv"   # the 学籍 export with 考号, registering them for B1
    students.drop(columns=["学年"]).assign(考号=item_frame["考号"]).to_csv(export, index=False)
    files: dict[str, tuple[Path, ...]] = {}
    for kind, frame in (("items", item_frame), ("totals", total_frame)):
        out = []
        if "csv" in formats:
            out.append(tmp / f"{kind}.csv")
            frame.to_csv(out[-1], index=False)
        if "xlsx" in formats:
            out.append(tmp / f"{kind}.xlsx")
            write_xlsx(out[-1], frame, "数学" if kind == "items" else "成绩")
        files[kind] = tuple(out)
    heads, body = marking_frame(item_frame, students)
    out = []
    if "csv" in formats:
        out.append(tmp / "marking.csv")
        write_marking_csv(out[-1], heads, body)
    if "xlsx" in formats:
        out.append(tmp / "marking.xlsx")
        write_marking_xlsx(out[-1], heads, body)
    files["marking"] = tuple(out)
    return Inputs(roster, paper, export, files, int(students["学校代码"].nunique()))


def base_database(target: str, inputs: Inputs) -> tuple[float, float]:
    """The roster, the paper and the registrations of exam B1 imported into ``target`` (a
    DuckDB file or a PostgreSQL URL): (roster seconds, registration seconds)."""
    db = open_database(target)
    try:
        t_roster = 0.0
        for path in inputs.roster:
            t_roster += time_call(lambda p=path: import_roster(db, p))
        import_paper(db, inputs.paper)
        t_register, _ = _timed(lambda: import_roster(db, inputs.export, year="2021-2022",
                                                     exam="B1"))
    finally:
        db.close()
    return t_roster, t_register


def import_twice(target: str, kind: str, path: Path) -> Row:
    """Ours: the first import of ``path`` into ``target``, then again with --force."""
    db = open_database(target)
    subject = None if kind == "totals" else "数学"
    try:
        t_ours, c_ours, result = _timed_cpu(lambda: import_scores(db, path, "B1", subject))
        t_again, c_again, _ = _timed_cpu(lambda: import_scores(db, path, "B1", subject,
                                                               force=True))
    finally:
        db.close()
    return Row(kind, path, t_ours, c_ours, t_again, c_again,
               dict(result.counts))  # type: ignore[attr-defined]


def on_duckdb(tmp: Path, base: Path, inputs: Inputs, readers: bool,
              openpyxl: bool = False) -> list[Row]:
    """Each file imported into a copy of ``base``; the DuckDB peer (:mod:`import_peer`) and
    the plain readers (with ``readers``; pandas' default .xlsx reader openpyxl only with
    ``openpyxl``: minutes per file at 200k) right after, in the same run."""
    rows = []
    for kind, paths in inputs.scores.items():
        for path in paths:
            work = tmp / f"work_{kind}_{path.suffix[1:]}.duckdb"
            shutil.copy(base, work)
            row = import_twice(str(work), kind, path)
            work.unlink()
            peer_db = tmp / f"peer_{kind}_{path.suffix[1:]}.duckdb"
            import_peer.prepare(base, peer_db)
            row.duck, row.duck_counts = import_peer.load(
                peer_db, path, import_peer.layout(kind, N_ITEMS, SUBJECTS), row.subject)
            peer_db.unlink()
            if readers and path.suffix == ".csv":
                enc = "gbk" if kind == "marking" else "utf-8"
                row.readers["pandas.read_csv"] = _timed(
                    lambda p=path, e=enc: pd.read_csv(p, encoding=e))[0]
            elif readers:
                if openpyxl:
                    row.readers["pandas.read_excel (openpyxl, default)"] = _timed(
                        lambda p=path: pd.read_excel(p, engine="openpyxl"))[0]
                row.readers["pandas.read_excel(engine='calamine')"] = _timed(
                    lambda p=path: pd.read_excel(p, engine="calamine"))[0]
                row.readers["fastexcel, typed"] = _timed(
                    lambda p=path: fastexcel.read_excel(p).load_sheet(
                        0, schema_sample_rows=None, eager=True))[0]
            rows.append(row)
            print(row, flush=True)
    return rows


def on_postgresql(inputs: Inputs) -> tuple[float, float, list[Row]]:
    """The same imports into a throw-away PostgreSQL cluster (``tests/pgcluster.py``, as
    ``bench_analysis.py --postgresql``): the roster, paper and registrations imported into a
    template database once, each file imported into a fresh copy of it."""
    from tests.pgcluster import start_cluster

    cluster = start_cluster()
    try:
        t_roster, t_register = base_database(cluster.create_database("eq_base"), inputs)
        rows = []
        for kind, paths in inputs.scores.items():
            for path in paths:
                url = cluster.create_database(f"work_{kind}_{path.suffix[1:]}",
                                              template="eq_base")
                rows.append(import_twice(url, kind, path))
                cluster.drop_database(url)
                if path.suffix == ".csv":   # PostgreSQL's own COPY + INSERT of the rows
                    url = cluster.create_database(f"peer_{kind}", template="eq_base")
                    import_peer.prepare_postgresql(url)
                    rows[-1].pg_peer, rows[-1].pg_peer_counts = import_peer.load_postgresql(
                        url, path, import_peer.layout(kind, N_ITEMS, SUBJECTS),
                        rows[-1].subject)
                    cluster.drop_database(url)
                print("postgresql", rows[-1], flush=True)
    finally:
        cluster.stop()
    return t_roster, t_register, rows


def goals(rows: list[Row], n: int, store: str = "") -> list[Goal]:
    """Per file: ours against the DuckDB peer (≤ 2×, issue 12) and against the wall-time
    goal (issue 9)."""
    out = []
    on = f" on {store}" if store else ""
    for row in rows:
        if row.duck is not None:
            peer = ("DuckDB read_csv + INSERT" if row.path.suffix == ".csv"
                    else "fastexcel read + DuckDB INSERT")
            out.append(Goal(f"import {row.label}, {n:,} students{on}, vs DuckDB", row.ours, "s",
                            f"≤ {PEER_GOAL:g}× the peer", row.ours <= PEER_GOAL * row.duck,
                            row.duck, peer, row.ours / row.duck))
        if row.pg_peer is not None:
            out.append(Goal(f"import {row.label}, {n:,} students{on}, vs PostgreSQL's own",
                            row.ours, "s", f"≤ {PEER_GOAL:g}× the peer",
                            row.ours <= PEER_GOAL * row.pg_peer, row.pg_peer,
                            "PostgreSQL COPY + INSERT", row.ours / row.pg_peer))
        goal = WALL_GOAL[row.path.suffix]
        out.append(Goal(f"import {row.label}, {n:,} students{on}", row.ours, "s",
                        f"≤ {goal:g} s", row.ours <= goal))
    return out


def duckdb_lines(n: int, inputs: Inputs, t_roster: float, t_register: float,
                 rows: list[Row]) -> list[str]:
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [
        f"## Import: {n:,} students' scores (`bench/bench_import.py`)", "",
        machine_line() + f" Load average (1, 5, 15 min) at the end: {' '.join(load)} "
        "(about 1 = this benchmark alone on the machine).", "",
        f"{n:,} students in {inputs.n_schools} schools; roster import "
        f"(5 CSV files, {n:,} students and class memberships): {t_roster:.1f} s; the 学籍 "
        f"export registering every 考号 for the exam: {t_register:.1f} s.", "",
        "| file | size | ours: first import (CPU) | ours: re-import, --force, replaces rows "
        "(CPU) | DuckDB peer: read + INSERT | ours / peer | rows written | readers alone |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        readers = "; ".join(f"{k}: {v:.1f} s" for k, v in row.readers.items())
        same = "" if row.same_rows else " (peer: " + ", ".join(
            f"{k} {v:,}" for k, v in row.duck_counts.items()) + ")"
        lines.append(
            f"| {row.label} | {row.path.stat().st_size / 1e6:.0f} MB | {row.ours:.1f} s "
            f"({row.ours_cpu:.1f} s) | {row.again:.1f} s ({row.again_cpu:.1f} s) | "
            f"{row.duck:.1f} s | {row.ours / (row.duck or 1):.1f}× | "
            f"{sum(row.counts.values()):,}{same} | {readers} |")
    lines += [
        "", "Ours includes reading, header mapping, validation of every cell, matching "
        "every student against the roster (name, school, class), and the write of "
        "registrations, subject results and item scores in one transaction with the "
        "integrity check; goal ≤ 10 s per .xlsx and ≤ 3 s per .csv (wall time on an "
        "otherwise idle machine, issue 9) and ≤ 2× the DuckDB peer (issue 12). CPU: the "
        "seconds of CPU the import used, all its threads together (DuckDB and pyarrow use "
        "several), which a loaded machine stretches much less than the wall time.", "",
        "The DuckDB peer (`bench/import_peer.py`), measured right after ours on the same file: "
        "a fresh DuckDB database with our `exam_registration`, `subject_result` and "
        "`item_score` tables (created from our own `CREATE TABLE` statements: the same "
        "columns, keys and checks) and the roster; timed: DuckDB's own `read_csv` of the "
        "file, the join to the roster that gives the student ids, and in one transaction the "
        "INSERTs of the same rows (item columns unpivoted with DuckDB's `UNPIVOT`; a "
        "student whose items are all blank or whose cell says 缺考 is absent). It checks "
        "nothing. For .xlsx the peer reads with fastexcel (typed from every row, the reader "
        "ours uses too) and hands the Arrow batch to DuckDB for the same INSERTs; for "
        "the marking-system .csv (GBK, which DuckDB cannot read) Python decodes the file to a "
        "UTF-8 scratch file that `read_csv` reads (both timed). The rows written are the "
        "same as ours (counted per table; a difference would be shown). Readers alone: "
        "pandas reading the file (for .xlsx also fastexcel's typed read), nothing else "
        "(pandas' default .xlsx reader, openpyxl, "
        "only with `--openpyxl`: it took 120 s per 200k-student .xlsx on 2026-11-29).", "",
        "Where the time goes (CPU seconds of one process, 200k students, the 25-item .csv, "
        "`import scores` timed per step; 2026-11-30): reading (pyarrow, every cell as "
        "text) ~0.7 s; matching the students against the roster ~0.7–1.1 s (their placements "
        "in the year ~0.3 s, the 学籍号 join ~0.2 s); checking the 25 item columns ~0.7 s; "
        "the write ~1.9 s, of which the insert of 4.9 M item scores ~1.4 s. The DuckDB peer "
        "spends about 4.4 CPU seconds on the same file: `read_csv` ~1.0 s, the join ~0.3 s, "
        "registrations with their two keys ~0.5 s, results ~0.2 s, item scores ~1.8 s, "
        "commit ~0.5 s — so 3 s of wall time needs both cores busy throughout, for ours and "
        "for the peer alike. The 9-subject totals: the insert of 1.8 M subject results with "
        "their primary key is ~1.5 s (the peer's ~1.9 s). A first import builds "
        "the index entries; a re-import updates only changed rows."]
    return lines


def postgresql_lines(n: int, duck: tuple[float, float, list[Row]],
                     pg: tuple[float, float, list[Row]]) -> list[str]:
    load = Path("/proc/loadavg").read_text().split()[:3]
    lines = [
        f"## Import on both stores: {n:,} students' scores "
        "(`bench/bench_import.py --postgresql`)", "",
        machine_line() + f" Load average (1, 5, 15 min) at the end: {' '.join(load)}.", "",
        "| import | DuckDB (CPU of our process) | PostgreSQL (CPU of our process) | "
        "PostgreSQL / DuckDB | DuckDB peer: read + INSERT | PostgreSQL / DuckDB peer | "
        "PostgreSQL peer: COPY + INSERT | PostgreSQL / its peer |",
        "|---|---|---|---|---|---|---|---|",
        f"| roster (5 CSV files) | {duck[0]:.1f} s | {pg[0]:.1f} s | {pg[0] / duck[0]:.1f}× "
        "| | | | |",
        f"| 学籍 export registering every 考号 | {duck[1]:.1f} s | {pg[1]:.1f} s | "
        f"{pg[1] / duck[1]:.1f}× | | | | |",
    ]
    for d, p in zip(duck[2], pg[2], strict=True):
        assert d.path == p.path
        same = "" if d.counts == p.counts else " (DIFFERENT rows written)"
        peer = f"{d.duck:.1f} s | {p.ours / d.duck:.1f}×" if d.duck else " | "
        if p.pg_peer:
            differ = "" if p.pg_peer_counts == p.counts else f" (other rows: {p.pg_peer_counts})"
            peer += f" | {p.pg_peer:.1f} s{differ} | {p.ours / p.pg_peer:.1f}×"
        else:
            peer += " | | "
        lines += [f"| {d.label}, first{same} | {d.ours:.1f} s ({d.ours_cpu:.1f} s) | "
                  f"{p.ours:.1f} s ({p.ours_cpu:.1f} s) | {p.ours / d.ours:.1f}× | {peer} |",
                  f"| {d.label}, again (--force) | {d.again:.1f} s ({d.again_cpu:.1f} s) | "
                  f"{p.again:.1f} s ({p.again_cpu:.1f} s) | {p.again / d.again:.1f}× | | | | |"]
    lines += ["", "Both stores in the same run, the same files and the same code: the roster, "
              "the paper and the registrations imported into a database of each store once "
              "(a template database on PostgreSQL), then each score file imported into a "
              "fresh copy of it, first and again with --force. PostgreSQL is a throw-away "
              "cluster on loopback (`tests/pgcluster.py`: fsync off). The DuckDB peer is "
              "DuckDB's read + INSERT of the same rows (see the DuckDB section); the "
              "PostgreSQL peer (`bench/import_peer.py`, .csv files) is PostgreSQL's own bulk "
              "path into a fresh copy of the same template: `COPY` of the file's text into a "
              "temporary table, the join to the roster, and in one transaction the INSERT … "
              "SELECTs of the same rows into our tables with their keys, checks and foreign "
              "keys (no check of the cells, no report). CPU: the seconds our "
              "own process used; on PostgreSQL about as many as on DuckDB, so the rest of the "
              "wall time is the PostgreSQL server's (a separate process: the checked frames "
              "copied in and the INSERT … SELECT of the rows with their keys), not profiled "
              "here. Goals per store: `import_postgresql.goals.json`."]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", "--students", dest="n", type=int, default=200_000,
                        help="number of students")
    parser.add_argument("--formats", default="csv,xlsx",
                        help="comma-separated: csv, xlsx (development runs: csv)")
    parser.add_argument("--no-readers", action="store_true",
                        help="skip the pandas readers")
    parser.add_argument("--openpyxl", action="store_true",
                        help="also time pandas.read_excel with openpyxl (about 2 minutes per "
                             ".xlsx at 200k; 6 to 9 times calamine's time)")
    parser.add_argument("--postgresql", action="store_true",
                        help="also import every file into a throw-away PostgreSQL cluster "
                             "(issue 10: both stores side by side): import_postgresql.md")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--prepare-only", action="store_true",
                        help="only write the database and files (for profiling); implies --keep")
    args = parser.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    tmp = Path(tempfile.mkdtemp(prefix="eq_bench_import_"))
    inputs = prepare(tmp, args.n, formats)
    base = tmp / "base.duckdb"
    t_roster, t_register = base_database(str(base), inputs)
    if args.prepare_only:
        print(tmp)
        return
    rows = on_duckdb(tmp, base, inputs, not args.no_readers, args.openpyxl)
    write_result("import", "\n".join(duckdb_lines(args.n, inputs, t_roster, t_register, rows)))
    write_goals("import", goals(rows, args.n))
    if args.postgresql:
        pg = on_postgresql(inputs)
        for d, p in zip(rows, pg[2], strict=True):   # the same DuckDB peer, for the goals
            p.duck, p.duck_counts = d.duck, d.duck_counts
        write_result("import_postgresql", "\n".join(
            postgresql_lines(args.n, (t_roster, t_register, rows), pg)))
        write_goals("import_postgresql", goals(pg[2], args.n, "PostgreSQL"))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
