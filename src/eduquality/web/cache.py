"""An in-process cache of exam analyses (pure reads), refreshed when the exam's data change.

:meth:`AnalysisCache.ensure` computes a missing analysis in a worker thread over its own
DuckDB cursor, so a long first analysis does not hold up other requests (DuckDB connections
may not be shared between threads; cursors may run side by side)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import anyio

from eduquality.config import Settings
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.exams import exam_data_fingerprint

Analyse = Callable[[Database, str, Settings], ExamAnalysis]


class AnalysisCache:
    """Keeps the last ``maxsize`` exam analyses, keyed by exam and data fingerprint."""

    def __init__(self, settings: Settings, analyse: Analyse, maxsize: int = 8) -> None:
        self.settings = settings
        self.analyse = analyse
        self.maxsize = maxsize
        self._items: OrderedDict[str, tuple[tuple[Any, ...], ExamAnalysis]] = OrderedDict()
        self._lock = threading.Lock()
        self.misses = 0

    def _hit(self, exam_id: str, key: tuple[Any, ...]) -> ExamAnalysis | None:
        with self._lock:
            hit = self._items.get(exam_id)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(exam_id)
                return hit[1]
        return None

    def _store(self, exam_id: str, key: tuple[Any, ...], analysis: ExamAnalysis) -> None:
        with self._lock:
            self.misses += 1
            self._items[exam_id] = (key, analysis)
            self._items.move_to_end(exam_id)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    async def ensure(self, db: Database, exam_id: str) -> None:
        """Have the analysis of ``exam_id`` ready, computing it off the event loop if needed."""
        key = exam_data_fingerprint(db, exam_id)
        if self._hit(exam_id, key) is not None:
            return
        reader = db.cursor()
        try:
            analysis = await anyio.to_thread.run_sync(self.analyse, reader, exam_id,
                                                      self.settings)
        finally:
            reader.close()
        self._store(exam_id, key, analysis)

    def reset(self, settings: Settings) -> None:
        """Analyse with ``settings`` from now on, forgetting every analysis made before."""
        with self._lock:
            self.settings = settings
            self._items.clear()

    def get(self, db: Database, exam_id: str) -> ExamAnalysis:
        key = exam_data_fingerprint(db, exam_id)
        hit = self._hit(exam_id, key)
        if hit is not None:
            return hit
        analysis = self.analyse(db, exam_id, self.settings)
        self._store(exam_id, key, analysis)
        return analysis
