"""A class's results in one exam, with its students."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.downloads import report_links
from eduquality.web.hidden import hidden
from eduquality.web.views import class_page

router = APIRouter(prefix="/exams/{exam_id}/classes", tags=["classes"])


@router.get("/{class_id}")
async def class_(ctx: CtxDep, exam_id: str, class_id: str, format: Format = "html") -> Response:
    with hidden(ctx, f"{exam_id} {class_id}"):
        await ctx.warm(exam_id)
        if format == "html" and (again := ctx.cached(ctx.data_key(exam_id))) is not None:
            return again
        found = class_page(ctx, exam_id, class_id)
    if found.student_level:  # the class report lists the students
        found.downloads = report_links(ctx, exam_id, "class", class_id)
    return ctx.respond(found, format)
