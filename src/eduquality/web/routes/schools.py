"""A school's results in one exam."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.downloads import report_links
from eduquality.web.hidden import hidden
from eduquality.web.views import school_page

router = APIRouter(prefix="/exams/{exam_id}/schools", tags=["schools"])


@router.get("/{school_code}")
async def school(ctx: CtxDep, exam_id: str, school_code: str, subject: str | None = None,
                 format: Format = "html") -> Response:
    with hidden(ctx, f"{exam_id} {school_code}"):
        await ctx.warm(exam_id)
        if format == "html" and (again := ctx.cached(ctx.data_key(exam_id))) is not None:
            return again
        found = school_page(ctx, exam_id, school_code, subject)
    found.downloads = report_links(ctx, exam_id, "school", school_code)
    return ctx.respond(found, format)
