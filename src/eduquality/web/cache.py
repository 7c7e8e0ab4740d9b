"""An in-process cache of exam analyses (pure reads), refreshed when the exam's data change."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from eduquality.config import Settings
from eduquality.results import ExamAnalysis
from eduquality.store import Database

Analyse = Callable[[Database, str, Settings], ExamAnalysis]


def fingerprint(db: Database, exam_id: str) -> tuple[Any, ...]:
    """A cheap summary of what an exam analysis reads: when it changes, re-analyse.

    Subject results (count and sum), registrations, teaching assignments and the import log;
    item scores arrive through imports (the log), and scanning them on every request would
    cost as much as the page itself."""
    row = db.con.execute("""
        SELECT (SELECT count(*) FROM subject_result r JOIN paper p USING (paper_id)
                WHERE p.exam_id = $1),
               (SELECT coalesce(sum(r.score), 0) FROM subject_result r JOIN paper p
                USING (paper_id) WHERE p.exam_id = $1),
               (SELECT count(*) FROM exam_registration WHERE exam_id = $1),
               (SELECT count(*) FROM teaching_assignment),
               (SELECT coalesce(max(import_id), 0) FROM import_log)""", [exam_id]).fetchone()
    return tuple(row or ())


class AnalysisCache:
    """Keeps the last ``maxsize`` exam analyses, keyed by exam and data fingerprint."""

    def __init__(self, settings: Settings, analyse: Analyse, maxsize: int = 8) -> None:
        self.settings = settings
        self.analyse = analyse
        self.maxsize = maxsize
        self._items: OrderedDict[str, tuple[tuple[Any, ...], ExamAnalysis]] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def get(self, db: Database, exam_id: str) -> ExamAnalysis:
        key = fingerprint(db, exam_id)
        with self._lock:
            hit = self._items.get(exam_id)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(exam_id)
                return hit[1]
        analysis = self.analyse(db, exam_id, self.settings)
        with self._lock:
            self.misses += 1
            self._items[exam_id] = (key, analysis)
            self._items.move_to_end(exam_id)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return analysis
