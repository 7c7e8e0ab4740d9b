"""Who may see what: principals, the role policy, scoped reads, masked IDs and the audit trail.

Students are minors (PIPL): every read of student-level data that a person asks for goes
through this module, which filters rows *in the query* by the reader's scope, masks ID numbers,
and lets the caller write an audit row. The model follows datasette's: permissions are data
(:data:`RULES` and :data:`ACTIONS`), one function decides (:func:`scope_for` resolves a
principal into per-level :class:`Filter` objects once per request), and the scoped readers
apply them.

Roles (``vocab.ROLES``):

============ ==================================================================
admin        everything, full ID numbers, user management
researcher   教研员: everything in the district, IDs masked, the audit log
leader       局领导: district, peer-group and school aggregates; no student data
principal    校长: the own school (its classes, teachers and students)
teacher      教师: the own classes (taught or as 班主任) and the own school's aggregate
parent       家长: the own child only, and the district aggregate
============ ==================================================================

A scope that cannot be resolved (a principal without a school, a parent without a child) sees
nothing: the policy fails closed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from eduquality.errors import EduQualityError, NotFoundError, PermissionDenied
from eduquality.i18n import register, tr
from eduquality.results import ExamAnalysis
from eduquality.store.db import Database
from eduquality.vocab import ROLES

__all__ = [
    "ACTIONS",
    "AUDIT_ACTIONS",
    "LEVELS",
    "RULES",
    "Filter",
    "Principal",
    "Scope",
    "add_user",
    "audit",
    "authenticate",
    "can",
    "hash_password",
    "list_users",
    "load_principal",
    "mask_national_id",
    "mask_sql",
    "read_audit",
    "require_action",
    "require_class",
    "require_exam",
    "require_school",
    "require_student",
    "restrict_analysis",
    "scope_for",
    "scoped_classes",
    "scoped_exams",
    "scoped_results",
    "scoped_schools",
    "scoped_students",
    "set_password",
    "set_user_lang",
    "small_units",
    "teachers_of_school",
    "unit_names",
    "verify_password",
]

MESSAGES = register({
    "access.denied": ("无权查看：{what}", "not allowed to see: {what}"),
    "access.action_denied": ("当前角色（{role}）无权执行：{action}",
                             "your role ({role}) may not do this: {action}"),
    "access.no_user": ("找不到用户 {username}", "user not found: {username}"),
    "access.user_exists": ("用户 {username} 已存在", "user {username} already exists"),
    "access.bad_username": (
        "用户名 {username!r} 无效：只能包含字母、数字、汉字和 . _ @ -，最长 64 个字符",
        "invalid user name {username!r}: letters, digits, . _ @ - only, at most 64 characters",
    ),
    "access.bad_role": ("未知角色 {role}（可选：{choices}）", "unknown role {role} (one of {choices})"),
    "access.needs": ("角色 {role} 需要指定 {what}", "role {role} needs {what}"),
    "access.unknown_ref": ("找不到{what} {value}", "{what} not found: {value}"),
    "access.what.exam": ("考试", "exam"), "access.what.school": ("学校", "school"),
    "access.what.class": ("班级", "class"), "access.what.student": ("学生", "student"),
    "access.short_password": ("密码至少需要 {n} 个字符", "the password needs at least {n} characters"),
    "access.bad_lang": ("未知语言 {lang}（zh|en）", "unknown language {lang} (zh|en)"),
    "access.bad_audit_action": ("未知审计动作 {action}", "unknown audit action {action}"),
})

LEVELS = ("exam", "district", "peer_group", "school", "class", "teacher", "student")
"""What a principal may see, level by level. 'exam': which exams are listed (by the
registrations they contain); 'district' … 'teacher': aggregate rows of an exam analysis;
'student': rows about one student (results, names, ID numbers)."""

_ALL = "all"
RULES: Mapping[str, Mapping[str, str]] = {
    #              level:        reach ("all", "school", "classes", "self", "child")
    "admin":      dict.fromkeys(LEVELS, _ALL),
    "researcher": dict.fromkeys(LEVELS, _ALL),
    "leader":     {"exam": _ALL, "district": _ALL, "peer_group": _ALL, "school": _ALL},
    "principal":  {"exam": "school", "district": _ALL, "school": "school", "class": "school",
                   "teacher": "school", "student": "school"},
    "teacher":    {"exam": "classes", "district": _ALL, "school": "school", "class": "classes",
                   "teacher": "self", "student": "classes"},
    "parent":     {"exam": "child", "district": _ALL, "student": "child"},
}
"""The policy as data: role → level → reach. A level missing from a role's row: nothing."""

ACTIONS: Mapping[str, frozenset[str]] = {
    "export": frozenset(ROLES.codes()),
    "view_audit": frozenset({"admin", "researcher"}),
    "full_national_id": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
}
"""Actions that are not reads of a level, and the roles that may do them."""

AUDIT_ACTIONS = ("view", "export", "import", "login", "denied")
"""The actions recorded in ``audit_log`` (its CHECK constraint)."""


# -- principals ---------------------------------------------------------------------------
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


def load_principal(db: Database, username: str) -> Principal:
    """The principal for ``username`` from ``app_user`` (teachers: their classes from
    ``teaching_assignment``, ``class.head_teacher_id`` and ``app_user.class_id``).

    Raises NotFoundError when there is no such user."""
    row = db.con.execute(
        "SELECT username, display_name, role, school_code, class_id, student_id, teacher_id,"
        " lang, password_hash FROM app_user WHERE username = ?", [username]).fetchone()
    if row is None:
        raise NotFoundError(tr("access.no_user", db.lang, username=username))
    name, display, role, school, class_id, student_id, teacher_id, lang, pw_hash = row
    class_ids: set[str] = {class_id} if class_id else set()
    if role == "teacher" and teacher_id:
        taught = db.con.execute(
            "SELECT class_id FROM teaching_assignment WHERE teacher_id = ? UNION "
            "SELECT class_id FROM class WHERE head_teacher_id = ?",
            [teacher_id, teacher_id]).fetchall()
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
        display_name=display, lang=lang, password_fingerprint=_fingerprint(pw_hash),
    )


def _fingerprint(pw_hash: str | None) -> str:
    return hashlib.sha256((pw_hash or "").encode()).hexdigest()[:16]


# -- the policy ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Filter:
    """Which rows of one level a principal may see.

    Each field restricts the column of the same name to its members; ``None`` leaves that
    column unrestricted and an empty set admits no row. A frame or query that lacks a
    restricted column is refused (ValueError), never let through."""

    school_code: frozenset[str] | None = None
    class_id: frozenset[str] | None = None
    student_id: frozenset[int] | None = None
    teacher_id: frozenset[str] | None = None

    def restrictions(self) -> dict[str, frozenset[Any]]:
        return {k: v for k, v in (("school_code", self.school_code), ("class_id", self.class_id),
                                  ("student_id", self.student_id),
                                  ("teacher_id", self.teacher_id)) if v is not None}

    def admits(self, **keys: Any) -> bool:
        """Whether a row with these key values is in scope (a restricted key must be given)."""
        for col, allowed in self.restrictions().items():
            if col not in keys:
                raise ValueError(f"scope restricts {col}, which the row does not carry")
            if keys[col] not in allowed:
                return False
        return True

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean mask of the rows of ``frame`` in scope (vectorised)."""
        keep = pd.Series(True, index=frame.index)
        for col, allowed in self.restrictions().items():
            if col not in frame.columns:
                raise ValueError(f"scope restricts {col}, which the frame does not carry")
            keep &= frame[col].isin(list(allowed))
        return keep

    def sql(self, columns: Mapping[str, str]) -> tuple[str, list[Any]]:
        """A WHERE clause and its parameters; ``columns`` maps each key to its SQL expression."""
        parts: list[str] = []
        params: list[Any] = []
        for col, allowed in self.restrictions().items():
            if col not in columns:
                raise ValueError(f"scope restricts {col}, which the query does not select")
            if not allowed:
                return "FALSE", []
            parts.append(f"{columns[col]} IN ({', '.join('?' * len(allowed))})")
            params += sorted(allowed)
        return (" AND ".join(parts) or "TRUE"), params

    def ibis(self, table: Any) -> Any:
        """``table`` filtered to the rows in scope (an Ibis table expression)."""
        for col, allowed in self.restrictions().items():
            if col not in table.columns:
                raise ValueError(f"scope restricts {col}, which the table does not carry")
            table = table.filter(table[col].isin(sorted(allowed)))
        return table


_NOTHING = Filter(school_code=frozenset())


@dataclass(frozen=True)
class Scope:
    """A principal resolved into one :class:`Filter` per level (a missing level: nothing)."""

    principal: Principal
    levels: Mapping[str, Filter]
    lang: str = "zh"
    """The language of the messages of refusals."""

    def filter(self, level: str) -> Filter:
        if level not in LEVELS:
            raise ValueError(f"unknown level {level}")
        return self.levels.get(level, _NOTHING)

    def sees(self, level: str) -> bool:
        """Whether any row of ``level`` may be visible."""
        f = self.levels.get(level)
        return f is not None and all(f.restrictions().values())

    def admits(self, level: str, **keys: Any) -> bool:
        return level in self.levels and self.levels[level].admits(**keys)

    def require(self, level: str, **keys: Any) -> None:
        """Raise PermissionDenied unless a row of ``level`` with ``keys`` is in scope."""
        if not self.admits(level, **keys):
            what = ", ".join(f"{k}={v}" for k, v in keys.items())
            raise PermissionDenied(tr("access.denied", self.lang, what=f"{level} {what}"))

    def frame(self, level: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` in scope at ``level``."""
        if level not in self.levels:
            return frame.iloc[0:0]
        if not self.levels[level].restrictions():
            return frame
        return frame.loc[self.levels[level].mask(frame)]

    def sql(self, level: str, columns: Mapping[str, str]) -> tuple[str, list[Any]]:
        if level not in self.levels:
            return "FALSE", []
        return self.levels[level].sql(columns)

    def can(self, action: str) -> bool:
        return can(self.principal, action)


def can(principal: Principal, action: str) -> bool:
    """Whether ``principal``'s role may do ``action`` (a key of :data:`ACTIONS`)."""
    return principal.role in ACTIONS[action]


def require_action(principal: Principal, action: str, lang: str = "zh") -> None:
    if not can(principal, action):
        raise PermissionDenied(tr("access.action_denied", lang,
                                  role=ROLES.label(principal.role, lang), action=action))


def scope_for(db: Database, principal: Principal, lang: str | None = None) -> Scope:
    """Resolve ``principal`` into per-level filters: the one function that decides.

    Reaches (:data:`RULES`): 'all' → no restriction; 'school' → the own school (teacher level:
    the teachers of the own school); 'classes' → the own classes; 'self' → the own teacher
    rows; 'child' → the own child. A reach that cannot be resolved admits nothing."""
    rules = RULES.get(principal.role, {})
    school = frozenset({principal.school_code}) if principal.school_code else frozenset()
    levels: dict[str, Filter] = {}
    for level, reach in rules.items():
        if reach == _ALL:
            levels[level] = Filter()
        elif reach == "school" and level == "teacher":
            levels[level] = Filter(teacher_id=teachers_of_school(db, principal.school_code))
        elif reach == "school":
            levels[level] = Filter(school_code=school)
        elif reach == "classes":
            levels[level] = Filter(class_id=principal.class_ids)
        elif reach == "self":
            levels[level] = Filter(teacher_id=frozenset(
                {principal.teacher_id} if principal.teacher_id else set()))
        elif reach == "child":
            levels[level] = Filter(student_id=frozenset(
                {principal.student_id} if principal.student_id is not None else set()))
        else:  # pragma: no cover - a typo in RULES
            raise ValueError(f"unknown reach {reach!r} for {principal.role}/{level}")
    return Scope(principal, levels, lang or principal.lang or db.lang)


def teachers_of_school(db: Database, school_code: str | None) -> frozenset[str]:
    """Teachers on the staff of ``school_code`` or teaching one of its classes."""
    if not school_code:
        return frozenset()
    rows = db.con.execute(
        "SELECT teacher_id FROM teacher WHERE school_code = ? UNION "
        "SELECT t.teacher_id FROM teaching_assignment t JOIN class c USING (class_id) "
        "WHERE c.school_code = ?", [school_code, school_code]).fetchall()
    return frozenset(r[0] for r in rows)


# -- masking ------------------------------------------------------------------------------
def mask_national_id(value: str | None) -> str | None:
    """Mask an ID number (身份证号, 学籍号), keeping its first and last characters.

    IDs of 12 characters or more keep 4 at each end; shorter ones keep a quarter of their
    length at each end (so at least half of a short ID is hidden). Same rule as
    :func:`mask_sql` and :func:`eduquality.reports.policy.mask_id`.

    >>> mask_national_id("530102200801011234")
    '5301**********1234'
    >>> mask_national_id("G000123")
    'G*****3'
    >>> mask_national_id("123")
    '***'
    >>> mask_national_id(None) is None
    True
    """
    if value is None:
        return None
    s = str(value)
    keep = 4 if len(s) >= 12 else len(s) // 4
    return s[:keep] + "*" * (len(s) - 2 * keep) + (s[len(s) - keep:] if keep else "")


def mask_sql(column: str) -> str:
    """The SQL expression masking ``column`` exactly as :func:`mask_national_id` does
    (vectorised in the database: no Python loop over students)."""
    c = column
    keep = f"(CASE WHEN length({c}) >= 12 THEN 4 ELSE length({c}) // 4 END)"
    return (f"(left({c}, {keep}) || repeat('*', length({c}) - 2 * {keep}) || "
            f"right({c}, {keep}))")


def _id_column(scope: Scope, column: str) -> str:
    return column if scope.can("full_national_id") else mask_sql(column)


# -- scoped reads -------------------------------------------------------------------------
_REG = {"school_code": "g.school_code", "class_id": "g.class_id", "student_id": "g.student_id"}


def scoped_exams(db: Database, scope: Scope) -> pd.DataFrame:
    """Exams with at least one registration in the principal's exam scope, newest first."""
    where, params = scope.sql("exam", _REG)
    return db.sql(f"""
        SELECT e.exam_id, e.name, e.exam_type, e.scope, e.year_code, e.term_no,
               CAST(e.exam_date AS VARCHAR) AS exam_date, e.grade
        FROM exam e
        WHERE EXISTS (SELECT 1 FROM exam_registration g
                      WHERE g.exam_id = e.exam_id AND {where})
        ORDER BY e.exam_date DESC NULLS LAST, e.exam_id""", params)


def require_exam(db: Database, scope: Scope, exam_id: str) -> None:
    """Raise NotFoundError for an unknown exam and PermissionDenied for an exam without any
    registration in the principal's exam scope."""
    if not db.scalar("SELECT count(*) FROM exam WHERE exam_id = ?", [exam_id]):
        raise NotFoundError(tr("access.unknown_ref", scope.lang,
                               what=tr("access.what.exam", scope.lang), value=exam_id))
    where, params = scope.sql("exam", _REG)
    if not db.scalar(f"SELECT count(*) FROM exam_registration g WHERE g.exam_id = ? AND {where}",
                     [exam_id, *params]):
        raise PermissionDenied(tr("access.denied", scope.lang, what=f"exam {exam_id}"))


def require_school(db: Database, scope: Scope, school_code: str) -> None:
    """NotFoundError for an unknown school; PermissionDenied outside the school scope."""
    if not db.scalar("SELECT count(*) FROM school WHERE school_code = ?", [school_code]):
        raise NotFoundError(tr("access.unknown_ref", scope.lang,
                               what=tr("access.what.school", scope.lang), value=school_code))
    scope.require("school", school_code=school_code)


def require_class(db: Database, scope: Scope, class_id: str) -> str:
    """The class's school code; NotFoundError for an unknown class, PermissionDenied outside
    the class scope."""
    school_code = db.scalar("SELECT school_code FROM class WHERE class_id = ?", [class_id])
    if school_code is None:
        raise NotFoundError(tr("access.unknown_ref", scope.lang,
                               what=tr("access.what.class", scope.lang), value=class_id))
    scope.require("class", school_code=school_code, class_id=class_id)
    return str(school_code)


def require_student(db: Database, scope: Scope, student_id: int) -> pd.DataFrame:
    """The student's placements in scope (as :func:`scoped_students`); NotFoundError for an
    unknown student, PermissionDenied when no placement is in the student scope."""
    rows = scoped_students(db, scope, student_ids=[student_id])
    if rows.empty:
        if db.scalar("SELECT count(*) FROM student WHERE student_id = ?", [int(student_id)]):
            raise PermissionDenied(tr("access.denied", scope.lang, what=f"student {student_id}"))
        raise NotFoundError(tr("access.unknown_ref", scope.lang,
                               what=tr("access.what.student", scope.lang), value=student_id))
    return rows


def unit_names(db: Database) -> dict[str, dict[str, str]]:
    """Display names of schools and classes, and each school's peer group (not personal
    data: every role may read them)."""
    schools = db.sql("SELECT school_code, name, coalesce(peer_group, '') AS peer FROM school")
    classes = db.sql("SELECT class_id, name FROM class")
    return {
        "school": dict(zip(schools["school_code"], schools["name"], strict=True)),
        "peer": dict(zip(schools["school_code"], schools["peer"], strict=True)),
        "class": dict(zip(classes["class_id"], classes["name"], strict=True)),
    }


def scoped_schools(db: Database, scope: Scope) -> pd.DataFrame:
    """Schools whose aggregates the principal may see, in school-code order."""
    where, params = scope.sql("school", {"school_code": "school_code"})
    return db.sql(f"SELECT school_code, name, stage, peer_group FROM school WHERE {where} "
                  "ORDER BY school_code", params)


def scoped_classes(db: Database, scope: Scope, school_code: str | None = None) -> pd.DataFrame:
    """Classes whose aggregates the principal may see (optionally of one school)."""
    where, params = scope.sql("class", {"school_code": "school_code", "class_id": "class_id"})
    if school_code is not None:
        where, params = f"{where} AND school_code = ?", [*params, school_code]
    return db.sql(f"""SELECT class_id, school_code, year_code, grade, name, head_teacher_id
                      FROM class WHERE {where} ORDER BY school_code, year_code, grade, class_id""",
                  params)


def _placements(exam_id: str | None) -> tuple[str, list[Any]]:
    """Where each student sits: an exam's registrations, or every class membership and
    registration on record (a student is in scope through any placement in scope)."""
    if exam_id is not None:
        return ("SELECT student_id, school_code, class_id FROM exam_registration "
                "WHERE exam_id = ?", [exam_id])
    return ("SELECT m.student_id, c.school_code, m.class_id FROM class_membership m "
            "JOIN class c USING (class_id) UNION "
            "SELECT student_id, school_code, class_id FROM exam_registration", [])


def scoped_students(
    db: Database, scope: Scope, *, exam_id: str | None = None, school_code: str | None = None,
    class_id: str | None = None, student_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Students in the principal's scope with name and ID number (masked unless the role may
    see it), one row per (student, school, class) placement; optionally narrowed to one exam's
    registrations, a school, a class or some students."""
    placements, params = _placements(exam_id)
    where, scope_params = scope.sql("student", _REG)
    extra = ""
    if school_code is not None:
        extra += " AND g.school_code = ?"
        scope_params = [*scope_params, school_code]
    if class_id is not None:
        extra += " AND g.class_id = ?"
        scope_params = [*scope_params, class_id]
    if student_ids is not None:
        ids = sorted({int(i) for i in student_ids})
        if not ids:
            extra += " AND FALSE"
        else:
            extra += f" AND g.student_id IN ({', '.join('?' * len(ids))})"
            scope_params = [*scope_params, *ids]
    return db.sql(f"""
        SELECT DISTINCT s.student_id, s.name, {_id_column(scope, 's.national_id')} AS national_id,
               s.gender, g.school_code, g.class_id
        FROM ({placements}) g JOIN student s USING (student_id)
        WHERE {where}{extra}
        ORDER BY g.school_code, g.class_id, s.student_id""", [*params, *scope_params])


def scoped_results(db: Database, scope: Scope, exam_id: str | None = None,
                   student_id: int | None = None) -> pd.DataFrame:
    """Subject results in the principal's student scope: one row per (exam, paper, student)
    with the school and class of the registration, status and score (NULL unless present)."""
    where, params = scope.sql("student", _REG)
    if exam_id is not None:
        where, params = f"{where} AND p.exam_id = ?", [*params, exam_id]
    if student_id is not None:
        where, params = f"{where} AND r.student_id = ?", [*params, int(student_id)]
    return db.sql(f"""
        SELECT p.exam_id, r.paper_id, p.subject_code, p.full_marks, r.student_id,
               g.school_code, g.class_id, r.status,
               CASE WHEN r.status = 'present' THEN r.score END AS score
        FROM subject_result r JOIN paper p USING (paper_id)
        JOIN exam_registration g ON g.exam_id = p.exam_id AND g.student_id = r.student_id
        WHERE {where}
        ORDER BY p.exam_id, g.school_code, g.class_id, r.student_id, r.paper_id""", params)


_UNIT_KEY = {"school": "school_code", "class": "class_id", "teacher": "teacher_id",
             "peer_group": "peer_group"}


_KEEP_WHEN_SMALL = frozenset({"subject_code", "peer_group", "school_code", "class_id",
                              "teacher_id", "n_registered", "n", "full_marks", "band"})


def small_units(frame: pd.DataFrame, min_n: int, blank: bool) -> pd.DataFrame:
    """Units with fewer than ``min_n`` valid scores are not compared (band 'too_few'); with
    ``blank`` their statistics are withheld too (a mean of 2 students discloses them)."""
    if frame.empty or "n" not in frame.columns or min_n <= 0:
        return frame
    small = frame["n"] < min_n
    if not small.any():
        return frame
    out = frame.copy()
    out.loc[small, "band"] = "too_few"
    if blank:
        cols = [c for c in out.columns if c not in _KEEP_WHEN_SMALL]
        out.loc[small, cols] = None
    return out


def restrict_analysis(analysis: ExamAnalysis, scope: Scope, min_n: int = 0) -> ExamAnalysis:
    """A copy of ``analysis`` holding only what ``scope`` may see: summaries per level,
    student rows, knowledge-point rows per unit, groups of visible students; district-wide
    item statistics only when the district level is visible.

    Units (not the district) with fewer than ``min_n`` valid scores get band 'too_few'; for a
    scope without student-level access (leader, parent) their statistics are withheld."""
    withhold = "student" not in scope.levels
    summaries = {level: scope.frame(level, frame) if level == "district" else
                 small_units(scope.frame(level, frame), min_n, withhold)
                 for level, frame in analysis.summaries.items()}
    students = scope.frame("student", analysis.students)
    groups = analysis.groups
    if "student_id" in groups.columns and scope.filter("student").restrictions():
        visible: Any = students["student_id"].unique() if "student_id" in students else []
        groups = groups.loc[groups["student_id"].isin(visible)]
    elif "student_id" in groups.columns and "student" not in scope.levels:
        groups = groups.iloc[0:0]
    district = scope.sees("district")
    blank = pd.DataFrame()
    return replace(
        analysis, summaries=summaries, students=students, groups=groups,
        knowledge=_restrict_units(analysis.knowledge, scope, analysis.summaries),
        weak_points=_restrict_units(analysis.weak_points, scope, analysis.summaries),
        items=analysis.items if district else blank,
        options=analysis.options if district else blank,
        reliability=analysis.reliability if district else blank,
        distribution=analysis.distribution if district else blank,
        names=_restrict_names(analysis.names, summaries, students),
    )


def _restrict_units(frame: pd.DataFrame, scope: Scope,
                    summaries: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows with (level, unit) columns: keep those whose unit is visible at its level. A unit's
    keys (a class's school, say) come from that level's summary rows; a unit that cannot be
    placed is withheld."""
    if frame.empty or "level" not in frame.columns:
        return frame
    keep = pd.Series(False, index=frame.index)
    for level in frame["level"].unique():
        rows = frame["level"] == level
        if level == "district":
            keep |= rows & scope.sees("district")
            continue
        if level not in scope.levels or level not in _UNIT_KEY:
            continue
        f = scope.levels[level]
        if not f.restrictions():
            keep |= rows
            continue
        units = summaries.get(str(level), pd.DataFrame())
        if units.empty:
            continue
        visible = units.loc[f.mask(units), _UNIT_KEY[str(level)]]
        keep |= rows & frame["unit"].isin(list(visible))
    return frame.loc[keep]


def _restrict_names(names: Mapping[str, Mapping[str, str]],
                    summaries: Mapping[str, pd.DataFrame],
                    students: pd.DataFrame) -> dict[str, dict[str, str]]:
    seen: dict[str, set[str]] = {"school": set(), "class": set(), "teacher": set()}
    for frame in [*summaries.values(), students]:
        for kind, col in (("school", "school_code"), ("class", "class_id"),
                          ("teacher", "teacher_id")):
            if col in frame.columns:
                seen[kind] |= {str(v) for v in frame[col].dropna().unique()}
    return {kind: {k: v for k, v in names.get(kind, {}).items() if k in seen.get(kind, set())}
            for kind in names}


# -- audit trail --------------------------------------------------------------------------
def audit(db: Database, principal: Principal, action: str, obj: str,
          detail: str | None = None) -> None:
    """Record that ``principal`` did ``action`` ('view', 'export', 'import', 'login',
    'denied') on ``obj``. Writes one row of ``audit_log`` through the single write path."""
    if action not in AUDIT_ACTIONS:
        raise EduQualityError(tr("access.bad_audit_action", db.lang, action=action))
    with db.write(check_scores=False) as con:
        con.execute("INSERT INTO audit_log (username, role, action, object, detail) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [principal.username, principal.role, action, obj, detail])


def read_audit(db: Database, scope: Scope, *, username: str | None = None,
               action: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The latest ``limit`` audit rows (admin and researcher only), newest first."""
    require_action(scope.principal, "view_audit", scope.lang)
    where: str = "TRUE"
    params: list[Any] = []
    if username:
        where, params = f"{where} AND username = ?", [*params, username]
    if action:
        where, params = f"{where} AND action = ?", [*params, action]
    return db.sql(f"""SELECT CAST(logged_at AS VARCHAR) AS logged_at, username, role, action,
                             object, detail
                      FROM audit_log WHERE {where}
                      ORDER BY logged_at DESC, rowid DESC LIMIT {int(limit)}""", params)


# -- users and passwords ------------------------------------------------------------------
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD = 8
_USERNAME = re.compile(r"[\w.@-]{1,64}")


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$key``: scrypt (RFC 7914, hashlib) with a 16-byte random salt.

    >>> h = hash_password("correct horse")
    >>> h.startswith("scrypt$16384$8$1$"), verify_password("correct horse", h)
    (True, True)
    >>> verify_password("wrong horse", h)
    False
    """
    salt = os.urandom(16) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                         p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time comparison of the keys)."""
    try:
        kind, n, r, p, salt, key = (stored or "").split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(key)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(want),
                             maxmem=max(64 * 1024 * 1024, 256 * int(n) * int(r)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


_DUMMY_HASH = hash_password("-", salt=b"\0" * 16)


def authenticate(db: Database, username: str, password: str) -> Principal | None:
    """The principal when ``password`` is right, else None (same work for unknown users, so
    timing does not tell which user names exist)."""
    stored = db.scalar("SELECT password_hash FROM app_user WHERE username = ?", [username])
    ok = verify_password(password, stored if stored is not None else _DUMMY_HASH)
    if stored is None or not ok:
        return None
    return load_principal(db, username)


def _check_password(password: str, lang: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise EduQualityError(tr("access.short_password", lang, n=MIN_PASSWORD))


def _resolve_student(db: Database, student: str | int) -> int:
    """A student by ID number (national_id) or internal student_id."""
    sid = db.scalar("SELECT student_id FROM student WHERE national_id = ?", [str(student)])
    if sid is None and str(student).isdigit():
        sid = db.scalar("SELECT student_id FROM student WHERE student_id = ?", [int(student)])
    if sid is None:
        what = tr("access.what.student", db.lang)
        raise NotFoundError(tr("access.unknown_ref", db.lang, what=what, value=student))
    return int(sid)


def _require_ref(db: Database, table: str, column: str, value: str, what: tuple[str, str]
                 ) -> None:
    if db.scalar(f"SELECT count(*) FROM {table} WHERE {column} = ?", [value]) == 0:
        raise NotFoundError(tr("access.unknown_ref", db.lang,
                               what=what[1] if db.lang == "en" else what[0], value=value))


def add_user(
    db: Database, username: str, role: str, password: str, *, display_name: str | None = None,
    school_code: str | None = None, class_id: str | None = None,
    student: str | int | None = None, teacher_id: str | None = None, lang: str | None = None,
) -> Principal:
    """Create a user. Writes. The role's ties are checked: a principal needs a school, a
    teacher a teacher ID or a class, a parent a student (ID number or student_id)."""
    L = db.lang
    if not _USERNAME.fullmatch(username):
        raise EduQualityError(tr("access.bad_username", L, username=username))
    if role not in ROLES.codes():
        raise EduQualityError(tr("access.bad_role", L, role=role,
                                 choices="|".join(ROLES.codes())))
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", L, lang=lang))
    _check_password(password, L)
    needs = {"principal": ("--school", school_code), "parent": ("--student", student),
             "teacher": ("--teacher / --class", teacher_id or class_id)}
    if role in needs and not needs[role][1]:
        raise EduQualityError(tr("access.needs", L, role=role, what=needs[role][0]))
    if school_code:
        _require_ref(db, "school", "school_code", school_code, ("学校", "school"))
    if class_id:
        _require_ref(db, "class", "class_id", class_id, ("班级", "class"))
    if teacher_id:
        _require_ref(db, "teacher", "teacher_id", teacher_id, ("教师", "teacher"))
    student_id = _resolve_student(db, student) if student is not None else None
    if db.scalar("SELECT count(*) FROM app_user WHERE username = ?", [username]):
        raise EduQualityError(tr("access.user_exists", L, username=username))
    with db.write() as con:
        con.execute(
            "INSERT INTO app_user (username, display_name, role, school_code, class_id,"
            " student_id, password_hash, teacher_id, lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [username, display_name or username, role, school_code, class_id, student_id,
             hash_password(password), teacher_id, lang])
    return load_principal(db, username)


def set_password(db: Database, username: str, password: str) -> None:
    """Replace a user's password (their open sessions end). Writes."""
    load_principal(db, username)
    _check_password(password, db.lang)
    with db.write() as con:
        con.execute("UPDATE app_user SET password_hash = ? WHERE username = ?",
                    [hash_password(password), username])


def set_user_lang(db: Database, username: str, lang: str | None) -> None:
    """Store a user's preferred language ('zh', 'en' or None for the default). Writes."""
    if lang is not None and lang not in ("zh", "en"):
        raise EduQualityError(tr("access.bad_lang", db.lang, lang=lang))
    with db.write() as con:
        con.execute("UPDATE app_user SET lang = ? WHERE username = ?", [lang, username])


def list_users(db: Database) -> pd.DataFrame:
    """Every user with role and ties (never the password hash)."""
    return db.sql("SELECT username, display_name, role, school_code, class_id, student_id,"
                  " teacher_id, lang FROM app_user ORDER BY role, username")
