"""Use case: item, option, reliability, knowledge-point and weak-point analysis of every paper.

The engine (DuckDB for a district, Spark for a province) aggregates the students' item rows to
sums (:mod:`eduquality.analysis.item_sums`, one set of Ibis expressions); the measures finish
the small result (:func:`~eduquality.measures.items.item_analysis_from_sums`,
:func:`~eduquality.measures.items.option_analysis_from_counts`,
:func:`~eduquality.measures.knowledge.weak_points_from_sums`) — the numbers of the measures on
each paper's students × items matrix (:mod:`item_matrix`), tested against them. The papers'
items and tags come from the database. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from eduquality.analysis import item_sums as sums
from eduquality.analysis.student_stats import on_cluster
from eduquality.measures.items import (
    ItemSums,
    flag_items,
    group_size,
    item_analysis_from_sums,
    option_analysis_from_counts,
)
from eduquality.measures.knowledge import KnowledgeError, tag_weights, weak_points_from_sums
from eduquality.store import Database
from eduquality.store.papers import (
    item_tags,
    paper_items,
    papers_with_item_scores,
    papers_without_items,
)

SHARE = 0.27
"""The high and low groups' share (Kelley's 27 %)."""

RATE_LEVELS = {"all": "district", "peer_group": "peer_group", "school_code": "school",
               "class_id": "class"}


class ExamSums:
    """The papers' sums, aggregated by the engine ``con`` in a few queries: of every paper of
    ``exam_id`` (from the store's tables), or of ``long`` (paper_id, student_id, seq, score,
    choice: e.g. a score file's rows) with no knowledge points."""

    def __init__(self, con: Any, exam_id: str | None = None, long: Any = None, *,
                 options: bool = True, knowledge: bool = True,
                 by_matrix: bool | None = None,
                 seqs: Mapping[str, Sequence[int]] | None = None) -> None:
        stored = long is None      # the exam's rows in the store's tables
        if long is None:
            assert exam_id is not None
            long = sums.present_item_scores(con, exam_id)
        spark = on_cluster(con)
        if spark:   # read the Parquet and join once
            long = long.cache()
        self._long = long
        self.by_matrix = not spark if by_matrix is None else by_matrix
        """The sums from one read of each paper's rows (:func:`sums.paper_sums`, an
        in-process engine: DuckDB) or aggregated by the engine (Spark): the same numbers.
        ``seqs``: each paper's items in their order (default: the items with rows)."""
        want_options = exam_id is not None and options
        people = sums.persons(long)
        self._papers: dict[str, sums.PaperSums] = {}
        if self.by_matrix:
            if seqs is None:
                found = long.select("paper_id", "seq").distinct().execute()
                seqs = {str(p): sorted(g["seq"].astype(int).tolist())
                        for p, g in found.groupby("paper_id")}
            expr = long

            chosen = (sums.papers_with_choices(con, list(seqs)) if stored and want_options
                      else set())

            def read(paper: str) -> Any:
                return (sums.present_paper_rows(con, paper, options=paper in chosen)
                        if stored else sums.paper_rows(expr, paper, options=want_options))

            self._papers = sums.papers_sums(read, {str(p): q for p, q in seqs.items()},
                                            SHARE, options=want_options)
            self.counts = pd.DataFrame(
                [{"paper_id": p, **d.counts} for p, d in self._papers.items()],
                columns=["paper_id", "n_all", "n_persons", "total_sum", "total_sq"],
            ).set_index("paper_id")
            self.items = _concat([d.ranges for d in self._papers.values()],
                                 ["paper_id", "seq", "min", "max"])
            self.options = _concat([d.options for d in self._papers.values()],
                                   ["paper_id", "seq", "choice", "n", "n_high", "n_low"])
        else:
            self.counts = sums.group_counts(people).set_index("paper_id")
            grouped = sums.with_groups(people, self.counts.reset_index(), SHARE)
            self.items = sums.item_level_sums(long, grouped)
            self.pairs = sums.pair_sums(long)
            self.options = (sums.option_counts(long, grouped) if want_options
                            else pd.DataFrame(columns=["paper_id", "seq", "choice"]))
        if exam_id is None or not knowledge:      # no tagged item: no knowledge queries
            return
        tags = sums.exam_tags(con, exam_id)
        unit_table = sums.units(con, exam_id)
        student = sums.student_tag_sums(long, tags)
        self.rates = sums.unit_tag_sums(student, unit_table)
        self.units = sums.person_units(people, unit_table)
        self.weak = {"school": sums.weak_point_sums(student, unit_table, "school_code", None),
                     "class": sums.weak_point_sums(student, unit_table, "class_id",
                                                   "school_code")}

    def n_all(self, paper_id: str) -> int:
        return int(self.counts["n_all"].get(paper_id, 0))

    def item_sums(self, paper_id: str, seqs: np.ndarray) -> ItemSums:
        """The paper's :class:`~eduquality.measures.items.ItemSums` over its items ``seqs``."""
        if self.by_matrix:
            done = self._papers.get(paper_id)
            if done is None or done.seqs != tuple(int(q) for q in seqs):
                done = sums.paper_sums(self._long, paper_id, seqs.tolist(), SHARE,
                                       options=False)
            return done.items
        pos = {int(s): i for i, s in enumerate(seqs)}
        k = len(seqs)
        rows = self.items[self.items["paper_id"] == paper_id]
        idx = rows["seq"].map(lambda s: pos[int(s)]).to_numpy()

        def vec(col: str) -> np.ndarray:
            out = np.zeros(k)
            out[idx] = rows[col].astype(float).fillna(0.0).to_numpy()
            return out

        n_pair, s_pair, cross = (np.zeros((k, k)) for _ in range(3))
        pairs = self.pairs[self.pairs["paper_id"] == paper_id]
        a = pairs["seq_a"].map(lambda s: pos[int(s)]).to_numpy()
        b = pairs["seq_b"].map(lambda s: pos[int(s)]).to_numpy()
        n = pairs["n"].astype(float).to_numpy()
        n_pair[a, b] = n_pair[b, a] = n
        cross[a, b] = cross[b, a] = pairs["cross"].astype(float).to_numpy()
        s_pair[a, b] = pairs["s_a"].astype(float).to_numpy()
        s_pair[b, a] = pairs["s_b"].astype(float).to_numpy()
        n_persons, total_sum, total_sq = (
            self.counts.loc[paper_id, ["n_persons", "total_sum", "total_sq"]]
            .astype(float).fillna(0.0).to_numpy())
        return ItemSums(
            n_pair=n_pair, s_pair=s_pair, cross=cross,
            sum_t=vec("sum_t"), sum_tt=vec("sum_tt"), sum_xt=vec("sum_xt"),
            sum_high=vec("sum_high"), n_high=vec("n_high"),
            sum_low=vec("sum_low"), n_low=vec("n_low"),
            n_persons=int(n_persons), total_sum=float(total_sum), total_sq=float(total_sq),
        )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The papers' frames as one (``columns`` when there is none)."""
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def analyse_paper(s: ExamSums, paper_id: str, meta: pd.DataFrame
                  ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Item table, option table and reliability summary of one paper from the exam's sums;
    ``meta``: the paper's items (:func:`~eduquality.store.papers.paper_items`)."""
    names = meta["item_no"].astype(str).tolist()
    full = meta["full_marks"].to_numpy(dtype=float)
    seqs = meta["seq"].to_numpy()
    result = item_analysis_from_sums(s.item_sums(paper_id, seqs),
                                     pd.Index(names, name="item"), full)
    items = result.items.reset_index()
    items.insert(0, "seq", seqs)
    items.insert(0, "paper_id", paper_id)
    items["item_type"] = meta["item_type"].to_numpy()
    items["full_marks"] = full
    items["ability_level"] = meta["ability_level"].to_numpy()
    options = pd.DataFrame()
    # objective items with a key (an item without one was given scored: no option analysis)
    objective = ((meta["item_type"] == "objective") & meta["answer_key"].notna()).to_numpy()
    counts = s.options[s.options["paper_id"] == paper_id]
    if not counts.empty and objective.any():
        name_of = dict(zip(seqs.tolist(), names, strict=True))
        keys = pd.Series(meta["answer_key"].to_numpy()[objective],
                         index=[names[c] for c in np.flatnonzero(objective)], dtype=object)
        n_all = s.n_all(paper_id)
        g = group_size(n_all, SHARE)
        given = counts.assign(item=counts["seq"].map(lambda q: name_of[int(q)]))
        options = option_analysis_from_counts(given, keys, n_all, g, g)
        options.insert(0, "paper_id", paper_id)
    flags = flag_items(result.items["d27"], None if options.empty else options.drop(
        columns="paper_id")).reset_index(drop=True)
    items = pd.concat([items, flags.drop(columns="ebel")], axis=1)
    summary = {"alpha": result.alpha, "sem": result.sem, "mean_total": result.mean_total,
               "sd_total": result.sd_total, "n": result.n_persons, "n_items": result.n_items}
    return items, options, summary


def _check_range(s: ExamSums, paper_id: str, meta: pd.DataFrame, mapping: pd.DataFrame) -> None:
    """Item scores of tagged items within [0, full marks] (as
    :func:`eduquality.measures.knowledge.tag_rates` requires)."""
    rows = s.items[(s.items["paper_id"] == paper_id)
                   & s.items["seq"].isin(mapping["seq"])].set_index("seq")
    marks = meta.set_index("seq")["full_marks"].reindex(rows.index).astype(float)
    bad = rows.index[(rows["min"].astype(float) < 0)
                     | (rows["max"].astype(float) > marks + 1e-9)]
    if len(bad):
        raise KnowledgeError("knowledge.out_of_range", items=", ".join(map(str, bad[:5])))


def knowledge_analysis(s: ExamSums, paper_id: str, meta: pd.DataFrame, mapping: pd.DataFrame,
                       paper_full: float, *, min_gap: float
                       ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """知识点/能力层级 rates at every level (:func:`~eduquality.measures.knowledge.tag_rates`'s
    table) and 薄弱点 of schools (vs the district) and classes (vs the rest of their school) for
    one paper. ``mapping``: seq, tag, weight, kind ('knowledge' | 'ability'); ``min_gap``: the
    settings' ``knowledge.min_gap``."""
    _check_range(s, paper_id, meta, mapping)
    units = s.units[s.units["paper_id"] == paper_id]
    rates_all = s.rates[s.rates["paper_id"] == paper_id]
    rates, weak = [], []
    for kind, sub in mapping.groupby("kind"):
        tags = pd.Index(sub["tag"].unique(), name="tag")
        got = rates_all[rates_all["kind"] == kind].set_index(["level", "unit", "tag"])
        for level in RATE_LEVELS:
            names = (["all"] if level == "all"
                     else sorted(units[level].dropna().unique().tolist()))
            grid = pd.MultiIndex.from_product([[level], names, tags],
                                              names=["level", "unit", "tag"])
            r = got.reindex(grid)[["n", "earned", "possible"]].fillna(0.0).reset_index()
            with np.errstate(invalid="ignore", divide="ignore"):
                r["rate"] = np.where(r["possible"] > 0, r["earned"] / r["possible"], np.nan)
            r["n"] = r["n"].astype(np.int64)
            r.insert(0, "kind", kind)
            rates.append(r)
        if kind != "knowledge":
            continue
        marks = meta.set_index("seq")["full_marks"]
        weight = tag_weights(marks, sub.rename(columns={"seq": "item"})[["item", "tag", "weight"]],
                             paper_full)
        for level, col, ref in (("school", "school_code", None),
                                ("class", "class_id", "school_code")):
            w = _weak(s.weak[level], paper_id, units, col, ref, tags, weight, min_gap)
            w.insert(0, "level", level)
            weak.append(w)
    rate_frame = pd.concat(rates, ignore_index=True) if rates else pd.DataFrame()
    if not rate_frame.empty:
        rate_frame["level"] = rate_frame["level"].replace(RATE_LEVELS)
    weak_frame = pd.concat(weak, ignore_index=True) if weak else pd.DataFrame()
    return (rate_frame.rename(columns={"tag": "knowledge_point"}),
            weak_frame.rename(columns={"tag": "knowledge_point"}))


def _weak(moments: pd.DataFrame, paper_id: str, units: pd.DataFrame, col: str,
          ref: str | None, tags: pd.Index, weight: pd.Series, min_gap: float) -> pd.DataFrame:
    """薄弱点 of one level: every unit of the paper's persons × every knowledge point (a unit
    none of whose students has a rate: n 0), the moments from the engine."""
    own = units.dropna(subset=[col] if ref is None else [col, ref])
    unit_ref = (pd.Series("all", index=sorted(own[col].unique().tolist())) if ref is None
                else own.drop_duplicates(col).set_index(col)[ref].sort_index())
    m = moments[moments["paper_id"] == paper_id]
    grid = pd.MultiIndex.from_product([unit_ref.index, tags], names=["unit", "tag"])
    frame = m.set_index(["unit", "tag"])[["n", "s", "q"]].reindex(grid).fillna(0.0)
    frame = frame.reset_index()
    frame["ref_group"] = frame["unit"].map(unit_ref).to_numpy()
    centre = m.groupby(["ref_group", "tag"])["centre"].first()
    frame["centre"] = [centre.get((g, t), np.nan)
                       for g, t in zip(frame["ref_group"], frame["tag"], strict=True)]
    return weak_points_from_sums(frame, weight, min_gap=min_gap)


def analyse_items(db: Database, exam_id: str, *, min_gap: float,
                  con: Any = None) -> dict[str, pd.DataFrame]:
    """Frames 'items', 'options', 'reliability', 'knowledge', 'weak_points' for every paper of
    ``exam_id`` that has item scores (empty frames when none), and 'no_items': the papers
    defined by their subject total only (paper_id, subject_code), for which item analyses do
    not apply — to be said, not silently left out. ``min_gap``: the settings'
    ``knowledge.min_gap`` for 薄弱点; ``con``: the Ibis backend that aggregates (default: the
    database's own)."""
    papers = papers_with_item_scores(db, exam_id)
    out: dict[str, list[pd.DataFrame]] = {k: [] for k in
                                          ("items", "options", "knowledge", "weak_points")}
    rel = []
    metas = {str(p): paper_items(db, str(p)) for p in papers["paper_id"]}
    mappings = {p: item_tags(db, p) for p in metas}
    keyed = any(((m["item_type"] == "objective") & m["answer_key"].notna()).any()
                for m in metas.values())
    s = ExamSums(con if con is not None else db.ibis(exam_id), exam_id, options=keyed,
                 knowledge=any(not m.empty for m in mappings.values()),
                 seqs={p: m["seq"].astype(int).tolist() for p, m in metas.items()}
                 ) if metas else None
    for paper_id, subject, paper_full in papers.itertuples(index=False):
        assert s is not None
        if s.n_all(str(paper_id)) < 3:
            continue
        meta = metas[str(paper_id)]
        items, options, summary = analyse_paper(s, str(paper_id), meta)
        items.insert(1, "subject_code", subject)
        out["items"].append(items)
        if not options.empty:
            out["options"].append(options)
        rel.append({"paper_id": paper_id, "subject_code": subject, **summary})
        mapping = mappings[str(paper_id)]
        if not mapping.empty:
            rates, weak = knowledge_analysis(s, str(paper_id), meta, mapping, float(paper_full),
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
