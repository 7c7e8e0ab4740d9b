"""User accounts: signing in, creating users, passwords and preferred languages."""

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

__all__ = ["add_user", "authenticate", "list_users", "set_password", "set_user_lang"]

MESSAGES = register({
    "access.user_exists": ("用户 {username} 已存在", "user {username} already exists"),
    "access.bad_username": (
        "用户名 {username!r} 无效：只能包含字母、数字、汉字和 . _ @ -，最长 64 个字符",
        "invalid user name {username!r}: letters, digits, . _ @ - only, at most 64 characters",
    ),
    "access.bad_role": ("未知角色 {role}（可选：{choices}）", "unknown role {role} (one of {choices})"),
    "access.needs": ("角色 {role} 需要指定 {what}", "role {role} needs {what}"),
    "access.bad_lang": ("未知语言 {lang}（zh|en）", "unknown language {lang} (zh|en)"),
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
    if role not in ROLES.codes():
        raise EduQualityError(tr("access.bad_role", L, role=role,
                                 choices="|".join(ROLES.codes())))
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", L, lang=lang))
    check_password(password, L)
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
    student_id = _resolve_student(db, student) if student is not None else None
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


def set_password(db: Database, username: str, password: str, *,
                 must_change: bool = False) -> None:
    """Replace a user's password (their open sessions end). Writes. ``must_change``: an
    administrator's reset, to be changed by the user at the next sign-in."""
    load_principal(db, username)
    check_password(password, db.lang)
    save_password(db, username, hash_password(password), must_change=must_change)


def set_user_lang(db: Database, username: str, lang: str | None) -> None:
    """Store a user's preferred language ('zh', 'en' or None for the default). Writes."""
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", db.lang, lang=lang))
    with db.write(check_scores=False) as con:  # a preference: no score check needed
        con.execute("UPDATE app_user SET lang = ? WHERE username = ?", [lang, username])


def list_users(db: Database) -> pd.DataFrame:
    """Every user with role and ties (never the password hash)."""
    return db.sql("SELECT username, display_name, role, school_code, class_id, student_id,"
                  " teacher_id, lang FROM app_user ORDER BY role, username")
