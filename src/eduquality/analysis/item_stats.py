"""Use case: item analysis, option analysis and reliability for every paper of an exam.

Reads each paper as a dense matrix (:mod:`item_matrix`) and applies the pure measures
(:mod:`eduquality.measures.items`, :mod:`eduquality.measures.reliability`). Writes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.analysis.item_matrix import ItemMatrix, load_item_matrix
from eduquality.measures.items import flag_items, item_analysis, option_analysis
from eduquality.store import Database


def analyse_paper(m: ItemMatrix) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Item table, option table and reliability summary of one paper's matrix."""
    names = m.items["item_no"].astype(str).tolist()
    frame = pd.DataFrame(m.scores, columns=names)
    full = m.items["full_marks"].to_numpy(dtype=float)
    result = item_analysis(frame, max_scores=full)
    items = result.items.reset_index()
    items.insert(0, "seq", m.items["seq"].to_numpy())
    items.insert(0, "paper_id", m.paper_id)
    items["item_type"] = m.items["item_type"].to_numpy()
    items["full_marks"] = full
    items["ability_level"] = m.items["ability_level"].to_numpy()
    options = pd.DataFrame()
    objective = (m.items["item_type"] == "objective").to_numpy()
    if m.choices is not None and objective.any():
        cols = np.flatnonzero(objective)
        choices = pd.DataFrame(m.choices[:, cols], columns=[names[c] for c in cols])
        keys = dict(zip(choices.columns, m.items["answer_key"].to_numpy()[cols], strict=True))
        total = np.nansum(m.scores, axis=1)
        options = option_analysis(choices, keys, total=total)
        options.insert(0, "paper_id", m.paper_id)
    flags = flag_items(result.items["d27"], None if options.empty else options.drop(
        columns="paper_id")).reset_index(drop=True)
    items = pd.concat([items, flags.drop(columns="ebel")], axis=1)
    summary = {"alpha": result.alpha, "sem": result.sem, "mean_total": result.mean_total,
               "sd_total": result.sd_total, "n": result.n_persons, "n_items": result.n_items}
    return items, options, summary


def analyse_items(db: Database, exam_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Item, option and reliability frames for every paper of ``exam_id`` that has item scores."""
    papers = db.sql("""SELECT p.paper_id, p.subject_code FROM paper p
                       WHERE p.exam_id = ? AND EXISTS (SELECT 1 FROM item_score s
                                                       WHERE s.paper_id = p.paper_id)
                       ORDER BY p.paper_id""", [exam_id])
    all_items, all_options, rel = [], [], []
    for paper_id, subject in zip(papers.paper_id, papers.subject_code, strict=True):
        m = load_item_matrix(db, paper_id)
        if m.scores.shape[0] < 3:
            continue
        items, options, summary = analyse_paper(m)
        items.insert(1, "subject_code", subject)
        all_items.append(items)
        if not options.empty:
            all_options.append(options)
        rel.append({"paper_id": paper_id, "subject_code": subject, **summary})
    def cat(frames: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return cat(all_items), cat(all_options), pd.DataFrame(rel)
