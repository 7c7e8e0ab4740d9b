"""Equating total scores: IRT true-score equating and observed-score equipercentile equating.

True-score (Lord 1980; Kolen & Brennan 2014, §6.5): with both forms on one θ scale, a score τ_X
on form X is the TCC of X at θ* where TCC_X(θ*) = τ_X, and its equivalent is TCC_Y(θ*). Scores
at or below the sum of the guessing parameters Σc_X map linearly, τ_Y = τ_X·Σc_Y/Σc_X
(0 → 0 when there is no guessing); the maximum maps to the maximum.

Equipercentile (random groups; Kolen & Brennan 2014, §2.5): the percentile rank
P(x) = 100[F(x − 1) + ½ f(x)] of an integer score x on form X, and its equivalent
e_Y(x) = (P/100 − G(y_U − 1)) / (G(y_U) − G(y_U − 1)) + y_U − ½, y_U the smallest integer score
with G(y_U) > P/100 (continuised uniform on y ± ½).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.information import tcc

if TYPE_CHECKING:  # pandas loads in the functions that make frames
    import pandas as pd

Array = NDArray[np.float64]


def _lower_asymptote(bank: ItemBank) -> float:
    return float(sum(g.model.guessing(g.params).sum() for g in bank.groups))


def theta_for_true_score(bank: ItemBank, scores: Array, lo: float = -30.0,
                         hi: float = 30.0) -> Array:
    """θ with TCC(θ) = score for every score (vectorised bisection; TCC is increasing)."""
    scores = np.asarray(scores, dtype=float)
    a, b = np.full(scores.shape, lo), np.full(scores.shape, hi)
    for _ in range(80):
        mid = (a + b) / 2
        below = tcc(bank, mid) < scores
        a, b = np.where(below, mid, a), np.where(below, b, mid)
    return (a + b) / 2


def true_score_equating(form_x: ItemBank, form_y: ItemBank) -> pd.DataFrame:
    """Form-Y true-score equivalents of the integer scores 0..max on form X (both banks on the
    same θ scale, e.g. after :func:`~eduquality.measures.irt.linking.link`).

    >>> import numpy as np
    >>> from eduquality.measures.irt.simulation import make_bank
    >>> x = make_bank("2pl", np.array([[1.0, 0.0], [1.2, 0.5]]))
    >>> true_score_equating(x, x)["y_equivalent"].round(6).tolist()
    [0.0, 1.0, 2.0]
    """
    import pandas as pd

    top = form_x.max_score
    scores = np.arange(top + 1, dtype=float)
    cx, cy = _lower_asymptote(form_x), _lower_asymptote(form_y)
    inside = (scores > cx) & (scores < top)
    theta = np.full(scores.shape, np.nan)
    theta[inside] = theta_for_true_score(form_x, scores[inside])
    eq = np.empty_like(scores)
    eq[inside] = tcc(form_y, theta[inside])
    low = scores <= cx
    eq[low] = scores[low] * (cy / cx) if cx > 0 else 0.0
    eq[scores == top] = form_y.max_score
    return pd.DataFrame({"x": scores.astype(int), "theta": theta, "y_equivalent": eq})


def percentile_rank(freq: Array) -> Array:
    """P(x) = 100[F(x − 1) + ½ f(x)] for integer scores 0..K, from frequencies."""
    f = np.asarray(freq, dtype=float) / np.sum(freq)
    cum = np.cumsum(f)
    return np.asarray(100 * (cum - f / 2))


def equipercentile(x_scores: Array, y_scores: Array, x_max: int, y_max: int) -> pd.DataFrame:
    """Form-Y equipercentile equivalents of the integer scores 0..x_max on form X, from the
    observed total scores of two random groups.

    By hand: f_X = (.2, .5, .3), G_Y = (.3, .7, 1); x = 1 has P = 45, y_U = 1,
    e = (.45 − .3)/(.7 − .3) + .5 = 0.875.

    >>> equipercentile(np.array([0, 0, 1, 1, 1, 1, 1, 2, 2, 2]),
    ...                np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, 2]), 2, 2)["y_equivalent"].round(4).tolist()
    [-0.1667, 0.875, 2.0]
    """
    import pandas as pd

    fx = np.bincount(np.asarray(x_scores, dtype=np.int64), minlength=x_max + 1)[:x_max + 1]
    fy = np.bincount(np.asarray(y_scores, dtype=np.int64), minlength=y_max + 1)[:y_max + 1]
    p = percentile_rank(fx.astype(float)) / 100
    g = np.cumsum(fy / fy.sum())
    g = np.minimum(g, 1.0)
    yu = np.searchsorted(g, p, side="right")                    # smallest y with G(y) > p
    yu = np.minimum(yu, y_max)
    g_prev = np.where(yu > 0, g[np.maximum(yu - 1, 0)], 0.0)
    width = g[yu] - g_prev
    eq = np.where(width > 0, (p - g_prev) / np.where(width > 0, width, 1) + yu - 0.5, yu - 0.5)
    eq = np.where(p >= 1.0, y_max + 0.5, eq)
    return pd.DataFrame({"x": np.arange(x_max + 1), "percentile_rank": 100 * p,
                         "y_equivalent": eq})
