"""Canonical data sets for doctests and examples (small, built in)."""

from __future__ import annotations

import numpy as np
import pandas as pd

# LSAT section 6 (Bock & Lieberman 1970): the 32 response patterns of 5 items and their counts,
# as in R ltm's ``LSAT`` and the project's shared reference data.
_LSAT6_FREQ = [3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15, 10, 29, 14, 81, 3, 28, 15,
               80, 16, 56, 21, 173, 11, 61, 28, 298]


def lsat6() -> pd.DataFrame:
    """The 1000 × 5 LSAT-6 response matrix (patterns in binary order, item 1 slowest).

    >>> x = lsat6()
    >>> x.shape, int(x.sum().sum())
    ((1000, 5), 3819)
    """
    pats = (np.arange(32)[:, None] >> np.arange(4, -1, -1)[None, :]) & 1
    data = np.repeat(pats, _LSAT6_FREQ, axis=0)
    return pd.DataFrame(data, columns=[f"Item{i}" for i in range(1, 6)])
