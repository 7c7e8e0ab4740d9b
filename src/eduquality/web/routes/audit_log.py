"""The audit log: who saw and exported what (admin and researcher)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.web.deps import CtxDep, Format
from eduquality.web.views import audit_page

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
async def audit_log(ctx: CtxDep, user: str | None = None, action: str | None = None,
                    format: Format = "html") -> Response:
    return ctx.respond(audit_page(ctx, user, action), format)
