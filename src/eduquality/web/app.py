"""The application factory: :func:`create_app` wires the database, settings, sessions, the
analysis cache, templates, static files, error pages and one router per resource.

Offline by construction: templates and CSS ship inside the package; pages link nothing outside
the server (no CDN, no web fonts, no scripts); the Content-Security-Policy says so too.
"""

from __future__ import annotations

import contextlib
import gc
import ipaddress
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.store import Database, open_database
from eduquality.store.audit import CLIENT_ADDRESS
from eduquality.store.settings import effective_settings
from eduquality.web.auth import (
    LANG_COOKIE,
    CsrfSigner,
    Hasher,
    Throttle,
    load_secret,
    session_limits,
    utc_now,
)
from eduquality.web.cache import AnalysisCache
from eduquality.web.deps import MustChangePassword, NotSignedIn, render, request_lang
from eduquality.web.page_cache import PageCache
from eduquality.web.readers import Readers
from eduquality.web.routes import (
    admin,
    assessment,
    audit_log,
    choices,
    classes,
    dashboard,
    dropout,
    exams,
    home,
    plan,
    proficiency,
    programmes,
    reports,
    schools,
    session,
    students,
    units,
    uploads,
)
from eduquality.web.routes.api import create_api
from eduquality.web.uploads import PendingUploads, UploadLimits

MESSAGES = register({
    "web.needs_tls": (
        "拒绝在 {host} 上以明文 HTTP 提供服务（密码与学生数据会在内网中明文传输）。请任选其一："
        "（1）自带证书：eduquality web --host {host} --certfile 证书.pem --keyfile 私钥.pem；"
        "（2）在 HTTPS 反向代理（nginx 等）之后：eduquality web --host {host} --behind-proxy "
        "[--proxy-address 代理地址]，此时启用 HSTS 与 Secure Cookie，并只信任该代理的 "
        "X-Forwarded-For/Proto；或（3）只在本机访问：--host 127.0.0.1",
        "refusing to serve plain HTTP on {host} (passwords and students' data would cross the "
        "intranet in clear). Either (1) serve TLS yourself: eduquality web --host {host} "
        "--certfile cert.pem --keyfile key.pem; or (2) run behind an HTTPS reverse proxy (nginx "
        "…): eduquality web --host {host} --behind-proxy [--proxy-address PROXY_IP], which "
        "turns on HSTS and Secure cookies and trusts X-Forwarded-For/Proto from that proxy "
        "only; or (3) serve this machine only: --host 127.0.0.1",
    ),
})

HSTS = "max-age=31536000; includeSubDomains"
"""The Strict-Transport-Security header sent whenever the platform is reached over HTTPS
(its own TLS or a TLS proxy): one year, as OWASP recommends."""

HERE = Path(__file__).parent
ANALYSES_KEPT = 16
"""Exam analyses the platform keeps in memory: the dashboard reads up to 3 latest exams and
8 of one grade (:mod:`eduquality.web.dashboard`), a school page 8."""
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def create_app(db: Database | str | Path, settings: Settings | None = None, *,
               secret: str | None = None, cookie_secure: bool = False,
               hsts: bool = False, upload_limits: UploadLimits | None = None) -> FastAPI:
    """The web platform over ``db`` (an open Database, or a path to open).

    ``secret`` keys the CSRF tokens (default: ``EDUQUALITY_SECRET`` or a file next to the
    database); ``cookie_secure`` marks cookies HTTPS-only; ``hsts`` sends
    Strict-Transport-Security (:data:`HSTS`) — both when served over TLS or behind a TLS
    proxy. Sessions follow ``settings.session``; ``app.state.clock`` (naive UTC) and
    ``app.state.throttle.clock`` may be replaced by tests. Uploads wait for their confirmation
    in a private temporary folder under ``upload_limits`` (:mod:`eduquality.web.uploads`)."""
    settings = settings or Settings()
    database = db if isinstance(db, Database) else open_database(db, lang=settings.lang)
    settings = effective_settings(database, settings)  # with the values changed on the platform
    readers = Readers(database)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        readers.close()

    app = FastAPI(title="EduQuality", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.db = database
    app.state.readers = readers
    app.state.settings = settings
    app.state.signer = CsrfSigner(secret or load_secret(database.path))
    app.state.session_limits = session_limits(settings.session)
    app.state.clock = utc_now
    app.state.throttle = Throttle()
    app.state.refusals = session.Refusals()
    app.state.hasher = Hasher()
    app.state.cache = AnalysisCache(settings, analyse_exam, maxsize=ANALYSES_KEPT)
    app.state.pages = PageCache()
    app.state.cookie_secure = cookie_secure
    app.state.hsts = hsts
    app.state.uploads = PendingUploads(upload_limits or UploadLimits())
    app.state.jinja = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False)  # templates ship with the package: no stat of each on every page
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/api", create_api(app.state), name="api")  # JSON, with /api/openapi.json
    for module in (session, home, exams, schools, classes, students, audit_log,
                   dashboard, units, reports, uploads, admin, assessment, plan, programmes,
                   dropout, choices, proficiency):
        app.include_router(module.router)
    _add_error_pages(app)
    _add_headers(app)
    return app


class _Headers:
    """What every answer carries and what every request sets (a plain ASGI middleware: the
    function middleware of FastAPI runs each request in a task of its own, through memory
    streams, a cost paid on every page view, issue 12):

    - audit rows written while answering carry the client's address (:data:`CLIENT_ADDRESS`;
      uvicorn puts the forwarded one here only with --behind-proxy, and only from the proxy's
      address);
    - a POST under /admin empties the page cache (a user's role, school, grants or the policy
      changed);
    - :data:`SECURITY_HEADERS`, HSTS when served over HTTPS, ``Cache-Control: no-store`` on
      everything but /static, and the language cookie when ``?lang=`` chose one."""

    def __init__(self, app: Any, state: Any) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        chosen = request.query_params.get("lang")
        state = self.state

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in SECURITY_HEADERS.items():
                    headers.setdefault(key, value)
                if state.hsts:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if not path.startswith("/static"):
                    headers.setdefault("Cache-Control", "no-store")
                if chosen in ("zh", "en"):
                    cookie = Response()
                    cookie.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True,
                                      samesite="lax", secure=state.cookie_secure)
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        token = CLIENT_ADDRESS.set(request.client.host if request.client else None)
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            CLIENT_ADDRESS.reset(token)
            if request.method == "POST" and path.startswith("/admin"):
                state.pages.clear()


def _add_headers(app: FastAPI) -> None:
    app.add_middleware(_Headers, state=app.state)


def _error_page(request: Request, status: int, message: str) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    lang = request_lang(request, principal)
    return render(request, "error.html", lang, principal, status_code=status, status=status,
                  message=message)


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        if request.method != "GET":
            return _error_page(request, 401, "")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/login?{urlencode({'next': target})}", status_code=303)

    @app.exception_handler(MustChangePassword)
    async def must_change(request: Request, exc: MustChangePassword) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/account/password?{urlencode({'next': target})}",
                                status_code=303)

    @app.exception_handler(PermissionDenied)
    async def denied(request: Request, exc: PermissionDenied) -> Response:
        # Only a forbidden action on what the role may see (an export refused) gets here:
        # what a role may not know exists is turned into 404 first (web.hidden.hidden,
        # web.forms.require_page), its refusal audited.
        return _error_page(request, 403, str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _error_page(request, 404, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_page(request, exc.status_code, "")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error_page(request, 400, "")

    @app.exception_handler(EduQualityError)
    async def bad_request(request: Request, exc: EduQualityError) -> Response:
        return _error_page(request, 400, str(exc))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, localhost): the one place
    plain HTTP is allowed."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(host: str, tls: bool, behind_proxy: bool, lang: str = "zh") -> None:
    """Refuse (EduQualityError saying how) to serve a non-loopback ``host`` without TLS:
    either the platform's own certificate (``tls``) or a TLS proxy in front (``behind_proxy``)."""
    if not (tls or behind_proxy or is_loopback(host)):
        raise EduQualityError(tr("web.needs_tls", lang, host=host))


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
          cookie_secure: bool = False, *, certfile: str | None = None,
          keyfile: str | None = None, behind_proxy: bool = False,
          proxy_address: str = "127.0.0.1") -> None:
    """Run the platform with uvicorn on ``host:port`` over ``settings.db`` (blocks).

    A non-loopback ``host`` needs TLS (:func:`check_transport`): ``certfile``/``keyfile``
    (uvicorn serves HTTPS) or ``behind_proxy`` (X-Forwarded-For/Proto trusted from
    ``proxy_address`` only). Both send HSTS and mark cookies Secure."""
    import uvicorn

    tls = bool(certfile and keyfile)
    check_transport(host, tls, behind_proxy, settings.lang)
    https = tls or behind_proxy
    app = create_app(settings.db, settings, cookie_secure=cookie_secure or https, hsts=https)
    # What is loaded by now (modules, settings, the app) lives as long as the server: kept out
    # of the collector's full passes, which otherwise stop every request for a third of a
    # second now and then (the tail of the 20-user benchmark).
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=behind_proxy,
                forwarded_allow_ips=proxy_address if behind_proxy else None,
                ssl_certfile=certfile if tls else None, ssl_keyfile=keyfile if tls else None)
