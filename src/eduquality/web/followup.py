"""The follow-up of flagged students (帮扶跟踪) on the school page: the students flagged at the
first exam of the page's trend, followed over the cohort's later exams.

Computed by :func:`eduquality.analysis.followup.followup` (over the whole district, small units
withheld there with their complements), off the event loop, and kept per exam and the data
fingerprints of the exams involved (:class:`FollowUpCache`). What a principal sees is cut to its
scope (:func:`eduquality.analysis.followup.restrict_followup`: the district row, the school's
row if the school level admits it, the teacher rows the teacher level admits) before the
reports' section (:func:`eduquality.reports.followup.followup_section`) lays it out.
Aggregates only; the page view is audited with the page.
"""

from __future__ import annotations

import threading
from typing import Any

import anyio

from eduquality.analysis.followup import followup, restrict_followup
from eduquality.errors import EduQualityError
from eduquality.reports.followup import followup_section
from eduquality.reports.model import Section, Table
from eduquality.results import FollowUp
from eduquality.store.exams import find_exam, later_cohort_exam_ids
from eduquality.web.deps import Ctx

__all__ = ["FollowUpCache", "school_followup"]

FU_KEPT = 8
"""Follow-ups kept in memory."""


class FollowUpCache:
    """The last :data:`FU_KEPT` follow-ups by starting exam, refreshed when the data of that
    exam or of a later one change; None when there is nothing to follow."""

    def __init__(self) -> None:
        self._items: dict[str, tuple[tuple[Any, ...], FollowUp | None]] = {}
        self._lock = threading.Lock()

    async def get(self, ctx: Ctx, exam_id: str) -> FollowUp | None:
        exam = find_exam(ctx.db, exam_id)
        if exam is None:
            return None
        later = later_cohort_exam_ids(ctx.db, exam)
        key = tuple(ctx.data_key(e) for e in [exam_id, *later])
        with self._lock:
            hit = self._items.get(exam_id)
        if hit is not None and hit[0] == key:
            return hit[1]
        reader = ctx.db.cursor()
        try:
            found = await anyio.to_thread.run_sync(_compute, reader, exam_id, ctx.settings)
        finally:
            reader.close()
        with self._lock:
            self._items[exam_id] = (key, found)
            while len(self._items) > FU_KEPT:
                self._items.pop(next(iter(self._items)))
        return found


def _compute(db: Any, exam_id: str, settings: Any) -> FollowUp | None:
    try:
        found = followup(db, exam_id, settings)
    except EduQualityError:  # no results
        return None
    return found if not found.table.empty else None


def _cache(ctx: Ctx) -> FollowUpCache:
    state = ctx.request.app.state
    cache = getattr(state, "followup", None)
    if cache is None:
        cache = state.followup = FollowUpCache()
    return cache


async def school_followup(ctx: Ctx, exam_id: str, school_code: str) -> Section | None:
    """The follow-up section of ``school_code`` for the students flagged at ``exam_id``; None
    when there is nothing to follow or nothing of the school in the reader's scope."""
    if not ctx.scope.admits("school", school_code=school_code):
        return None
    fu = await _cache(ctx).get(ctx, exam_id)
    if fu is None:
        return None
    mine = restrict_followup(fu, ctx.scope, school_code)
    if not (mine.table["level"] != "district").any():
        return None
    found = followup_section(mine, ctx.lang, ctx.settings.min_unit_n, school_code)
    for block in found.blocks:  # the page shows the printed columns
        if isinstance(block, Table):
            block.columns = [c for c in block.columns if c.in_print]
    return found
