"""Score cells of one sheet: the rows being checked (:class:`Ctx`), numbers or status words
per cell, and a row's status across its cells."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.headers import Column, Grid
from eduquality.ingest.paper import normalise_key
from eduquality.ingest.problems import Problems
from eduquality.ingest.values import as_number, as_text, map_unique
from eduquality.vocab import SUBJECT_STATUS

MESSAGES = register({
    "ingest.score_text": ("成绩应为数字，或 {words}",
                          "a score must be a number, or one of {words}"),
    "ingest.score_negative": ("成绩不能为负数", "a score cannot be negative"),
    "ingest.status_mixed": ("该学生本科目既有分数又标为「{status}」",
                            "the student has scores and is also marked '{status}'"),
    "ingest.present_no_score": ("标为正常却没有分数", "marked present but has no score"),
})

STATUS_WORDS = "、".join(dict.fromkeys(
    w for t in SUBJECT_STATUS.terms.values() if t.code != "present" for w in (t.zh, *t.aliases)))
"""The words a score cell may hold instead of a number (:data:`~eduquality.vocab.SUBJECT_STATUS`),
for the message that names them."""

_STATUS_PRIORITY = {"cheating": 3, "exempt": 2, "absent": 1}


class Ctx:
    """One sheet being checked: its rows and a reporter at a column."""

    def __init__(self, grid: Grid, keep: np.ndarray, problems: Problems) -> None:
        self.grid, self.keep, self.problems = grid, keep, problems
        self.rows = grid.rows[keep]
        self.n = int(keep.sum())
        self._every_row = self.n == len(keep)

    def raw(self, col: Column) -> pd.Series:
        cells = self.grid.cells(col)
        if self._every_row:  # no row skipped: the column as it is (indexed from 0)
            return cells.reset_index(drop=True)
        return cells[self.keep].reset_index(drop=True)

    def report(self, col: Column | None, mask: np.ndarray, reason: str,
               values: Any = None, **params: Any) -> None:
        if not np.any(mask):
            return
        if values is None and col is not None:
            values = self.raw(col)
        self.problems.add_rows(reason, mask, sheet=self.grid.sheet, rows=self.rows,
                               column=col.label if col else None, values=values, **params)


@functools.lru_cache(maxsize=8)
def no_words(n: int) -> np.ndarray:
    """``n`` rows without a status word: one shared, read-only array per ``n``, which
    :func:`score_cells` returns for a column of numbers and blanks (no allocation per column)
    and :func:`status_ranks` skips."""
    out = np.full(n, None, dtype=object)
    out.flags.writeable = False
    return out


def has_words(status: np.ndarray) -> bool:
    """Whether ``status`` (of :func:`score_cells`) may hold a word: not :func:`no_words`."""
    return status is not no_words(len(status))


@functools.lru_cache(maxsize=8)
def _no_choices(n: int) -> pd.Series:
    return pd.Series(no_words(n), dtype=object)


def score_cells(ctx: Ctx, col: Column, letters: bool = False,
                ) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """(scores with NaN, status code per row or None, option letters per row or None) for one
    score column; bad text and negative scores are reported. With ``letters`` a cell may hold
    the chosen options (A, BD: an objective item scored from its key by the caller); without,
    letters are bad text."""
    raw = ctx.raw(col)
    num, text_mask = as_number(raw)
    if not text_mask.any():  # numbers and blanks only (the common column): shared, read-only
        ctx.report(col, num < 0, "ingest.score_negative")
        return num, no_words(ctx.n), _no_choices(ctx.n)
    status = np.full(ctx.n, None, dtype=object)
    chosen = pd.Series(np.full(ctx.n, None, dtype=object), dtype=object)
    idx = np.flatnonzero(text_mask)
    texts = as_text(raw.iloc[idx])
    parsed = map_unique(texts, SUBJECT_STATUS.parse)[0]
    status[idx] = parsed.to_numpy()
    unparsed = np.asarray(parsed.isna(), dtype=bool) | np.asarray(
        (parsed == "present").fillna(False), dtype=bool)
    if letters:
        keyed = map_unique(texts, normalise_key)[0]
        is_key = unparsed & keyed.notna().to_numpy()
        chosen.iloc[idx[is_key]] = keyed[is_key].to_numpy()
        unparsed &= ~is_key
    bad = np.zeros(ctx.n, dtype=bool)
    bad[idx[unparsed]] = True
    ctx.report(col, bad, "ingest.score_text", words=STATUS_WORDS)
    status[idx[unparsed]] = None
    ctx.report(col, num < 0, "ingest.score_negative")
    return num, status, chosen


def row_statuses(ctx: Ctx, cols: list[Column]) -> list[np.ndarray]:
    """Status words of whole-row columns (备注/状态, a 总分 that is not a subject's): the words
    of :data:`~eduquality.vocab.SUBJECT_STATUS` (缺考, 缺, 违纪, 作弊, 免考 …). Other text of a
    备注 column is a remark and ignored; a 总分 column reports it (it must be a score)."""
    out = []
    for col in cols:
        text = as_text(ctx.raw(col))
        parsed = map_unique(text, SUBJECT_STATUS.parse)[0]
        out.append(parsed.where(parsed != "present").to_numpy(dtype=object))
    return out


def status_ranks(statuses: list[np.ndarray], n: int) -> np.ndarray:
    """The strongest status word of each row across cells as its rank (int8): 0 none,
    1 缺考 (absent), 2 免考 (exempt), 3 违纪 (cheating) —违纪 > 免考 > 缺考."""
    best = np.zeros(n, dtype=np.int8)
    for st in statuses:
        if not has_words(st):
            continue
        idx = np.flatnonzero(pd.notna(st))
        if len(idx):
            rank = pd.Series(st[idx]).map(_STATUS_PRIORITY).fillna(0).to_numpy(dtype=np.int8)
            best[idx] = np.maximum(best[idx], rank)
    return best


def strongest_status(statuses: list[np.ndarray], n: int) -> np.ndarray:
    """The strongest status word of each row across cells (违纪 > 免考 > 缺考), or None."""
    names = np.array([None, "absent", "exempt", "cheating"], dtype=object)
    return names[status_ranks(statuses, n)]


_RESULT_STATUS = pa.array(["present", "absent", "exempt", "cheating"])
"""A subject result's status by code: 0 present, else the rank of :func:`status_ranks`."""


def result_status(present: np.ndarray, ranks: np.ndarray) -> pd.Series:
    """Each row's subject result status: 'present' where it has a score, else its strongest
    status word (:func:`status_ranks`), 'absent' when none — built in Arrow from the codes,
    without a Python string per row."""
    codes = np.where(present, 0, np.maximum(ranks, 1)).astype(np.int8)
    return pd.Series(_RESULT_STATUS.take(pa.array(codes)).to_pandas())



def constant_text(value: str, n: int) -> pd.Series:
    """``n`` rows of the text ``value`` (a paper id beside every student), made in Arrow."""
    return pd.Series(pa.repeat(pa.scalar(value, pa.string()), n).to_pandas())


def fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"



def shown_result(status: str, score: float) -> str:
    """A subject result as a sheet writes it: the score when present, else the status word
    (缺考, 违纪, 免考)."""
    if status == "present" and not np.isnan(score):
        return fmt(score)
    return SUBJECT_STATUS.label(status)
