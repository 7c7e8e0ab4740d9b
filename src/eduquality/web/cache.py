"""An in-process cache of exam analyses in front of the stored ones: memory → database
(:mod:`eduquality.analysis.stored`) → compute and store. Refreshed when the exam's data or
the settings change.

:meth:`AnalysisCache.ensure` reads or computes a missing analysis in a worker thread over its
own DuckDB cursor, so a long first analysis does not hold up other requests (DuckDB
connections may not be shared between threads; cursors may run side by side)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

import anyio

from eduquality.analysis.stored import Analyse, analysis_key, stored_analysis
from eduquality.config import Settings
from eduquality.errors import NotFoundError
from eduquality.results import ExamAnalysis
from eduquality.store import Database
from eduquality.store.analysis_store import AnalysisKey

KEY_TTL_S = 5.0
"""How long an exam's :class:`AnalysisKey` is kept while this process changed nothing
(:meth:`AnalysisCache.key`): the delay before a change made by another process (a command
on a shared PostgreSQL store, another worker) reaches the pages."""


class AnalysisCache:
    """Keeps the last ``maxsize`` exam analyses, keyed by exam and :class:`AnalysisKey`, and
    the exams' current keys (:meth:`key`).

    ``misses``: analyses not found in memory (read from the database or computed);
    ``computed``: analyses computed (neither in memory nor stored)."""

    def __init__(self, settings: Settings, analyse: Analyse, maxsize: int = 8,
                 key_ttl_s: float = KEY_TTL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.analyse = analyse
        self.maxsize = maxsize
        self.key_ttl_s = key_ttl_s
        self.clock = clock
        self._items: OrderedDict[str, tuple[AnalysisKey, ExamAnalysis]] = OrderedDict()
        self._keys: dict[str, tuple[int, float, AnalysisKey]] = {}
        self._lock = threading.Lock()
        self.misses = 0
        self.computed = 0

    def key(self, db: Database, exam_id: str) -> AnalysisKey:
        """The :class:`AnalysisKey` an analysis of ``exam_id`` made now would have
        (:func:`~eduquality.analysis.stored.analysis_key`), read again only when this process
        committed a write that may change it (:attr:`Database.data_commits`) or after
        ``key_ttl_s`` seconds: the fingerprint's five subqueries cost about 7 ms, a third of
        a warm page view on the demo district (issue 12)."""
        commits, now = db.data_commits, self.clock()
        with self._lock:
            found = self._keys.get(exam_id)
        if found is not None and found[0] == commits and now - found[1] <= self.key_ttl_s:
            return found[2]
        key = analysis_key(db, exam_id, self.settings)
        with self._lock:
            self._keys[exam_id] = (commits, now, key)   # the count read before the key
        return key

    def _hit(self, exam_id: str, key: AnalysisKey) -> ExamAnalysis | None:
        with self._lock:
            hit = self._items.get(exam_id)
            if hit is not None and hit[0] == key:
                self._items.move_to_end(exam_id)
                return hit[1]
        return None

    def _keep(self, exam_id: str, key: AnalysisKey, analysis: ExamAnalysis) -> None:
        with self._lock:
            self.misses += 1
            self._items[exam_id] = (key, analysis)
            self._items.move_to_end(exam_id)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def _counted(self, db: Database, exam_id: str, settings: Settings) -> ExamAnalysis:
        with self._lock:
            self.computed += 1
        return self.analyse(db, exam_id, settings)

    def _load(self, db: Database, exam_id: str, key: AnalysisKey,
              settings: Settings) -> ExamAnalysis:
        return stored_analysis(db, exam_id, settings, analyse=self._counted, key=key)

    async def ensure(self, db: Database, exam_id: str) -> AnalysisKey:
        """Have the analysis of ``exam_id`` ready, reading or computing it off the event loop
        if needed; its key."""
        settings = self.settings
        key = self.key(db, exam_id)
        if self._hit(exam_id, key) is not None:
            return key
        reader = db.cursor()
        try:
            analysis = await anyio.to_thread.run_sync(self._load, reader, exam_id, key, settings)
        finally:
            reader.close()
        self._keep(exam_id, key, analysis)
        return key

    async def refresh(self, db: Database, exam_id: str) -> None:
        """:meth:`ensure` after an import into ``exam_id`` (run once the upload's answer has
        been sent): an exam without results yet has nothing to analyse, and is left alone."""
        with contextlib.suppress(NotFoundError):
            await self.ensure(db, exam_id)

    def reset(self, settings: Settings) -> None:
        """Analyse with ``settings`` from now on, forgetting every analysis kept in memory
        (stored ones made with other settings are stale by their settings hash)."""
        with self._lock:
            self.settings = settings
            self._items.clear()
            self._keys.clear()

    def get(self, db: Database, exam_id: str, key: AnalysisKey | None = None) -> ExamAnalysis:
        """The analysis of ``exam_id`` (``key``: its key, when just computed)."""
        settings = self.settings
        key = key or self.key(db, exam_id)
        hit = self._hit(exam_id, key)
        if hit is not None:
            return hit
        analysis = self._load(db, exam_id, key, settings)
        self._keep(exam_id, key, analysis)
        return analysis
