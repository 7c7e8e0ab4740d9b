"""The audit log: who saw and exported what, from where (admin and researcher): paged, and
filtered by user, action, client address and a range of days. Any other role gets 404, as for
an unknown page, and the refusal is audited (:func:`eduquality.web.forms.require_page`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response

from eduquality.store.audit import AUDIT_ACTIONS, AuditFilter
from eduquality.web.deps import CtxDep, Format
from eduquality.web.forms import require_page
from eduquality.web.views import audit_page

router = APIRouter(prefix="/audit", tags=["audit"])

ActionParam = Annotated[str | None, Query(pattern=f"^({'|'.join(AUDIT_ACTIONS)})?$")]


@router.get("")
async def audit_log(ctx: CtxDep, user: str | None = None, action: ActionParam = None,
                    address: str | None = None, since: dt.date | None = None,
                    until: dt.date | None = None,
                    page: Annotated[int, Query(ge=1)] = 1,
                    format: Format = "html") -> Response:
    require_page(ctx, "view_audit")  # the store's readers check it again (read_audit)
    where = AuditFilter(username=user or None, action=action or None, address=address or None,
                        since=since, until=until)
    shown, pages = audit_page(ctx, where, page)
    if format == "xlsx":
        return ctx.respond(shown, format)
    filters = {"user": user or "", "action": action or "", "address": address or "",
               "since": since.isoformat() if since else "",
               "until": until.isoformat() if until else ""}
    kept = {k: v for k, v in filters.items() if v}
    page = min(page, pages)

    def link(n: int) -> str:
        return f"/audit?{urlencode({**kept, 'page': n})}"

    return ctx.html("audit.html", page=shown, filters=filters, actions=AUDIT_ACTIONS,
                    newer=link(page - 1) if page > 1 else None,
                    older=link(page + 1) if page < pages else None,
                    export_url=f"/audit?{urlencode({**kept, 'format': 'xlsx'})}")
