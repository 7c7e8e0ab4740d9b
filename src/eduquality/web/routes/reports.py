"""Report downloads (``/reports/{exam}/district``, ``…/schools/{code}``, ``…/classes/{id}``,
``…/students/{id}``; ``?format=pdf|xlsx``): the reports' documents of what the role may see
(:mod:`eduquality.web.downloads`), audited as exports; 404 outside the role's scope."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Query
from fastapi.responses import Response

from eduquality.reports.bundle import safe_name
from eduquality.reports.excel import xlsx_bytes
from eduquality.reports.pdf import render_pdf
from eduquality.store.audit import audit
from eduquality.store.policy import require_action
from eduquality.web.deps import XLSX, CtxDep
from eduquality.web.downloads import report_document
from eduquality.web.hidden import hidden

router = APIRouter(prefix="/reports/{exam_id}", tags=["reports"])

ReportFormat = Annotated[str, Query(pattern="^(pdf|xlsx)$", alias="format")]
PDF = "application/pdf"


async def _download(ctx: CtxDep, exam_id: str, kind: str, unit: str | None,
                    fmt: str) -> Response:
    what = f"{kind} {unit or ''}".strip()
    with hidden(ctx, f"{exam_id} {what}"):
        await ctx.warm(exam_id)
        report = report_document(ctx, exam_id, kind, unit)
    require_action(ctx.principal, "export", ctx.lang)
    body = (await anyio.to_thread.run_sync(render_pdf, report) if fmt == "pdf"
            else xlsx_bytes(report))
    audit(ctx.db, ctx.principal, "export", f"report:{exam_id}/{kind}"
          + (f":{unit}" if unit else ""), f"{ctx.request.url.path} format={fmt}")
    stamp = dt.date.today().isoformat()
    name = f"{kind}-{safe_name(exam_id)}{'-' + safe_name(unit) if unit else ''}-{stamp}.{fmt}"
    return Response(body, media_type=PDF if fmt == "pdf" else XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{quote(name)}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store"})


@router.get("/district")
async def district(ctx: CtxDep, exam_id: str, format: ReportFormat = "pdf") -> Response:
    return await _download(ctx, exam_id, "district", None, format)


@router.get("/schools/{school_code}")
async def school(ctx: CtxDep, exam_id: str, school_code: str,
                 format: ReportFormat = "pdf") -> Response:
    return await _download(ctx, exam_id, "school", school_code, format)


@router.get("/classes/{class_id}")
async def class_(ctx: CtxDep, exam_id: str, class_id: str,
                 format: ReportFormat = "pdf") -> Response:
    return await _download(ctx, exam_id, "class", class_id, format)


@router.get("/students/{student_id}")
async def student(ctx: CtxDep, exam_id: str, student_id: int,
                  format: ReportFormat = "pdf") -> Response:
    return await _download(ctx, exam_id, "student", str(student_id), format)
