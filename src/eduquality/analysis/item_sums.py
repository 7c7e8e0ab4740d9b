"""The sums over students from which an exam's item, option and knowledge-point statistics
follow, as Ibis expressions: the same expressions run on DuckDB (a district) and on Spark (a
province, :mod:`eduquality.analysis.spark.engine`), so no engine holds a paper's students ×
items matrix; the small results are finished by the measures
(:func:`~eduquality.measures.items.item_analysis_from_sums`,
:func:`~eduquality.measures.items.option_analysis_from_counts`,
:func:`~eduquality.measures.knowledge.weak_points_from_sums`).

Persons of a paper: the students present in its subject with at least one item row (as
:func:`eduquality.analysis.item_matrix.load_item_matrix` reads them); a person's total is the
sum of the answered items (none answered: no total — such persons count in the option analysis,
with total 0, and nowhere else). The 27 % groups (:func:`~eduquality.measures.items.group_size`)
are ranked by total, ties by student ID (the matrix's row order): a row number over the paper.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from eduquality.measures.items import (
    ItemSums,
    group_size,
    item_sums,
    option_counts_from_rows,
    row_totals,
    upper_lower_groups,
)


def present_item_scores(con: Any, exam_id: str) -> ir.Table:
    """paper_id, student_id, seq, score, choice of the students present in the paper's
    subject (status 'present'), every paper of ``exam_id``."""
    paper = con.table("paper").filter(lambda p: p.exam_id == exam_id).select("paper_id")
    present = (con.table("subject_result").filter(lambda r: r.status == "present")
               .select("paper_id", "student_id"))
    scores = con.table("item_score")
    return (scores.join(paper, "paper_id").join(present, ["paper_id", "student_id"])
            .select("paper_id", "student_id", "seq", "score", "choice"))


def persons(long: ir.Table) -> ir.Table:
    """One row per (paper, person): ``total`` (NULL when nothing was answered), ``total0``
    (the total with nothing answered as 0: the option analysis's)."""
    per = long.group_by(["paper_id", "student_id"]).aggregate(total=long.score.sum())
    return per.mutate(total0=per.total.fill_null(0.0))


def group_counts(people: ir.Table) -> pd.DataFrame:
    """Per paper: ``n_all`` persons, ``n_persons`` with a total, Σ total, Σ total²."""
    t = people.total
    return people.group_by("paper_id").aggregate(
        n_all=people.student_id.count(), n_persons=t.count(), total_sum=t.sum(),
        total_sq=(t * t).sum()).execute()


def _sizes(people: ir.Table, sizes: Mapping[str, int]) -> ir.IntegerValue:
    """The group size of each row's paper (a CASE over the exam's few papers)."""
    cases = [(people.paper_id == p, ibis.literal(g)) for p, g in sizes.items()]
    return ibis.cases(*cases, else_=ibis.literal(0)) if cases else ibis.literal(0)


def with_groups(people: ir.Table, counts: pd.DataFrame, share: float) -> ir.Table:
    """``persons`` with the 27 % group flags: ``high``/``low`` among persons with a total
    (the item analysis's D), ``high0``/``low0`` among all by ``total0`` (the option
    analysis's)."""
    papers = counts["paper_id"].astype(str).tolist()
    g = _sizes(people, {p: group_size(int(n), share) for p, n in
                        zip(papers, counts["n_persons"].tolist(), strict=True)})
    g0 = _sizes(people, {p: group_size(int(n), share) for p, n in
                         zip(papers, counts["n_all"].tolist(), strict=True)})
    missing = people.total.isnull()
    asc = ibis.window(group_by="paper_id", order_by=[missing, people.total, people.student_id])
    desc = ibis.window(group_by="paper_id",
                       order_by=[missing, ibis.desc(people.total), people.student_id])
    asc0 = ibis.window(group_by="paper_id", order_by=[people.total0, people.student_id])
    desc0 = ibis.window(group_by="paper_id",
                        order_by=[ibis.desc(people.total0), people.student_id])
    return people.mutate(
        low=~missing & (ibis.row_number().over(asc) < g),
        high=~missing & (ibis.row_number().over(desc) < g),
        low0=ibis.row_number().over(asc0) < g0,
        high0=ibis.row_number().over(desc0) < g0,
    )


def item_level_sums(long: ir.Table, grouped: ir.Table) -> pd.DataFrame:
    """Per (paper, seq): n, Σx, Σx², min, max; Σt, Σt², Σxt over persons answering; Σx and n
    in the high and low groups (:class:`~eduquality.measures.items.ItemSums`)."""
    j = long.join(grouped, ["paper_id", "student_id"])
    x, t = j.score, j.total
    answered = x.notnull()

    def where(cond: ir.BooleanValue, value: ir.Value) -> ir.Value:
        return ibis.ifelse(cond, value, ibis.null())

    return j.group_by(["paper_id", "seq"]).aggregate(
        n=x.count(), sx=x.sum(), sxx=(x * x).sum(), min=x.min(), max=x.max(),
        sum_t=where(answered, t).sum(), sum_tt=where(answered, t * t).sum(),
        sum_xt=(x * t).sum(),
        sum_high=where(j.high, x).sum(), n_high=where(j.high, x).count(),
        sum_low=where(j.low, x).sum(), n_low=where(j.low, x).count(),
    ).execute()


def item_ranges(long: ir.Table) -> pd.DataFrame:
    """Per (paper, seq): the lowest and highest score given (``min``, ``max``), for the
    knowledge points' range check where :func:`item_level_sums` is not computed."""
    return long.group_by(["paper_id", "seq"]).aggregate(
        min=long.score.min(), max=long.score.max()).execute()


def pair_sums(long: ir.Table) -> pd.DataFrame:
    """Per (paper, seq_a ≤ seq_b): persons answering both, Σ x_a, Σ x_b, Σ x_a x_b over them
    (the pairwise covariance's sums)."""
    answered = long.filter(long.score.notnull())
    a = answered.select("paper_id", "student_id", seq_a=answered.seq, x_a=answered.score)
    b = answered.select("paper_id", "student_id", seq_b=answered.seq, x_b=answered.score)
    j = a.join(b, ["paper_id", "student_id"])
    j = j.filter(j.seq_a <= j.seq_b)
    return j.group_by(["paper_id", "seq_a", "seq_b"]).aggregate(
        n=j.x_a.count(), s_a=j.x_a.sum(), s_b=j.x_b.sum(), cross=(j.x_a * j.x_b).sum(),
    ).execute()


@dataclass(frozen=True)
class PaperSums:
    """What an in-process engine (DuckDB) takes from one read of a paper's rows
    (:func:`paper_sums`): the numbers :func:`group_counts`, :func:`item_ranges` and
    :func:`option_counts` aggregate in the engine, and the :class:`ItemSums` of its matrix."""

    seqs: tuple[int, ...]
    counts: dict[str, float]
    ranges: pd.DataFrame
    options: pd.DataFrame
    items: ItemSums


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """Dense codes of a column in sorted order: the position of each value among the distinct
    values. Integer IDs no larger than a few times the number of rows are placed through a
    table indexed by the ID (two passes over the rows); other columns (text, sparse IDs) are
    dictionary-encoded in Arrow and their distinct values sorted (text by code point)."""
    dense = _dense_ids(column)
    if dense is not None:
        (ids,), size = dense
        seen = np.zeros(size, dtype=bool)
        seen[ids] = True
        position = np.cumsum(seen, dtype=np.int64) - 1
        return position[ids]
    encoded = pc.dictionary_encode(column).combine_chunks()
    rank = np.empty(len(encoded.dictionary), dtype=np.int64)
    rank[pc.sort_indices(encoded.dictionary).to_numpy()] = np.arange(rank.size)
    return rank[encoded.indices.to_numpy(zero_copy_only=False)]


def _dense_ids(column: pa.ChunkedArray, *others: pa.ChunkedArray,
               ) -> tuple[list[np.ndarray], int] | None:
    """``column`` (and ``others``) as numpy arrays with the size of a table indexed by their
    values, when all are integer IDs without nulls, none negative and none larger than a few
    times ``column``'s rows (the table then costs less than sorting or hashing the IDs);
    None otherwise."""
    columns = (column, *others)
    if not len(column) or not all(pa.types.is_integer(c.type) and c.null_count == 0
                                  for c in columns):
        return None
    arrays = [c.to_numpy() for c in columns]
    low = min(int(a.min(initial=0)) for a in arrays)
    high = max(int(a.max(initial=0)) for a in arrays)
    if low < 0 or high > 4 * len(column) + 1024:
        return None
    return arrays, high + 1


def paper_sums(long: ir.Table, paper: str, seqs: Sequence[int], share: float, *,
               options: bool) -> PaperSums:
    """One read of ``paper``'s item rows (every present student's, answered or not) finished
    in process: persons are the students with a row, in student ID order (the order that
    breaks ties in the 27 % groups); totals by :func:`~eduquality.measures.items.row_totals`;
    the matrix of the persons who answered something (columns ``seqs``) gives the
    :class:`ItemSums` (:func:`~eduquality.measures.items.item_sums`); the option analysis's
    groups rank all persons by their total with nothing answered as 0. The same numbers as
    the engine's aggregates (tested): reading a paper once costs less than the joins and the
    self-join of :func:`pair_sums` (~k²/2 rows per student). A province's engine (Spark)
    aggregates the sums instead, without holding any matrix."""
    return sums_of_rows(paper_rows(long, paper, options=options), paper, seqs, share,
                        options=options)


def paper_rows(long: ir.Table, paper: str, *, options: bool) -> pa.Table:
    """``paper``'s item rows (student_id, seq, score and, with ``options``, choice): the one
    read :func:`paper_sums` makes."""
    columns = ["student_id", "seq", "score"] + (["choice"] if options else [])
    return long.filter(long.paper_id == paper).select(*columns).to_pyarrow()


def present_paper_rows(con: Any, paper: str, *, options: bool) -> pa.Table:
    """``paper``'s rows of :func:`present_item_scores` (student_id, seq, score and, with
    ``options``, choice), read as two plain scans — the paper's item rows and the IDs of the
    students present in its subject — matched in process (:func:`_is_in`): the same rows
    as the engine's join, for about a third of its CPU time (measured: 0.09 against 0.30 s
    per paper of 200,000 students × 25 items). ``options``: read the choices too (only for a
    paper that has one, :func:`papers_with_choices`: a column of nulls costs as much to read
    as the scores)."""
    scores = con.table("item_score")
    columns = ["student_id", "seq", "score"] + (["choice"] if options else [])
    rows = scores.filter(scores.paper_id == paper).select(*columns).to_pyarrow()
    results = con.table("subject_result")
    present = results.filter((results.paper_id == paper) & (results.status == "present")
                             ).select("student_id").to_pyarrow().column("student_id")
    keep = _is_in(rows.column("student_id"), present)
    return rows if bool(keep.all()) else rows.filter(pa.array(keep))


def papers_with_choices(con: Any, papers: Sequence[str]) -> set[str]:
    """Those of ``papers`` with a choice in any of their item rows, in one query (a column
    without a value is skipped by its statistics)."""
    scores = con.table("item_score")
    given = scores.filter(scores.paper_id.isin(list(papers)) & scores.choice.notnull())
    return {str(p) for p in given.select("paper_id").distinct().to_pyarrow()
            .column("paper_id").to_pylist()}


def _is_in(column: pa.ChunkedArray, values: pa.ChunkedArray) -> np.ndarray:
    """Whether each value of ``column`` is one of ``values``: integer IDs no larger than a few
    times the number of rows through a table indexed by the ID, others by Arrow's hash set."""
    dense = _dense_ids(column, values)
    if dense is not None:
        (ids, wanted), size = dense
        member = np.zeros(size, dtype=bool)
        member[wanted] = True
        return member[ids]
    found = pc.is_in(column, value_set=values.combine_chunks())
    return found.to_numpy(zero_copy_only=False).astype(bool)


def papers_sums(read: Callable[[str], pa.Table], seqs: Mapping[str, Sequence[int]],
                share: float, *, options: bool, workers: int | None = None,
                ) -> dict[str, PaperSums]:
    """:func:`paper_sums` of every paper of ``seqs``, each paper's rows read by ``read``
    (:func:`paper_rows` of an expression, :func:`present_paper_rows` of the store's tables):
    the papers are read one after another (one engine connection) and each read paper is
    finished on a pool of threads while the next is read (numpy and Arrow let go of the GIL):
    the same numbers, in about half the time on two cores."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(workers or min(4, os.cpu_count() or 1)) as pool:
        done = {p: pool.submit(sums_of_rows, read(p), p, q, share, options=options)
                for p, q in seqs.items()}
        return {p: f.result() for p, f in done.items()}


def sums_of_rows(rows: pa.Table, paper: str, seqs: Sequence[int], share: float, *,
                 options: bool) -> PaperSums:
    """:func:`paper_sums` of rows already read (:func:`paper_rows`). Each person's total is
    the sum of his row of the matrix (:func:`~eduquality.measures.items.row_totals`): the
    same whatever order the rows were read in."""
    wanted = np.asarray(seqs, dtype=np.int64)
    placed = _placed(rows, wanted)
    matrix, n_all = placed.matrix, placed.matrix.shape[0]
    total = row_totals(matrix)
    answered = ~np.isnan(total)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # an item nobody answered: NaN
        low, high = ((np.nanmin(matrix, axis=0), np.nanmax(matrix, axis=0)) if n_all
                     else (np.full(wanted.size, np.nan),) * 2)
    ranges = pd.DataFrame({"paper_id": paper, "seq": wanted[placed.seen], "min": low[placed.seen],
                           "max": high[placed.seen]})
    answered_totals = total[answered]
    counts = {"n_all": float(n_all), "n_persons": float(answered_totals.size),
              "total_sum": float(answered_totals.sum()),
              "total_sq": float((answered_totals ** 2).sum())}
    option_frame = pd.DataFrame(columns=["paper_id", "seq", "choice", "n", "n_high", "n_low"])
    given = rows.column("choice") if options and "choice" in rows.column_names else None
    if given is not None and given.null_count < len(given):
        top, bottom = upper_lower_groups(np.nan_to_num(total, nan=0.0), share)
        encoded = pc.dictionary_encode(given).combine_chunks()
        choice = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        col, person = placed.cells()
        got = option_counts_from_rows(col, choice, person, top, bottom)
        option_frame = pd.DataFrame({
            "paper_id": paper, "seq": wanted[got["item"].to_numpy()],
            "choice": np.asarray(encoded.dictionary.to_pylist(), dtype=object)[
                got["choice"].to_numpy()],
            "n": got["n"], "n_high": got["n_high"], "n_low": got["n_low"]})
    return PaperSums(seqs=tuple(int(q) for q in wanted), counts=counts, ranges=ranges,
                     options=option_frame,
                     items=item_sums(matrix if answered.all() else matrix[answered], share))


@dataclass(frozen=True)
class _Placed:
    """A paper's rows placed in its persons × items ``matrix`` (persons in student ID order,
    items in the order asked; NaN: no row or no score), ``seen``: the items with a row, and
    the cells of the rows in their read order (:meth:`cells`: item column and person row),
    made only when asked (the option analysis)."""

    matrix: np.ndarray
    seen: np.ndarray
    cells: Callable[[], tuple[np.ndarray, np.ndarray]]


def _placed(rows: pa.Table, wanted: np.ndarray) -> _Placed:
    """``rows`` (student_id, seq, score) as a :class:`_Placed` matrix. Rows written as the
    importers write them — each student's row for every item, one student after another and
    in the items' order — are reshaped (:func:`_student_blocks`); any other layout is
    scattered into place by dense person codes (:func:`_codes`). The same matrix either way
    (tested)."""
    seq = rows.column("seq").to_numpy().astype(np.int64)
    score = rows.column("score").to_numpy(zero_copy_only=False).astype(np.float64,
                                                                         copy=False)
    k = wanted.size
    blocks = _student_blocks(rows.column("student_id"), seq, wanted)
    if blocks is not None:
        (order,) = blocks
        matrix = score.reshape(-1, k) if order is None else score.reshape(-1, k)[order]
        n = matrix.shape[0]

        def block_cells() -> tuple[np.ndarray, np.ndarray]:
            rank = np.arange(n)
            if order is not None:
                rank[order] = np.arange(n)
            return np.tile(np.arange(k), n), np.repeat(rank, k)

        return _Placed(matrix, np.full(k, n > 0), block_cells)
    person = _codes(rows.column("student_id"))
    n_all = int(person.max(initial=-1)) + 1
    column_of = np.full(int(max(wanted.max(initial=0), seq.max(initial=0))) + 1, -1)
    column_of[wanted] = np.arange(k)
    col = column_of[seq]
    matrix = np.full((n_all, k), np.nan)
    matrix[person, col] = score
    return _Placed(matrix, np.bincount(col, minlength=k) > 0, lambda: (col, person))


def _student_blocks(student: pa.ChunkedArray, seq: np.ndarray, wanted: np.ndarray,
                    ) -> tuple[np.ndarray | None] | None:
    """When the rows are blocks of ``wanted.size``, one per student (each student once), each
    block the student's rows in the order of ``wanted``: a one-tuple of the order of the
    blocks by student ID (None when they are in that order already); None when the rows are
    laid out otherwise. Three vectorised comparisons instead of coding every row."""
    k = wanted.size
    if k == 0 or seq.size % k or not pa.types.is_integer(student.type) or student.null_count:
        return None
    n = seq.size // k
    if not np.array_equal(seq.reshape(n, k), np.broadcast_to(wanted, (n, k))):
        return None
    ids = student.to_numpy().reshape(n, k)
    first = ids[:, 0]
    if not (ids == first[:, None]).all():
        return None
    if bool((first[1:] > first[:-1]).all()):
        return (None,)
    order = np.argsort(first, kind="stable")
    ordered = first[order]
    return None if bool((ordered[1:] == ordered[:-1]).any()) else (order,)


def option_counts(long: ir.Table, grouped: ir.Table) -> pd.DataFrame:
    """Per (paper, seq, raw choice given): n, n_high, n_low (the option analysis's groups)."""
    given = long.filter(long.choice.notnull())
    j = given.join(grouped, ["paper_id", "student_id"])
    return j.group_by(["paper_id", "seq", "choice"]).aggregate(
        n=j.student_id.count(), n_high=j.high0.cast("int64").sum(),
        n_low=j.low0.cast("int64").sum(),
    ).execute()


def exam_tags(con: Any, exam_id: str) -> ir.Table:
    """paper_id, seq, tag, weight, kind ('knowledge' | 'ability'), full_marks of the items of
    ``exam_id`` (as :func:`eduquality.store.papers.item_tags`)."""
    paper = con.table("paper").filter(lambda p: p.exam_id == exam_id).select("paper_id")
    item = con.table("item").join(paper, "paper_id")
    marks = item.select("paper_id", "seq", "full_marks")
    know = con.table("item_knowledge").join(marks, ["paper_id", "seq"])
    knowledge = know.select("paper_id", "seq", tag=know.knowledge_point,
                            weight=know.weight.cast("float64"), kind=ibis.literal("knowledge"),
                            full_marks=know.full_marks)
    levels = item.filter(item.ability_level.notnull())
    ability = levels.select("paper_id", "seq", tag=levels.ability_level,
                            weight=ibis.literal(1.0, "float64"), kind=ibis.literal("ability"),
                            full_marks=levels.full_marks)
    return knowledge.union(ability)


def units(con: Any, exam_id: str) -> ir.Table:
    """student_id, peer_group, school_code, class_id of ``exam_id``'s registrations."""
    reg = con.table("exam_registration").filter(lambda r: r.exam_id == exam_id)
    school = con.table("school").select("school_code", "peer_group")
    return reg.join(school, "school_code").select("student_id", "peer_group", "school_code",
                                                  "class_id")


def student_tag_sums(long: ir.Table, tags: ir.Table) -> ir.Table:
    """Per (paper, kind, tag, student): earned Σ w x and possible Σ w m over the student's
    answered items with the tag (:func:`eduquality.measures.knowledge.tag_rates`)."""
    answered = long.filter(long.score.notnull())
    j = answered.join(tags, ["paper_id", "seq"])
    return j.group_by(["paper_id", "kind", "tag", "student_id"]).aggregate(
        earned=(j.weight * j.score).sum(), possible=(j.weight * j.full_marks).sum())


LEVEL_COLUMNS = ("peer_group", "school_code", "class_id")


def unit_tag_sums(student_sums: ir.Table, unit_table: ir.Table) -> pd.DataFrame:
    """Per (paper, kind, tag, level, unit): earned, possible and n (students with possible
    > 0), at the level 'all' (unit 'all') and each of :data:`LEVEL_COLUMNS`."""
    j = student_sums.join(unit_table, "student_id", how="left")
    has = (j.possible > 0).cast("int64")
    frames = []
    for level in ("all", *LEVEL_COLUMNS):
        unit = ibis.literal("all") if level == "all" else j[level]
        frames.append(j.group_by(["paper_id", "kind", "tag", unit.name("unit")]).aggregate(
            earned=j.earned.sum(), possible=j.possible.sum(), n=has.sum(),
        ).mutate(level=ibis.literal(level)))
    out = frames[0]
    for frame in frames[1:]:
        out = out.union(frame)
    return out.execute()


def person_units(people: ir.Table, unit_table: ir.Table) -> pd.DataFrame:
    """The distinct (paper, peer_group, school_code, class_id) of each paper's persons: the
    units a paper's tables have rows for (even when none of them answered a tagged item)."""
    j = people.join(unit_table, "student_id")
    return j.select("paper_id", *LEVEL_COLUMNS).distinct().execute()


def weak_point_sums(student_sums: ir.Table, unit_table: ir.Table, unit: str,
                    reference: str | None) -> pd.DataFrame:
    """Per (paper, tag, unit) of the knowledge points: valid n, Σc, Σc² of the students'
    rates c = rate − the mean rate of their reference group (``reference``: a column of the
    units, None = everyone), and that mean ``centre`` (the moments
    :func:`eduquality.measures.knowledge.weak_points_from_sums` takes)."""
    know = student_sums.filter((student_sums.kind == "knowledge") & (student_sums.possible > 0))
    j = know.join(unit_table, "student_id")
    j = j.filter(j[unit].notnull())
    ref = ibis.literal("all") if reference is None else j[reference]
    j = j.filter(ref.notnull()).mutate(ref_group=ref, rate=j.earned / j.possible)
    centre = j.rate.mean().over(group_by=["paper_id", "tag", "ref_group"])
    j = j.mutate(centre=centre)
    c = j.rate - j.centre
    return j.group_by(["paper_id", "tag", j[unit].name("unit"), "ref_group"]).aggregate(
        n=c.count(), s=c.sum(), q=(c * c).sum(), centre=j.centre.max(),
    ).execute()
