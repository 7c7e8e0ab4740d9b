"""控辍保学 (``/dropout``: bureau roles; ``/dropout/schools/{code}``: a school's own roles and
the bureau's; ``POST /dropout/followups``: the follow-up form of either page, for the roles
with ``record_dropout_followup``, CSRF-checked). Out of scope answers as unknown (404), after
auditing the refusal; so does the form for a role that may not record."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from eduquality.analysis.dropout import FOLLOWUP_FIELDS
from eduquality.web.deps import CtxDep, Format
from eduquality.web.dropout import (
    DEFAULT_RECALL,
    district_dropout_page,
    record_followup_page,
    school_dropout_page,
)
from eduquality.web.forms import form_text, require_csrf, require_page
from eduquality.web.hidden import hidden

router = APIRouter(prefix="/dropout", tags=["dropout"])

Recall = Annotated[float, Query(ge=0.05, le=1.0)]
"""The recall the early warning's threshold is chosen for (the CLI's ``--recall`` range)."""


@router.get("")
async def district(ctx: CtxDep, as_of: dt.date | None = None, recall: Recall = DEFAULT_RECALL,
                   format: Format = "html") -> Response:
    with hidden(ctx, "dropout"):
        return ctx.respond(await district_dropout_page(ctx, as_of, recall=recall), format)


@router.get("/schools/{school_code}")
async def school(ctx: CtxDep, school_code: str, as_of: dt.date | None = None,
                 recall: Recall = DEFAULT_RECALL, format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        return ctx.respond(await school_dropout_page(ctx, school_code, as_of, recall=recall),
                           format)


@router.post("/followups")
async def followup(ctx: CtxDep) -> Response:
    require_page(ctx, "record_dropout_followup")
    form = await ctx.request.form(max_files=0, max_fields=len(FOLLOWUP_FIELDS) + 4)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    school = form_text(form, "school")
    entry = {k: (v if isinstance(v := form.get(k), str) else None) for k in FOLLOWUP_FIELDS}
    with hidden(ctx, school or "dropout"):
        found, status = await record_followup_page(ctx, school, entry)
        return ctx.respond(found, status_code=status)
