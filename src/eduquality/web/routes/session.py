"""Signing in and out, and the user's language setting."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from eduquality.store.audit import audit
from eduquality.store.principals import Principal
from eduquality.store.users import authenticate, set_user_lang
from eduquality.web.auth import SESSION_COOKIE, safe_next
from eduquality.web.deps import CurrentUser, DbDep, render, request_lang
from eduquality.web.text import translator

router = APIRouter(tags=["session"])


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    lang = request_lang(request)
    return render(request, "login.html", lang, None, next=safe_next(next), error=None)


@router.post("/login")
async def login(request: Request, db: DbDep, username: Annotated[str, Form()],
                password: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
                ) -> Response:
    state = request.app.state
    lang = request_lang(request)
    t = translator(lang)
    username = username.strip()[:64]
    who = Principal(username=username or "-", role="-")
    if state.throttle.blocked(username):
        audit(db, who, "denied", "login", "throttled")
        minutes = int(state.throttle.window // 60)
        return render(request, "login.html", lang, None, status_code=429, next=safe_next(next),
                      error=t("web.login.throttled", minutes=minutes))
    principal = authenticate(db, username, password)
    if principal is None:
        state.throttle.fail(username)
        audit(db, who, "denied", "login", "wrong user name or password")
        return render(request, "login.html", lang, None, status_code=401, next=safe_next(next),
                      error=t("web.login.failed"))
    state.throttle.clear(username)
    audit(db, principal, "login", "session", None)
    root = request.scope.get("root_path", "")
    response = RedirectResponse(root + safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, state.signer.dumps(principal.username,
                                                           principal.password_fingerprint),
                        max_age=state.signer.max_age, httponly=True, samesite="lax",
                        secure=state.cookie_secure)
    return response


def _check_csrf(request: Request, token: str) -> bool:
    return bool(request.app.state.signer.csrf_ok(request.cookies.get(SESSION_COOKIE), token))


@router.post("/logout")
async def logout(request: Request, csrf: Annotated[str, Form()] = "") -> Response:
    if not _check_csrf(request, csrf):
        return render(request, "error.html", request_lang(request), None, status_code=400,
                      status=400, message=translator(request_lang(request))("web.csrf"))
    response = RedirectResponse(request.scope.get("root_path", "") + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/settings/lang")
async def save_lang(request: Request, db: DbDep, principal: CurrentUser,
                    lang: Annotated[str, Form()] = "", csrf: Annotated[str, Form()] = ""
                    ) -> Response:
    if not _check_csrf(request, csrf):
        return render(request, "error.html", request_lang(request, principal), principal,
                      status_code=400, status=400,
                      message=translator(request_lang(request, principal))("web.csrf"))
    set_user_lang(db, principal.username, lang if lang in ("zh", "en") else None)
    response = RedirectResponse(request.scope.get("root_path", "") + "/", status_code=303)
    response.delete_cookie("eq_lang")
    return response
