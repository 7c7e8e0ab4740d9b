"""The role policy: which rows of each level a principal may see, and which actions they may do.

The model follows datasette's: permissions are data (:data:`RULES` and :data:`ACTIONS`), one
function decides (:func:`scope_for` resolves a principal into per-level :class:`Filter`
objects once per request), and the scoped readers (:mod:`eduquality.store.scoped`) apply them.

Roles (``vocab.ROLES``):

============ ==================================================================
admin        everything, full ID numbers, user management
researcher   教研员: everything in the district, IDs masked, the audit log
leader       局领导: district, peer-group and school aggregates; no student data
principal    校长: the own school (its classes, teachers and students)
teacher      教师: the own classes (taught or as 班主任) and the own school's aggregate
parent       家长: the own child only, and the district aggregate
============ ==================================================================

Special-group membership of a student (建档立卡, 残疾, 随迁子女, 留守儿童) is shown only to roles with
the ``view_group_membership`` action (the bureau's staff and the principal, who follow up
控辍保学); others see aggregates of groups at most.

A scope that cannot be resolved (a principal without a school, a parent without a child) sees
nothing: the policy fails closed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from eduquality.errors import PermissionDenied
from eduquality.i18n import register, tr
from eduquality.store.db import Database
from eduquality.store.principals import Principal
from eduquality.vocab import ROLES

__all__ = [
    "ACTIONS",
    "LEVELS",
    "RULES",
    "Filter",
    "Levels",
    "Scope",
    "can",
    "require_action",
    "scope_for",
    "teachers_of_school",
]

MESSAGES = register({
    "access.denied": ("无权查看：{what}", "not allowed to see: {what}"),
    "access.action_denied": ("当前角色（{role}）无权执行：{action}",
                             "your role ({role}) may not do this: {action}"),
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
    "import_files": frozenset({"admin", "researcher", "principal"}),
    "manage_settings": frozenset({"admin"}),
    "view_group_membership": frozenset({"admin", "researcher", "principal"}),
    "record_dropout_followup": frozenset({"admin", "researcher", "principal"}),
}
"""Actions that are not reads of a level, and the roles that may do them.
``view_group_membership``: special-group membership (建档立卡, 残疾, 随迁子女, 留守儿童), within the
role's scope — a student's flags in the 控辍保学 alert lists and early-warning factors
(:mod:`eduquality.analysis.dropout`, :mod:`eduquality.analysis.early_warning`), and figures by
group (support, coverage, gaps; issue 14 §4) never for a unit so small that a child is
identifiable (:mod:`eduquality.analysis.special_groups`).
``record_dropout_followup``: record what was done about a 控辍保学 alert (contacted,
returned, transferred with proof) for a child within the role's student scope — the bureau's
staff and the principal, who answer for 控辍保学 (:func:`eduquality.analysis.dropout.record_followup`,
used by ``eduquality dropout followup`` and the web form alike)."""


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

    def resolve(self) -> Scope:
        """This scope with every filter read (:class:`Levels`): ready for another thread."""
        if isinstance(self.levels, Levels):
            self.levels.resolve()
        return self


def can(principal: Principal, action: str) -> bool:
    """Whether ``principal``'s role may do ``action`` (a key of :data:`ACTIONS`)."""
    return principal.role in ACTIONS[action]


def require_action(principal: Principal, action: str, lang: str = "zh") -> None:
    if not can(principal, action):
        raise PermissionDenied(tr("access.action_denied", lang,
                                  role=ROLES.label(principal.role, lang), action=action))


class Levels(Mapping[str, Filter]):
    """A scope's filters by level, where one filter may be resolved by a query on first use:
    a principal's 'teacher' level (the teachers of the own school, :func:`teachers_of_school`)
    is read only when a page needs it — a page shown again from the page cache never does, and
    the query is the dearest of a request's checks (issue 12).

    The pending query runs on the database handle of the request, so it must run on the
    thread that resolved the scope (DuckDB connections are not shared between threads): used
    from another thread, a pending level raises RuntimeError instead of sharing the handle
    (:func:`eduquality.web.forms.off_loop` calls :meth:`resolve` before handing a scope to a
    worker thread). Which levels exist never needs the query."""

    def __init__(self, ready: Mapping[str, Filter],
                 pending: Mapping[str, Callable[[], Filter]] | None = None) -> None:
        self._ready = dict(ready)
        self._pending = dict(pending or {})
        self._names = [*self._ready, *self._pending]
        self._owner = threading.get_ident()

    def _resolved(self, level: str) -> Filter:
        if level in self._pending:
            if threading.get_ident() != self._owner:
                raise RuntimeError(f"scope level {level} resolved off its request's thread")
            self._ready[level] = self._pending.pop(level)()
        return self._ready[level]

    def __getitem__(self, level: str) -> Filter:
        if level not in self._ready and level not in self._pending:
            raise KeyError(level)
        return self._resolved(level)

    def __contains__(self, level: object) -> bool:
        return level in self._ready or level in self._pending

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def resolve(self) -> None:
        """Run the pending queries now (on the owning thread)."""
        for level in list(self._pending):
            self._resolved(level)

    def __repr__(self) -> str:
        return f"Levels({self._ready!r}, pending={sorted(self._pending)!r})"


def scope_for(db: Database, principal: Principal, lang: str | None = None) -> Scope:
    """Resolve ``principal`` into per-level filters: the one function that decides.

    Reaches (:data:`RULES`): 'all' → no restriction; 'school' → the own school (teacher level:
    the teachers of the own school, read on first use: :class:`Levels`); 'classes' → the own
    classes; 'self' → the own teacher rows; 'child' → the own child. A reach that cannot be
    resolved admits nothing."""
    rules = RULES.get(principal.role, {})
    school = frozenset({principal.school_code}) if principal.school_code else frozenset()
    levels: dict[str, Filter] = {}
    pending: dict[str, Callable[[], Filter]] = {}
    for level, reach in rules.items():
        if reach == _ALL:
            levels[level] = Filter()
        elif reach == "school" and level == "teacher":
            pending[level] = lambda: Filter(
                teacher_id=teachers_of_school(db, principal.school_code))
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
    return Scope(principal, Levels(levels, pending), lang or principal.lang or db.lang)


def teachers_of_school(db: Database, school_code: str | None) -> frozenset[str]:
    """Teachers on the staff of ``school_code`` or teaching one of its classes."""
    if not school_code:
        return frozenset()
    rows = db.con.execute(
        "SELECT teacher_id FROM teacher WHERE school_code = ? UNION "
        "SELECT t.teacher_id FROM teaching_assignment t JOIN class c USING (class_id) "
        "WHERE c.school_code = ?", [school_code, school_code]).fetchall()
    return frozenset(r[0] for r in rows)
