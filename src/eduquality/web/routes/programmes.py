"""The programmes' pages (issue 14 §1, §4; :mod:`eduquality.web.programmes`): studios and the
mentoring tree, one studio (its host and members too), partner schools, special groups. A page
outside the role's scope answers 404, audited as denied."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.store.programmes import studio_members
from eduquality.web.deps import CtxDep, Format
from eduquality.web.forms import off_loop
from eduquality.web.hidden import hidden
from eduquality.web.programmes import (
    groups_page,
    load_groups,
    load_partners,
    load_studios,
    partners_page,
    require_district,
    studio_page,
    studios_page,
)

router = APIRouter(prefix="/programmes", tags=["programmes"])


@router.get("/partners")
async def partners(ctx: CtxDep, format: Format = "html") -> Response:
    with hidden(ctx, "partners"):
        require_district(ctx, "partners")
        return ctx.respond(partners_page(ctx, await load_partners(ctx)), format)


@router.get("/{year}/studios")
async def studios(ctx: CtxDep, year: int, format: Format = "html") -> Response:
    with hidden(ctx, f"studios {year}"):
        require_district(ctx, "studios")
        perf, mentoring = await load_studios(ctx, year)
        return ctx.respond(studios_page(ctx, perf, mentoring), format)


@router.get("/{year}/studios/{studio_id}")
async def studio(ctx: CtxDep, year: int, studio_id: str, format: Format = "html") -> Response:
    with hidden(ctx, studio_id):
        members = await off_loop(ctx.db, studio_members, year, lang=ctx.lang)
        own = set(members.loc[members["studio_id"] == studio_id, "teacher_id"])
        if not (ctx.principal.role == "teacher" and ctx.principal.teacher_id in own):
            require_district(ctx, studio_id)
        perf, _ = await load_studios(ctx, year)
        return ctx.respond(studio_page(ctx, perf, members, studio_id), format)


@router.get("/{year}/groups")
async def groups(ctx: CtxDep, year: int, format: Format = "html") -> Response:
    with hidden(ctx, f"groups {year}"):
        return ctx.respond(groups_page(ctx, await load_groups(ctx, year)), format)
