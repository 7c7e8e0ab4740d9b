"""The home page: the district dashboard for the bureau's roles, else what the signed-in role
can open."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.store.scoped import scoped_exams
from eduquality.store.units import unit_names
from eduquality.web.dashboard import is_bureau
from eduquality.web.deps import CtxDep
from eduquality.web.routes.dashboard import build_dashboard
from eduquality.web.views import home_links

router = APIRouter(tags=["home"])


@router.get("/")
async def home(ctx: CtxDep, grade: int | None = None) -> Response:
    links = home_links(ctx)
    p = ctx.principal
    if p.role == "principal" and p.school_code:
        links.append((ctx.t("web.unit.school_link"), f"/schools/{p.school_code}"))
    if p.role == "teacher":
        names = unit_names(ctx.db)["class"]
        links += [(f"{ctx.t('web.unit.class_link')}: {names.get(c, c)}", f"/classes/{c}")
                  for c in sorted(p.class_ids)]
    if is_bureau(ctx.scope):
        dashboard = await build_dashboard(ctx, grade)
        return ctx.html("home.html", links=links, exams=[], page=dashboard,
                        export_url="/dashboard?format=xlsx")
    exams = scoped_exams(ctx.db, ctx.scope).head(5)
    return ctx.html("home.html", links=links, exams=exams.to_dict("records"), page=None,
                    export_url=None)
