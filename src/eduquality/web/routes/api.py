"""The JSON API under ``/api`` (issue 11 §4): what a role may read, for a bureau's other systems.

A sub-application mounted at ``/api`` (:func:`create_api`), sharing the platform's state
(database, settings, sessions, throttle, hasher, analysis cache) and its request context
(:data:`~eduquality.web.deps.CtxDep`), and answering from the same view data as the pages
(:func:`~eduquality.web.views.unit_records`, :func:`~eduquality.web.views.result_records`,
``scoped_exams``): one policy, no second copy. Its OpenAPI description is served at
``/api/openapi.json`` (the pages' application publishes none).

The contract (sign-in, the CSRF defence, refusals, students' data) is :data:`DESCRIPTION`,
published as the OpenAPI description. The sign-in makes the page's try
(:func:`~eduquality.web.routes.session.attempt_sign_in`); a bearer token is taken on the API
only (:func:`~eduquality.web.deps.get_api_session` replaces ``get_session`` there); a
PermissionDenied is answered 404 here, after ``get_db`` has audited it as on the pages.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException

from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.store.audit import audit
from eduquality.store.credentials import must_change_password
from eduquality.store.scoped import scoped_exams
from eduquality.store.sessions import end_session
from eduquality.web.auth import SESSION_COOKIE, set_session_cookie
from eduquality.web.deps import (
    CtxDep,
    DbDep,
    MustChangePassword,
    NotSignedIn,
    bearer_token,
    get_api_session,
    get_session,
)
from eduquality.web.routes.session import attempt_sign_in, open_session, secure_cookies
from eduquality.web.views import NoStudentAccess, result_records, unit_records

router = APIRouter()

DESCRIPTION = """\
What a role may read of the EduQuality platform, under the same policy as its pages.

**Sign-in.** `POST /api/login` with `{"username": …, "password": …}` returns a session token;
send it as `Authorization: Bearer <token>` (it is also set as the session cookie). Sessions
end at `POST /api/logout`, after the idle timeout and at their absolute lifetime. Failed
sign-ins are slowed per client address and per account (429 with `Retry-After`), shared with
the sign-in page.

**CSRF.** Calls that change state take a JSON body only (`Content-Type: application/json`,
else 415): browsers send that cross-site only after a CORS preflight, which is never approved;
the session cookie is `SameSite=Lax`; a bearer token is never sent by a browser by itself.

**Refusals** (`{"detail": …}`): 401 not signed in; 403 an initial password must first be
changed on the pages, or student results asked by a role without student data; 404 for an
exam, level or unit outside the role's scope, exactly as for an unknown one.

**Students are minors.** ID numbers are masked unless the role may see them in full; small
units are withheld as on the pages; every read of student results is audited.
"""


class Credentials(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)


class SignedIn(BaseModel):
    token: str
    token_type: str = "bearer"
    username: str
    role: str
    must_change_password: bool


class Exam(BaseModel):
    exam_id: str
    name: str
    exam_type: str
    scope: str | None
    year_code: str
    term_no: int | None
    exam_date: str | None
    grade: int


class Unit(BaseModel):
    level: str
    unit: str
    name: str
    subject: str
    school: str | None = None
    n_registered: int | None
    n: int | None
    full_marks: float | None
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    excellent_rate: float | None
    good_rate: float | None
    pass_rate: float | None
    low_rate: float | None
    band: str | None


class Result(BaseModel):
    student_id: int
    name: str
    national_id: str | None
    school: str
    class_: str = Field(alias="class")
    subject: str
    status: str | None
    score: float | None = None
    full_marks: float | None = None
    grade_letter: str | None = None
    t: float | None = None
    pr: float | None = None
    rank: int | None = None


async def _require_json(request: Request) -> None:
    """State-changing calls take a JSON body only (the CSRF defence, see the module); a
    dependency, so it refuses before the body is read."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise HTTPException(415, "Content-Type must be application/json")


JSON_ONLY = [Depends(_require_json)]


@router.post("/login", response_model=SignedIn, dependencies=JSON_ONLY, responses={
    401: {"description": "wrong user name or password"},
    429: {"description": "too many failed sign-ins: retry after Retry-After seconds"}})
async def login(request: Request, db: DbDep, credentials: Annotated[Credentials, Body()]
                ) -> Response:
    """Sign in; the token authenticates later calls (``Authorization: Bearer``) and is also
    set as the session cookie."""
    username = credentials.username.strip()[:64]
    attempt = await attempt_sign_in(request, db, username, credentials.password)
    if attempt.wait > 0:
        seconds = math.ceil(attempt.wait)
        return JSONResponse({"detail": "throttled", "retry_after": seconds}, status_code=429,
                            headers={"Retry-After": str(seconds)})
    principal = attempt.principal
    if principal is None:
        return JSONResponse({"detail": "wrong user name or password"}, status_code=401)
    token = open_session(request, db, principal.username)
    body = SignedIn(token=token, username=principal.username, role=principal.role,
                    must_change_password=must_change_password(db, principal.username))
    response = JSONResponse(body.model_dump())
    set_session_cookie(response, token, secure_cookies(request))
    return response


@router.post("/logout", status_code=204, dependencies=JSON_ONLY, responses={401: {"description": "not signed in"}})
async def logout(request: Request, db: DbDep) -> Response:
    """End this session (its token and cookie are dead afterwards); the body is ``{}``."""
    token = bearer_token(request) or request.cookies.get(SESSION_COOKIE)
    await get_api_session(request, db)
    end_session(db, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/exams", response_model=list[Exam])
async def exams(ctx: CtxDep) -> list[dict[str, Any]]:
    """The exams this role may see, newest first."""
    frame = scoped_exams(ctx.db, ctx.scope)
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): v for k, v in row.items()} for row in rows]


@router.get("/exams/{exam_id}/units", response_model=list[Unit], responses={
    404: {"description": "no such exam, level or unit for this role"}})
async def units(ctx: CtxDep, exam_id: str, level: str | None = None,
                unit: str | None = None) -> list[dict[str, Any]]:
    """Unit summaries (三率一分 with intervals) of the exam as the pages show them to this role
    (small units withheld), in the fixed publication order; ``level`` (district, peer_group,
    school, class, teacher) and ``unit`` (its code) narrow them."""
    await ctx.warm(exam_id)
    return unit_records(ctx, exam_id, level, unit)


@router.get("/exams/{exam_id}/results", response_model=list[Result],
            response_model_by_alias=True, response_model_exclude_unset=True, responses={
                403: {"description": "this role sees no student-level data"},
                404: {"description": "no such exam for this role"}})
async def results(ctx: CtxDep, exam_id: str) -> list[dict[str, Any]]:
    """Students' subject results in this role's scope (ID numbers masked unless the role sees
    them in full; scores, T, percentile and rank as the publication policy lets the pages show
    them — a field the role may not see is left out). Audited as a view of student data."""
    await ctx.warm(exam_id)
    records, what = result_records(ctx, exam_id)
    audit(ctx.db, ctx.principal, "view", what, ctx.request.url.path)
    return records


def _json(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


def create_api(state: State) -> FastAPI:
    """The API application (mount it at ``/api``) over the platform's ``state``."""
    api = FastAPI(title="EduQuality API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/openapi.json",
                  description=DESCRIPTION)
    api.state = state
    api.dependency_overrides[get_session] = get_api_session
    api.include_router(router)

    @api.exception_handler(NotSignedIn)
    async def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        return _json(401, "not signed in", {"WWW-Authenticate": "Bearer"})

    @api.exception_handler(MustChangePassword)
    async def must_change(request: Request, exc: MustChangePassword) -> Response:
        return _json(403, "the initial password must be changed first (/account/password)")

    @api.exception_handler(NoStudentAccess)
    async def no_students(request: Request, exc: NoStudentAccess) -> Response:
        return _json(403, str(exc))

    @api.exception_handler(PermissionDenied)
    async def hidden(request: Request, exc: PermissionDenied) -> Response:
        return _json(404, "not found")  # what a role may not see, it may not know exists

    @api.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return _json(404, "not found")

    @api.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _json(exc.status_code, str(exc.detail))

    @api.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return JSONResponse({"detail": "invalid request", "errors": exc.errors()},
                            status_code=422)

    @api.exception_handler(EduQualityError)
    async def bad_request(request: Request, exc: EduQualityError) -> Response:
        return _json(400, str(exc))

    return api
