"""The imports of :mod:`eduquality.ingest` (its public API, loaded when first used): roster,
paper and score files, the dry run :func:`check_file`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path

from eduquality.ingest.headers import find_header_row, parse_map
from eduquality.ingest.importer import ImportResult, Progress, run_import
from eduquality.ingest.layouts import PAPER_ITEMS
from eduquality.ingest.paper import plan_paper
from eduquality.ingest.problems import ImportProblems, Problem
from eduquality.ingest.proficiency import import_proficiency, looks_like_proficiency
from eduquality.ingest.readers import RawSheet, ReadError, read_sheets
from eduquality.ingest.roster import plan_roster
from eduquality.ingest.roster_cells import roster_year
from eduquality.ingest.scores import plan_scores
from eduquality.ingest.templates import ImportOptions
from eduquality.ingest.values import norm_header
from eduquality.store.db import Database
from eduquality.store.imports import ImportLock, exam_lock

__all__ = ["ImportProblems", "ImportResult", "Problem", "ReadError", "check_file",
           "detect_import_kind", "import_paper", "import_roster", "import_scores"]

MapArg = Iterable[str] | Mapping[str, str] | None


def import_roster(db: Database, path: str | Path, *, kind: str | None = None,
                  mapping: MapArg = None, sheet: str | None = None, year: str | None = None,
                  exam: str | None = None, today: dt.date | None = None,
                  lang: str | None = None, user: str | None = None,
                  errors: str | Path | None = None, progress: Progress | None = None,
                  force: bool = False, template: str | None = None,
                  save_template: str | None = None, check: bool = False,
                  sheets: list[RawSheet] | None = None,
                  only_schools: frozenset[str] | None = None) -> ImportResult:
    """Import a roster workbook or CSV (every sheet, or ``sheet``). Writes (unless ``check``).

    ``year``: the school year of sheets without a 学年 column (default: the one containing
    ``today``); ``exam``: register the students' 考号 for that exam. Rosters take turns with
    each other, and with ``exam`` with that exam's imports (:mod:`eduquality.store.imports`)."""
    lang = lang or db.lang
    opts = ImportOptions(parse_map(mapping, lang), {"kind": kind, "sheet": sheet})
    name = Path(path).name
    given = roster_year(year, today, lang)
    target = f"{name} {given.code}" + (f" {exam}" if exam else "")
    return run_import(
        db, path, "roster", target,
        lambda raws, problems: plan_roster(db, name, raws, problems, opts.settings["kind"],
                                           opts.mapping, lang, given, exam, check),
        sheet=sheet, lang=lang, user=user, errors=errors, progress=progress, force=force,
        check=check, options=opts, template=template, save_as=save_template, sheets=sheets,
        only_schools=only_schools,
        locks=lambda _plan: [ImportLock("roster")] + ([exam_lock(exam)] if exam else []))


def import_paper(db: Database, path: str | Path, *, exam_id: str | None = None,
                 exam_info: str | Path | None = None, mapping: MapArg = None,
                 lang: str | None = None, user: str | None = None,
                 errors: str | Path | None = None, progress: Progress | None = None,
                 force: bool = False, template: str | None = None,
                 save_template: str | None = None, check: bool = False,
                 sheets: list[RawSheet] | None = None,
                 only_schools: frozenset[str] | None = None) -> ImportResult:
    """Import an exam and its papers' item structure. Writes (unless ``check``).

    A CSV holds only the item structure: give the exam with ``exam_info`` (a CSV of the 考试信息
    fields) or ``exam_id`` (an exam already in the database). Takes turns with the other imports
    into the exam (the one given, or the one the file names)."""
    lang = lang or db.lang
    opts = ImportOptions(parse_map(mapping, lang))
    name = Path(path).name
    info = read_sheets(exam_info, lang=lang) if exam_info else None
    return run_import(
        db, path, "paper", exam_id,
        lambda raws, problems: plan_paper(db, name, raws, problems, exam_id, info,
                                          opts.mapping, lang),
        lang=lang, user=user, errors=errors, progress=progress, force=force, check=check,
        options=opts, template=template, save_as=save_template, sheets=sheets,
        only_schools=only_schools, locks=lambda plan: [exam_lock(e) for e in plan.exam_ids()])


def import_scores(db: Database, path: str | Path, exam_id: str, subject: str | None = None, *,
                  track: str | None = None, mapping: MapArg = None, sheet: str | None = None,
                  lang: str | None = None, user: str | None = None,
                  errors: str | Path | None = None, progress: Progress | None = None,
                  force: bool = False, template: str | None = None,
                  save_template: str | None = None, check: bool = False,
                  sheets: list[RawSheet] | None = None,
                  only_schools: frozenset[str] | None = None) -> ImportResult:
    """Import a score sheet of ``exam_id`` (item level for ``subject``, or subject totals).
    Writes (unless ``check``). Takes turns with the other imports into ``exam_id``, whatever
    their subject."""
    lang = lang or db.lang
    opts = ImportOptions(parse_map(mapping, lang),
                         {"subject": subject, "track": track, "sheet": sheet})
    name = Path(path).name
    target = exam_id + (f"/{subject}" if subject else "")
    return run_import(
        db, path, "scores", target,
        lambda raws, problems: plan_scores(db, name, raws, problems, exam_id,
                                           opts.settings["subject"], opts.settings["track"],
                                           opts.mapping, lang),
        sheet=sheet, lang=lang, user=user, errors=errors, progress=progress, force=force,
        check=check, options=opts, template=template, save_as=save_template, sheets=sheets,
        only_schools=only_schools, locks=lambda _plan: [exam_lock(exam_id)])


IMPORT_KINDS = ("roster", "paper", "scores", "proficiency")


def detect_import_kind(sheets: list[RawSheet], exam_id: str | None = None) -> str:
    """'paper' when a sheet is named 考试信息/试卷结构 or has the paper structure's headers (学科,
    题号, 题型, 满分); else 'scores' when an exam is given; else 'proficiency' for 合格考 results
    (:func:`~eduquality.ingest.proficiency.looks_like_proficiency`); else 'roster'."""
    paper_names = {"考试信息", "试卷结构", "exam", "examinfo", "items", "paper"}
    known = set(PAPER_ITEMS.lookup())
    for raw in sheets:
        if norm_header(raw.name) in paper_names:
            return "paper"
        row = find_header_row(raw, known, min_hits=4)
        if raw.n_rows and sum(norm_header(t) in known for t in raw.row(row)) >= 4:
            return "paper"
    if exam_id:
        return "scores"
    return "proficiency" if looks_like_proficiency(sheets) else "roster"


def check_file(db: Database, path: str | Path, *, kind: str | None = None,
               exam_id: str | None = None, subject: str | None = None, track: str | None = None,
               roster_kind: str | None = None, exam_info: str | Path | None = None,
               mapping: MapArg = None, sheet: str | None = None, template: str | None = None,
               year: str | None = None, lang: str | None = None,
               sheets: list[RawSheet] | None = None,
               only_schools: frozenset[str] | None = None) -> ImportResult:
    """The dry run of the import ``kind`` (default: :func:`detect_import_kind`): the same reading
    and checks as the import, nothing written. The result's ``kind``, ``mapping``, ``counts``,
    ``problems`` and ``notes`` say what the import would do. ``year`` (a roster: the school year
    of sheets without a 学年 column) and ``exam_id`` (a roster: the exam to register its 考号
    for) as :func:`import_roster` takes them. ``sheets``: the file's sheets already read (the
    web upload reads them once, after its size checks); ``only_schools`` as for the
    imports."""
    lang = lang or db.lang
    if sheets is None:
        sheets = read_sheets(path, sheet, lang)
    kind = kind or detect_import_kind(sheets, exam_id)
    if kind == "scores":
        if exam_id is None:
            from eduquality.errors import EduQualityError
            from eduquality.i18n import tr

            raise EduQualityError(tr("ingest.check_needs_exam", lang))
        return import_scores(db, path, exam_id, subject, track=track, mapping=mapping,
                             sheet=sheet, lang=lang, template=template, check=True,
                             sheets=sheets, only_schools=only_schools)
    if kind == "paper":
        return import_paper(db, path, exam_id=exam_id, exam_info=exam_info, mapping=mapping,
                            lang=lang, template=template, check=True, sheets=sheets,
                            only_schools=only_schools)
    if kind == "proficiency":
        return import_proficiency(db, path, lang=lang, check=True, sheets=sheets,
                                  only_schools=only_schools)
    return import_roster(db, path, kind=roster_kind, mapping=mapping, sheet=sheet, year=year,
                         exam=exam_id, lang=lang, template=template, check=True, sheets=sheets,
                         only_schools=only_schools)
