"""控辍保学 (``/dropout``: bureau roles; ``/dropout/schools/{code}``: a school's own roles and
the bureau's). Out of scope answers as unknown (404), after auditing the refusal."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.dropout import district_dropout_page, school_dropout_page
from eduquality.web.hidden import hidden

router = APIRouter(prefix="/dropout", tags=["dropout"])


@router.get("")
async def district(ctx: CtxDep, as_of: dt.date | None = None,
                   format: Format = "html") -> Response:
    with hidden(ctx, "dropout"):
        return ctx.respond(await district_dropout_page(ctx, as_of), format)


@router.get("/schools/{school_code}")
async def school(ctx: CtxDep, school_code: str, as_of: dt.date | None = None,
                 format: Format = "html") -> Response:
    with hidden(ctx, school_code):
        return ctx.respond(await school_dropout_page(ctx, school_code, as_of), format)
