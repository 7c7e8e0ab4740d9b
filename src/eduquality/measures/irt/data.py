"""Response matrices: integer categories, missing responses, recoding.

Each item's observed values are recoded to categories 0..K−1 in sorted order (a 0/2/4-mark item
becomes 0/1/2); NaN means "not administered / not answered" and is left out of the likelihood.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.messages import error

if TYPE_CHECKING:  # pandas loads in the functions that make frames
    import pandas as pd


def numeric_values(frame: pd.DataFrame) -> NDArray[np.float64]:
    """The cells of ``frame`` as floats, NaN where a cell is missing or not a number (as
    ``pandas.to_numeric(errors="coerce")`` per column).

    A text column is first cast by Arrow (``pyarrow.compute.cast`` to float64: strict, several
    times faster than ``to_numeric`` on a response file's strings); a column Arrow refuses
    (a non-number, spaces, non-string objects) takes the ``to_numeric`` path, so the result
    never depends on which path ran.

    >>> import pandas as pd
    >>> numeric_values(pd.DataFrame({"a": ["1", None, "2.5"], "b": ["0", "x", "1"]})).tolist()
    [[1.0, 0.0], [nan, nan], [2.5, 1.0]]
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    out = np.empty(frame.shape, dtype=float)
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        try:
            if col.dtype != object:
                raise TypeError("not text")
            arr = pc.cast(pa.array(col.to_numpy(), from_pandas=True, type=pa.string()),
                          pa.float64())
            out[:, j] = arr.to_numpy(zero_copy_only=False)
        except (pa.ArrowException, TypeError, ValueError):
            out[:, j] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
    return out


def is_frame(data: object) -> TypeGuard[pd.DataFrame]:
    """Whether ``data`` is a pandas DataFrame, asked without loading pandas (a frame cannot
    exist before pandas is loaded)."""
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(data, pandas.DataFrame)


@dataclass(frozen=True)
class Responses:
    """Recoded responses: ``codes`` (N, J) int16 with −1 for missing."""

    codes: NDArray[np.int16]
    items: tuple[str, ...]
    categories: tuple[NDArray[np.float64], ...]   # original value of each category, per item

    @property
    def n_cats(self) -> NDArray[np.int64]:
        return np.array([len(c) for c in self.categories], dtype=np.int64)

    @property
    def shape(self) -> tuple[int, int]:
        n, j = self.codes.shape
        return int(n), int(j)


def as_responses(data: pd.DataFrame | NDArray[np.float64],
                 items: list[str] | None = None, check_variance: bool = True) -> Responses:
    """Recode a persons × items table (NaN = missing) to :class:`Responses`.

    >>> r = as_responses(np.array([[0, 2], [1, 4], [np.nan, 2]]))
    >>> r.codes.tolist(), r.n_cats.tolist()
    ([[0, 0], [1, 1], [-1, 0]], [2, 2])
    """
    if is_frame(data) and all(t == np.float64 for t in data.dtypes):
        names = [str(c) for c in data.columns]   # numbers already (a CSV read typed): no
        values = data.to_numpy(dtype=float)      # text to cast, no cell that is not a number
    elif is_frame(data):
        import pandas as pd

        names = [str(c) for c in data.columns]
        values = numeric_values(data)
        raw = data.to_numpy(dtype=object)
        bad = np.isnan(values) & ~pd.isna(data).to_numpy()
        if bad.any():
            col = int(np.argwhere(bad)[0, 1])
            raise error("irt.bad_values", column=names[col], value=raw[bad][0])
    else:
        values = np.asarray(data, dtype=float)
        names = items or [f"Item{j + 1}" for j in range(values.shape[1])]
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 1:
        shape = values.shape if values.ndim == 2 else (values.size, 0)
        raise error("irt.too_few", n_persons=shape[0], n_items=shape[1])
    obs = ~np.isnan(values)
    frac = np.where(obs, values, 0.0)
    badv = obs & ((frac != np.round(frac)) | (frac < 0))
    if badv.any():
        r, c = np.argwhere(badv)[0]
        raise error("irt.bad_values", column=names[c], value=values[r, c])
    codes, cats = _recode(values, obs)
    check_categories(names, cats, check_variance)
    return Responses(codes, tuple(names), tuple(cats))


def check_categories(names: list[str], cats: list[NDArray[np.float64]],
                     check_variance: bool = True) -> None:
    """Every item must have responses, and (``check_variance``) at least two categories;
    the values must be whole numbers ≥ 0 (they are marks). Raises IRTError naming the items.

    >>> check_categories(["q1"], [np.array([0.0, 1.0])])
    >>> check_categories(["q1"], [np.array([1.0])])
    Traceback (most recent call last):
    ...
    eduquality.measures.irt.messages.IRTError: 以下题目所有作答都相同（无方差），无法估计参数，请删除后重试：q1
    """
    for name, c in zip(names, cats, strict=True):
        bad = c[(c != np.round(c)) | (c < 0)]
        if len(bad):
            raise error("irt.bad_values", column=name, value=bad[0])
    empty = [names[j] for j, c in enumerate(cats) if len(c) == 0]
    if empty:
        raise error("irt.no_responses", items=", ".join(empty))
    if check_variance:
        flat = [names[j] for j, c in enumerate(cats) if len(c) == 1]
        if flat:
            raise error("irt.no_variance", items=", ".join(flat))


def _recode(values: NDArray[np.float64], obs: NDArray[np.bool_]
            ) -> tuple[NDArray[np.int16], list[NDArray[np.float64]]]:
    """Integer values → 0..K−1 per column through a (items × values) presence table.

    Each cell's slot in that table is ``item × (top + 1) + value`` (a missing cell: the extra
    slot ``top``), so the table is one ``bincount`` and the codes one ``take`` over the flat
    cells, with no boolean indexing of the whole matrix."""
    n_items = values.shape[1]
    top = int(np.where(obs, values, 0).max()) + 1
    width = top + 1
    slot = np.where(obs, values, top).astype(np.int64)
    slot += np.arange(n_items, dtype=np.int64) * width
    present = np.bincount(slot.ravel(), minlength=n_items * width).reshape(n_items, width) > 0
    present[:, top] = False                                    # the missing slot
    rank = np.cumsum(present, axis=1) - 1                      # code of each value
    rank[:, top] = -1
    codes = rank.ravel().astype(np.int16).take(slot)
    cats = [np.flatnonzero(row).astype(float) for row in present]
    return codes, cats


def encode_like(data: pd.DataFrame | NDArray[np.float64], items: tuple[str, ...],
                categories: tuple[NDArray[np.float64], ...]) -> Responses:
    """Code new responses with the categories found at calibration (for scoring); values the
    calibration never saw are refused. Columns are matched by name for a DataFrame and by
    position for an array; items not in ``data`` count as not taken."""
    import pandas as pd

    if is_frame(data):
        frame = data
    else:
        arr = np.atleast_2d(np.asarray(data, dtype=float))
        frame = pd.DataFrame(arr, columns=list(items)[:arr.shape[1]])
    n = len(frame)
    codes = np.full((n, len(items)), -1, dtype=np.int16)
    for j, name in enumerate(items):   # one vectorised lookup per item
        if name not in frame.columns:
            continue
        col = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        obs = ~np.isnan(col)
        cats = categories[j]
        pos = np.clip(np.searchsorted(cats, col[obs]), 0, len(cats) - 1)
        bad = cats[pos] != col[obs]
        if bad.any() or (pd.notna(frame[name]).to_numpy() & ~obs).any():
            value = col[obs][bad][0] if bad.any() else frame[name][~obs].dropna().iloc[0]
            raise error("irt.bad_values", column=name, value=value)
        codes[obs, j] = pos
    return Responses(codes, tuple(items), tuple(categories))
