"""The home page: what the signed-in role can open."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.store.scoped import scoped_exams
from eduquality.web.deps import CtxDep
from eduquality.web.views import home_links

router = APIRouter(tags=["home"])


@router.get("/")
async def home(ctx: CtxDep) -> Response:
    exams = scoped_exams(ctx.db, ctx.scope).head(5)
    return ctx.html("home.html", links=home_links(ctx), exams=exams.to_dict("records"))
