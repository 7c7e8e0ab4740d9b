"""User accounts: signing in, creating, disabling, enabling and removing users, passwords,
teachers' grants of past school years, and preferred languages."""

from __future__ import annotations

import re

import pandas as pd

from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.store.credentials import save_password, store_rehash, stored_hash
from eduquality.store.db import Database
from eduquality.store.passwords import (
    check_password,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from eduquality.store.principals import Principal, load_principal
from eduquality.store.refs import not_found, require_ref
from eduquality.vocab import ROLES

__all__ = [
    "add_user",
    "authenticate",
    "change_user",
    "disable_user",
    "enable_user",
    "grant_year",
    "list_users",
    "remove_user",
    "revoke_year",
    "set_password",
    "set_user_lang",
]

MESSAGES = register({
    "access.user_exists": ("用户 {username} 已存在", "user {username} already exists"),
    "access.bad_username": (
        "用户名 {username!r} 无效：只能包含字母、数字、汉字和 . _ @ -，最长 64 个字符",
        "invalid user name {username!r}: letters, digits, . _ @ - only, at most 64 characters",
    ),
    "access.bad_role": ("未知角色 {role}（可选：{choices}）", "unknown role {role} (one of {choices})"),
    "access.needs": ("角色 {role} 需要指定 {what}", "role {role} needs {what}"),
    "access.bad_lang": ("未知语言 {lang}（zh|en）", "unknown language {lang} (zh|en)"),
    "access.last_admin": (
        "{username} 是最后一个可用的管理员账号，不能停用或删除：请先添加另一个管理员",
        "{username} is the last enabled admin account and cannot be disabled or removed: "
        "add another admin first",
    ),
    "access.grant_not_teacher": (
        "只有教师账号需要授权往年（{username} 的角色是 {role}）",
        "only teacher accounts take grants of past years ({username} is a {role})",
    ),
})

_USERNAME = re.compile(r"[\w.@-]{1,64}")


def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """The principal when ``password`` is right, else None (same work for unknown users, so
    timing does not tell which user names exist). A hash of an older cost is replaced. Runs
    scrypt here: the web platform uses :func:`eduquality.web.auth.sign_in` (off the event loop)."""
    stored = stored_hash(db, username)
    ok = verify_password(password, stored if stored is not None else dummy_hash())
    if stored is None or not ok:
        return None
    if needs_rehash(stored):
        store_rehash(db, username, stored, hash_password(password))
    return load_principal(db, username)


def _resolve_student(db: Database, student: str | int) -> int:
    """A student by ID number (national_id) or internal student_id."""
    sid = db.scalar("SELECT student_id FROM student WHERE national_id = ?", [str(student)])
    if sid is None and str(student).isdigit():
        sid = db.scalar("SELECT student_id FROM student WHERE student_id = ?", [int(student)])
    if sid is None:
        raise not_found("student", student, db.lang)
    return int(sid)


def add_user(
    db: Database, username: str, role: str, password: str, *, display_name: str | None = None,
    school_code: str | None = None, class_id: str | None = None,
    student: str | int | None = None, teacher_id: str | None = None, lang: str | None = None,
    must_change: bool = False,
) -> Principal:
    """Create a user. Writes. The role's ties are checked: a principal needs a school, a
    teacher a teacher ID or a class, a parent a student (ID number or student_id).
    ``must_change``: the password is an initial one, to be changed at the first sign-in (what
    an administrator's ``eduquality user add`` sets)."""
    L = db.lang
    if not _USERNAME.fullmatch(username):
        raise EduQualityError(tr("access.bad_username", L, username=username))
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", L, lang=lang))
    check_password(password, L)
    student_id = _check_ties(db, role, school_code, class_id, student, teacher_id)
    if db.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
        raise EduQualityError(tr("access.user_exists", L, username=username))
    with db.write() as con:
        con.execute(
            "INSERT INTO app_user (username, display_name, role, school_code, class_id,"
            " student_id, password_hash, teacher_id, lang, must_change_password)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [username, display_name or username, role, school_code, class_id, student_id,
             hash_password(password), teacher_id, lang, must_change])
    return load_principal(db, username)


def _check_ties(db: Database, role: str, school_code: str | None, class_id: str | None,
                student: str | int | None, teacher_id: str | None) -> int | None:
    """Check a role's ties (a principal needs a school, a teacher a teacher ID or a class, a
    parent a student) and that each exists; returns the student's student_id."""
    L = db.lang
    if role not in ROLES.codes():
        raise EduQualityError(tr("access.bad_role", L, role=role,
                                 choices="|".join(ROLES.codes())))
    needs = {"principal": ("--school", school_code), "parent": ("--student", student),
             "teacher": ("--teacher / --class", teacher_id or class_id)}
    if role in needs and not needs[role][1]:
        raise EduQualityError(tr("access.needs", L, role=role, what=needs[role][0]))
    if school_code:
        require_ref(db, "school", school_code, L)
    if class_id:
        require_ref(db, "class", class_id, L)
    if teacher_id:
        require_ref(db, "teacher", teacher_id, L)
    return _resolve_student(db, student) if student is not None else None


def change_user(db: Database, username: str, role: str, *, display_name: str | None = None,
                school_code: str | None = None, class_id: str | None = None,
                student: str | int | None = None, teacher_id: str | None = None) -> Principal:
    """Give a user another role and ties (the same checks as :func:`add_user`; the last
    enabled admin keeps the admin role). The change applies from the user's next request (the
    principal is reloaded on every request). Writes."""
    require_ref(db, "user", username, db.lang)
    old_role = db.scalar("SELECT role FROM app_user WHERE username = ?", [username])
    student_id = _check_ties(db, role, school_code, class_id, student, teacher_id)
    if old_role == "admin" and role != "admin":
        _refuse_last_admin(db, username)
    with db.write(check_scores=False) as con:
        con.execute(
            "UPDATE app_user SET role = ?, school_code = ?, class_id = ?, student_id = ?,"
            " teacher_id = ?, display_name = coalesce(?, display_name) WHERE username = ?",
            [role, school_code, class_id, student_id, teacher_id, display_name, username])
    return load_principal(db, username) if not _disabled(db, username) else Principal(
        username=username, role=role)


def _disabled(db: Database, username: str) -> bool:
    return bool(db.scalar("SELECT count(*) FROM user_disabled WHERE username = ?", [username]))


def set_password(db: Database, username: str, password: str, *,
                 must_change: bool = False) -> None:
    """Replace a user's password (their open sessions end). Writes. ``must_change``: an
    administrator's reset, to be changed by the user at the next sign-in. A disabled account
    may be reset too."""
    require_ref(db, "user", username, db.lang)
    check_password(password, db.lang)
    save_password(db, username, hash_password(password), must_change=must_change)


def set_user_lang(db: Database, username: str, lang: str | None) -> None:
    """Store a user's preferred language ('zh', 'en' or None for the default). Writes."""
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", db.lang, lang=lang))
    with db.write(check_scores=False) as con:  # a preference: no score check needed
        con.execute("UPDATE app_user SET lang = ? WHERE username = ?", [lang, username])


def _refuse_last_admin(db: Database, username: str) -> None:
    """Disabling or removing the last enabled admin would lock everyone out of user management."""
    enabled_admins = {r[0] for r in db.con.execute(
        "SELECT username FROM app_user WHERE role = 'admin' AND username NOT IN "
        "(SELECT username FROM user_disabled)").fetchall()}
    if enabled_admins == {username}:
        raise EduQualityError(tr("access.last_admin", db.lang, username=username))


def disable_user(db: Database, username: str, by: str | None = None) -> None:
    """Disable an account: it can no longer sign in, and its open sessions stop working on
    their next request (:func:`~eduquality.store.principals.load_principal` finds no such
    user). Disabling a disabled account changes nothing. Writes."""
    require_ref(db, "user", username, db.lang)
    _refuse_last_admin(db, username)
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO user_disabled (username, disabled_by) VALUES (?, ?) "
                    "ON CONFLICT DO NOTHING", [username, by])


def enable_user(db: Database, username: str) -> None:
    """Enable a disabled account again (its password is unchanged). Writes."""
    require_ref(db, "user", username, db.lang)
    with db.write(check_scores=False) as con:
        con.execute("DELETE FROM user_disabled WHERE username = ?", [username])


def remove_user(db: Database, username: str) -> None:
    """Remove an account and its status and grants. The audit trail keeps the user name in
    its rows (``audit_log`` is never rewritten). Writes."""
    require_ref(db, "user", username, db.lang)
    _refuse_last_admin(db, username)
    with db.write(check_scores=False) as con:
        for table in ("user_disabled", "user_year_grant", "app_user"):
            con.execute(f"DELETE FROM {table} WHERE username = ?", [username])


def _require_teacher(db: Database, username: str) -> None:
    require_ref(db, "user", username, db.lang)
    role = db.scalar("SELECT role FROM app_user WHERE username = ?", [username])
    if role != "teacher":
        raise EduQualityError(tr("access.grant_not_teacher", db.lang, username=username,
                                 role=ROLES.label(role, db.lang)))


def grant_year(db: Database, username: str, year_code: str, by: str | None = None) -> None:
    """Let a teacher see the classes they taught in a past school year ``year_code`` (without
    a grant a teacher sees the current school year's classes only). Writes."""
    _require_teacher(db, username)
    require_ref(db, "year", year_code, db.lang)
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO user_year_grant (username, year_code, granted_by) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING", [username, year_code, by])


def revoke_year(db: Database, username: str, year_code: str) -> None:
    """Withdraw a teacher's grant of ``year_code``. Writes."""
    _require_teacher(db, username)
    with db.write(check_scores=False) as con:
        con.execute("DELETE FROM user_year_grant WHERE username = ? AND year_code = ?",
                    [username, year_code])


def list_users(db: Database) -> pd.DataFrame:
    """Every user with role, ties, whether disabled and the granted past years (never the
    password hash)."""
    return db.sql("""SELECT u.username, u.display_name, u.role, u.school_code, u.class_id,
                            u.student_id, u.teacher_id, u.lang,
                            d.username IS NOT NULL AS disabled,
                            (SELECT string_agg(g.year_code, ',' ORDER BY g.year_code)
                             FROM user_year_grant g WHERE g.username = u.username) AS years
                     FROM app_user u LEFT JOIN user_disabled d USING (username)
                     ORDER BY u.role, u.username""")
