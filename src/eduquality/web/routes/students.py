"""One student's results across exams."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.views import student_page

router = APIRouter(prefix="/students", tags=["students"])


@router.get("/{student_id}")
async def student(ctx: CtxDep, student_id: int, format: Format = "html") -> Response:
    await ctx.warm_student(student_id)
    return ctx.respond(student_page(ctx, student_id), format)
