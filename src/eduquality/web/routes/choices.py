"""选科 pages (``/choices/{exam}``: bureau roles; ``/choices/{exam}/schools/{code}``: a school's
own roles and the bureau's; :mod:`eduquality.web.choices`). Out of scope answers as unknown
(404), after auditing the refusal."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.choices import district_choices_page, school_choices_page
from eduquality.web.deps import CtxDep, Format
from eduquality.web.hidden import hidden
from eduquality.web.programmes import require_district

router = APIRouter(prefix="/choices", tags=["choices"])


@router.get("/{exam_id}")
async def district(ctx: CtxDep, exam_id: str, format: Format = "html") -> Response:
    with hidden(ctx, exam_id):
        require_district(ctx, "choices")
        await ctx.warm(exam_id)
        return ctx.respond(await district_choices_page(ctx, ctx.analysis(exam_id)), format)


@router.get("/{exam_id}/schools/{school_code}")
async def school(ctx: CtxDep, exam_id: str, school_code: str,
                 format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        await ctx.warm(exam_id)
        return ctx.respond(school_choices_page(ctx, ctx.analysis(exam_id), school_code), format)
