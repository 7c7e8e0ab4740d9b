"""Administration (issue 11 §3), for the admin role only (anyone else: 404): users and settings.

Users: the list, creating one, changing a user's role and ties, disabling, enabling, removing
and resetting a password — each the store's own function (:mod:`eduquality.store.users`, what
``eduquality user …`` calls). An initial or reset password is generated here (16 characters,
shown once) and must be changed at the next sign-in; a reset ends the user's sessions. Settings:
the editable ones (:data:`eduquality.config.EDITABLE`: the 三率 lines, small units, the
publication policy, groups, knowledge points, the plan's step), stored and audited by
:func:`eduquality.store.settings.change_settings`; the platform uses the new values from the
next request (the analyses are recomputed). Every change is audited ('admin'), in the user's
case with what changed; the audit log itself is ``/audit``.
"""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from eduquality.config import (
    ASSESSMENT_COMPONENTS,
    ASSESSMENT_KINDS,
    EDITABLE,
    TEXT_SETTING_MAX,
    ConfigError,
    setting_value,
)
from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.measures.assessment import MESSAGES as ASSESSMENT_MESSAGES
from eduquality.store import Database
from eduquality.store.audit import audit
from eduquality.store.refs import require_ref
from eduquality.store.settings import change_settings, setting_changes, stored_settings
from eduquality.store.users import (
    add_user,
    change_user,
    disable_user,
    enable_user,
    list_users,
    remove_user,
    set_password,
)
from eduquality.vocab import ROLES
from eduquality.web.deps import Ctx, CtxDep
from eduquality.web.forms import form_text, off_loop, require_csrf, require_page

MESSAGES = register({
    "web.nav.admin": ("管理", "Admin"),
    "web.audit.admin": ("管理", "admin"),
    "web.admin.users": ("用户管理", "Users"),
    "web.admin.settings": ("系统设置", "Settings"),
    "web.admin.new_user": ("新建用户", "New user"),
    "web.admin.username": ("用户名", "User name"),
    "web.admin.display_name": ("显示名", "Display name"),
    "web.admin.role": ("角色", "Role"),
    "web.admin.school": ("学校代码", "School code"),
    "web.admin.teacher": ("教师编号", "Teacher ID"),
    "web.admin.class": ("班级编号", "Class ID"),
    "web.admin.student": ("孩子的学籍号", "Child's student ID"),
    "web.admin.status": ("状态", "Status"),
    "web.admin.enabled": ("正常", "enabled"),
    "web.admin.disabled": ("已停用", "disabled"),
    "web.admin.years": ("授权往年", "Past years granted"),
    "web.admin.create": ("创建", "Create"),
    "web.admin.save": ("保存", "Save"),
    "web.admin.disable": ("停用", "Disable"),
    "web.admin.enable": ("启用", "Enable"),
    "web.admin.remove": ("删除用户", "Remove"),
    "web.admin.reset": ("重置密码", "Reset password"),
    "web.admin.ties_hint": (
        "校长需填学校；教师需填教师编号或班级；家长需填孩子的学籍号。",
        "A principal needs a school; a teacher a teacher ID or a class; a parent the child's "
        "student ID.",
    ),
    "web.admin.initial_password": (
        "{username} 的初始密码（只显示这一次，请当面或通过安全渠道告知；首次登录须修改）：",
        "The initial password of {username} (shown this once: hand it over in person or by a "
        "safe channel; it must be changed at the first sign-in):",
    ),
    "web.admin.created": ("已创建用户 {username}。", "User {username} created."),
    "web.admin.changed": ("已保存 {username} 的角色与归属。", "Saved the role and ties of {username}."),
    "web.admin.disabled_msg": ("已停用 {username}，其会话立即失效。",
                               "{username} is disabled; their sessions stop working now."),
    "web.admin.enabled_msg": ("已启用 {username}。", "{username} is enabled."),
    "web.admin.removed_msg": ("已删除 {username}（审计日志保留其记录）。",
                              "{username} is removed (the audit log keeps their entries)."),
    "web.admin.reset_msg": ("已重置 {username} 的密码，其会话已全部结束。",
                            "The password of {username} is reset; their sessions have ended."),
    "web.admin.settings_intro": (
        "修改后从下一次请求起生效，所有分析按新设置重新计算；每次修改都记入审计日志（原值 → 新值、"
        "修改人、时间）。配置文件中的值被这里的修改覆盖。",
        "Changes apply from the next request and every analysis is recomputed with them; each "
        "is audited (old → new, who, when). A value changed here overrides the configuration "
        "file's.",
    ),
    "web.admin.setting": ("设置", "Setting"),
    "web.admin.value": ("当前值", "Value"),
    "web.admin.changed_by": ("最近修改", "Last changed"),
    "web.admin.settings_saved": ("已保存 {n} 项修改：{changes}", "Saved {n} change(s): {changes}"),
    "web.admin.settings_none": ("没有修改。", "Nothing changed."),
    "web.setting.thresholds.excellent": ("优秀线（满分的比例）", "Excellent line (share of full marks)"),
    "web.setting.thresholds.good": ("良好线（满分的比例）", "Good line (share of full marks)"),
    "web.setting.thresholds.pass": ("及格线（满分的比例）", "Pass line (share of full marks)"),
    "web.setting.thresholds.low": ("低分线（满分的比例）", "Low-score line (share of full marks)"),
    "web.setting.min_unit_n": ("小单位最少人数（少于则不公开）",
                               "Smallest unit shown (fewer takers: withheld)"),
    "web.setting.publication.grades_not_ranks_compulsory": (
        "义务教育阶段只公布等级、不公布名次", "Compulsory education: grades, never ranks"),
    "web.setting.publication.mark_internal": ("标注“内部资料”", "Mark pages 'internal'"),
    "web.setting.publication.forbid_exam_league_tables": (
        "禁止按考试成绩给学校排名", "No league tables of schools by exam results"),
    "web.setting.groups.top_share": ("尖子生比例", "Top students' share"),
    "web.setting.groups.struggling_share": ("学困生比例", "Struggling students' share"),
    "web.setting.groups.weak_subject_k": ("偏科判定（Z 分差）", "Weak subject (Z gap)"),
    "web.setting.groups.borderline_band": ("临界生带宽（满分的比例）",
                                           "Borderline band (share of full marks)"),
    "web.setting.knowledge.min_gap": ("薄弱知识点最小差距", "Weak knowledge point: smallest gap"),
    "web.setting.plan.step": ("行动计划每年提升（上线率）", "Action plan: yearly step (rate)"),
    "web.setting.plan.file": ("跟踪的行动计划（计划文件或内置计划名）",
                              "Action plan tracked (a plan file or a shipped plan's name)"),
    **{f"web.setting.assessment.{kind}_{comp}": (
        f"年度考核权重：{ASSESSMENT_MESSAGES[f'assessment.kind.{kind}'][0]}·"
        f"{ASSESSMENT_MESSAGES[f'assessment.component.{comp}'][0]}",
        f"Assessment weight: {ASSESSMENT_MESSAGES[f'assessment.kind.{kind}'][1]}, "
        f"{ASSESSMENT_MESSAGES[f'assessment.component.{comp}'][1]}")
       for kind in ASSESSMENT_KINDS for comp in ASSESSMENT_COMPONENTS},
    "web.setting.assessment.va_span": ("年度考核：增值满分对应的效应量（标准差）",
                                       "Assessment: value-added effect size scoring full marks (SD)"),
    "web.setting.assessment.dropout_rate_zero": ("年度考核：控辍保学得 0 分的辍学率",
                                                 "Assessment: dropout rate scoring 0"),
    "web.setting.assessment.teacher_share_full": ("年度考核：教师发展满分对应的参训比例",
                                                  "Assessment: share of teachers in programmes "
                                                  "scoring full marks"),
})

router = APIRouter(prefix="/admin", tags=["admin"])

TIES = ("display_name", "school_code", "teacher_id", "class_id", "student")


def _users_page(ctx: Ctx, status: int = 200, error: str | None = None,
                message: str | None = None, password: tuple[str, str] | None = None
                ) -> Response:
    users = list_users(ctx.db)
    rows = users.astype(object).where(users.notna(), None).to_dict("records")
    return ctx.html("admin_users.html", status_code=status, users=rows, error=error,
                    message=message, password=password, roles=ROLES.codes(),
                    role_name=lambda r: ROLES.label(r, ctx.lang))


@router.get("/users")
async def users(ctx: CtxDep) -> Response:
    require_page(ctx, "manage_users")
    return _users_page(ctx)


def _ties(form: Any) -> dict[str, Any]:
    return {k: form_text(form, k) for k in TIES}


def _initial_password() -> str:
    """16 random characters (96 bits): passes the length rule and no list of breached ones."""
    return secrets.token_urlsafe(12)


def _create(db: Database, username: str, role: str, password: str, ties: dict[str, Any]
            ) -> None:
    add_user(db, username, role, password, must_change=True, **ties)


@router.post("/users")
async def create(ctx: CtxDep) -> Response:
    require_page(ctx, "manage_users")
    form = await ctx.request.form(max_files=0, max_fields=20)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    username = form_text(form, "username") or ""
    role = form_text(form, "role", tuple(ROLES.codes())) or ""
    ties = _ties(form)
    password = _initial_password()
    try:
        await off_loop(ctx.db, _create, username, role, password, ties, lang=ctx.lang)
    except EduQualityError as exc:
        return _users_page(ctx, 400, error=str(exc))
    shown = {k: v for k, v in ties.items() if v}
    audit(ctx.db, ctx.principal, "admin", f"user {username}", f"created role={role} {shown}")
    return _users_page(ctx, message=ctx.t("web.admin.created", username=username),
                       password=(username, password))


async def _user_form(ctx: Ctx, username: str) -> tuple[Any, str]:
    require_page(ctx, "manage_users")
    form = await ctx.request.form(max_files=0, max_fields=20)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    require_ref(ctx.db, "user", username, ctx.lang)
    return form, username


def _change(db: Database, username: str, role: str, ties: dict[str, Any]) -> None:
    change_user(db, username, role, **ties)


def _done(ctx: Ctx, username: str, detail: str, message: str,
          password: tuple[str, str] | None = None) -> Response:
    audit(ctx.db, ctx.principal, "admin", f"user {username}", detail)
    return _users_page(ctx, message=message, password=password)


@router.post("/users/{username}/role")
async def change(ctx: CtxDep, username: str) -> Response:
    form, username = await _user_form(ctx, username)
    role = form_text(form, "role", tuple(ROLES.codes())) or ""
    before = list_users(ctx.db).set_index("username").loc[username]
    ties = _ties(form)
    try:
        await off_loop(ctx.db, _change, username, role, ties, lang=ctx.lang)
    except EduQualityError as exc:
        return _users_page(ctx, 400, error=str(exc))
    shown = {k: v for k, v in ties.items() if v}
    return _done(ctx, username, f"role {before['role']} → {role} {shown}",
                 ctx.t("web.admin.changed", username=username))


@router.post("/users/{username}/disable")
async def disable(ctx: CtxDep, username: str) -> Response:
    _, username = await _user_form(ctx, username)
    try:
        await off_loop(ctx.db, disable_user, username, ctx.principal.username,
                       lang=ctx.lang)
    except EduQualityError as exc:
        return _users_page(ctx, 400, error=str(exc))
    return _done(ctx, username, "disabled", ctx.t("web.admin.disabled_msg", username=username))


@router.post("/users/{username}/enable")
async def enable(ctx: CtxDep, username: str) -> Response:
    _, username = await _user_form(ctx, username)
    await off_loop(ctx.db, enable_user, username, lang=ctx.lang)
    return _done(ctx, username, "enabled", ctx.t("web.admin.enabled_msg", username=username))


@router.post("/users/{username}/remove")
async def remove(ctx: CtxDep, username: str) -> Response:
    _, username = await _user_form(ctx, username)
    try:
        await off_loop(ctx.db, remove_user, username, lang=ctx.lang)
    except EduQualityError as exc:
        return _users_page(ctx, 400, error=str(exc))
    return _done(ctx, username, "removed", ctx.t("web.admin.removed_msg", username=username))


def _reset(db: Database, username: str, password: str) -> None:
    set_password(db, username, password, must_change=True)


@router.post("/users/{username}/password")
async def reset(ctx: CtxDep, username: str) -> Response:
    _, username = await _user_form(ctx, username)
    password = _initial_password()
    await off_loop(ctx.db, _reset, username, password, lang=ctx.lang)
    return _done(ctx, username, "password reset; sessions ended",
                 ctx.t("web.admin.reset_msg", username=username), (username, password))


def _settings_page(ctx: Ctx, status: int = 200, error: str | None = None,
                   message: str | None = None) -> Response:
    settings = ctx.request.app.state.settings
    changed = setting_changes(ctx.db)
    stored = stored_settings(ctx.db)
    rows = [{"key": k, "kind": kind.__name__, "value": setting_value(settings, k),
             "label": ctx.t(f"web.setting.{k}"), "stored": k in stored,
             "changed": changed.get(k)} for k, kind in EDITABLE.items()]
    return ctx.html("admin_settings.html", status_code=status, rows=rows, error=error,
                    message=message)


@router.get("/settings")
async def settings_form(ctx: CtxDep) -> Response:
    require_page(ctx, "manage_settings")
    return _settings_page(ctx)


@router.post("/settings")
async def save_settings(ctx: CtxDep) -> Response:
    require_page(ctx, "manage_settings")
    form = await ctx.request.form(max_files=0, max_fields=2 * len(EDITABLE) + 5)
    require_csrf(ctx.request, form_text(form, "csrf"), ctx.lang)
    state = ctx.request.app.state
    changes = {}
    for key, kind in EDITABLE.items():
        if kind is bool:  # a hidden 'false' before the box: absent from the form → unchanged
            given = form.getlist(key)
            changes[key] = ("true" if "true" in given else "false") if given else None
        else:
            changes[key] = form_text(form, key, max_length=TEXT_SETTING_MAX if kind is str
                                     else 64)
    try:
        new, done = change_settings(ctx.db, state.settings,
                                    {k: v for k, v in changes.items() if v is not None},
                                    ctx.principal)
    except ConfigError as exc:
        return _settings_page(ctx, 400, error=str(exc))
    if done:
        state.settings = new
        state.cache.reset(new)
    text = "; ".join(f"{k}: {old} → {value}" for k, old, value in done)
    message = (ctx.t("web.admin.settings_saved", n=len(done), changes=text) if done
               else ctx.t("web.admin.settings_none"))
    return _settings_page(ctx, message=message)
