"""The annual school assessment (``/assessment/{year}``: bureau roles;
``/assessment/{year}/schools/{code}``: a school's sheet, its own roles and the bureau's)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.assessment import (
    assessment_page,
    load_assessment,
    require_district,
    require_school,
    school_sheet_page,
)
from eduquality.web.deps import CtxDep, Format
from eduquality.web.hidden import hidden

router = APIRouter(prefix="/assessment", tags=["assessment"])


@router.get("/{year}")
async def assessment(ctx: CtxDep, year: int, format: Format = "html") -> Response:
    with hidden(ctx, f"assessment {year}"):
        require_district(ctx)
        return ctx.respond(assessment_page(ctx, await load_assessment(ctx, year)), format)


@router.get("/{year}/schools/{school_code}")
async def school_sheet(ctx: CtxDep, year: int, school_code: str,
                       format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        require_school(ctx, school_code)
        result = await load_assessment(ctx, year)
        return ctx.respond(school_sheet_page(ctx, result, school_code), format)
