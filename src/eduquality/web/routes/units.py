"""A school and a class over every exam they took (``/schools/{code}``, ``/classes/{id}``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.store.scoped import require_class, require_school, scoped_unit_exams
from eduquality.web.deps import CtxDep, Format
from eduquality.web.followup import school_followup
from eduquality.web.hidden import hidden
from eduquality.web.history import HISTORY_EXAMS, grade_choices, trend_exams
from eduquality.web.unit_pages import (
    class_history_page,
    school_exams_section,
    school_history_page,
)
from eduquality.web.value_added import school_value_added

router = APIRouter(tags=["units"])


@router.get("/schools/{school_code}")
async def school(ctx: CtxDep, school_code: str, grade: int | None = None,
                 format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        require_school(ctx.db, ctx.scope, school_code)
        exams = scoped_unit_exams(ctx.db, ctx.scope, school_code=school_code)
        grade, choices = grade_choices(ctx, exams, grade)
        trend = trend_exams(exams, grade)
        for exam_id in trend:
            await ctx.warm(exam_id)
        found = school_history_page(ctx, school_code, trend, choices)
        found.choice_label = ctx.t("web.history.grade_choice")
        if trend:  # value-added in the latest exam, where it has a prior exam of the cohort
            va = await school_value_added(ctx, trend[-1], school_code)
            if va is not None:
                found.doc.sections.append(va)
        if len(trend) >= 2:  # the students flagged at the first exam shown, followed since
            fu = await school_followup(ctx, trend[0], school_code)
            if fu is not None:
                found.doc.sections.append(fu)
        if not exams.empty:
            found.doc.sections.append(school_exams_section(ctx, school_code, exams))
        return ctx.respond(found, format)


@router.get("/classes/{class_id}")
async def class_(ctx: CtxDep, class_id: str, format: Format = "html") -> Response:
    with hidden(ctx, class_id):
        require_class(ctx.db, ctx.scope, class_id)
        exams = scoped_unit_exams(ctx.db, ctx.scope, class_id=class_id)
        trend = [str(e) for e in reversed(exams["exam_id"].head(HISTORY_EXAMS).tolist())]
        for exam_id in trend:
            await ctx.warm(exam_id)
        return ctx.respond(class_history_page(ctx, class_id, trend), format)
