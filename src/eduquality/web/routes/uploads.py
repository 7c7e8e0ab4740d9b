"""Uploads (issue 11 §3): a school or the district sends a roster, a paper or a score sheet.

``GET /uploads`` is the form. ``POST /uploads`` checks the upload's size before its body is
read, keeps the file in the temporary area (:class:`~eduquality.web.uploads.PendingUploads`),
refuses zip bombs and oversized sheets before any reader opens it
(:func:`~eduquality.web.uploads.check_workbook`), then runs the importer's own dry run
(:func:`eduquality.ingest.check_file`, what ``eduquality import check`` runs) and shows the
detected kind, the column mapping, the rows it would write and every problem row by row;
nothing is written. ``POST /uploads/{token}/import`` imports the same file all-or-nothing
(the importer's transaction); ``POST /uploads/{token}/cancel`` drops it. A principal's upload
is limited to the own school (the importers' ``only_schools``: a row of another school or
district-wide data is a problem of the file). Who may upload: the ``import_files`` action
(admin, researcher, principal); for anyone else the pages answer 404. Every dry run, import
and refusal is audited ('import', 'denied').

The dry run and the import run in a worker thread over their own database cursor (as the
analysis cache does), one import at a time, so the other users' pages keep being served.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile

from eduquality.errors import EduQualityError, NotFoundError
from eduquality.i18n import register
from eduquality.ingest import (
    IMPORT_KINDS,
    ImportProblems,
    ImportResult,
    check_file,
    import_paper,
    import_roster,
    import_scores,
)
from eduquality.ingest.problems import Problem, problems_frame
from eduquality.ingest.readers import CSV_SUFFIXES, read_sheets
from eduquality.store import Database
from eduquality.store.audit import audit
from eduquality.store.exams import exam_list
from eduquality.store.scoped import scoped_exams
from eduquality.web.auth import SESSION_COOKIE
from eduquality.web.deps import Ctx, CtxDep
from eduquality.web.forms import form_text, off_loop, require_csrf, require_page
from eduquality.web.uploads import (
    UPLOAD_SUFFIXES,
    Pending,
    UploadLimits,
    UploadRefused,
    check_cells,
    check_suffix,
    check_workbook,
    human_bytes,
)

MESSAGES = register({
    "web.nav.uploads": ("上传", "Upload"),
    "web.upload.title": ("上传名册、试卷结构或成绩", "Upload a roster, paper or score sheet"),
    "web.upload.intro": (
        "上传后先检查（不写入任何数据）：显示识别的类型、列映射和每一个问题；确认后才整体导入，"
        "有任何问题则什么都不导入。文件上限 {limit}，支持 .xlsx、.csv 与 .txt（制表符分隔）。",
        "An upload is checked first and nothing is written: you see the kind found, the "
        "column mapping and every problem; it is imported, all or nothing, only when you "
        "confirm. At most {limit}; .xlsx, .csv or .txt (tab-separated).",
    ),
    "web.upload.own_school": ("您只能导入本校（{school}）的数据。",
                              "You may import your own school's ({school}) data only."),
    "web.upload.file": ("文件", "File"),
    "web.upload.kind": ("类型", "Kind"),
    "web.upload.kind_auto": ("自动识别", "Detect"),
    "web.upload.kind_roster": ("名册", "Roster"),
    "web.upload.kind_paper": ("考试与试卷结构", "Exam and paper"),
    "web.upload.kind_scores": ("成绩", "Scores"),
    "web.upload.kind_proficiency": ("合格考成绩", "合格考 results"),
    "web.upload.exam": ("考试（成绩表必填）", "Exam (for a score sheet)"),
    "web.upload.subject": ("学科（小题分表，可选）", "Subject (item scores, optional)"),
    "web.upload.none": ("—", "—"),
    "web.upload.check": ("上传并检查", "Upload and check"),
    "web.upload.checked_title": ("检查结果：{file}", "Check of {file}"),
    "web.upload.detected": ("识别为：{kind}", "Read as: {kind}"),
    "web.upload.mapping": ("工作表「{sheet}」（{kind}），表头第 {rows} 行",
                           "Sheet '{sheet}' ({kind}), header row {rows}"),
    "web.upload.col_letter": ("列", "Column"),
    "web.upload.col_header": ("表头", "Header"),
    "web.upload.col_field": ("读作", "Read as"),
    "web.upload.ignored": ("（忽略）", "(ignored)"),
    "web.upload.would_write": ("将写入：", "Would write: "),
    "web.upload.rows_read": ("读取 {n} 行", "{n} rows read"),
    "web.upload.problems": ("发现 {n} 个问题，不能导入。请修改文件后重新上传。",
                            "{n} problem(s): the file cannot be imported. Fix it and upload "
                            "it again."),
    "web.upload.ok": ("没有问题：确认后导入（本次检查未写入任何数据）。",
                      "No problems: confirm to import (the check wrote nothing)."),
    "web.upload.confirm": ("确认导入", "Import"),
    "web.upload.cancel": ("取消", "Cancel"),
    "web.upload.expires": ("上传的文件只保留 {minutes} 分钟。",
                           "The uploaded file is kept for {minutes} minutes."),
    "web.upload.done_title": ("已导入：{file}", "Imported: {file}"),
    "web.upload.done": ("读取 {read} 行，数据库新增或更改 {written} 行。",
                        "{read} rows read, {written} database rows added or changed."),
    "web.upload.unchanged": ("此文件与上次导入的完全相同，未重复导入。",
                             "This very file was imported before: nothing changed."),
    "web.upload.failed_title": ("未导入：{file}", "Not imported: {file}"),
    "web.upload.refused_title": ("上传被拒绝", "Upload refused"),
    "web.upload.another": ("上传其他文件", "Upload another file"),
    "web.upload.gone": ("上传的文件已过期或不存在，请重新上传。",
                        "The upload has expired or does not exist: upload the file again."),
})

router = APIRouter(prefix="/uploads", tags=["uploads"])

FORM_ROOM = 64 << 10
"""Bytes a request may carry besides the file (the form's other fields, multipart framing)."""

_IMPORTS_LOCK = "upload_lock"


def _limits(request: Request) -> UploadLimits:
    limits: UploadLimits = request.app.state.uploads.limits
    return limits


def _only_schools(ctx: Ctx) -> frozenset[str] | None:
    """The schools a principal's upload is limited to (None: the district's roles)."""
    if ctx.principal.role in ("admin", "researcher"):
        return None
    return frozenset({ctx.principal.school_code} if ctx.principal.school_code else set())


def _exam_choices(ctx: Ctx) -> list[dict[str, Any]]:
    """Exams a score sheet may be for: every exam for the district's roles; for a school, the
    exams in its scope and those without any registration yet (just defined, awaiting
    scores)."""
    if _only_schools(ctx) is None:
        frame = exam_list(ctx.db)
    else:
        mine = scoped_exams(ctx.db, ctx.scope)[["exam_id", "name", "year_code"]]
        fresh = exam_list(ctx.db, unregistered_only=True)
        frame = pd.concat([mine, fresh], ignore_index=True)
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _form(ctx: Ctx, status: int = 200, error: str | None = None) -> Response:
    limits = _limits(ctx.request)
    return ctx.html("upload.html", status_code=status, error=error, kinds=IMPORT_KINDS,
                    exams=_exam_choices(ctx), limit=human_bytes(limits.max_bytes),
                    accept=",".join(UPLOAD_SUFFIXES),
                    own_school=ctx.principal.school_code if _only_schools(ctx) else None)


@router.get("")
async def upload_form(ctx: CtxDep) -> Response:
    require_page(ctx, "import_files")
    return _form(ctx)


def _problem_rows(problems: list[Problem], lang: str) -> list[dict[str, Any]]:
    frame = problems_frame(problems, lang)
    frame.columns = ["file", "sheet", "row", "column", "value", "reason"]
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _refused(ctx: Ctx, name: str, message: str, status: int) -> Response:
    audit(ctx.db, ctx.principal, "denied", f"upload {name}"[:200], message[:500])
    return ctx.html("upload_result.html", status_code=status,
                    title=ctx.t("web.upload.refused_title"), message=message, result=None,
                    problems=[])


def _dry_run(reader: Database, path: Path, options: dict[str, Any], lang: str,
             only: frozenset[str] | None, limits: UploadLimits) -> ImportResult:
    """Check the file as ``eduquality import check`` does (in a worker thread, over the
    ``reader`` cursor): the size rules first, then the importer's dry run."""
    if path.suffix.lower() not in CSV_SUFFIXES:
        check_workbook(path, limits, lang)
    sheets = read_sheets(path, None, lang)
    check_cells(sheets, limits, lang)
    return check_file(reader, path, kind=options["kind"], exam_id=options["exam"],
                      subject=options["subject"], lang=lang, sheets=sheets, only_schools=only)


@router.post("")
async def upload(ctx: CtxDep) -> Response:
    """Take the file (size checked before the body is read), check it, show the result."""
    require_page(ctx, "import_files")
    request, t, limits = ctx.request, ctx.t, _limits(ctx.request)
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return _refused(ctx, "-", t("web.upload.no_length"), 411)
    if int(length) > limits.max_bytes + FORM_ROOM:
        return _refused(ctx, "-", t("web.upload.too_big", limit=human_bytes(limits.max_bytes)),
                        413)
    form = await request.form(max_files=1, max_fields=10)
    require_csrf(request, form_text(form, "csrf"), ctx.lang)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _form(ctx, 400, t("web.upload.no_file"))
    name = Path(file.filename.replace("\\", "/")).name
    data = await file.read(limits.max_bytes + 1)
    await form.close()
    if len(data) > limits.max_bytes:
        return _refused(ctx, name, t("web.upload.too_big", limit=human_bytes(limits.max_bytes)),
                        413)
    try:
        check_suffix(name, ctx.lang)
    except UploadRefused as exc:
        return _refused(ctx, name, str(exc), 400)
    options = {"kind": form_text(form, "kind", IMPORT_KINDS), "exam": form_text(form, "exam"),
               "subject": form_text(form, "subject")}
    if options["exam"] is not None and options["exam"] not in {
            e["exam_id"] for e in _exam_choices(ctx)}:
        raise NotFoundError(options["exam"])
    store = request.app.state.uploads
    try:
        item = store.add(request.cookies.get(SESSION_COOKIE, ""), ctx.principal.username, name,
                         data, time.monotonic(), ctx.lang)
    except UploadRefused as exc:
        return _refused(ctx, name, str(exc), 429)
    item.options = options
    try:
        result = await off_loop(ctx.db, _dry_run, item.path, options, ctx.lang,
                                  _only_schools(ctx), limits)
    except UploadRefused as exc:
        store.discard(item.token)
        return _refused(ctx, name, str(exc), 413)
    except EduQualityError as exc:  # unreadable file, missing exam …
        store.discard(item.token)
        return _refused(ctx, name, str(exc), 400)
    audit(ctx.db, ctx.principal, "import", f"check {name}"[:200],
          f"kind={result.kind} rows={result.rows_read} problems={len(result.problems)}")
    if result.problems:
        store.discard(item.token)  # nothing to confirm: the file is not kept
    else:
        item.options = {**options, "kind": result.kind}
    mappings = [{"sheet": m.sheet, "kind": m.kind, "columns": m.columns,
                 "rows": ", ".join(str(r + 1) for r in m.header_rows)} for m in result.mapping]
    return ctx.html("upload_check.html", status_code=200, result=result, mappings=mappings,
                    problems=_problem_rows(result.problems, ctx.lang),
                    token=None if result.problems else item.token,
                    minutes=int(limits.ttl_s // 60))


def _pending(ctx: Ctx, token: str) -> Pending:
    item: Pending | None = ctx.request.app.state.uploads.get(
        token, ctx.request.cookies.get(SESSION_COOKIE), time.monotonic())
    if item is None or item.username != ctx.principal.username:
        raise NotFoundError(ctx.t("web.upload.gone"))
    return item


def _import(writer: Database, item: Pending, lang: str, user: str,
            only: frozenset[str] | None) -> ImportResult:
    """The import itself, all or nothing (in a worker thread, over the ``writer`` cursor)."""
    o = item.options
    common: dict[str, Any] = {"lang": lang, "user": user, "only_schools": only,
                              "errors": item.path.with_name("problems.xlsx")}
    if o["kind"] == "scores":
        return import_scores(writer, item.path, o["exam"] or "", o["subject"], **common)
    if o["kind"] == "paper":
        return import_paper(writer, item.path, exam_id=o["exam"], **common)
    if o["kind"] == "proficiency":
        from eduquality.ingest.proficiency import import_proficiency

        return import_proficiency(writer, item.path, **common)
    return import_roster(writer, item.path, **common)


@router.post("/{token}/import")
async def confirm(ctx: CtxDep, token: str) -> Response:
    require_page(ctx, "import_files")
    form = await ctx.request.form(max_files=0, max_fields=5)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    item = _pending(ctx, token)
    state = ctx.request.app.state
    lock = getattr(state, _IMPORTS_LOCK, None)
    if lock is None:
        lock = asyncio.Lock()
        setattr(state, _IMPORTS_LOCK, lock)
    try:
        async with lock:
            result = await off_loop(ctx.db, _import, item, ctx.lang, ctx.principal.username,
                                      _only_schools(ctx))
    except ImportProblems as exc:  # the database changed since the check
        audit(ctx.db, ctx.principal, "import", item.name[:200],
              f"refused: {len(exc.problems)} problems")
        return ctx.html("upload_result.html", status_code=400,
                        title=ctx.t("web.upload.failed_title", file=item.name),
                        message=ctx.t("web.upload.problems", n=len(exc.problems)), result=None,
                        problems=_problem_rows(exc.problems, ctx.lang))
    except EduQualityError as exc:
        audit(ctx.db, ctx.principal, "import", item.name[:200], f"failed: {exc}"[:500])
        return ctx.html("upload_result.html", status_code=400,
                        title=ctx.t("web.upload.failed_title", file=item.name),
                        message=str(exc), result=None, problems=[])
    finally:
        state.uploads.discard(item.token)
    audit(ctx.db, ctx.principal, "import", item.name[:200],
          f"kind={result.kind} outcome={result.outcome} import_id={result.import_id} "
          f"rows={result.rows_written}")
    message = (ctx.t("web.upload.unchanged") if result.outcome == "unchanged" else
               ctx.t("web.upload.done", read=result.rows_read, written=result.rows_written))
    response = ctx.html("upload_result.html",
                        title=ctx.t("web.upload.done_title", file=item.name),
                        message=message, result=result, problems=[])
    exam = item.options.get("exam")
    if exam and result.outcome == "imported" and item.options["kind"] in ("scores", "paper"):
        # analyse the exam and store it once the answer is sent, in a worker thread, so that
        # its pages open without waiting (AnalysisCache.refresh)
        response.background = BackgroundTask(state.cache.refresh, ctx.db, str(exam))
    return response


@router.post("/{token}/cancel")
async def cancel(ctx: CtxDep, token: str) -> Response:
    require_page(ctx, "import_files")
    form = await ctx.request.form(max_files=0, max_fields=5)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    item = _pending(ctx, token)
    ctx.request.app.state.uploads.discard(item.token)
    return _form(ctx)
