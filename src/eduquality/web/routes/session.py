"""Signing in and out, changing one's password, and the user's language setting.

Signing in creates a server-side session (a new token each time: no session fixation); signing
out deletes it, so a copied cookie is dead afterwards. A user whose password was set by an
administrator (``must_change_password``) is sent to the password page until they choose their
own; a password change ends every session of the user and opens a fresh one for this browser.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.store import Database
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


def secure_cookies(request: Request) -> bool:
    """Secure cookies when configured (``cookie_secure``: TLS or a TLS proxy) or when this
    request came over HTTPS."""
    return bool(request.app.state.cookie_secure) or request.url.scheme == "https"


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


async def _begin(request: Request, who: Principal) -> float:
    """Seconds this address or account must still wait before a try (0: now, and the try is
    counted as being checked until :func:`_end`); a refused try is audited (repeats
    aggregated)."""
    wait = float(request.app.state.throttle.begin(_client(request), who.username))
    if wait > 0:
        await _audit_refusal(request, who, THROTTLED)
    return wait


def _end(request: Request, who: Principal) -> None:
    request.app.state.throttle.end(_client(request), who.username)


async def _refused(request: Request, who: Principal, template: str, lang: str,
             principal: Principal | None, **context: object) -> Response | None:
    """The 429 page when this address or account must still wait, else None (and the try is
    being checked: call :func:`_end` when it has its answer)."""
    wait = await _begin(request, who)
    if wait <= 0:
        return None
    return render(request, template, lang, principal, status_code=429,
                  error=translator(lang)("web.login.throttled", seconds=math.ceil(wait)),
                  **context)


async def _failed(request: Request, who: Principal) -> None:
    request.app.state.throttle.fail(_client(request), who.username)
    await _audit_refusal(request, who, WRONG_PASSWORD)


class Refusals:
    """Refused sign-ins whose audit row is queued, counted by (name, role, detail, address): a
    refusal whose row is already queued adds to its count instead of queueing another write,
    so that a flood queues at most one write per name and address (and at most
    :data:`QUEUED` in all: beyond them, refusals from an address share a row named
    :data:`MANY`)."""

    QUEUED = 64
    MANY = "*"

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, str, str], int] = {}
        self._lock = threading.Lock()

    def add(self, who: Principal, detail: str, client: str) -> tuple[str, str, str, str] | None:
        """The key to write now (a new queued row), or None (it joined a queued one)."""
        with self._lock:
            key = (who.username, who.role, detail, client)
            if key not in self._counts and len(self._counts) >= self.QUEUED:
                key = (self.MANY, "-", detail, client)
            new = key not in self._counts
            self._counts[key] = self._counts.get(key, 0) + 1
            return key if new else None

    def take(self, key: tuple[str, str, str, str]) -> int:
        with self._lock:
            return self._counts.pop(key, 0)


def _write_refusals(db: Database, refusals: Refusals, key: tuple[str, str, str, str]) -> None:
    username, role, detail, client = key
    repeats = refusals.take(key)  # with those that joined while it waited: one row update
    if repeats:
        audit_repeated(db, Principal(username=username, role=role), "denied", "login", detail,
                       client, repeats=repeats)


async def _audit_refusal(request: Request, who: Principal, detail: str) -> None:
    """The audit row of a refused sign-in (repeats aggregated), written off the event loop
    (:meth:`~eduquality.web.readers.Readers.run_serial`): a flood of refused tries must not
    stop the pages of everyone else."""
    state = request.app.state
    key = state.refusals.add(who, detail, _client(request))
    if key is not None:
        await state.readers.run_serial(_write_refusals, state.refusals, key)


def open_session(request: Request, db: DbDep, username: str) -> str:
    """A new server-side session for ``username`` (ending the request's old one: no session
    fixation); returns its token."""
    state = request.app.state
    end_session(db, request.cookies.get(SESSION_COOKIE))
    return create_session(db, username, state.clock(), state.session_limits, _client(request))


@router.get("/login")
async def login_form(request: Request, next: str = "/") -> Response:
    lang = request_lang(request)
    return render(request, "login.html", lang, None, next=safe_next(next), error=None)


@dataclass(frozen=True)
class Attempt:
    """One sign-in try: the principal when it succeeded; ``wait`` > 0 when the throttle
    refused it unchecked (seconds until the next try may be made)."""

    principal: Principal | None
    wait: float = 0.0


async def attempt_sign_in(request: Request, db: DbDep, username: str,
                          password: str) -> Attempt:
    """A sign-in try, as every sign-in surface makes it (the page and the API): refused
    unchecked while the address or account must wait (:class:`~eduquality.web.auth.Throttle`);
    the password checked off the event loop (:func:`~eduquality.web.auth.sign_in`); failures
    counted and audited (repeats aggregated), a success clears the account's count, is audited
    and opens a new server-side session (:func:`open_session`)."""
    who = Principal(username=username or "-", role="-")
    wait = await _begin(request, who)
    if wait > 0:
        return Attempt(None, wait)
    try:
        principal = await sign_in(db, request.app.state.hasher, username, password)
    finally:
        _end(request, who)
    if principal is None:
        await _failed(request, who)
        return Attempt(None)
    request.app.state.throttle.succeed(username)
    audit(db, principal, "login", "session", None)
    return Attempt(principal)


@router.post("/login")
async def login(request: Request, db: DbDep, username: Annotated[str, Form()],
                password: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
                ) -> Response:
    lang = request_lang(request)
    attempt = await attempt_sign_in(request, db, username.strip()[:64], password)
    if attempt.wait > 0:
        return render(request, "login.html", lang, None, status_code=429, next=safe_next(next),
                      error=translator(lang)("web.login.throttled",
                                             seconds=math.ceil(attempt.wait)))
    principal = attempt.principal
    if principal is None:
        return render(request, "login.html", lang, None, status_code=401, next=safe_next(next),
                      error=translator(lang)("web.login.failed"))
    token = open_session(request, db, principal.username)
    target = safe_next(next)
    if must_change_password(db, principal.username):
        target = "/account/password?" + urlencode({"next": target})
    response = RedirectResponse(_root(request) + target, status_code=303)
    set_session_cookie(response, token, secure_cookies(request))
    return response


def _check_csrf(request: Request, token: str) -> bool:
    return bool(request.app.state.signer.csrf_ok(request.cookies.get(SESSION_COOKIE), token))


@router.post("/logout")
async def logout(request: Request, db: DbDep, csrf: Annotated[str, Form()] = "") -> Response:
    if not _check_csrf(request, csrf):
        return render(request, "error.html", request_lang(request), None, status_code=400,
                      status=400, message=translator(request_lang(request))("web.csrf"))
    end_session(db, request.cookies.get(SESSION_COOKIE))
    request.app.state.uploads.drop_session(request.cookies.get(SESSION_COOKIE))
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
    refused = await _refused(request, principal, "password.html", lang, principal,
                       next=safe_next(next), min_length=MIN_PASSWORD, forced=False)
    if refused is not None:
        return refused
    try:
        right = await check_current_password(db, state.hasher, principal.username, current)
    finally:
        _end(request, principal)
    if not right:
        await _failed(request, principal)
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
    set_session_cookie(response, token, secure_cookies(request))
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
