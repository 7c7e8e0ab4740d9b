"""The DuckDB peer of the score import (issue 12: "every 200,000-student file within 2× of
DuckDB's own read_csv + insert of the same rows with the same keys, measured in the same run").

:func:`prepare` makes a fresh DuckDB database holding the roster the import matches against
(student id, 学籍号, 考号, school, class of every student, copied from the benchmark's database)
and empty ``exam_registration``, ``subject_result`` and ``item_score`` tables created from the
*same* ``CREATE TABLE`` statements as ours (read from our database's catalogue: the same
columns, primary keys, unique keys and checks, foreign keys to minimal ``exam``/``student``/
``school`` tables). That part is not timed.

:func:`load` is timed: DuckDB's own ``read_csv`` of the file (for .xlsx: fastexcel's typed read,
the fastest reader there is and the one ours uses, handed to DuckDB as Arrow), the join to the roster that gives
the student ids, and in one transaction the INSERTs of the same rows ours writes: one
registration per student, one subject result per student and paper (status ``absent`` where
every item is blank or the cell says 缺考, else ``present`` with the sum of the items or the
total), and the item scores unpivoted with DuckDB's ``UNPIVOT`` (blank items of absent students
dropped, as ours does). It neither checks nor reports anything. DuckDB has no GBK reader, so
for the marking-system .csv (GBK) the peer decodes it with Python's codec and writes the UTF-8
text to a scratch file, then ``read_csv`` reads that (both steps timed).

SQL here stays in the benchmark (the peer is not part of the package).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from eduquality.vocab import SUBJECTS

IDENT_MARKING = ["考号", "姓名", "学校", "班级"]
TAIL_MARKING = ["客观分", "主观分", "总分", "备注"]


@dataclass(frozen=True)
class Layout:
    """What the peer knows of a file: its kind ('items', 'totals', 'marking'), the score
    columns, the column naming the student and the roster column it matches."""

    kind: str
    scores: list[str]
    key: str
    roster_key: str
    header_rows: int = 1

    def names(self) -> list[str] | None:
        """Column names for a file read without its header rows (the marking layout)."""
        if self.kind != "marking":
            return None
        return [*IDENT_MARKING, *self.scores, *TAIL_MARKING]


def layout(kind: str, n_items: int, subjects: list[str]) -> Layout:
    items = [str(j + 1) for j in range(n_items)]
    if kind == "items":
        return Layout(kind, items, "学籍号", "national_id")
    if kind == "totals":
        return Layout(kind, subjects, "学籍号", "national_id")
    return Layout(kind, items, "考号", "exam_number", header_rows=2)


def prepare(base: Path, path: Path) -> None:
    """A fresh DuckDB database at ``path``: the roster of exam ``B1`` and our three empty
    tables (``base``: our database file, attached read-only)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(f"ATTACH '{base}' AS ours (READ_ONLY)")
        ddl = dict(con.execute(
            "SELECT table_name, sql FROM duckdb_tables() WHERE database_name = 'ours' AND "
            "table_name IN ('exam_registration', 'subject_result', 'item_score')").fetchall())
        con.execute("CREATE TABLE exam (exam_id VARCHAR PRIMARY KEY)")
        con.execute("INSERT INTO exam VALUES ('B1')")
        con.execute("CREATE TABLE school (school_code VARCHAR PRIMARY KEY)")
        con.execute("INSERT INTO school SELECT school_code FROM ours.school")
        con.execute("CREATE TABLE student (student_id INTEGER PRIMARY KEY, "
                    "national_id VARCHAR NOT NULL UNIQUE)")
        con.execute("INSERT INTO student SELECT student_id, national_id FROM ours.student")
        con.execute("CREATE TABLE roster AS SELECT s.student_id, s.national_id, r.exam_number, "
                    "r.school_code, r.class_id FROM ours.student s "
                    "JOIN ours.exam_registration r USING (student_id) WHERE r.exam_id = 'B1'")
        con.execute("DETACH ours")
        for table in ("exam_registration", "subject_result", "item_score"):
            con.execute(ddl[table])
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _source(con: Any, file: Path, lay: Layout, scratch: Path) -> str:
    """Read ``file`` into the temporary table ``f`` (timed by the caller)."""
    if file.suffix == ".xlsx":
        import fastexcel

        reader = fastexcel.read_excel(file)
        # typed from every row (a column with 缺考 among numbers is text), not a sample
        if lay.kind == "marking":
            frame = reader.load_sheet(0, header_row=None, skip_rows=lay.header_rows,
                                      column_names=lay.names(), schema_sample_rows=None,
                                      eager=True)
        else:
            frame = reader.load_sheet(0, schema_sample_rows=None, eager=True)
        con.register("f_frame", frame)
        con.execute("CREATE TEMP TABLE f AS SELECT * FROM f_frame")
        con.unregister("f_frame")
        return "f"
    if lay.kind == "marking":   # GBK: decoded by Python, DuckDB reads UTF-8 only
        scratch.write_bytes(file.read_bytes().decode("gbk").encode())
        names = ", ".join(f"'{n}'" for n in lay.names() or [])
        con.execute(f"CREATE TEMP TABLE f AS SELECT * FROM read_csv('{scratch}', "
                    f"header = false, skip = {lay.header_rows}, names = [{names}])")
    else:
        con.execute(f"CREATE TEMP TABLE f AS SELECT * FROM read_csv('{file}', header = true)")
    return "f"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def load(path: Path, file: Path, lay: Layout, subject: str | None) -> tuple[float, dict[str, int]]:
    """Read ``file`` and insert its rows into the peer database at ``path``: (seconds, rows
    per table)."""
    con = duckdb.connect(str(path))
    try:
        t0 = time.perf_counter()
        _source(con, file, lay, path.with_suffix(".utf8.csv"))
        con.execute(f"CREATE TEMP TABLE j AS SELECT r.student_id, r.school_code, r.class_id, "
                    f"f.* FROM f JOIN roster r ON r.{lay.roster_key} = CAST(f.{_q(lay.key)} AS VARCHAR)")
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO exam_registration SELECT 'B1', student_id, \"考号\", "
                    "school_code, class_id FROM j")
        cols = ", ".join(_q(c) for c in lay.scores)
        if lay.kind == "totals":
            codes = [(s, SUBJECTS.parse(s)) for s in lay.scores]
            values = ", ".join(f"('{s}', 'B1/{c}')" for s, c in codes)
            casts = ", ".join(f"CAST({_q(s)} AS VARCHAR) AS {_q(s)}" for s in lay.scores)
            con.execute(
                "INSERT INTO subject_result SELECT p.paper_id, u.student_id, "
                "CASE WHEN TRY_CAST(u.v AS DOUBLE) IS NULL THEN 'absent' ELSE 'present' END, "
                "TRY_CAST(u.v AS DOUBLE) "
                f"FROM (UNPIVOT (SELECT student_id, {casts} FROM j) ON {cols} "
                "INTO NAME subject VALUE v) AS u "
                f"JOIN (VALUES {values}) AS p(subject, paper_id) USING (subject)")
        else:
            paper = f"B1/{SUBJECTS.parse(subject or '')}"
            total = " + ".join(f"coalesce({_q(c)}, 0)" for c in lay.scores)
            blank = f"coalesce({cols}) IS NULL"
            con.execute(
                f"INSERT INTO subject_result SELECT '{paper}', student_id, "
                f"CASE WHEN {blank} THEN 'absent' ELSE 'present' END, "
                f"CASE WHEN {blank} THEN NULL ELSE {total} END FROM j")
            con.execute(
                f"INSERT INTO item_score SELECT '{paper}', student_id, "
                "CAST(seq AS SMALLINT), CAST(score AS DOUBLE), NULL "
                f"FROM (UNPIVOT (SELECT student_id, {cols} FROM j) ON {cols} "
                "INTO NAME seq VALUE score)")
        con.execute("COMMIT")
        seconds = time.perf_counter() - t0
        counts = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                  for t in ("exam_registration", "subject_result", "item_score")}
    finally:
        con.close()
    return seconds, counts


# -- the PostgreSQL peer ------------------------------------------------------------------
# The same rows with the same keys, written by PostgreSQL's own bulk path: ``COPY`` of the
# file's text into a temporary table, the join to the roster and, in one transaction, the
# INSERT … SELECTs into our tables (the same constraints: keys, checks, foreign keys). Like the
# DuckDB peer it neither checks nor reports anything; a cell that is not a number is a blank.
# The score columns are typed as DuckDB's sniffer types them: numbers where the sample holds
# only numbers and blanks (read as such by COPY), else text cast cell by cell.

_NUMBER = r"^\s*-?[0-9]+(\.[0-9]+)?\s*$"


def prepare_postgresql(url: str) -> None:
    """Untimed, in ``url`` (a copy of our base database, the registrations of ``B1`` made by
    the 学籍 export): the roster the file is matched against (student id, 学籍号, 考号, school,
    class) kept aside, and exam B1's registrations removed so that the peer writes them as
    ours does."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE TABLE peer_roster AS SELECT s.student_id, s.national_id, "
                    "r.exam_number, r.school_code, r.class_id FROM student s "
                    "JOIN exam_registration r USING (student_id) WHERE r.exam_id = 'B1'")
        con.execute("DELETE FROM exam_registration WHERE exam_id = 'B1'")
        con.execute("VACUUM ANALYZE")


def _number(column: str, typed: bool) -> str:
    """The cell of ``column`` as a number, NULL when blank or not a number (``typed``: the
    column was read as numbers already)."""
    if typed:
        return column
    return f"CASE WHEN {column} ~ '{_NUMBER}' THEN CAST({column} AS DOUBLE PRECISION) END"


def _sniff(text: str, names: list[str], rows: int = 20_000) -> set[str]:
    """The columns whose first ``rows`` cells are all numbers or blank (DuckDB's sniffer
    reads the same sample to type a column)."""
    import csv
    import io
    import itertools

    numeric = set(names)
    for row in itertools.islice(csv.reader(io.StringIO(text)), rows):
        for name, cell in zip(names, row, strict=False):
            if name in numeric and cell.strip():
                try:
                    float(cell)
                except ValueError:
                    numeric.discard(name)
    return numeric


def load_postgresql(url: str, file: Path, lay: Layout, subject: str | None
                    ) -> tuple[float, dict[str, int]]:
    """Read ``file`` (.csv) and insert its rows into the peer database at ``url``: (seconds,
    rows per table)."""
    import psycopg

    with psycopg.connect(url) as con:
        t0 = time.perf_counter()
        data = file.read_bytes()
        if lay.kind == "marking":   # GBK, two header rows: decoded and cut by Python
            data = data.decode("gbk").split("\n", lay.header_rows)[-1].encode()
            names = lay.names() or []
        else:
            first, data = data.split(b"\n", 1)
            names = first.decode().strip().split(",")
        numeric = _sniff(data[:4 << 20].decode(errors="ignore"), names) & set(lay.scores)
        columns = ", ".join(f"{_q(n)} {'DOUBLE PRECISION' if n in numeric else 'TEXT'}"
                            for n in names)
        con.execute(f"CREATE TEMP TABLE f ({columns})")
        with con.cursor().copy("COPY f FROM STDIN (FORMAT csv)") as copy:
            copy.write(data)
        con.execute(f"CREATE TEMP TABLE j AS SELECT r.student_id, r.school_code, r.class_id, "
                    f"f.* FROM f JOIN peer_roster r ON r.{lay.roster_key} = f.{_q(lay.key)}")
        con.execute("INSERT INTO exam_registration SELECT 'B1', student_id, \"考号\", "
                    "school_code, class_id FROM j")
        if lay.kind == "totals":
            values = ", ".join(f"('B1/{SUBJECTS.parse(s)}', {_number(_q(s), s in numeric)})"
                               for s in lay.scores)
            con.execute(
                "INSERT INTO subject_result SELECT u.paper_id, j.student_id, "
                "CASE WHEN u.score IS NULL THEN 'absent' ELSE 'present' END, u.score "
                f"FROM j CROSS JOIN LATERAL (VALUES {values}) AS u(paper_id, score)")
        else:
            paper = f"B1/{SUBJECTS.parse(subject or '')}"
            scores = [_number(_q(c), c in numeric) for c in lay.scores]
            total = " + ".join(f"coalesce({s}, 0)" for s in scores)
            blank = f"coalesce({', '.join(scores)}) IS NULL"
            con.execute(
                f"INSERT INTO subject_result SELECT '{paper}', student_id, "
                f"CASE WHEN {blank} THEN 'absent' ELSE 'present' END, "
                f"CASE WHEN {blank} THEN NULL ELSE {total} END FROM j")
            values = ", ".join(f"({c}, {s})" for c, s in zip(lay.scores, scores, strict=True))
            con.execute(
                f"INSERT INTO item_score (paper_id, student_id, seq, score) "
                f"SELECT '{paper}', j.student_id, u.seq, u.score FROM j "
                f"CROSS JOIN LATERAL (VALUES {values}) AS u(seq, score) "
                "WHERE u.score IS NOT NULL")
        con.commit()
        seconds = time.perf_counter() - t0
        counts = {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
                  for t in ("exam_registration", "subject_result", "item_score")}
    return seconds, counts
