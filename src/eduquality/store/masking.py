"""Masked ID numbers (身份证号, 学籍号): one rule, in Python and in SQL.

Students are minors (PIPL): only roles with the ``full_national_id`` action see ID numbers
unmasked (:func:`id_column`).
"""

from __future__ import annotations

from eduquality.store.policy import Scope

__all__ = ["id_column", "mask_national_id", "mask_sql"]


def mask_national_id(value: str | None) -> str | None:
    """Mask an ID number (身份证号, 学籍号), keeping its first and last characters.

    IDs of 16 characters or more keep 4 at each end; shorter ones keep a quarter of their
    length at each end, so at least half of every ID is hidden. The one rule: :func:`mask_sql`
    runs it in the database and :func:`eduquality.reports.policy.mask_id` calls this.

    >>> mask_national_id("530102200801011234")
    '5301**********1234'
    >>> mask_national_id("G000123")
    'G*****3'
    >>> mask_national_id("123")
    '***'
    >>> mask_national_id("530102200801")
    '530******801'
    >>> mask_national_id(None) is None
    True
    """
    if value is None:
        return None
    s = str(value)
    keep = 4 if len(s) >= 16 else len(s) // 4
    return s[:keep] + "*" * (len(s) - 2 * keep) + (s[len(s) - keep:] if keep else "")


def mask_sql(column: str) -> str:
    """The SQL expression masking ``column`` exactly as :func:`mask_national_id` does
    (vectorised in the database: no Python loop over students)."""
    c = column
    keep = f"(CASE WHEN length({c}) >= 16 THEN 4 ELSE CAST(floor(length({c}) / 4.0) AS INTEGER) END)"
    return (f"(left({c}, {keep}) || repeat('*', length({c}) - 2 * {keep}) || "
            f"right({c}, {keep}))")


def id_column(scope: Scope, column: str) -> str:
    """The SQL expression for ID-number ``column`` as ``scope`` may see it (masked unless its
    role may see full ID numbers)."""
    return column if scope.can("full_national_id") else mask_sql(column)
