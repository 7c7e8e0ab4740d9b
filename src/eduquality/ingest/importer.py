"""Imports as a whole: file hash, the 'unchanged' shortcut, one transaction, the import log.

Every import reads and checks the whole file first. With any problem nothing is written: the full
list goes to an error file (next to the input, or ``errors``) and :class:`ImportProblems` is
raised. Otherwise everything is written in one transaction (``db.write()``, integrity checked
before commit) together with its ``import_log`` row (when, by whom, file hash, counts). A file
whose hash equals the last one imported for the same kind, target and file name is not read
again: the log records the outcome 'unchanged'.

Imports side by side (PostgreSQL): the write transaction first holds the import's locks
(``locks(plan)``, by default its kind and target: :mod:`eduquality.store.imports` says which
import is keyed on what), saying when it waits. The plan is checked against the rows the database
holds when it is made; if any import committed since (:func:`~eduquality.store.imports.imports_seen`
grew, as after waiting for another import into the same exam), it is made again under the locks,
with the same checks, so no import writes a plan made against rows another import has since
replaced.

``check=True`` is the dry run (``import check``): the same reading and the same ``build`` (the
``plan_*`` function), then no write, no log row and no error file: the result carries the
problems, the column mapping and the rows the plan would write (outcome 'checked').

Mapping templates (:mod:`eduquality.ingest.templates`): with ``options``, a template named by
``template`` or found by the file's header fingerprints fills in the ``--map`` pairs and options
the user did not give before ``build`` runs (the result names it); ``save_template`` saves the
mapping that worked in the import's own transaction.
"""

from __future__ import annotations

import getpass
import hashlib
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from eduquality.i18n import register, tr
from eduquality.ingest.problems import (
    ImportProblems,
    Phrase,
    Problem,
    Problems,
    default_error_path,
    listed,
    phrase,
    write_error_file,
)
from eduquality.ingest.readers import RawSheet, read_sheets
from eduquality.ingest.templates import (
    ImportOptions,
    SheetMapping,
    choose_template,
    file_fingerprints,
)
from eduquality.store.db import Database
from eduquality.store.imports import (
    ImportLock,
    hold_import_locks,
    imports_seen,
    last_imported_hash,
    log_import,
)
from eduquality.store.templates import save_template

MESSAGES = register({
    "ingest.note_ignored": ("工作表「{sheet}」中已忽略的列（不导入）：{columns}",
                            "sheet '{sheet}': columns ignored (not imported): {columns}"),
    "ingest.empty_file": ("文件中没有任何数据", "the file holds no data"),
    "ingest.note_hidden_sheet": (
        "已跳过隐藏的工作表「{sheet}」（隐藏的工作表不导入；要导入它，请在 Excel 中取消隐藏，"
        "或用 --sheet 指明）",
        "hidden sheet '{sheet}' skipped (hidden sheets are not imported; to import it, unhide "
        "it in Excel or name it with --sheet)",
    ),
    "ingest.formula_no_value": (
        "公式单元格没有计算结果（请在 Excel 中打开并保存后再导入，或改为数值）",
        "formula cell without a calculated value (open and save the file in Excel, "
        "or enter the value)",
    ),
    "ingest.step_read": ("读取 {file} …", "reading {file} …"),
    "ingest.step_check": ("校验 {n} 行 …", "checking {n} rows …"),
    "ingest.step_write": ("写入数据库 …", "writing to the database …"),
    "ingest.check_needs_exam": ("检查成绩表需要用 --exam 指明考试",
                                "checking a score sheet needs the exam: --exam EXAM"),
    "ingest.district_data": (
        "此文件包含全区数据（{kinds}），只能由管理员或教研员导入",
        "this file holds district-wide data ({kinds}): only an administrator or a researcher "
        "may import it",
    ),
    "ingest.other_schools": (
        "此文件包含其他学校的数据（{schools}），只能导入本校（{own}）的数据",
        "this file holds data of other schools ({schools}): you may import your own school's "
        "({own}) only",
    ),
})


def visible_sheets(sheets: list[RawSheet], named: str | None) -> tuple[list[RawSheet],
                                                                       list[Phrase]]:
    """The sheets an import reads: a workbook's hidden sheets (an old copy, a vendor's lookup
    lists) are left out, each with a note for the summary, unless the user named the sheet."""
    if named is not None:
        return sheets, []
    return ([s for s in sheets if not s.hidden],
            [phrase("ingest.note_hidden_sheet", sheet=s.name) for s in sheets if s.hidden])


def ignored_note(sheet: str, columns: list[str]) -> Phrase:
    """The summary line naming a sheet's recognised columns that the import does not store
    (考号 of a roster without --exam, ranks and grades of a score sheet …)."""
    return phrase("ingest.note_ignored", sheet=sheet, columns=listed(columns))


class Progress(Protocol):
    def __call__(self, message: str) -> None: ...


@dataclass
class ImportResult:
    """What an import did. ``outcome`` is 'imported', 'unchanged' or 'checked' (dry run:
    ``counts`` are the rows the plan would write, ``problems`` what stops it). ``template``: the
    mapping template applied, ``template_how``: 'named' (``--template``) or 'headers' (found by
    fingerprint); ``template_saved``: the name it was saved under. ``notes``: lines
    for the summary (columns ignored …), from the plan's ``notes``, as message keys rendered in
    the reader's language where they are shown (:meth:`note_lines`)."""

    kind: str
    file: str
    sha256: str
    outcome: str
    rows_read: int = 0
    rows_written: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    import_id: int | None = None
    seconds: float = 0.0
    mapping: list[SheetMapping] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    template: str | None = None
    template_how: str | None = None
    template_saved: str | None = None
    notes: list[Phrase] = field(default_factory=list)
    """Lines the summary states besides the counts (the year used, what was created, the
    columns ignored …): message keys and their parameters, in no language yet."""

    def note_lines(self, lang: str = "zh") -> list[str]:
        """The :attr:`notes` in ``lang`` ('zh' or 'en'), for the CLI and the web to show."""
        return [note.render(lang) for note in self.notes]


class Plan(Protocol):
    rows_read: int
    counts: dict[str, int]

    def write(self, con: Any) -> int: ...


def check_schools(plan: Plan, allowed: frozenset[str], problems: Problems) -> None:
    """The rule for an import limited to ``allowed`` schools (a school's own upload): every row
    the plan would write must belong to one of them. A plan's ``schools()`` names the schools
    its rows belong to (for scores: the students' schools in the roster, not what the file
    says), or returns None when it writes district-wide data (the district, school years,
    schools, exams and papers), which only the district may import; a plan without
    ``schools()`` counts as district-wide (fails closed)."""
    from eduquality.ingest.problems import listed

    touched = getattr(plan, "schools", None)
    schools = touched() if callable(touched) else None
    if schools is None:
        kinds: list[str] = getattr(plan, "district_kinds", lambda: [])()
        problems.add("ingest.district_data", kinds=listed(kinds or ["-"]))
        return
    other = sorted(set(schools) - allowed)
    if other:
        problems.add("ingest.other_schools", schools=listed(other), own=listed(sorted(allowed)))


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
               force: bool = False, check: bool = False, options: ImportOptions | None = None,
               template: str | None = None, save_as: str | None = None,
               sheets: list[RawSheet] | None = None,
               only_schools: frozenset[str] | None = None,
               locks: Callable[[Any], list[ImportLock]] | None = None) -> ImportResult:
    """Read ``path`` (or take its ``sheets`` already read), let ``build`` check it into a plan,
    write the plan in one transaction (``check``: only report what would be written).
    ``only_schools``: the rows must all belong to these schools (:func:`check_schools`), else
    that is a problem of the file like any other. ``locks``: what the plan writes, to take
    turns on (default: ``kind`` and ``target``); it must depend on the file and the arguments
    only, not on the database."""
    lang = lang or db.lang
    path = Path(path)
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    from eduquality.ingest.readers import ReadError

    if not path.is_file():
        raise ReadError(tr("ingest.file_missing", lang, path=path))
    sha = file_sha256(path)
    who = current_user(user)
    if (not force and not check and save_as is None
            and last_imported_hash(db, kind, target, path.name) == sha):
        with db.write() as con:
            import_id = log_import(con, kind, path.name, sha, target, who, 0, 0, "unchanged")
        return ImportResult(kind, path.name, sha, "unchanged", import_id=import_id,
                            seconds=time.perf_counter() - started)
    if sheets is None:
        say(tr("ingest.step_read", lang, file=path.name))
        sheets = read_sheets(path, sheet, lang)
    sheets, hidden_notes = visible_sheets(sheets, sheet)
    used = None
    if options is not None:
        used = choose_template(db, kind, sheets, template, lang)
        if used is not None:
            options.apply(used)
        wanted = options.settings.get("sheet")
        if sheet is None and wanted and any(s.name == wanted for s in sheets):
            sheets = [s for s in sheets if s.name == wanted]
    problems = Problems(path.name)
    result = ImportResult(kind, path.name, sha, "checked" if check else "imported",
                          template=None if used is None else used.name,
                          template_how=None if used is None else
                          ("named" if template else "headers"))
    if not sheets or all(s.n_rows == 0 for s in sheets):
        problems.add("ingest.empty_file")
        if check:
            return _checked(result, problems, None, started)
        _fail(problems, path, lang, errors)
    say(tr("ingest.step_check", lang, n=sum(s.n_rows for s in sheets)))

    def make_plan(problems: Problems) -> Plan:
        formula_problems(sheets, problems)
        plan = build(sheets, problems)
        if only_schools is not None:
            check_schools(plan, only_schools, problems)
        result.mapping = list(getattr(plan, "mapping", []))
        result.notes = [*hidden_notes, *getattr(plan, "notes", [])]
        if not problems and plan.rows_read == 0:
            problems.add("ingest.empty_file")
        return plan

    seen = imports_seen(db)
    plan = make_plan(problems)
    if check:
        return _checked(result, problems, plan, started)
    if problems:
        _fail(problems, path, lang, errors)
    say(tr("ingest.step_write", lang))
    held = locks(plan) if locks is not None else [ImportLock(kind, target)]

    def score_papers() -> Collection[str] | None:
        """The papers whose scores the plan wrote (its ``score_papers()``), for the integrity
        check to look at; None (every paper) for a plan that does not name them."""
        named = getattr(plan, "score_papers", None)
        return named() if callable(named) else None

    with db.write(papers=score_papers) as con:
        hold_import_locks(con, held, lang, say)
        if imports_seen(con) != seen:   # another import committed since: check again
            problems = Problems(path.name)
            plan = make_plan(problems)
            if problems:
                _fail(problems, path, lang, errors)
        written = plan.write(con)
        import_id = log_import(con, kind, path.name, sha, target, who, plan.rows_read,
                               written, "imported")
        if save_as is not None and options is not None:
            save_template(con, options.to_template(
                save_as, kind, file_fingerprints(sheets, result.mapping)), who)
            result.template_saved = save_as
    result.rows_read, result.rows_written = plan.rows_read, written
    result.counts, result.import_id = dict(plan.counts), import_id
    result.seconds = time.perf_counter() - started
    return result


def _checked(result: ImportResult, problems: Problems, plan: Plan | None,
             started: float) -> ImportResult:
    """The dry run's result: what the plan would write (its ``preview()``), nothing written."""
    result.problems = list(problems.items)
    if plan is not None:
        result.rows_read = plan.rows_read
        preview = getattr(plan, "preview", None)
        result.counts = dict(preview()) if callable(preview) and not problems else {}
    result.seconds = time.perf_counter() - started
    return result


def _fail(problems: Problems, path: Path, lang: str, errors: str | Path | None) -> None:
    target = Path(errors) if errors else default_error_path(path, lang)
    try:
        written: Path | None = write_error_file(problems.items, target, lang)
    except OSError:
        written = None
    raise ImportProblems(problems.items, lang, written)
