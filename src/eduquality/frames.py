"""Reading a pandas frame's cells into Python, fast enough for a district's rows.

Since pandas 3 a text column is held by Arrow, and iterating it (``for v in column``,
``set(column)``, ``zip(a, b)``, ``itertuples``) makes one Python object per cell through
Arrow's scalar API: about 1 µs a cell, 2 s for the 1.8 M subject results of a 200,000-student
exam. ``tolist`` converts the whole column at once, ten times faster (measured with pandas
3.1: 0.2 s for 1.8 M cells).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd


def row_tuples(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """The rows of ``frame`` as plain tuples, its columns in order — the values
    ``frame.itertuples(index=False, name=None)`` gives (missing text as NaN, a nullable
    integer's missing as ``pd.NA``), each column converted once.

    >>> frame = pd.DataFrame({"code": ["S1", None], "n": [3, 4]}).astype({"code": "str"})
    >>> list(row_tuples(frame))
    [('S1', 3), (nan, 4)]
    """
    return zip(*(frame.iloc[:, i].tolist() for i in range(frame.shape[1])), strict=True)


def text_isin(column: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """``column.isin(values)`` for a column of text, by Arrow's hash kernel. pandas 3's
    ``isin`` on an Arrow-backed text column makes an Arrow scalar of every value first (about
    1 µs each: 1.2 s for four lookups of 200,000 IDs in a roster import). Missing is never in.

    >>> text_isin(pd.Series(["G1", None, "G3"], dtype="str"), {"G3", "G9"}).tolist()
    [False, False, True]
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def arrow(data: Any) -> pa.Array:
        if isinstance(data, pd.Series):
            data = data.astype("str").array
            return pa.array(data, type=pa.string(), from_pandas=True)
        return pa.array([v for v in data if isinstance(v, str)], type=pa.string())

    found = pc.is_in(arrow(column), value_set=arrow(values), skip_nulls=True)
    return np.asarray(pc.fill_null(found, False).to_numpy(zero_copy_only=False), dtype=bool)
