"""Signing in and out, changing one's password, and the user's language setting.

Signing in creates a server-side session (a new token each time: no session fixation); signing
out deletes it, so a copied cookie is dead afterwards. A user whose password was set by an
administrator (``must_change_password``) is sent to the password page until they choose their
own; a password change ends every session of the user and opens a fresh one for this browser.
"""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.store.audit import audit, audit_repeated
from eduquality.store.credentials import must_change_password, save_password
from eduquality.store.passwords import MIN_PASSWORD, check_password, hash_password
from eduquality.store.principals import Principal
from eduquality.store.sessions import create_session, end_session
from eduquality.store.users import set_user_lang
from eduquality.web.auth import (
    SESSION_COOKIE,
    check_current_password,
    safe_next,
    set_session_cookie,
    sign_in,
)
from eduquality.web.deps import CurrentUser, DbDep, SignedIn, render, request_lang
from eduquality.web.text import translator

MESSAGES = register({
    "web.password.title": ("修改密码", "Change password"),
    "web.password.link": ("修改密码", "Password"),
    "web.password.must": ("首次登录或密码被管理员重置后，请先设置您自己的密码。",
                          "Your password was set by an administrator: choose your own first."),
    "web.password.rule": ("新密码至少 {n} 个字符，不能是常见密码。",
                          "The new password needs at least {n} characters and must not be a "
                          "common password."),
    "web.password.current": ("当前密码", "Current password"),
    "web.password.new": ("新密码", "New password"),
    "web.password.confirm": ("再次输入新密码", "New password again"),
    "web.password.submit": ("保存新密码", "Save the new password"),
    "web.password.wrong_current": ("当前密码不正确", "The current password is wrong"),
    "web.password.mismatch": ("两次输入的新密码不一致", "The two new passwords differ"),
    "web.password.same": ("新密码不能与当前密码相同", "The new password must differ from the current one"),
})

WRONG_PASSWORD = "wrong user name or password"
THROTTLED = "throttled"

router = APIRouter(tags=["session"])


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _secure(request: Request) -> bool:
    """Secure cookies when configured (``cookie_secure``: TLS or a TLS proxy) or when this
    request came over HTTPS."""
    return bool(request.app.state.cookie_secure) or request.url.scheme == "https"


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


def _refused(request: Request, db: DbDep, who: Principal, template: str, lang: str,
             principal: Principal | None, **context: object) -> Response | None:
    """The 429 page when this address or account must still wait, else None."""
    state = request.app.state
    wait = state.throttle.wait(_client(request), who.username)
    if wait <= 0:
        return None
    audit_repeated(db, who, "denied", "login", THROTTLED, _client(request))
    return render(request, template, lang, principal, status_code=429,
                  error=translator(lang)("web.login.throttled", seconds=math.ceil(wait)),
                  **context)


def _failed(request: Request, db: DbDep, who: Principal) -> None:
    request.app.state.throttle.fail(_client(request), who.username)
    audit_repeated(db, who, "denied", "login", WRONG_PASSWORD, _client(request))


def _new_session(request: Request, db: DbDep, username: str) -> str:
    state = request.app.state
    end_session(db, request.cookies.get(SESSION_COOKIE))
    return create_session(db, username, state.clock(), state.session_limits, _client(request))


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
    username = username.strip()[:64]
    who = Principal(username=username or "-", role="-")
    refused = _refused(request, db, who, "login.html", lang, None, next=safe_next(next))
    if refused is not None:
        return refused
    principal = await sign_in(db, state.hasher, username, password)
    if principal is None:
        _failed(request, db, who)
        return render(request, "login.html", lang, None, status_code=401, next=safe_next(next),
                      error=translator(lang)("web.login.failed"))
    state.throttle.succeed(username)
    audit(db, principal, "login", "session", None)
    token = _new_session(request, db, principal.username)
    target = safe_next(next)
    if must_change_password(db, principal.username):
        target = "/account/password?" + urlencode({"next": target})
    response = RedirectResponse(_root(request) + target, status_code=303)
    set_session_cookie(response, token, _secure(request))
    return response


def _check_csrf(request: Request, token: str) -> bool:
    return bool(request.app.state.signer.csrf_ok(request.cookies.get(SESSION_COOKIE), token))


@router.post("/logout")
async def logout(request: Request, db: DbDep, csrf: Annotated[str, Form()] = "") -> Response:
    if not _check_csrf(request, csrf):
        return render(request, "error.html", request_lang(request), None, status_code=400,
                      status=400, message=translator(request_lang(request))("web.csrf"))
    end_session(db, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse(_root(request) + "/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


def _password_page(request: Request, db: DbDep, principal: Principal, lang: str, next: str,
                   error: str | None, status_code: int = 200) -> Response:
    return render(request, "password.html", lang, principal, status_code=status_code,
                  next=safe_next(next), error=error, min_length=MIN_PASSWORD,
                  forced=must_change_password(db, principal.username))


@router.get("/account/password")
async def password_form(request: Request, db: DbDep, principal: SignedIn,
                        next: str = "/") -> Response:
    return _password_page(request, db, principal, request_lang(request, principal), next, None)


@router.post("/account/password")
async def change_password(request: Request, db: DbDep, principal: SignedIn,
                          current: Annotated[str, Form()], new: Annotated[str, Form()],
                          confirm: Annotated[str, Form()], csrf: Annotated[str, Form()] = "",
                          next: Annotated[str, Form()] = "/") -> Response:
    """Self-service change (ASVS 4.0 V2.1.5: the current password and the new one). The
    current password is checked under the sign-in throttle; success ends every session of
    the user and signs this browser in afresh."""
    state = request.app.state
    lang = request_lang(request, principal)
    t = translator(lang)
    if not _check_csrf(request, csrf):
        return render(request, "error.html", lang, principal, status_code=400, status=400,
                      message=t("web.csrf"))
    refused = _refused(request, db, principal, "password.html", lang, principal,
                       next=safe_next(next), min_length=MIN_PASSWORD, forced=False)
    if refused is not None:
        return refused
    if not await check_current_password(db, state.hasher, principal.username, current):
        _failed(request, db, principal)
        return _password_page(request, db, principal, lang, next,
                              t("web.password.wrong_current"), 400)
    error = None
    if new != confirm:
        error = t("web.password.mismatch")
    elif new == current:
        error = t("web.password.same")
    else:
        try:
            check_password(new, lang)
        except EduQualityError as exc:
            error = str(exc)
    if error is not None:
        return _password_page(request, db, principal, lang, next, error, 400)
    state.throttle.succeed(principal.username)
    save_password(db, principal.username, await state.hasher.run(hash_password, new),
                  must_change=False)
    audit(db, principal, "login", "password", "password changed; other sessions ended")
    token = create_session(db, principal.username, state.clock(), state.session_limits,
                           _client(request))
    response = RedirectResponse(_root(request) + safe_next(next), status_code=303)
    set_session_cookie(response, token, _secure(request))
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
    response = RedirectResponse(_root(request) + "/", status_code=303)
    response.delete_cookie("eq_lang")
    return response
