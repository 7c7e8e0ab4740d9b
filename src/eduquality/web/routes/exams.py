"""Exams: the list and each exam's overview."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import CtxDep, Format
from eduquality.web.downloads import report_links
from eduquality.web.hidden import hidden
from eduquality.web.views import exam_page, exams_page

router = APIRouter(prefix="/exams", tags=["exams"])


@router.get("")
async def exam_list(ctx: CtxDep, format: Format = "html") -> Response:
    return ctx.respond(exams_page(ctx), format)


@router.get("/{exam_id}")
async def exam_overview(ctx: CtxDep, exam_id: str, subject: str | None = None,
                        format: Format = "html") -> Response:
    with hidden(ctx, exam_id):
        await ctx.warm(exam_id)
        if format == "html" and (again := ctx.cached(ctx.data_key(exam_id))) is not None:
            return again
        found = exam_page(ctx, exam_id, subject)
    if is_bureau(ctx.scope):
        found.downloads = report_links(ctx, exam_id, "district")
    return ctx.respond(found, format)
