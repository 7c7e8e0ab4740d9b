"""The district dashboard (``/dashboard``; the home page of the bureau's roles)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.errors import PermissionDenied
from eduquality.i18n import tr
from eduquality.store.scoped import scoped_exams
from eduquality.web.dashboard import LATEST_EXAMS, dashboard_page, is_bureau
from eduquality.web.deps import Ctx, CtxDep, Format
from eduquality.web.hidden import hidden
from eduquality.web.history import grade_choices, trend_exams
from eduquality.web.pages import Page

router = APIRouter(tags=["dashboard"])


async def build_dashboard(ctx: Ctx, grade: int | None) -> Page:
    """The dashboard of a bureau role (PermissionDenied for any other), its exams warmed."""
    if not is_bureau(ctx.scope):
        raise PermissionDenied(tr("access.denied", ctx.lang, what="dashboard"))
    exams = scoped_exams(ctx.db, ctx.scope)
    latest = [str(e) for e in exams["exam_id"].head(LATEST_EXAMS)]
    grade, choices = grade_choices(ctx, exams, grade)
    trend = trend_exams(exams, grade)
    for exam_id in dict.fromkeys([*latest, *trend]):
        await ctx.warm(exam_id)
    found = dashboard_page(ctx, latest, trend, grade, choices)
    found.choice_label = ctx.t("web.history.grade_choice")
    return found


@router.get("/dashboard")
async def dashboard(ctx: CtxDep, grade: int | None = None, format: Format = "html") -> Response:
    with hidden(ctx, "dashboard"):
        return ctx.respond(await build_dashboard(ctx, grade), format)
