"""Reads of the import log (who imported what)."""

from __future__ import annotations

from eduquality.store.db import Database


def importers_other_than(db: Database, user: str) -> list[str]:
    """The distinct ``import_log.imported_by`` names other than ``user``, sorted."""
    rows = db.sql("SELECT DISTINCT imported_by FROM import_log WHERE imported_by <> ? "
                  "ORDER BY 1", [user])
    return [str(v) for v in rows["imported_by"]]


def school_years(db: Database) -> list[str]:
    """Every school year registered (year codes, sorted)."""
    return [str(v) for v in db.sql("SELECT year_code FROM school_year ORDER BY 1")["year_code"]]
