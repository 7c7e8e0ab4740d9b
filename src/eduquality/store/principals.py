"""Who is signed in: :class:`Principal` and loading one from ``app_user``.

A teacher's classes come from ``teaching_assignment`` and ``class.head_teacher_id`` in the
current school year (:func:`eduquality.vocab.school_year_of`) and in the past years granted to
them (``user_year_grant``), plus the class an administrator tied to the account
(``app_user.class_id``). A disabled account (``user_disabled``) loads as not found, so it can
neither sign in nor use a session opened before. The policy (:mod:`eduquality.store.policy`)
turns a principal into what they may see.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from eduquality.errors import NotFoundError
from eduquality.i18n import register, tr
from eduquality.store.db import Database
from eduquality.vocab import school_year_of

__all__ = ["Principal", "fingerprint", "load_principal"]

MESSAGES = register({
    "access.no_user": ("找不到用户 {username}", "user not found: {username}"),
})


@dataclass(frozen=True)
class Principal:
    """A signed-in person: who they are and what their role is tied to."""

    username: str
    role: str
    school_code: str | None = None
    class_ids: frozenset[str] = frozenset()
    student_id: int | None = None
    teacher_id: str | None = None
    display_name: str = ""
    lang: str | None = None
    password_fingerprint: str = field(default="", repr=False, compare=False)
    """A short hash of the stored password hash: sessions end when the password changes."""


def load_principal(db: Database, username: str, today: date | None = None) -> Principal:
    """The principal for ``username`` from ``app_user`` (teachers: their classes from
    ``teaching_assignment`` and ``class.head_teacher_id`` in the school year of ``today``
    (default: today) or a year granted in ``user_year_grant``, and ``app_user.class_id``).

    Raises NotFoundError when there is no such user or the account is disabled."""
    row = db.con.execute(
        "SELECT username, display_name, role, school_code, class_id, student_id, teacher_id,"
        " lang, password_hash FROM app_user WHERE username = ? AND username NOT IN "
        "(SELECT username FROM user_disabled)", [username]).fetchone()
    if row is None:
        raise NotFoundError(tr("access.no_user", db.lang, username=username))
    name, display, role, school, class_id, student_id, teacher_id, lang, pw_hash = row
    class_ids: set[str] = {class_id} if class_id else set()
    if role == "teacher" and teacher_id:
        current = school_year_of(today or date.today())
        taught = db.con.execute(
            "SELECT c.class_id FROM class c WHERE (c.year_code = ? OR c.year_code IN "
            "(SELECT year_code FROM user_year_grant WHERE username = ?)) AND ("
            "c.head_teacher_id = ? OR c.class_id IN "
            "(SELECT class_id FROM teaching_assignment WHERE teacher_id = ?))",
            [current, name, teacher_id, teacher_id]).fetchall()
        class_ids |= {r[0] for r in taught}
        if school is None:
            school = db.scalar("SELECT school_code FROM teacher WHERE teacher_id = ?",
                               [teacher_id])
    if role == "teacher" and school is None and class_ids:
        school = db.scalar("SELECT min(school_code) FROM class WHERE class_id IN "
                           f"({', '.join('?' * len(class_ids))})", sorted(class_ids))
    return Principal(
        username=name, role=role, school_code=school, class_ids=frozenset(class_ids),
        student_id=None if student_id is None else int(student_id), teacher_id=teacher_id,
        display_name=display, lang=lang, password_fingerprint=fingerprint(pw_hash),
    )


def fingerprint(pw_hash: str | None) -> str:
    """A short hash of a stored password hash (sessions end when the password changes)."""
    return hashlib.sha256((pw_hash or "").encode()).hexdigest()[:16]
