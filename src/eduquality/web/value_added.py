"""Value-added (增值评价) on the school page, where the exam has a prior exam of the same cohort.

Computed by :func:`eduquality.analysis.value_added.value_added` (over the whole district: the
models need every school), off the event loop, and kept per exam, subject and data fingerprint
(:class:`ValueAddedCache`). What a principal sees is cut to its scope before the reports'
section (:func:`eduquality.reports.outlook.value_added_section`) lays it out: the school's own
row and its classes in the class scope (a teacher: their own classes); no teacher rows. For
internal improvement only: never on a public document, never a ranking (the section keeps the
fixed order and bands).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import anyio

from eduquality.analysis.value_added import value_added
from eduquality.errors import EduQualityError
from eduquality.i18n import register
from eduquality.reports.bundle import make_view
from eduquality.reports.model import Section, Table
from eduquality.reports.outlook import value_added_section
from eduquality.results import ValueAdded
from eduquality.web.deps import Ctx

MESSAGES = register({
    "web.va.title": ("增值评价（供内部改进）· {exam}",
                     "Value-added (for internal improvement) · {exam}"),
})

VA_KEPT = 16
"""Value-added results kept in memory (the models take seconds on a large district)."""


class ValueAddedCache:
    """The last :data:`VA_KEPT` value-added results by (exam, subject), refreshed when the
    exam's data change; None when the exam has no prior exam of its cohort."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], tuple[Any, ValueAdded | None]] = {}
        self._lock = threading.Lock()

    async def get(self, ctx: Ctx, exam_id: str, subject: str) -> ValueAdded | None:
        key = ctx.data_key(exam_id)
        with self._lock:
            hit = self._items.get((exam_id, subject))
        if hit is not None and hit[0] == key:
            return hit[1]
        reader = ctx.db.cursor()
        try:
            found = await anyio.to_thread.run_sync(_compute, reader, exam_id, subject,
                                                   ctx.settings)
        finally:
            reader.close()
        with self._lock:
            self._items[(exam_id, subject)] = (key, found)
            while len(self._items) > VA_KEPT:
                self._items.pop(next(iter(self._items)))
        return found


def _compute(db: Any, exam_id: str, subject: str, settings: Any) -> ValueAdded | None:
    try:
        return value_added(db, exam_id, subject, settings)
    except EduQualityError:  # no prior exam of the cohort, or too few linked students
        return None


def cache_of(ctx: Ctx) -> ValueAddedCache:
    """The platform's value-added cache (made on first use)."""
    state = ctx.request.app.state
    cache = getattr(state, "value_added", None)
    if cache is None:
        cache = state.value_added = ValueAddedCache()
    return cache


def in_scope(ctx: Ctx, va: ValueAdded, school_code: str) -> ValueAdded:
    """``va`` cut to what the principal may see of ``school_code``: the school's row and its
    classes in the class scope."""
    est = va.estimates
    st = va.students[["class_id", "school_code"]].dropna().drop_duplicates("class_id")
    school_of = dict(zip(st["class_id"].astype(str), st["school_code"].astype(str),
                         strict=True))
    keep = [(lv == "school" and str(u) == school_code)
            or (lv == "class" and school_of.get(str(u)) == school_code
                and ctx.scope.admits("class", school_code=school_code, class_id=str(u)))
            for lv, u in zip(est["level"], est["unit"], strict=True)]
    return replace(va, estimates=est.loc[keep].reset_index(drop=True),
                   students=st.loc[st["school_code"].astype(str) == school_code])


async def school_value_added(ctx: Ctx, exam_id: str, school_code: str) -> Section | None:
    """The school's value-added in ``exam_id``'s first subject (paper order) that has one
    against the cohort's earlier exams; None where none has. The analysis must be warm."""
    a = ctx.analysis(exam_id)
    if not ctx.scope.admits("school", school_code=school_code):
        return None
    va = None
    for subject in (s for s in a.exam.subjects if s != "total"):
        va = await cache_of(ctx).get(ctx, exam_id, subject)
        if va is not None:
            break
    if va is None:
        return None
    mine = in_scope(ctx, va, school_code)
    if mine.estimates.empty:
        return None
    view = make_view(a, ctx.settings, ctx.lang)
    found = value_added_section(view, mine, ctx.t("web.va.title", exam=a.exam.name),
                                school=school_code)
    for block in found.blocks:  # the page shows the printed columns
        if isinstance(block, Table):
            block.columns = [c for c in block.columns if c.in_print]
    return found


__all__ = ["ValueAddedCache", "school_value_added"]
