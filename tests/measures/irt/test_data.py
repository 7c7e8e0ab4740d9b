"""numeric_values: the fast Arrow cast gives exactly what ``pandas.to_numeric(errors="coerce")``
gives, whatever the cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.irt.data import numeric_values

CELLS = st.one_of(
    st.none(),
    st.sampled_from(["0", "1", "2", "2.5", "-1", "+1", "1e3", " 1", "1 ", "1_0", "0x1", "１",
                     "nan", "NaN", "inf", "-inf", "", "abc", "缺考", "1,5"]),
    st.integers(-5, 5).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def coerced(frame: pd.DataFrame) -> np.ndarray:
    return frame.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=3, max_size=3), min_size=1, max_size=8))
def test_same_as_to_numeric(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"], dtype=object)
    np.testing.assert_array_equal(numeric_values(frame), coerced(frame))


def test_by_hand():
    frame = pd.DataFrame({"clean": ["1", None, "0"], "spaced": [" 1", "2", None],
                          "word": ["1", "x", "0"], "numbers": [1.0, np.nan, 0.0]})
    np.testing.assert_array_equal(numeric_values(frame), [[1.0, 1.0, 1.0, 1.0],
                                                          [np.nan, 2.0, np.nan, np.nan],
                                                          [0.0, np.nan, 0.0, 0.0]])
