"""`row_tuples`: the rows of a frame as ``itertuples(index=False, name=None)`` gives them, for
every kind of column the importers read (Arrow text, nullable integers, floats, categories,
dates), missing cells included; `text_isin`: ``Series.isin`` for text, by Arrow's kernel."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from eduquality.frames import row_tuples, text_isin


def _same(a: object, b: object) -> bool:
    """Equal values, or both missing in the same way (``pd.NA`` for a nullable integer)."""
    if pd.isna(a) or pd.isna(b):
        return bool(pd.isna(a) and pd.isna(b)) and (a is pd.NA) == (b is pd.NA)
    return bool(a == b)


def test_rows_equal_itertuples_for_every_column_kind():
    frame = pd.DataFrame({
        "code": pd.Series(["S1", None, "学校"], dtype="str"),
        "n": pd.array([3, None, 5], dtype="Int64"),
        "x": [1.5, np.nan, -0.0],
        "kind": pd.Categorical(["a", "b", None]),
        "day": pd.to_datetime(["2024-09-01", None, "2025-01-31"]),
        "i": np.array([7, 8, 9], dtype=np.int32),
    })
    got = list(row_tuples(frame))
    want = list(frame.itertuples(index=False, name=None))
    assert len(got) == len(want) == 3
    for g, w in zip(got, want, strict=True):
        assert len(g) == len(w) == frame.shape[1]
        for a, b in zip(g, w, strict=True):
            assert _same(a, b), (a, b)


def test_a_repeated_column_name_and_an_empty_frame():
    frame = pd.DataFrame([[1, "a"], [2, "b"]], columns=["k", "k"])
    assert list(row_tuples(frame)) == [(1, "a"), (2, "b")]
    assert list(row_tuples(frame.iloc[0:0])) == []


_IDS = st.one_of(st.none(), st.sampled_from(["G1", "g1", "530", "G530", "", " G1", "学"]))


@given(st.lists(_IDS, max_size=10), st.lists(_IDS, max_size=6),
       st.sampled_from(["str", object]), st.sampled_from(["set", "list", "series"]))
def test_text_isin_is_isin(column, values, dtype, kind):
    """Property: the same answer as pandas' ``isin`` for text (missing never found), whatever
    the column's dtype and whether the values come as a set, a list or a column."""
    col = pd.Series(column, dtype=dtype)
    given_values = {"set": set(values), "list": list(values),
                    "series": pd.Series(values, dtype="str")}[kind]
    wanted = {v for v in values if v is not None}
    expected = [v is not None and v in wanted for v in column]
    assert text_isin(col, given_values).tolist() == expected
