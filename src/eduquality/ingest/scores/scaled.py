"""The official 赋分 columns of a score sheet (``化学赋分`` beside ``化学``; see
:func:`eduquality.ingest.scores.columns.score_kind`) → rows of ``official_scaled_score``.

Rules (each broken one a located problem, nothing written):

- the exam has a 赋分 rule and the subject is one of its 再选 subjects
  (:func:`eduquality.measures.scaling_rules.exam_rule_for`: the district's province and the
  cohort's 高考 year); an old-regime exam, or 物理/语文 …, has no 赋分;
- the subject's raw score is in the sheet too (``subject_result`` keeps the raw score);
- a 赋分 lies in one of the rule's grade ranges
  (:func:`eduquality.measures.gaokao_scaling.grade_of_scaled`: A 100–86 … E 40–30 for Yunnan;
  101, 29 or 85.5 are no 赋分 of that rule);
- a raw score has its 赋分 and a 赋分 its raw score (缺考 in both is fine).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.problems import Phrase, Problems
from eduquality.ingest.scores.cells import Ctx, score_cells
from eduquality.ingest.scores.columns import ScoreColumns
from eduquality.measures.gaokao_scaling import grade_of_scaled
from eduquality.measures.scaling_rules import ScalingRule
from eduquality.vocab import SUBJECTS

__all__ = ["official_columns"]

MESSAGES = register({
    "ingest.scaled_no_rule": (
        "列「{header}」是赋分，但考试 {exam} 的「{subject}」不按等级赋分（只有新高考 3+1+2 的再选科目"
        "按所在省份的规则赋分：{subjects}）",
        "column '{header}' holds scaled scores, but {subject} of exam {exam} is not scaled "
        "(only the re-selected subjects of the 3+1+2 regime are, by the province's rule: "
        "{subjects})",
    ),
    "ingest.scaled_no_raw": (
        "列「{header}」是「{subject}」的赋分，但表中没有该科的原始分列（原始分与赋分须同时给出）",
        "column '{header}' holds the scaled scores of {subject}, but the sheet has no raw "
        "score column for it (give the raw and the scaled scores side by side)",
    ),
    "ingest.scaled_range": (
        "赋分不在{rule}的任一等级区间内（{ranges}）",
        "a scaled score must lie in one of the grade ranges of {rule} ({ranges})",
    ),
    "ingest.scaled_missing": ("有原始分却没有赋分", "a raw score without its scaled score"),
    "ingest.scaled_without_raw": ("有赋分却没有原始分", "a scaled score without a raw score"),
    "ingest.scaled_names": ("{zh}", "{en}"),
})


def _names(codes: list[str] | tuple[str, ...]) -> Phrase:
    """Subject names in the reader's language (a message parameter)."""
    return Phrase("ingest.scaled_names", (
        ("zh", "、".join(SUBJECTS.label(c) for c in codes)),
        ("en", ", ".join(SUBJECTS.label(c, "en") for c in codes))))


def official_columns(ctx: Ctx, sc: ScoreColumns, rule: ScalingRule | None, exam_id: str,
                     raw: dict[str, np.ndarray], results: pd.DataFrame, subject_of: dict[str, str],
                     ok: np.ndarray, student_ids: np.ndarray,
                     ) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """(rows of ``official_scaled_score``: paper_id, student_id, score; the 赋分 per row of
    each subject that has them, NaN elsewhere) of the sheet's 赋分 columns, the rules in the
    module docstring checked. ``raw``: each subject's raw scores per row; ``results``: the
    sheet's subject results (their papers); ``subject_of``: paper → subject."""
    problems: Problems = ctx.problems
    header_row = ctx.grid.header_rows[0] + 1
    frames: list[pd.DataFrame] = []
    counted: dict[str, np.ndarray] = {}
    for subj, col in sc.scaled.items():
        where: dict[str, Any] = {"sheet": ctx.grid.sheet, "row": header_row,
                                 "column": col.label, "value": col.header,
                                 "header": col.header, "subject": _names([subj])}
        if rule is None or subj not in rule.subjects:
            problems.add("ingest.scaled_no_rule", exam=exam_id,
                         subjects=_names(rule.subjects) if rule else "—", **where)
            continue
        if subj not in raw:
            problems.add("ingest.scaled_no_raw", **where)
            continue
        num, _, _ = score_cells(ctx, col)
        scaled = np.where(num >= 0, num, np.nan)
        out = ~np.isnan(scaled) & grade_of_scaled(scaled, rule.scheme).isna().to_numpy()
        ranges = "、".join(f"{g} {hi:g}–{lo:g}" for g, (hi, lo) in
                          zip(rule.scheme.grades, rule.scheme.ranges, strict=True))
        ctx.report(col, out, "ingest.scaled_range", rule=rule.province, ranges=ranges)
        has_raw = ~np.isnan(raw[subj])
        ctx.report(col, has_raw & np.isnan(num), "ingest.scaled_missing")
        ctx.report(col, ~has_raw & ~np.isnan(num), "ingest.scaled_without_raw")
        value = np.where(has_raw, scaled, np.nan)  # a bad one is reported: nothing written
        counted[subj] = value
        keep = ok & ~np.isnan(value)
        papers = results.loc[results["paper_id"].map(subject_of) == subj,
                             ["paper_id", "student_id"]]
        frames.append(papers.merge(pd.DataFrame({"student_id": student_ids[keep],
                                                 "score": value[keep]}), on="student_id"))
    frame = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame(columns=["paper_id", "student_id", "score"]))
    return frame, counted
