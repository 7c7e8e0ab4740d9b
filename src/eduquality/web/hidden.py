"""What a role may not see, it may not know exists: the pages of a unit over time and the
report downloads answer an object outside the role's scope exactly as an unknown one (404,
with the same message), after writing the refusal to the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.store.audit import audit
from eduquality.web.deps import Ctx

MESSAGES = register({
    "web.not_found": ("没有找到：{what}", "not found: {what}"),
})


@contextmanager
def hidden(ctx: Ctx, what: str) -> Iterator[None]:
    """Turn a PermissionDenied (audited as 'denied') and a NotFoundError raised inside into one
    NotFoundError naming ``what`` (the path's object as asked for)."""
    try:
        yield
    except PermissionDenied as exc:
        audit(ctx.db, ctx.principal, "denied", ctx.request.url.path, str(exc))
        raise NotFoundError(tr("web.not_found", ctx.lang, what=what)) from None
    except NotFoundError:
        raise NotFoundError(tr("web.not_found", ctx.lang, what=what)) from None


__all__ = ["hidden"]
