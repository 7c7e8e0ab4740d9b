"""Request dependencies (``Annotated`` aliases) and the one place pages are answered.

Every route that shows data takes :data:`CtxDep`: the database, the signed-in principal, their
:class:`~eduquality.store.policy.Scope` (resolved once per request), the language, and
:meth:`Ctx.respond`, which renders a :class:`~eduquality.web.pages.Page` as HTML or Excel and
writes the audit row (every view of student-level data, every export). The Excel download is
the reports' workbook (:func:`eduquality.reports.excel.xlsx_bytes`) of the page's document: its
tables become the sheets, with the reports' number formats.

All handlers and dependencies are ``async``: the database connection is used from the event
loop's thread (DuckDB connections are not shared across threads), except for what every request
asks first — its session, its principal and the exam's scope check — which
:class:`~eduquality.web.readers.Readers` runs on a worker thread with a handle of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from eduquality.config import Settings
from eduquality.errors import NotFoundError, PermissionDenied
from eduquality.reports import labels as L
from eduquality.reports.excel import xlsx_bytes
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.analysis_store import AnalysisKey
from eduquality.store.audit import audit
from eduquality.store.policy import Scope, can, require_action, scope_for
from eduquality.store.principals import Principal, load_principal
from eduquality.store.redaction import restrict_analysis
from eduquality.store.scoped import require_exam, scoped_results
from eduquality.store.sessions import SessionLimits, SessionRow, read_session
from eduquality.vocab import ROLES
from eduquality.web.auth import LANG_COOKIE, SESSION_COOKIE
from eduquality.web.page_cache import ShownPage
from eduquality.web.pages import Page, SvgBox, png_uri
from eduquality.web.text import translator

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NotSignedIn(Exception):
    """No valid session: the app answers with a redirect to the sign-in page."""


class MustChangePassword(Exception):
    """Signed in with an initial password: the app answers with a redirect to the password
    page until the user has chosen their own."""


async def get_db(request: Request) -> AsyncIterator[Database]:
    """The database; a PermissionDenied raised while answering is written to the audit log."""
    db: Database = request.app.state.db
    try:
        yield db
    except PermissionDenied as exc:
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            audit(db, principal, "denied", request.url.path, str(exc))
        raise


DbDep = Annotated[Database, Depends(get_db)]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def _session_and_principal(db: Database, token: str | None, now: dt.datetime,
                           limits: SessionLimits) -> tuple[SessionRow, Principal | None] | None:
    """The live session of ``token`` and its user's principal (None when the account is
    disabled or removed), in one trip off the event loop; None without a live session."""
    row = read_session(db, token, now, limits)
    if row is None:
        return None
    try:
        return row, load_principal(db, row.username)
    except NotFoundError:
        return row, None


async def _live_session(request: Request, token: str | None) -> SessionRow:
    """The live session (else NotSignedIn); its principal, reloaded from the database on
    every request, waits in ``request.state`` for :func:`get_signed_in`."""
    state = request.app.state
    found = await state.readers.run(_session_and_principal, token, state.clock(),
                                    state.session_limits)
    if found is None:
        raise NotSignedIn
    row, request.state.loaded_principal = found
    return row


async def get_session(request: Request, db: DbDep) -> SessionRow:
    """The live server-side session of the request's cookie (a primary-key lookup; see
    :mod:`eduquality.store.sessions`), else NotSignedIn. (``db``: every page's requests open
    with :func:`get_db`, which audits a refusal.)"""
    return await _live_session(request, request.cookies.get(SESSION_COOKIE))


async def get_api_session(request: Request, db: DbDep) -> SessionRow:
    """:func:`get_session` for the JSON API (it replaces it there): the session of the
    ``Authorization: Bearer`` token when one is sent, else of the cookie. Pages take the
    cookie only (their forms carry CSRF tokens bound to it)."""
    return await _live_session(request,
                               bearer_token(request) or request.cookies.get(SESSION_COOKIE))


SessionDep = Annotated[SessionRow, Depends(get_session)]


async def get_signed_in(request: Request, session: SessionDep) -> Principal:
    """The signed-in principal, reloaded from the database on every request (with the
    session), whether or not they must still change an initial password (for the password
    page and signing out); NotSignedIn when the account is disabled or removed."""
    principal: Principal | None = request.state.loaded_principal
    if principal is None or principal.username != session.username:
        raise NotSignedIn
    request.state.principal = principal
    return principal


SignedIn = Annotated[Principal, Depends(get_signed_in)]


async def get_principal(session: SessionDep, principal: SignedIn) -> Principal:
    """The signed-in principal, who has chosen their own password."""
    if session.must_change_password:
        raise MustChangePassword
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]
Format = Annotated[str, Query(pattern="^(html|xlsx)$", alias="format")]


def request_lang(request: Request, principal: Principal | None = None) -> str:
    """?lang=, then the language cookie, then the user's setting, then the installation's."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE),
                      principal.lang if principal else None):
        if candidate in ("zh", "en"):
            return candidate
    settings: Settings = request.app.state.settings
    return settings.lang


def lang_url(request: Request, lang: str) -> str:
    """This page's path with ``lang`` set (relative: pages never name a host)."""
    params = dict(request.query_params)
    params["lang"] = lang
    return f"{request.scope.get('root_path', '')}{request.url.path}?{urlencode(params)}"


@dataclass
class Ctx:
    request: Request
    db: Database
    principal: Principal
    scope: Scope
    lang: str
    settings: Settings
    page_key: tuple[Any, ...] | None = None
    """Set by :meth:`cached`: where :meth:`respond` keeps the page it shows."""
    keys: dict[str, AnalysisKey] = field(default_factory=dict)
    """The analysis keys of the exams :meth:`warm` readied in this request."""

    @property
    def t(self) -> Callable[..., str]:
        return translator(self.lang)

    def analysis(self, exam_id: str) -> ExamAnalysis:
        """The exam's analysis, restricted to what this principal may see."""
        full = self.request.app.state.cache.get(self.db, exam_id, self.keys.get(exam_id))
        return restrict_analysis(full, self.scope, self.settings.min_unit_n)

    async def warm(self, exam_id: str) -> None:
        """Compute a missing analysis off the event loop (exams in scope only)."""
        await self.request.app.state.readers.run(require_exam, self.scope, exam_id)
        self.keys[exam_id] = await self.request.app.state.cache.ensure(self.db, exam_id)

    async def warm_student(self, student_id: int) -> None:
        for exam_id in scoped_results(self.db, self.scope, student_id=student_id)[
                "exam_id"].unique():
            await self.warm(str(exam_id))

    def html(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        from eduquality.web.nav import nav_links  # it builds on the pages, which import this

        if "nav_links" not in context:
            p = self.principal
            context["nav_links"] = self.request.app.state.pages.remember(
                ("nav", p.username, p.role, p.school_code), lambda: nav_links(self.db, self.scope))
        return render(self.request, template, self.lang, self.principal, status_code, **context)

    def data_key(self, exam_id: str) -> AnalysisKey:
        """What an exam's pages depend on (:func:`eduquality.analysis.stored.analysis_key`)."""
        return self.keys.get(exam_id) or self.request.app.state.cache.key(self.db, exam_id)

    def cached(self, *data: Hashable) -> Response | None:
        """This page as this reader last saw it, when ``data`` (what its numbers depend on,
        e.g. :meth:`data_key`) is unchanged: served again with its audit row
        (:mod:`eduquality.web.page_cache`); else None, and :meth:`respond` keeps the page it
        is about to show. Call after the route's scope checks, for HTML answers only."""
        query = tuple(sorted((k, v) for k, v in self.request.query_params.multi_items()
                             if k != "lang"))
        p = self.principal
        self.page_key = (p.username, p.role, p.school_code, self.lang, self.request.url.path,
                         query, *data)
        found = self.request.app.state.pages.get(self.page_key)
        return None if found is None else self._show(found)

    def respond(self, page: Page, format: str = "html", status_code: int = 200) -> Response:
        """The page as HTML or as an Excel download, with its audit row (a page answering a
        form's post is shown without a download link: its address is the form's)."""
        if format == "xlsx":
            return self._export(page)
        export = page.export_name and self.request.method == "GET"
        body = render_text(self.request, "page_body.html", self.lang, self.principal, page=page,
                           export_url=_export_url(self.request) if export else None)
        shown = ShownPage(page.doc.title, body,
                          page.audit_object if page.student_level else None)
        if self.page_key is not None and not page.forms and status_code == 200:
            self.request.app.state.pages.put(self.page_key, shown)
        return self._show(shown, status_code)

    def _show(self, shown: ShownPage, status_code: int = 200) -> Response:
        if shown.audit_object:
            audit(self.db, self.principal, "view", shown.audit_object, self.request.url.path)
        return self.html("page.html", status_code=status_code, title=shown.title,
                         body=Markup(shown.body))

    def _export(self, page: Page) -> Response:
        if page.export_name is None:
            raise NotFoundError(page.title)
        require_action(self.principal, "export", self.lang)
        n_rows = sum(len(table.frame) for table in page.doc.tables())
        audit(self.db, self.principal, "export", page.audit_object or page.export_name,
              f"{self.request.url.path} rows={n_rows}")
        when = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        signed = self.t("web.exported_by", time=when,
                        user=self.principal.display_name or self.principal.username)
        body = xlsx_bytes(replace(page.doc, notes=[signed, *page.doc.notes]))
        name = f"{page.export_name}.xlsx"
        ascii_name = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_"
                             for ch in name)
        return Response(body, media_type=XLSX, headers={
            "Content-Disposition":
                f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}",
            "Cache-Control": "no-store"})


async def get_ctx(request: Request, db: DbDep, principal: CurrentUser) -> Ctx:
    lang = request_lang(request, principal)
    return Ctx(request, db, principal, scope_for(db, principal, lang), lang,
               request.app.state.settings)


CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _export_url(request: Request) -> str:
    params = dict(request.query_params)
    params["format"] = "xlsx"
    return f"{request.scope.get('root_path', '')}{request.url.path}?{urlencode(params)}"


def render_text(request: Request, template: str, lang: str, principal: Principal | None,
                **context: Any) -> str:
    """A template rendered with what every page needs (language, user, links, CSRF token)."""
    env = request.app.state.jinja
    t = translator(lang)
    cookie = request.cookies.get(SESSION_COOKIE)
    return str(env.get_template(template).render(
        t=t, lang=lang, cell=partial(L.cell, lang=lang), svg_box=SvgBox, png_uri=png_uri,
        principal=principal,
        base=request.scope.get("root_path", ""),
        lang_urls={code: lang_url(request, code) for code in ("zh", "en")},
        csrf=request.app.state.signer.csrf(cookie) if cookie else "",
        can_audit=principal is not None and can(principal, "view_audit"),
        may=lambda action: principal is not None and can(principal, action),
        role_label=_role_label(principal, lang),
        **{"nav_links": [], **context}))


def render(request: Request, template: str, lang: str, principal: Principal | None,
           status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template (:func:`render_text`) as the answer."""
    return HTMLResponse(render_text(request, template, lang, principal, **context),
                        status_code=status_code)


def _role_label(principal: Principal | None, lang: str) -> str:
    return ROLES.label(principal.role, lang) if principal else ""
