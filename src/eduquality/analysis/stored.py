"""Use case: an exam's analysis computed once and kept in the database (issue 12).

:func:`stored_analysis` reads the stored analysis when it was made from the exam's current
data, with the settings that shape an analysis now and by this code; otherwise it analyses
(:func:`eduquality.analysis.exam.analyse_exam`) and stores the result (unless the database is
read-only). A stored analysis is stale when any part of its key changed:

- the data: :func:`eduquality.store.exams.exam_data_fingerprint` (a re-import changes it);
- the settings: :func:`settings_hash` over the parts of :class:`~eduquality.config.Settings`
  that ``analyse_exam`` reads (thresholds, group rules, knowledge rules);
- the code: :func:`code_version`, the package version and a hash of the source that computes
  an analysis (analysis, measures, store, results, config).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from functools import cache
from pathlib import Path

from eduquality import __version__
from eduquality.config import Settings
from eduquality.errors import NotFoundError
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.analysis_store import (
    AnalysisKey,
    is_writable,
    load_analysis,
    save_analysis,
    stored_keys,
)
from eduquality.store.exams import exam_data_fingerprint, exams_with_results

__all__ = ["Analyse", "analysis_key", "code_version", "refresh_analyses", "settings_hash",
           "stale_exams", "stored_analysis"]

Analyse = Callable[[Database, str, Settings], ExamAnalysis]

_SOURCES = ("analysis", "measures", "store", "results.py", "config.py")
"""The source (below the package) whose change may change an analysis."""


def settings_hash(settings: Settings) -> str:
    """SHA-256 of the settings an exam analysis reads (thresholds, group rules, knowledge
    rules), as canonical JSON."""
    parts = {"thresholds": asdict(settings.thresholds), "groups": asdict(settings.groups),
             "knowledge": asdict(settings.knowledge)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


@cache
def code_version() -> str:
    """``<package version>+<12 hex digits of the SHA-256 of the analysis source>``: a new
    release, an edited analysis module or edited shipped rules (赋分) make every stored
    analysis stale."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for part in _SOURCES:
        path = root / part
        files = (sorted([*path.rglob("*.py"), *path.rglob("*.toml")]) if path.is_dir()
                 else [path])  # .toml: shipped rules (measures/data/scaling_rules.toml)
        for file in files:
            digest.update(file.relative_to(root).as_posix().encode())
            digest.update(file.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


def analysis_key(db: Database, exam_id: str, settings: Settings) -> AnalysisKey:
    """The key an analysis of ``exam_id`` made now would have."""
    return AnalysisKey(repr(exam_data_fingerprint(db, exam_id)), settings_hash(settings),
                       code_version())


def stored_analysis(db: Database, exam_id: str, settings: Settings, *,
                    analyse: Analyse | None = None,
                    key: AnalysisKey | None = None) -> ExamAnalysis:
    """The analysis of ``exam_id`` with ``settings``: the stored one when it is current, else
    computed by ``analyse`` (default ``analyse_exam``) and stored. Writes (when stale and the
    database is writable)."""
    key = key or analysis_key(db, exam_id, settings)
    found = load_analysis(db, exam_id, key)
    if found is not None:
        return found
    if analyse is None:
        from eduquality.analysis.exam import analyse_exam

        analyse = analyse_exam
    analysis = analyse(db, exam_id, settings)
    if is_writable(db):
        save_analysis(db, exam_id, key, analysis)
    return analysis


def stale_exams(db: Database, settings: Settings,
                exam_ids: list[str] | None = None) -> list[str]:
    """The exams (of ``exam_ids``; None: every exam with results) whose stored analysis is
    missing or stale."""
    if exam_ids is None:
        exam_ids = exams_with_results(db)
    stored = stored_keys(db)
    return [e for e in exam_ids if stored.get(e) != analysis_key(db, e, settings)]


def refresh_analyses(db: Database, settings: Settings, exam_ids: list[str] | None = None,
                     progress: Callable[[str, int, int], None] | None = None) -> list[str]:
    """Analyse and store every exam of ``exam_ids`` (None: every exam with results) whose
    stored analysis is missing or stale; ``progress(exam_id, i, n)`` before each. Returns the
    exams analysed. Writes."""
    todo = stale_exams(db, settings, exam_ids)
    done = []
    for i, exam_id in enumerate(todo, start=1):
        if progress is not None:
            progress(exam_id, i, len(todo))
        try:
            stored_analysis(db, exam_id, settings)
        except NotFoundError:  # no such exam, or no results yet: nothing to analyse
            continue
        done.append(exam_id)
    return done
