"""The application factory: :func:`create_app` wires the database, settings, sessions, the
analysis cache, templates, static files, error pages and one router per resource.

Offline by construction: templates and CSS ship inside the package; pages link nothing outside
the server (no CDN, no web fonts, no scripts); the Content-Security-Policy says so too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from eduquality.analysis.exam import analyse_exam
from eduquality.config import Settings
from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.store import Database, open_database
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
from eduquality.web.routes import audit_log, classes, exams, home, schools, session, students

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                "script-src 'none'; object-src 'none'; frame-ancestors 'none'; "
                                "form-action 'self'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def create_app(db: Database | str | Path, settings: Settings | None = None, *,
               secret: str | None = None, cookie_secure: bool = False) -> FastAPI:
    """The web platform over ``db`` (an open Database, or a path to open).

    ``secret`` keys the CSRF tokens (default: ``EDUQUALITY_SECRET`` or a file next to the
    database); ``cookie_secure`` marks cookies HTTPS-only (served over TLS or behind a TLS
    proxy). Sessions follow ``settings.session``; ``app.state.clock`` (naive UTC) and
    ``app.state.throttle.clock`` may be replaced by tests."""
    settings = settings or Settings()
    database = db if isinstance(db, Database) else open_database(db, lang=settings.lang)
    app = FastAPI(title="EduQuality", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = database
    app.state.settings = settings
    app.state.signer = CsrfSigner(secret or load_secret(database.path))
    app.state.session_limits = session_limits(settings.session)
    app.state.clock = utc_now
    app.state.throttle = Throttle()
    app.state.hasher = Hasher()
    app.state.cache = AnalysisCache(settings, analyse_exam)
    app.state.cookie_secure = cookie_secure
    app.state.jinja = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=jinja2.select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True,
        undefined=jinja2.StrictUndefined)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (session, home, exams, schools, classes, students, audit_log):
        app.include_router(module.router)
    _add_error_pages(app)
    _add_headers(app)
    return app


def _add_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        if not request.url.path.startswith("/static"):
            response.headers.setdefault("Cache-Control", "no-store")
        chosen = request.query_params.get("lang")
        if chosen in ("zh", "en"):
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 86400, httponly=True,
                                samesite="lax", secure=app.state.cookie_secure)
        return response


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


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000,
          cookie_secure: bool = False) -> None:
    """Run the platform with uvicorn on ``host:port`` over ``settings.db`` (blocks)."""
    import uvicorn

    app = create_app(settings.db, settings, cookie_secure=cookie_secure)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
