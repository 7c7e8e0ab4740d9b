"""What the state-changing pages share: the CSRF check of their forms, the rule that a page
a role may not use answers 404, as if it did not exist (issue 11 §5), and running long work
off the event loop."""

from __future__ import annotations

from typing import Any

import anyio
from fastapi import Request

from eduquality.errors import EduQualityError
from eduquality.i18n import tr
from eduquality.store import Database
from eduquality.store.policy import Scope, require_action
from eduquality.web.auth import SESSION_COOKIE
from eduquality.web.deps import Ctx
from eduquality.web.hidden import hidden


class BadForm(EduQualityError):
    """A form whose CSRF token does not belong to the session (answered 400)."""


def require_csrf(request: Request, token: str | None, lang: str) -> None:
    """Raise BadForm unless ``token`` is the CSRF token of the request's session cookie (the
    token every page's forms carry, see :func:`eduquality.web.deps.render`)."""
    if not request.app.state.signer.csrf_ok(request.cookies.get(SESSION_COOKIE), token or ""):
        raise BadForm(tr("web.csrf", lang))


def require_page(ctx: Ctx, action: str) -> None:
    """A page of ``action`` (a key of :data:`eduquality.store.policy.ACTIONS`): for a role
    that may not do it, the refusal is audited ('denied') and answered as an unknown page
    (NotFoundError naming the path, 404), so that the role cannot tell the page exists
    (issue 11 §5; :func:`eduquality.web.hidden.hidden`)."""
    with hidden(ctx, ctx.request.url.path):
        require_action(ctx.principal, action, ctx.lang)


async def off_loop(db: Database, call: Any, *args: Any, lang: str | None = None) -> Any:
    """``call(cursor, *args)`` in a worker thread over a database cursor of its own (DuckDB
    connections are not shared across threads), so that long work (a file's dry run or
    import, a password hash) does not hold up other users' requests. ``lang``: the language
    of the store's messages on that cursor (the reader's, not the installation's)."""
    for arg in args:
        if isinstance(arg, Scope):
            arg.resolve()  # a scope's pending filters read here, on the request's thread
    cursor = db.cursor()
    if lang is not None:
        cursor.lang = lang
    try:
        return await anyio.to_thread.run_sync(call, cursor, *args)
    finally:
        cursor.close()


def form_text(form: Any, key: str, allowed: tuple[str, ...] | None = None,
              max_length: int = 64) -> str | None:
    """A form field's text, stripped and cut to ``max_length``; None when missing, blank, a
    file, or not one of ``allowed``."""
    value = form.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()[:max_length]
    if allowed is not None and value not in allowed:
        return None
    return value
