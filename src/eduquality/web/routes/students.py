"""One student's results across exams: exam by exam (growth), then each exam in full."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.downloads import report_links
from eduquality.web.hidden import hidden
from eduquality.web.unit_pages import growth_section, newest_exam
from eduquality.web.views import student_page

router = APIRouter(prefix="/students", tags=["students"])


@router.get("/{student_id}")
async def student(ctx: CtxDep, student_id: int, format: Format = "html") -> Response:
    with hidden(ctx, str(student_id)):
        await ctx.warm_student(student_id)
        found = student_page(ctx, student_id)
    growth = growth_section(ctx, student_id)  # after the student's details
    if growth is not None:
        found.doc.sections.insert(1, growth)
    newest = newest_exam(ctx, student_id)
    if newest is not None:
        found.downloads = report_links(ctx, newest, "student", str(student_id))
    return ctx.respond(found, format)
