"""Retention of personal data (issue 10 §2): students who left long ago are anonymised, their
scores kept for statistics.

Rule: a student is *due* when the latest enrolment event (view ``student_status``, migration 1)
is a graduation, a transfer out or a dropout dated on or before the cutoff, ``years`` full
years before today (:class:`eduquality.config.RetentionRules`), and the student is not yet in
``student_anonymised`` (migration 14).

Anonymising a student (PIPL art. 47: personal data deleted or anonymised once the purpose is
served) replaces or clears what identifies a person and keeps what statistics need:

- ``student``: ``national_id`` (学籍号) becomes ``ANON-<key>``, ``name`` becomes
  :data:`ANONYMOUS_NAME`, ``birth_date`` and ``ethnicity`` are cleared, and the special-group
  flags (建档立卡, 残疾, 随迁, 留守) are set to false; the internal key and gender stay;
- ``exam_registration.exam_number`` (考号) becomes ``ANON-<key>``; ``enrolment_event.note``
  (free text) is cleared;
- scores, registrations' schools and classes, memberships and event dates stay, so every
  aggregate (a school's mean, a class's rates) and every stored analysis is unchanged.

All of it, the record in ``student_anonymised`` and one audit row land in one transaction on
PostgreSQL. DuckDB cannot change the indexed columns of a student row that other rows
reference within the transaction that moves those rows out, so there it takes two: the first
moves the students' rows of the referencing tables into holding tables
(``retention_hold_*``), the second anonymises, moves them back, drops the holding tables and
audits. A run stopped between the two (DuckDB's file lock keeps every other process out
meanwhile) is finished by the next ``retention apply`` (:func:`finish_held`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from eduquality.store.audit import insert_audit
from eduquality.store.catalog import base_tables, foreign_keys
from eduquality.store.db import Database
from eduquality.store.principals import Principal

__all__ = ["ANONYMOUS_NAME", "LEFT_STATUSES", "RetentionPlan", "apply_retention", "cutoff_date",
           "finish_held", "plan_retention"]

ANONYMOUS_NAME = "已匿名"
"""The name an anonymised student is shown under."""

LEFT_STATUSES = ("left", "graduated", "dropped_out")
"""``student_status.status`` of a student who left (events transfer_out, graduation, dropout)."""

HOLD = "retention_hold_"
"""Prefix of DuckDB's holding tables; ``retention_hold_students`` lists the students."""

AUDIT_OBJECT = "retention"


@dataclass(frozen=True)
class RetentionPlan:
    """The students due on ``cutoff``: (school code, school name, count) per school of their
    last enrolment event, and their keys."""

    cutoff: dt.date
    years: int
    per_school: list[tuple[str, str, int]]
    student_ids: list[int]

    @property
    def total(self) -> int:
        return len(self.student_ids)


def cutoff_date(today: dt.date, years: int) -> dt.date:
    """``years`` full years before ``today`` (29 February → 28 February).

    >>> cutoff_date(dt.date(2026, 11, 30), 3), cutoff_date(dt.date(2024, 2, 29), 1)
    (datetime.date(2023, 11, 30), datetime.date(2023, 2, 28))
    """
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def plan_retention(db: Database, years: int, today: dt.date | None = None) -> RetentionPlan:
    """The students due for anonymisation (module notes). Reads only."""
    cutoff = cutoff_date(today or dt.date.today(), years)
    rows = db.con.execute(
        "SELECT s.student_id, s.school_code, coalesce(sc.name, s.school_code) "
        "FROM student_status s LEFT JOIN school sc ON sc.school_code = s.school_code "
        "WHERE s.status = ANY(?) AND s.since <= ? "
        "AND s.student_id NOT IN (SELECT student_id FROM student_anonymised) "
        "ORDER BY s.school_code, s.student_id", [list(LEFT_STATUSES), cutoff]).fetchall()
    counts: dict[tuple[str, str], int] = {}
    for _, code, name in rows:
        counts[(str(code), str(name))] = counts.get((str(code), str(name)), 0) + 1
    return RetentionPlan(cutoff, years, [(c, n, k) for (c, n), k in counts.items()],
                         [int(r[0]) for r in rows])


def apply_retention(db: Database, principal: Principal, years: int,
                    today: dt.date | None = None) -> RetentionPlan:
    """Anonymise the students due (module notes), after finishing a run that was stopped;
    audited as ``principal``'s. Writes. Returns what was done."""
    finish_held(db, principal)
    plan = plan_retention(db, years, today)
    if not plan.student_ids:
        return plan
    detail = f"anonymised={plan.total} cutoff={plan.cutoff.isoformat()} years={years}"
    if db.dialect == "postgres":
        with db.write() as con:
            _anonymise(con, plan.student_ids)
            insert_audit(con, principal, "admin", AUDIT_OBJECT, detail)
        return plan
    with db.write(check_scores=False) as con:
        _hold(con, plan.student_ids)
    _release(db, principal, detail)
    return plan


def finish_held(db: Database, principal: Principal) -> int:
    """Finish a DuckDB run stopped between its two transactions (module notes): how many
    students it anonymised (0: nothing was held). Writes."""
    if f"{HOLD}students" not in base_tables(db.con):
        return 0
    n = int(db.scalar(f"SELECT count(*) FROM {HOLD}students"))
    _release(db, principal, f"anonymised={n} resumed")
    return n


def _referencing(con: Any) -> list[str]:
    """The tables whose foreign keys reference ``student``."""
    return sorted({t for t, ref in foreign_keys(con) if ref == "student" and t != "student"})


def _hold(con: Any, student_ids: list[int]) -> None:
    con.execute(f"CREATE TABLE {HOLD}students AS SELECT student_id FROM student "
                "WHERE student_id = ANY(?)", [student_ids])
    for table in _referencing(con):
        con.execute(f'CREATE TABLE "{HOLD}{table}" AS SELECT * FROM "{table}" '
                    f"WHERE student_id IN (SELECT student_id FROM {HOLD}students)")
        con.execute(f'DELETE FROM "{table}" '
                    f"WHERE student_id IN (SELECT student_id FROM {HOLD}students)")


def _release(db: Database, principal: Principal, detail: str) -> None:
    with db.write() as con:
        ids = [int(r[0]) for r in con.execute(f"SELECT student_id FROM {HOLD}students")
               .fetchall()]
        held = [t[len(HOLD):] for t in base_tables(con)
                if t.startswith(HOLD) and t != f"{HOLD}students"]
        _anonymise_students(con, ids)       # while no row references them
        for table in held:
            con.execute(f'INSERT INTO "{table}" SELECT * FROM "{HOLD}{table}"')
            con.execute(f'DROP TABLE "{HOLD}{table}"')
        _anonymise_references(con, ids)
        con.execute(f"DROP TABLE {HOLD}students")
        insert_audit(con, principal, "admin", AUDIT_OBJECT, detail)


def _anonymise(con: Any, student_ids: list[int]) -> None:
    _anonymise_students(con, student_ids)
    _anonymise_references(con, student_ids)


def _anonymise_students(con: Any, student_ids: list[int]) -> None:
    con.execute(
        "UPDATE student SET national_id = 'ANON-' || CAST(student_id AS VARCHAR), name = ?, "
        "birth_date = NULL, ethnicity = NULL, poverty_registered = FALSE, disabled = FALSE, "
        "migrant = FALSE, left_behind = FALSE WHERE student_id = ANY(?)",
        [ANONYMOUS_NAME, student_ids])
    con.execute("INSERT INTO student_anonymised (student_id) SELECT student_id FROM student "
                "WHERE student_id = ANY(?)", [student_ids])


def _anonymise_references(con: Any, student_ids: list[int]) -> None:
    con.execute("UPDATE exam_registration SET exam_number = 'ANON-' || CAST(student_id AS "
                "VARCHAR) WHERE student_id = ANY(?)", [student_ids])
    con.execute("UPDATE enrolment_event SET note = NULL WHERE student_id = ANY(?) "
                "AND note IS NOT NULL", [student_ids])
