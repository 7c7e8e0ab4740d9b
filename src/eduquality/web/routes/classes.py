"""A class's results in one exam, with its students."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.views import class_page

router = APIRouter(prefix="/exams/{exam_id}/classes", tags=["classes"])


@router.get("/{class_id}")
async def class_(ctx: CtxDep, exam_id: str, class_id: str, format: Format = "html") -> Response:
    await ctx.warm(exam_id)
    return ctx.respond(class_page(ctx, exam_id, class_id), format)
