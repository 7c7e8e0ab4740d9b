"""Readers for the files schools send, validation, and all-or-nothing imports.

Public API (each call writes, in one transaction, or raises
:class:`~eduquality.ingest.problems.ImportProblems` listing every problem of the file)::

    import_roster(db, "学校名册.xlsx")
    import_paper(db, "2021期末试卷结构.xlsx")
    import_scores(db, "数学小题分.xlsx", "2021-G9-FINAL", subject="数学")

Each returns an :class:`~eduquality.ingest.importer.ImportResult` (outcome 'imported' or
'unchanged', counts). Formats: ``docs/file-formats.md``. Each takes ``template`` (apply the
mapping template of that name; without it one whose header fingerprints match the file is
applied), ``save_template`` (save the mapping that worked under that name) and ``check`` (dry
run: same checks, nothing written) and ``only_schools`` (every row must belong to one of these
schools: a school's own upload, see :func:`~eduquality.ingest.importer.check_schools`).
:func:`check_file` is the dry run with the kind detected.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eduquality.ingest.api import (
        IMPORT_KINDS,
        check_file,
        detect_import_kind,
        import_paper,
        import_roster,
        import_scores,
    )
    from eduquality.ingest.importer import ImportResult
    from eduquality.ingest.problems import ImportProblems, Problem
    from eduquality.ingest.readers import ReadError

__all__ = ["IMPORT_KINDS", "ImportProblems", "ImportResult", "Problem", "ReadError",
           "check_file", "detect_import_kind", "import_paper", "import_roster", "import_scores"]

_WHERE = {
    "IMPORT_KINDS": "api", "check_file": "api", "detect_import_kind": "api",
    "import_paper": "api", "import_roster": "api", "import_scores": "api",
    "ImportResult": "importer", "ImportProblems": "problems", "Problem": "problems",
    "ReadError": "readers",
}
"""Each public name → its module under ``eduquality.ingest``, imported on first use (PEP 562),
so that importing one module of the package (``eduquality.ingest.number_csv`` for ``irt fit``,
``items``, ``growth sgp``) does not load the importers, the store and DuckDB (issue 12)."""


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
