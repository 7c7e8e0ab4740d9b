"""Scores against a paper: subject totals, and item scores (choices scored from the key,
optional groups counting their best items) summed into the subject score.

Item level: the subject score is the sum of the item scores, each optional group (选做组)
counting its ``n_counted`` best items; an objective item given only as a choice scores its full
marks when the choice equals the key, else 0 (a multiple-answer item scores only an exact match:
files with partial credit must give the scores)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from eduquality.i18n import register
from eduquality.ingest.headers import Column
from eduquality.ingest.paper import normalise_key
from eduquality.ingest.scores.cells import (
    Ctx,
    constant_text,
    fmt,
    has_words,
    result_status,
    score_cells,
    status_ranks,
    strongest_status,
)
from eduquality.ingest.scores.columns import (
    AGG_OBJECTIVE,
    AGG_SUBJECTIVE,
    ScoreColumns,
    header_marks,
    item_label,
)
from eduquality.ingest.values import as_text, map_unique, norm_header, records
from eduquality.store.db import Database
from eduquality.store.papers import exam_item_keys, exam_papers
from eduquality.vocab import SUBJECT_STATUS

MESSAGES = register({
    "ingest.not_an_item": ("试卷 {paper} 中没有这道题", "paper {paper} has no such item"),
    "ingest.item_missing": ("缺少试卷 {paper} 第「{item}」题的列",
                            "no column for item '{item}' of paper {paper}"),
    "ingest.score_over_item": ("得分超过该题满分 {full}", "score above the item's full marks "
                               "{full}"),
    "ingest.header_marks_differ": (
        "表头写的满分 {given} 与试卷结构中第「{item}」题的满分 {full} 不符；请核对试卷结构或表头",
        "the header gives full marks {given}, the paper structure gives item '{item}' {full}; "
        "check the paper structure or the header",
    ),
    "ingest.score_over_paper": ("成绩超过试卷满分 {full}", "score above the paper's full marks "
                                "{full}"),
    "ingest.bad_choice": ("选项应为 A–H 的字母", "a choice is made of letters A–H"),
    "ingest.choice_not_objective": ("只有客观题可以给出选项", "only objective items take choices"),
    "ingest.total_mismatch": ("总分与各项之和 {sum} 不符", "total differs from the sum {sum}"),
    "ingest.sum_mismatch": ("与该列所合计小题之和 {sum} 不符",
                            "differs from the sum {sum} of the items this column adds up"),
    "ingest.choice_no_key": (
        "第 {item} 题没有标准答案，无法由选项评分：请给出得分，或在试卷结构中填写答案后重新导入试卷",
        "item {item} has no answer key, so a chosen option cannot be scored: give the score, "
        "or add the key to the paper structure and import the paper again",
    ),
})

@dataclass
class Paper:
    paper_id: str
    subject: str
    track: str | None
    full_marks: float
    items: pd.DataFrame  # seq, item_no, label, item_type, full_marks, answer_key, group, n



def load_papers(db: Database, exam_id: str) -> dict[tuple[str, str | None], Paper]:
    papers = exam_papers(db, exam_id)
    items = exam_item_keys(db, exam_id)
    items["label"] = [item_label(t) or norm_header(t) for t in items["item_no"]]
    out = {}
    for p in records(papers):
        track = p.track if isinstance(p.track, str) else None
        out[(p.subject_code, track)] = Paper(
            p.paper_id, p.subject_code, track, float(p.full_marks),
            items[items["paper_id"] == p.paper_id].reset_index(drop=True))
    return out



def pick_paper(papers: dict[tuple[str, str | None], Paper], subject: str,
                track: str | None) -> list[Paper]:
    """The papers of ``subject``; with ``track``, that track's paper, else the paper common to
    all tracks (语文 and 外语 are one paper for 文科 and 理科)."""
    found = [p for (s, t), p in papers.items() if s == subject]
    if track is not None:
        found = [p for p in found if p.track == track] or [p for p in found if p.track is None]
    return found



def _report_rows(ctx: Ctx, col: Column | None, rows: np.ndarray, reason: str,
                 **per_row: Callable[[int], str]) -> None:
    """A problem at each row position of ``rows``, each parameter computed for that row by
    its function (only the bad rows are visited)."""
    for i in rows:
        m = np.zeros(ctx.n, dtype=bool)
        m[i] = True
        ctx.report(col, m, reason, **{k: f(int(i)) for k, f in per_row.items()})


def _number_at(values: np.ndarray) -> Callable[[int], str]:
    """Row position → its number as a message prints it."""
    return lambda i: fmt(values[i])


def _status_label(status: np.ndarray) -> Callable[[int], str]:
    """Row position → the label of its status word ('' for none)."""
    return lambda i: SUBJECT_STATUS.label(str(status[i])) if status[i] is not None else ""


def subject_totals(ctx: Ctx, col: Column, paper: Paper, ident_ok: np.ndarray,
                   student_ids: np.ndarray, extra: list[np.ndarray] | None = None,
                   strict: bool = True) -> tuple[pd.DataFrame, np.ndarray]:
    """A subject total column. A blank cell takes the strongest status of its cell and of
    ``extra`` (the row's 备注 or 总分); with ``strict`` (the row's only subject) a score next to
    such a status is a problem."""
    num, status, _ = score_cells(ctx, col)
    ctx.report(col, num > paper.full_marks + 1e-9, "ingest.score_over_paper",
               full=fmt(paper.full_marks))
    present = ~np.isnan(num)
    ranks = status_ranks([status, *(extra or [])], ctx.n)
    if strict and extra:
        extra_status = strongest_status(extra, ctx.n)
        mixed = present & (extra_status != None)  # noqa: E711
        _report_rows(ctx, col, np.flatnonzero(mixed), "ingest.status_mixed",
                     status=_status_label(extra_status))
    res = pd.DataFrame({"paper_id": constant_text(paper.paper_id, ctx.n),
                        "student_id": student_ids,
                        "status": result_status(present, ranks),
                        "score": np.where(present, num, np.nan)})
    return res[ident_ok], np.where(present, num, np.nan)


def _aggregate_items(key: str, items: pd.DataFrame, cols: dict[str, Column],
                     groups: dict[int, set[str]]) -> np.ndarray:
    """Positions of the items an aggregate column sums: objective or subjective items by the
    paper's item types, or the items whose columns stand under the group label ``key``."""
    if key == AGG_OBJECTIVE:
        return np.flatnonzero((items["item_type"] == "objective").to_numpy())
    if key == AGG_SUBJECTIVE:
        return np.flatnonzero((items["item_type"] != "objective").to_numpy())
    return np.array([j for j, label in enumerate(items["label"])
                     if label in cols and key in groups.get(cols[label].index, set())],
                    dtype=int)


def subject_items(ctx: Ctx, sc: ScoreColumns, subject: str, paper: Paper,
                  ident_ok: np.ndarray, student_ids: np.ndarray,
                  extra: list[np.ndarray] | None = None,
                  ) -> tuple[pd.DataFrame, tuple[str, pa.Table], np.ndarray]:
    """Item columns of one subject → subject results and item scores.

    An objective item's cell (or its ``1选项`` column) may hold the chosen options: scored from
    the key (full marks for an exact match, else 0); an item without a key must be given its
    score. Aggregate columns (客观分, 卷Ⅰ, the subject's 总分 …) are checked against the sums of
    their items; status words in any of these cells or in ``extra`` (备注, the sheet's 总分) make
    a row without scores absent/违纪/免考, never zero."""
    items = paper.items
    cols = sc.items.get(subject, {})
    choices = sc.choices.get(subject, {})
    labels = list(items["label"])
    header_row = ctx.grid.header_rows[-1] + 1
    for label, col in {**cols, **choices}.items():
        if label not in labels:
            ctx.problems.add("ingest.not_an_item", sheet=ctx.grid.sheet, row=header_row,
                             column=col.label, value=col.header, paper=paper.paper_id)
    for label, item_no in zip(labels, items["item_no"], strict=True):
        if label not in cols and label not in choices:
            ctx.problems.add("ingest.item_missing", sheet=ctx.grid.sheet, row=header_row,
                             paper=paper.paper_id, item=item_no)
    n, k = ctx.n, len(items)
    scores = np.full((n, k), np.nan)
    chosen: np.ndarray | None = None  # (n, k) option letters, made when a cell holds one

    def choose(rows: np.ndarray, j: int, letters: np.ndarray) -> None:
        nonlocal chosen
        if chosen is None:
            chosen = np.full((n, k), None, dtype=object)
        chosen[rows, j] = letters
    statuses = list(extra or [])
    for j, it in enumerate(records(items)):
        keyed_item = it.item_type == "objective" and isinstance(it.answer_key, str)
        if it.label in cols:
            col = cols[it.label]
            given = header_marks(col.parts[-1])
            if given is not None and abs(given - it.full_marks) > 1e-9:
                ctx.problems.add("ingest.header_marks_differ", sheet=ctx.grid.sheet,
                                 row=header_row, column=col.label, value=col.header,
                                 given=fmt(given), item=it.item_no, full=fmt(it.full_marks))
            num, status, letters = score_cells(ctx, col, letters=it.item_type == "objective")
            ctx.report(col, num > it.full_marks + 1e-9, "ingest.score_over_item",
                       full=fmt(it.full_marks))
            scores[:, j] = num
            statuses.append(status)
            has = letters.notna().to_numpy() if has_words(status) else np.zeros(n, bool)
            if has.any() and not keyed_item:
                ctx.report(col, has, "ingest.choice_no_key", item=it.item_no)
            elif has.any():
                choose(has, j, letters[has].to_numpy())
                scores[has, j] = np.where(letters[has].to_numpy() == it.answer_key,
                                          it.full_marks, 0.0)
        if it.label in choices:
            ccol = choices[it.label]
            if it.item_type != "objective":
                ctx.problems.add("ingest.choice_not_objective", sheet=ctx.grid.sheet,
                                 row=header_row, column=ccol.label, value=ccol.header)
                continue
            text = as_text(ctx.raw(ccol))
            keyed = map_unique(text, normalise_key)[0]
            status_words = map_unique(text, SUBJECT_STATUS.parse)[0]
            bad = (text.notna() & keyed.isna() & status_words.isna()).to_numpy()
            ctx.report(ccol, bad, "ingest.bad_choice")
            statuses.append(status_words.where(keyed.isna()).to_numpy(dtype=object))
            has = keyed.notna().to_numpy()
            if has.any():
                choose(has, j, keyed[has].to_numpy())
            from_key = has & np.isnan(scores[:, j])
            if from_key.any() and not keyed_item:
                ctx.report(ccol, from_key, "ingest.choice_no_key", item=it.item_no)
                continue
            scores[from_key, j] = np.where(keyed[from_key].to_numpy() == it.answer_key,
                                           it.full_marks, 0.0)
    answered = ~np.isnan(scores).all(axis=1) if k else np.zeros(n, dtype=bool)
    filled = np.nan_to_num(scores, nan=0.0)  # blank items count 0 in every sum below
    total = paper_score(filled, items)
    checks: list[tuple[Column, np.ndarray, np.ndarray, str]] = []  # column, numbers, sum, why
    if subject in sc.subject_sum:
        num, status, _ = score_cells(ctx, sc.subject_sum[subject])
        statuses.append(status)
        checks.append((sc.subject_sum[subject], num, total, "ingest.total_mismatch"))
    for key, col in sc.aggregates.get(subject, []):
        idx = _aggregate_items(key, items, cols, sc.groups)
        num, status, _ = score_cells(ctx, col)
        statuses.append(status)
        checks.append((col, num, paper_score(filled[:, idx], items.iloc[idx]),
                       "ingest.sum_mismatch"))
    ranks = status_ranks(statuses, n)
    mixed = answered & (ranks > 0)
    if mixed.any():
        _report_rows(ctx, None, np.flatnonzero(mixed), "ingest.status_mixed",
                     status=_status_label(strongest_status(statuses, n)))
    present = answered & ~mixed
    for col, num, part, reason in checks:
        off = present & ~np.isnan(num) & (np.abs(num - part) > 1e-6)
        _report_rows(ctx, col, np.flatnonzero(off), reason,
                     sum=_number_at(part))
    res = pd.DataFrame({"paper_id": constant_text(paper.paper_id, ctx.n),
                        "student_id": student_ids,
                        "status": result_status(present, ranks),
                        "score": np.where(present, total, np.nan)})
    keep = ident_ok & present
    sel = np.flatnonzero(keep)
    score_flat = scores[sel].ravel()
    item_scores = pa.table({
        "student_id": pa.array(np.repeat(student_ids[sel], k).astype(np.int32)),
        "seq": pa.array(np.tile(items["seq"].to_numpy(dtype=np.int16), len(sel))),
        "score": pa.array(score_flat, mask=np.isnan(score_flat)),
        "choice": (pa.nulls(len(sel) * k, pa.string()) if chosen is None
                   else pa.array(chosen[sel].ravel(), type=pa.string())),
    })
    return res[ident_ok], (paper.paper_id, item_scores), np.where(present, total, np.nan)


def paper_score(filled: np.ndarray, items: pd.DataFrame) -> np.ndarray:
    """Sum of item scores (``filled``: one row per student, blank items already 0); in each
    optional group only the ``n_counted`` best count."""
    groups = items["optional_group"]
    plain = groups.isna().to_numpy()
    total = filled.sum(axis=1) if plain.all() else filled[:, plain].sum(axis=1)
    for g in pd.unique(groups[~plain]):
        idx = np.flatnonzero((groups == g).to_numpy())
        n_counted = int(items["n_counted"].iloc[idx[0]] or 1)
        total += np.sort(filled[:, idx], axis=1)[:, ::-1][:, :n_counted].sum(axis=1)
    return total
