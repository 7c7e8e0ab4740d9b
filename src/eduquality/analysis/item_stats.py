"""Use case: item, option, reliability, knowledge-point and weak-point analysis of every paper.

Reads each paper once as a dense matrix (:mod:`item_matrix`) and applies the pure measures
(:mod:`eduquality.measures.items`, :mod:`~eduquality.measures.reliability`,
:mod:`~eduquality.measures.knowledge`). Writes nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.analysis.item_matrix import ItemMatrix, load_item_matrix
from eduquality.measures.items import flag_items, item_analysis, option_analysis
from eduquality.measures.knowledge import tag_rates, weak_points
from eduquality.store import Database
from eduquality.store.papers import item_tags, papers_with_item_scores, papers_without_items
from eduquality.store.rosters import registrations


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
    # objective items with a key (an item without one was given scored: no option analysis)
    objective = ((m.items["item_type"] == "objective") & m.items["answer_key"].notna()).to_numpy()
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


def knowledge_analysis(m: ItemMatrix, mapping: pd.DataFrame, units: pd.DataFrame,
                       paper_full: float, *, min_gap: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """知识点/能力层级 rates at every level and 薄弱点 of schools (vs the district) and classes
    (vs the rest of their school) for one paper. ``mapping``: seq, tag, weight, kind
    ('knowledge' | 'ability'); ``units``: peer_group, school_code, class_id per student;
    ``min_gap``: the settings' ``knowledge.min_gap``."""
    scores = pd.DataFrame(m.scores, index=m.student_ids, columns=m.items["seq"].to_numpy())
    full = pd.Series(m.items["full_marks"].to_numpy(dtype=float), index=scores.columns)
    u = units.reindex(m.student_ids)
    rates, weak = [], []
    for kind, sub in mapping.groupby("kind"):
        tags = sub.rename(columns={"seq": "item"})[["item", "tag", "weight"]]
        r = tag_rates(scores, full, tags, u[["peer_group", "school_code", "class_id"]])
        r.insert(0, "kind", kind)
        rates.append(r)
        if kind != "knowledge":
            continue
        for level, unit, ref in (("school", u["school_code"], None),
                                 ("class", u["class_id"], u["school_code"])):
            w = weak_points(scores, full, tags, unit, ref, paper_full=paper_full, min_gap=min_gap)
            w.insert(0, "level", level)
            weak.append(w)
    levels = {"all": "district", "school_code": "school", "class_id": "class"}
    rate_frame = pd.concat(rates, ignore_index=True) if rates else pd.DataFrame()
    if not rate_frame.empty:
        rate_frame["level"] = rate_frame["level"].replace(levels)
    weak_frame = pd.concat(weak, ignore_index=True) if weak else pd.DataFrame()
    return (rate_frame.rename(columns={"tag": "knowledge_point"}),
            weak_frame.rename(columns={"tag": "knowledge_point"}))


def _mappings(db: Database, paper_id: str) -> pd.DataFrame:
    return item_tags(db, paper_id)


def analyse_items(db: Database, exam_id: str, *, min_gap: float) -> dict[str, pd.DataFrame]:
    """Frames 'items', 'options', 'reliability', 'knowledge', 'weak_points' for every paper of
    ``exam_id`` that has item scores (empty frames when none), and 'no_items': the papers
    defined by their subject total only (paper_id, subject_code), for which item analyses do
    not apply — to be said, not silently left out. ``min_gap``: the settings'
    ``knowledge.min_gap`` for 薄弱点."""
    papers = papers_with_item_scores(db, exam_id)
    units = registrations(db, exam_id)[["student_id", "peer_group", "school_code", "class_id"]
                                       ].set_index("student_id")
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                          ("items", "options", "knowledge", "weak_points")}
    rel = []
    for paper_id, subject, paper_full in papers.itertuples(index=False):
        m = load_item_matrix(db, str(paper_id))
        if m.scores.shape[0] < 3:
            continue
        items, options, summary = analyse_paper(m)
        items.insert(1, "subject_code", subject)
        out["items"].append(items)
        if not options.empty:
            out["options"].append(options)
        rel.append({"paper_id": paper_id, "subject_code": subject, **summary})
        mapping = _mappings(db, str(paper_id))
        if not mapping.empty:
            rates, weak = knowledge_analysis(m, mapping, units, float(paper_full),
                                             min_gap=min_gap)
            for frame, key in ((rates, "knowledge"), (weak, "weak_points")):
                if not frame.empty:
                    frame.insert(0, "subject_code", subject)
                    frame.insert(0, "paper_id", paper_id)
                    out[key].append(frame)
    result = {k: pd.concat(v, ignore_index=True) if v else pd.DataFrame() for k, v in out.items()}
    result["reliability"] = pd.DataFrame(rel)
    result["no_items"] = papers_without_items(db, exam_id)
    return result
