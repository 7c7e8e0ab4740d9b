"""The item, option, knowledge-point and 薄弱点 statistics of an exam, computed from the
engine's sums (analysis.item_sums), are the measures' numbers on each paper's students × items
matrix — on a paper with unanswered items (pairwise), a student who answered nothing, options
given in several spellings and blanks, knowledge points and ability levels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.analysis.item_matrix import load_item_matrix
from eduquality.analysis.item_stats import analyse_items
from eduquality.measures.items import item_analysis, option_analysis
from eduquality.measures.knowledge import tag_rates, weak_points
from eduquality.store.papers import item_tags
from eduquality.store.rosters import registrations
from tests.factories import add_item_detail, tiny_exam_db

TOL = {"rtol": 1e-12, "atol": 1e-12}


@pytest.fixture(scope="module")
def exam():
    db = tiny_exam_db()
    add_item_detail(db)
    return db, load_item_matrix(db, "E1/math"), analyse_items(db, "E1", min_gap=0.05)


def test_the_fixture_has_what_the_statistics_must_handle(exam):
    _db, m, _got = exam
    assert np.isnan(m.scores).any() and np.isnan(m.scores).all(axis=1).any()
    given = pd.Series(m.choices[:, :2].ravel()).dropna()
    assert {"b", "", "A,B"} & set(given)


def test_item_table_and_reliability_equal_the_matrix_measures(exam):
    _db, m, got = exam
    names = m.items["item_no"].astype(str).tolist()
    want = item_analysis(pd.DataFrame(m.scores, columns=names),
                         max_scores=m.items["full_marks"].to_numpy(float))
    items = got["items"].set_index("item")
    assert items.index.tolist() == names
    for col in ("n", "mean", "sd", "p", "d27", "total_r", "rest_r", "alpha_if_deleted"):
        np.testing.assert_allclose(items[col].astype(float), want.items[col].astype(float),
                                   err_msg=col, **TOL)
    assert items["ebel"].tolist() == want.items["ebel"].tolist()
    rel = got["reliability"].iloc[0]
    assert rel["n"] == want.n_persons == m.scores.shape[0] - 1    # the blank student: no total
    for key in ("alpha", "sem", "mean_total", "sd_total"):
        assert rel[key] == pytest.approx(getattr(want, key), rel=1e-12), key


def test_option_analysis_equals_the_matrix_measure(exam):
    _db, m, got = exam
    choices = pd.DataFrame(m.choices[:, :2], columns=["1", "2"])
    want = option_analysis(choices, {"1": "A", "2": "B"}, total=np.nansum(m.scores, axis=1))
    have = got["options"].drop(columns="paper_id")
    assert have[["item", "option", "is_key", "n"]].to_numpy().tolist() == (
        want[["item", "option", "is_key", "n"]].to_numpy().tolist())
    assert "omit" in set(have["option"]) and "AB" in set(have["option"])
    for col in ("share", "share_high", "share_low", "disc"):
        np.testing.assert_allclose(have[col], want[col], err_msg=col, **TOL)


def test_knowledge_rates_and_weak_points_equal_the_matrix_measures(exam):
    db, m, got = exam
    scores = pd.DataFrame(m.scores, index=m.student_ids, columns=m.items["seq"].to_numpy())
    full = pd.Series(m.items["full_marks"].to_numpy(float), index=scores.columns)
    units = registrations(db, "E1").set_index("student_id").reindex(m.student_ids)
    mapping = item_tags(db, "E1/math").rename(columns={"seq": "item"})
    know = mapping[mapping["kind"] == "knowledge"][["item", "tag", "weight"]]
    want = tag_rates(scores, full, know, units[["peer_group", "school_code", "class_id"]])
    have = got["knowledge"][got["knowledge"]["kind"] == "knowledge"]
    assert set(got["knowledge"]["kind"]) == {"knowledge", "ability"}
    assert len(have) == len(want)
    np.testing.assert_allclose(have["rate"], want["rate"], **TOL)
    assert have["n"].tolist() == want["n"].tolist()
    weak = weak_points(scores, full, know, units["class_id"], units["school_code"],
                       paper_full=10.0, min_gap=0.05)
    have_w = got["weak_points"][got["weak_points"]["level"] == "class"]
    assert have_w["unit"].tolist() == weak["unit"].tolist()
    for col in ("rate_unit", "rate_ref", "t", "df", "p", "p_adj", "priority"):
        np.testing.assert_allclose(have_w[col].astype(float), weak[col].astype(float),
                                   err_msg=col, **TOL)



def test_item_sums_from_each_papers_matrix_equal_the_engines_aggregates(exam):
    """DuckDB finishes each paper's students × items matrix (measures.items.item_sums), Spark
    aggregates sums in the engine (pairs by a self-join, 27 % groups by row numbers): on the
    same exam, with unanswered items and a blank student, both give the same ItemSums."""
    from dataclasses import fields

    from eduquality.analysis.item_stats import ExamSums
    from eduquality.store.papers import paper_items

    db, _m, _got = exam
    matrix = ExamSums(db.ibis(), "E1", by_matrix=True)
    engine = ExamSums(db.ibis(), "E1", by_matrix=False)
    seqs = paper_items(db, "E1/math")["seq"].to_numpy()
    a, b = matrix.item_sums("E1/math", seqs), engine.item_sums("E1/math", seqs)
    assert a.n_persons == b.n_persons > 0 and (a.n_pair < a.n_persons).any()
    for f in fields(a):
        np.testing.assert_allclose(np.asarray(getattr(a, f.name), float),
                                   np.asarray(getattr(b, f.name), float), err_msg=f.name, **TOL)


def test_counts_ranges_and_options_from_one_read_per_paper_equal_the_engines(exam):
    """DuckDB reads each paper's rows once and counts persons, item ranges and options in
    process (analysis.item_sums.paper_sums); the engine aggregates them in SQL (Spark's
    path): on the same exam (a blank student, unanswered items, multi-letter choices) the
    same persons, totals, ranges and option counts with the same 27 % groups."""
    from eduquality.analysis.item_stats import ExamSums

    db, _m, _got = exam
    matrix = ExamSums(db.ibis(), "E1", by_matrix=True)
    engine = ExamSums(db.ibis(), "E1", by_matrix=False)
    cols = ["n_all", "n_persons", "total_sum", "total_sq"]
    np.testing.assert_allclose(matrix.counts.sort_index()[cols].to_numpy(float),
                               engine.counts.sort_index()[cols].to_numpy(float), **TOL)
    assert matrix.counts.loc["E1/math", "n_all"] > matrix.counts.loc["E1/math", "n_persons"]

    def table(frame: pd.DataFrame, keys: list[str], values: list[str]) -> list[tuple]:
        frame = frame.sort_values(keys)
        return [tuple(r) for r in frame[keys + values].astype(object).to_numpy().tolist()]

    assert (table(matrix.items, ["paper_id", "seq"], ["min", "max"])
            == table(engine.items, ["paper_id", "seq"], ["min", "max"]))
    got = table(matrix.options, ["paper_id", "seq", "choice"], ["n", "n_high", "n_low"])
    assert got == table(engine.options, ["paper_id", "seq", "choice"], ["n", "n_high", "n_low"])
    assert any(n_high > 0 for *_k, _n, n_high, _l in got)


@pytest.mark.parametrize("values", [
    [7, 3, 3, 11, 0, 7],                      # dense IDs: placed through a table by ID
    [10**9, 5, 10**9, 42, 5],                 # sparse IDs: dictionary-encoded
    ["甲", "b", "a", "b", "Z"],               # text: by code point
])
def test_person_codes_are_positions_among_the_sorted_distinct_values(values):
    import pyarrow as pa

    from eduquality.analysis.item_sums import _codes

    column = pa.chunked_array([values[:2], values[2:]])
    _, want = np.unique(np.asarray(values), return_inverse=True)
    assert _codes(column).tolist() == want.tolist()


def test_a_papers_rows_read_without_the_join_are_the_present_students_rows():
    """The item rows of a student absent from the subject (a marking system that kept his
    blank sheet) are not his paper's rows: the join-free read (item_sums.present_paper_rows)
    keeps the same rows as the engine's join (present_item_scores)."""
    from eduquality.analysis.item_sums import paper_rows, present_item_scores, present_paper_rows

    db = tiny_exam_db()
    add_item_detail(db)
    absent = int(db.scalar("SELECT min(student_id) FROM subject_result "
                           "WHERE paper_id = 'E1/math' AND status = 'absent'"))
    with db.write() as con:
        con.execute("INSERT INTO item_score (paper_id, student_id, seq, score) "
                    "SELECT paper_id, ?, seq, 0 FROM item WHERE paper_id = 'E1/math'", [absent])
    con = db.ibis("E1")

    def rows(table) -> list[tuple]:
        return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)

    got = present_paper_rows(con, "E1/math", options=True)
    assert absent not in set(got.column("student_id").to_pylist())
    assert rows(got) == rows(paper_rows(present_item_scores(con, "E1"), "E1/math",
                                        options=True))


@pytest.mark.parametrize(("values", "wanted"), [
    ([7, 3, 3, 11, 0, 7], [3, 11, 12]),              # dense IDs: a table by ID
    ([10**9, 5, 10**9, 42], [10**9, 6]),            # sparse IDs: a hash set
    (["a", "b", "c"], ["c", "z"]),                   # text
])
def test_membership_of_ids_by_table_or_hash_set(values, wanted):
    import pyarrow as pa

    from eduquality.analysis.item_sums import _is_in

    got = _is_in(pa.chunked_array([values[:2], values[2:]]), pa.chunked_array([wanted]))
    assert got.tolist() == [v in wanted for v in values]


@given(st.data())
@settings(max_examples=60, deadline=None)
def test_rows_in_student_blocks_give_the_sums_of_rows_in_any_order(data):
    """A paper's rows as the importers write them (each student's row for every item, in the
    items' order, students in file order) are reshaped into the matrix; the same rows in
    another order (item by item here) are placed by person codes: the same counts, totals,
    ranges, option counts and item sums."""
    from dataclasses import fields

    import pyarrow as pa

    from eduquality.analysis.item_sums import _student_blocks, sums_of_rows

    n = data.draw(st.integers(0, 25), label="students")
    k = data.draw(st.integers(1, 5), label="items")
    ids = data.draw(st.lists(st.integers(1, 10_000), min_size=n, max_size=n, unique=True))
    seqs = sorted(data.draw(st.lists(st.integers(1, 40), min_size=k, max_size=k, unique=True)))
    cells = st.one_of(st.none(), st.integers(0, 6).map(lambda v: v / 2))
    scores = data.draw(st.lists(cells, min_size=n * k, max_size=n * k))
    choices = data.draw(st.lists(st.sampled_from([None, "A", "B", "AB"]), min_size=n * k,
                                 max_size=n * k))
    blocks = pa.table({"student_id": pa.array(np.repeat(ids, k), pa.int32()),
                       "seq": pa.array(np.tile(seqs, n), pa.int16()),
                       "score": pa.array(scores, pa.float64()),
                       "choice": pa.array(choices, pa.string())})
    by_item = blocks.take(np.lexsort((np.repeat(ids, k), np.tile(seqs, n))))
    seq_of = [c.to_numpy().astype(np.int64) for c in (blocks["seq"], by_item["seq"])]
    assert _student_blocks(blocks["student_id"], seq_of[0], np.asarray(seqs)) is not None
    if n >= 2 and k >= 2:
        assert _student_blocks(by_item["student_id"], seq_of[1], np.asarray(seqs)) is None
    a, b = (sums_of_rows(rows, "P", seqs, 0.27, options=True) for rows in (blocks, by_item))
    assert a.counts == pytest.approx(b.counts, nan_ok=True)
    pd.testing.assert_frame_equal(a.ranges, b.ranges)

    def options(frame: pd.DataFrame) -> list[tuple]:
        return sorted(map(tuple, frame.astype(object).to_numpy().tolist()))

    assert options(a.options) == options(b.options)
    for f in fields(a.items):
        np.testing.assert_allclose(np.asarray(getattr(a.items, f.name), float),
                                   np.asarray(getattr(b.items, f.name), float),
                                   err_msg=f.name, **TOL)
