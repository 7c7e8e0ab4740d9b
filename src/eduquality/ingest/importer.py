"""Imports as a whole: file hash, the 'unchanged' shortcut, one transaction, the import log.

Every import reads and checks the whole file first. With any problem nothing is written: the full
list goes to an error file (next to the input, or ``errors``) and :class:`ImportProblems` is
raised. Otherwise everything is written in one transaction (``db.write()``, integrity checked
before commit) together with its ``import_log`` row (when, by whom, file hash, counts). A file
whose hash equals the last one imported for the same kind, target and file name is not read
again: the log records the outcome 'unchanged'.
"""

from __future__ import annotations

import getpass
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from eduquality.i18n import register, tr
from eduquality.ingest.problems import (
    ImportProblems,
    Problems,
    default_error_path,
    write_error_file,
)
from eduquality.ingest.readers import RawSheet, read_sheets
from eduquality.store.db import Database

MESSAGES = register({
    "ingest.empty_file": ("文件中没有任何数据", "the file holds no data"),
    "ingest.formula_no_value": (
        "公式单元格没有计算结果（请在 Excel 中打开并保存后再导入，或改为数值）",
        "formula cell without a calculated value (open and save the file in Excel, "
        "or enter the value)",
    ),
    "ingest.step_read": ("读取 {file} …", "reading {file} …"),
    "ingest.step_check": ("校验 {n} 行 …", "checking {n} rows …"),
    "ingest.step_write": ("写入数据库 …", "writing to the database …"),
})


class Progress(Protocol):
    def __call__(self, message: str) -> None: ...


@dataclass
class ImportResult:
    """What an import did. ``outcome`` is 'imported' or 'unchanged'."""

    kind: str
    file: str
    sha256: str
    outcome: str
    rows_read: int = 0
    rows_written: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    """Lines the summary states besides the counts, in the import's language (the year used,
    what was created, the columns ignored …)."""


class Plan(Protocol):
    rows_read: int
    counts: dict[str, int]

    def write(self, con: Any) -> int: ...


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def current_user(user: str | None = None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers)
        return "unknown"


def _last_hash(db: Database, kind: str, target: str | None, file_name: str) -> str | None:
    value = db.scalar(
        """SELECT file_sha256 FROM import_log
           WHERE kind = ? AND target IS NOT DISTINCT FROM ? AND file_name = ?
             AND outcome = 'imported'
           ORDER BY import_id DESC LIMIT 1""",
        [kind, target, file_name],
    )
    return None if value is None else str(value)


def _log(con: Any, kind: str, path: Path, sha: str, target: str | None, user: str,
         rows_read: int, rows_written: int, outcome: str) -> int:
    row = con.execute(
        """INSERT INTO import_log (kind, file_name, file_sha256, target, imported_by, rows_read,
                                   rows_written, outcome)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING import_id""",
        [kind, path.name, sha, target, user, rows_read, rows_written, outcome],
    ).fetchall()
    return int(row[0][0]) if row else 0


def formula_problems(sheets: list[RawSheet], problems: Problems) -> None:
    from eduquality.ingest.readers import column_letter

    for raw in sheets:
        for r, c in raw.formulas_without_value:
            problems.add("ingest.formula_no_value", sheet=raw.name, row=r + 1,
                         column=column_letter(c))


def run_import(db: Database, path: str | Path, kind: str, target: str | None,
               build: Callable[[list[RawSheet], Problems], Plan], *, sheet: str | None = None,
               lang: str | None = None, user: str | None = None,
               errors: str | Path | None = None, progress: Progress | None = None,
               force: bool = False) -> ImportResult:
    """Read ``path``, let ``build`` check it into a plan, write the plan in one transaction."""
    lang = lang or db.lang
    path = Path(path)
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    from eduquality.ingest.readers import ReadError

    if not path.is_file():
        raise ReadError(tr("ingest.file_missing", lang, path=path))
    sha = file_sha256(path)
    who = current_user(user)
    if not force and _last_hash(db, kind, target, path.name) == sha:
        with db.write() as con:
            import_id = _log(con, kind, path, sha, target, who, 0, 0, "unchanged")
        return ImportResult(kind, path.name, sha, "unchanged", import_id=import_id,
                            seconds=time.perf_counter() - started)
    say(tr("ingest.step_read", lang, file=path.name))
    sheets = read_sheets(path, sheet, lang)
    problems = Problems(path.name)
    if not sheets or all(len(s.cells) == 0 for s in sheets):
        problems.add("ingest.empty_file")
        _fail(problems, path, lang, errors)
    formula_problems(sheets, problems)
    say(tr("ingest.step_check", lang, n=sum(len(s.cells) for s in sheets)))
    plan = build(sheets, problems)
    if not problems and plan.rows_read == 0:
        problems.add("ingest.empty_file")
    if problems:
        _fail(problems, path, lang, errors)
    say(tr("ingest.step_write", lang))
    with db.write() as con:
        written = plan.write(con)
        import_id = _log(con, kind, path, sha, target, who, plan.rows_read, written, "imported")
    return ImportResult(kind, path.name, sha, "imported", plan.rows_read, written,
                        dict(plan.counts), import_id, time.perf_counter() - started,
                        list(getattr(plan, "notes", [])))


def _fail(problems: Problems, path: Path, lang: str, errors: str | Path | None) -> None:
    target = Path(errors) if errors else default_error_path(path, lang)
    try:
        written: Path | None = write_error_file(problems.items, target, lang)
    except OSError:
        written = None
    raise ImportProblems(problems.items, lang, written)
