"""The action plan's pages (``/plan``: every indicator's trajectory against its target, by
school where it applies — bureau roles; ``/plan/schools/{code}``: a school's own indicators and
goals — its own roles and the bureau's; any other school answers 404, audited as denied)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.errors import NotFoundError
from eduquality.store.units import unit_names
from eduquality.web.assessment import require_district, require_school
from eduquality.web.deps import CtxDep, Format
from eduquality.web.forms import off_loop
from eduquality.web.hidden import hidden
from eduquality.web.plan import load_status, plan_page, school_plan_page

router = APIRouter(prefix="/plan", tags=["plan"])


@router.get("")
async def plan(ctx: CtxDep, format: Format = "html") -> Response:
    with hidden(ctx, "plan"):
        require_district(ctx)
        status = await off_loop(ctx.db, load_status, ctx.settings.plan.file, ctx.lang,
                                lang=ctx.lang)
        return ctx.respond(plan_page(ctx, status), format)


@router.get("/schools/{school_code}")
async def school_plan(ctx: CtxDep, school_code: str, format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        require_school(ctx, school_code)
        names = unit_names(ctx.db)["school"]
        if school_code not in names:
            raise NotFoundError(school_code)
        status = await off_loop(ctx.db, load_status, ctx.settings.plan.file, ctx.lang,
                                lang=ctx.lang)
        return ctx.respond(school_plan_page(ctx, status, school_code, names[school_code]),
                           format)
