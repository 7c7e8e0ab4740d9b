"""Subject totals against the item scores already stored for the same students and paper.

A paper imported item by item holds, per student, the item scores and the subject result
computed from them. A later file giving that paper as a subject *total* (a 各科成绩 sheet)
writes the subject result only: were the total different, or the student now 缺考, the stored
item scores would contradict the result, and item analysis, reliability and IRT would read
scores the total denies. So, for each row of a total column whose student has item scores on
the paper:

- the same status and score as stored: nothing changes, the row is accepted;
- anything else: a problem at the row, saying the paper was imported by item with the stored
  result, and that a correction is made by importing the item-level file again (which replaces
  items and result together).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import pandas as pd

from eduquality.i18n import register
from eduquality.ingest.problems import Problems
from eduquality.ingest.scores.cells import shown_result
from eduquality.store.db import Database
from eduquality.store.papers import item_level_results, papers_with_item_scores

MESSAGES = register({
    "ingest.total_over_items": (
        "该学生的「{subject}」已按小题导入（小题合计 {stored}），与本表的「{this}」不符；"
        "更正请重新导入该科的小题分文件",
        "this student's {subject} was imported item by item (items total {stored}), which "
        "differs from this sheet's '{this}'; to correct it, import the subject's item-level "
        "file again",
    ),
})


def check_totals_over_items(db: Database, exam_id: str, results: pd.DataFrame,
                            problems: Problems, subject_of: Mapping[str, str],
                            with_items: Collection[str]) -> None:
    """Report the rows of ``results`` (``paper_id, student_id, status, score, sheet, row,
    by_items``) given as totals (``by_items`` false) that contradict the stored item-level
    result of the same student and paper (see the module). ``with_items``: the exam's papers
    whose structure has items (only those can hold item scores: the others cost no query)."""
    by_total = ~results["by_items"].to_numpy(dtype=bool)
    if not by_total.any():
        return
    given = set(results.loc[by_total, "paper_id"].unique().tolist())   # not set(column): 1 µs a cell
    if not given & set(with_items):
        return
    papers = sorted(given & set(papers_with_item_scores(db, exam_id)["paper_id"].tolist()))
    if not papers:
        return
    totals = results[by_total & results["paper_id"].isin(papers).to_numpy()]
    stored = item_level_results(db, papers)
    hit = totals.merge(stored, on=["paper_id", "student_id"], suffixes=("", "_stored"))
    if hit.empty:
        return
    same_score = ((hit["score"].to_numpy(dtype=float) == hit["score_stored"].to_numpy(dtype=float))
                  | (hit["score"].isna().to_numpy() & hit["score_stored"].isna().to_numpy()))
    differs = ~((hit["status"] == hit["status_stored"]).to_numpy() & same_score)
    for r in hit[differs].itertuples(index=False):
        problems.add("ingest.total_over_items", sheet=str(r.sheet), row=int(r.row),
                     subject=subject_of.get(str(r.paper_id), str(r.paper_id)),
                     stored=shown_result(str(r.status_stored), float(r.score_stored)),
                     this=shown_result(str(r.status), float(r.score)))

