"""Who may see what: a facade over the modules that hold the access layer.

Students are minors (PIPL): every read of student-level data that a person asks for goes
through the store, which filters rows *in the query* by the reader's scope, masks ID numbers,
and lets the caller write an audit row. Each concern has its own module; import from it:

=========================================  ==================================================
:mod:`eduquality.store.principals`         who is signed in (:class:`Principal`)
:mod:`eduquality.store.policy`             roles → per-level filters (:func:`scope_for`)
:mod:`eduquality.store.masking`            masked ID numbers, in Python and in SQL
:mod:`eduquality.store.scoped`             reads filtered by scope, ``require_*`` checks
:mod:`eduquality.store.redaction`          an exam analysis cut to a scope, small units
:mod:`eduquality.store.audit`              the audit trail
:mod:`eduquality.store.passwords`          scrypt password hashes, the password rule
:mod:`eduquality.store.credentials`        stored passwords, the forced-change flag
:mod:`eduquality.store.sessions`           server-side web sessions
:mod:`eduquality.store.users`              accounts: sign-in, creation, passwords, language
:mod:`eduquality.store.units`              names of schools, classes and teachers
=========================================  ==================================================

This module only re-exports their public names for callers not yet moved (it holds no code).
"""

from eduquality.store.audit import AUDIT_ACTIONS, audit, read_audit
from eduquality.store.masking import mask_national_id, mask_sql
from eduquality.store.passwords import hash_password, verify_password
from eduquality.store.policy import (
    ACTIONS,
    LEVELS,
    RULES,
    Filter,
    Scope,
    can,
    require_action,
    scope_for,
    teachers_of_school,
)
from eduquality.store.principals import Principal, load_principal
from eduquality.store.redaction import restrict_analysis, small_units
from eduquality.store.scoped import (
    require_class,
    require_exam,
    require_school,
    require_student,
    scoped_classes,
    scoped_exams,
    scoped_results,
    scoped_schools,
    scoped_students,
)
from eduquality.store.units import unit_names
from eduquality.store.users import (
    add_user,
    authenticate,
    list_users,
    set_password,
    set_user_lang,
)

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
