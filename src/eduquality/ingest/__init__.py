"""Readers for the files schools send, validation, and all-or-nothing imports.

Public API (each call writes, in one transaction, or raises
:class:`~eduquality.ingest.problems.ImportProblems` listing every problem of the file)::

    import_roster(db, "学校名册.xlsx")
    import_paper(db, "2021期末试卷结构.xlsx")
    import_scores(db, "数学小题分.xlsx", "2021-G9-FINAL", subject="数学")

Each returns an :class:`~eduquality.ingest.importer.ImportResult` (outcome 'imported' or
'unchanged', counts). Formats: ``docs/file-formats.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from eduquality.ingest.headers import parse_map
from eduquality.ingest.importer import ImportResult, Progress, run_import
from eduquality.ingest.paper import plan_paper
from eduquality.ingest.problems import ImportProblems, Problem
from eduquality.ingest.readers import ReadError, read_sheets
from eduquality.ingest.roster import plan_roster
from eduquality.ingest.roster_cells import roster_year
from eduquality.ingest.scores import plan_scores
from eduquality.store.db import Database

__all__ = ["ImportProblems", "ImportResult", "Problem", "ReadError", "import_paper",
           "import_roster", "import_scores"]

MapArg = Iterable[str] | Mapping[str, str] | None


def import_roster(db: Database, path: str | Path, *, kind: str | None = None,
                  mapping: MapArg = None, sheet: str | None = None, year: str | None = None,
                  exam: str | None = None, today: dt.date | None = None,
                  lang: str | None = None, user: str | None = None,
                  errors: str | Path | None = None, progress: Progress | None = None,
                  force: bool = False) -> ImportResult:
    """Import a roster workbook or CSV (every sheet, or ``sheet``). Writes.

    ``year``: the school year of sheets without a 学年 column (default: the one containing
    ``today``); ``exam``: register the students' 考号 for that exam."""
    lang = lang or db.lang
    user_map = parse_map(mapping, lang)
    name = Path(path).name
    given = roster_year(year, today, lang)
    target = f"{name} {given.code}" + (f" {exam}" if exam else "")
    return run_import(
        db, path, "roster", target,
        lambda sheets, problems: plan_roster(db, name, sheets, problems, kind, user_map, lang,
                                             given, exam),
        sheet=sheet, lang=lang, user=user, errors=errors, progress=progress, force=force)


def import_paper(db: Database, path: str | Path, *, exam_id: str | None = None,
                 exam_info: str | Path | None = None, mapping: MapArg = None,
                 lang: str | None = None, user: str | None = None,
                 errors: str | Path | None = None, progress: Progress | None = None,
                 force: bool = False) -> ImportResult:
    """Import an exam and its papers' item structure. Writes.

    A CSV holds only the item structure: give the exam with ``exam_info`` (a CSV of the 考试信息
    fields) or ``exam_id`` (an exam already in the database)."""
    lang = lang or db.lang
    user_map = parse_map(mapping, lang)
    name = Path(path).name
    info = read_sheets(exam_info, lang=lang) if exam_info else None
    return run_import(
        db, path, "paper", exam_id,
        lambda sheets, problems: plan_paper(db, name, sheets, problems, exam_id, info,
                                            user_map, lang),
        lang=lang, user=user, errors=errors, progress=progress, force=force)


def import_scores(db: Database, path: str | Path, exam_id: str, subject: str | None = None, *,
                  track: str | None = None, mapping: MapArg = None, sheet: str | None = None,
                  lang: str | None = None, user: str | None = None,
                  errors: str | Path | None = None, progress: Progress | None = None,
                  force: bool = False) -> ImportResult:
    """Import a score sheet of ``exam_id`` (item level for ``subject``, or subject totals).
    Writes."""
    lang = lang or db.lang
    user_map = parse_map(mapping, lang)
    name = Path(path).name
    target = exam_id + (f"/{subject}" if subject else "")
    return run_import(
        db, path, "scores", target,
        lambda sheets, problems: plan_scores(db, name, sheets, problems, exam_id, subject,
                                             track, user_map, lang),
        sheet=sheet, lang=lang, user=user, errors=errors, progress=progress, force=force)
