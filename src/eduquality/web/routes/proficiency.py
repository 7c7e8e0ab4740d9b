"""合格考 pages (``/proficiency``: bureau roles; ``/proficiency/schools/{code}``: a school's own
roles and the bureau's; ``/proficiency/schools/{code}/at-risk``: the roles that see its
students; :mod:`eduquality.web.proficiency`). Out of scope answers as unknown
(404), after auditing the refusal."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.hidden import hidden
from eduquality.web.proficiency import (
    district_proficiency_page,
    school_at_risk_page,
    school_proficiency_page,
)

router = APIRouter(prefix="/proficiency", tags=["proficiency"])


@router.get("")
async def district(ctx: CtxDep, format: Format = "html") -> Response:
    with hidden(ctx, "proficiency"):
        return ctx.respond(await district_proficiency_page(ctx), format)


@router.get("/schools/{school_code}")
async def school(ctx: CtxDep, school_code: str, format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        return ctx.respond(await school_proficiency_page(ctx, school_code), format)


@router.get("/schools/{school_code}/at-risk")
async def at_risk(ctx: CtxDep, school_code: str, format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        return ctx.respond(await school_at_risk_page(ctx, school_code), format)
