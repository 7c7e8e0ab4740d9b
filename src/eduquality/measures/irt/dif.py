"""Differential item functioning: the Mantel–Haenszel procedure (Holland & Thayer 1988).

Persons are matched on the total score (all items, the studied one included). In stratum k,
with A/B the reference group's right/wrong counts, C/D the focal group's, T the stratum size:

- α_MH = Σ(A_k D_k / T_k) / Σ(B_k C_k / T_k) (common odds ratio; > 1 favours the reference group);
- Δ_MH = −2.35 ln α_MH (ETS delta scale; negative = the item is harder for the focal group);
- χ²_MH = (|Σ A_k − Σ E(A_k)| − ½)² / Σ Var(A_k), E(A_k) = n_Rk m_1k / T_k,
  Var(A_k) = n_Rk n_Fk m_1k m_0k / (T_k² (T_k − 1)), 1 df, with the continuity correction;
- SE(Δ_MH) = 2.35 · SE(ln α_MH) by Robins, Breslow & Greenland (1986);
- ETS classes (Zwick 2012): A if |Δ| < 1 or χ² not significant at 5 %; C if |Δ| ≥ 1.5 and |Δ|
  is significantly above 1 (one-sided 5 %); B otherwise.

Missing responses: a person is left out of the item he or she did not answer; the total counts
the items answered. In R, ``mantelhaen.test(table, correct = TRUE)`` gives the same χ² and α.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.data import numeric_values
from eduquality.measures.irt.messages import error

if TYPE_CHECKING:  # pandas loads for a frame in or out, not for mantel_haenszel_columns
    import pandas as pd

Array = NDArray[np.float64]


def mantel_haenszel(responses: pd.DataFrame, focal: NDArray[np.bool_]) -> pd.DataFrame:
    """MH DIF statistics for every 0/1 item of ``responses`` (NaN = missing); ``focal`` marks
    the focal group's rows, the rest form the reference group.

    >>> import pandas as pd
    >>> x = pd.DataFrame({"i1": [1, 0, 1, 0, 1, 0, 1, 1], "i2": [1, 1, 0, 0, 1, 1, 0, 0]})
    >>> g = np.array([False] * 4 + [True] * 4)
    >>> mantel_haenszel(x, g)["ets_class"].tolist()
    ['A', 'A']
    """
    import pandas as pd

    return pd.DataFrame(mantel_haenszel_columns(numeric_values(responses),
                                                [str(c) for c in responses.columns], focal))


def mantel_haenszel_columns(values: Array, items: Sequence[str], focal: NDArray[np.bool_]
                            ) -> dict[str, Any]:
    """:func:`mantel_haenszel` of the persons × items array ``values`` (NaN = missing) whose
    columns are ``items``: the table as columns (``item, chi2, p, alpha_mh, delta_mh,
    se_delta, ets_class``), computed with numpy alone."""
    answered = ~np.isnan(values)
    wrong = answered & (values != 0.0) & (values != 1.0)
    bad = [c for c, w in zip(items, wrong.any(axis=0), strict=True) if w]
    if bad:
        raise error("irt.not_dichotomous", items=", ".join(map(str, bad)))
    focal = np.asarray(focal, dtype=bool)
    if focal.all() or not focal.any():
        raise error("irt.bad_group", focal="?")
    everyone = bool(answered.all())
    x = values if everyone else np.where(answered, values, 0.0)
    total = x.sum(axis=1).astype(np.int64)
    a, c = _by_stratum(x, total, focal)                          # right answers (S, J)
    if everyone:   # every item answered by all: the answers per stratum are its size
        n_r, n_f = _by_stratum(np.ones((len(x), 1)), total, focal)
        n_r, n_f = (np.repeat(n, x.shape[1], axis=1) for n in (n_r, n_f))
    else:
        n_r, n_f = _by_stratum(answered.astype(float), total, focal)  # answers
    b, d = n_r - a, n_f - c
    t = n_r + n_f
    with np.errstate(divide="ignore", invalid="ignore"):
        use = t >= 2
        tt = np.where(use, t, 1.0)
        r_k = np.where(use, a * d / tt, 0.0)
        s_k = np.where(use, b * c / tt, 0.0)
        m1, m0 = a + c, b + d
        e_a = np.where(use, n_r * m1 / tt, 0.0)
        v_a = np.where(use, n_r * n_f * m1 * m0 / (tt**2 * np.maximum(tt - 1, 1)), 0.0)
        r, s = r_k.sum(axis=0), s_k.sum(axis=0)
        alpha = r / s
        dev = np.abs(np.where(use, a, 0).sum(axis=0) - e_a.sum(axis=0))
        chi2 = (dev - np.minimum(0.5, dev)) ** 2 / v_a.sum(axis=0)
        p_k, q_k = np.where(use, (a + d) / tt, 0), np.where(use, (b + c) / tt, 0)
        var_ln = ((p_k * r_k).sum(0) / (2 * r**2) + (p_k * s_k + q_k * r_k).sum(0) / (2 * r * s)
                  + (q_k * s_k).sum(0) / (2 * s**2))
        delta = -2.35 * np.log(alpha)
        se_delta = 2.35 * np.sqrt(var_ln)
    p = chi2_1_sf(chi2)
    return {"item": list(items), "chi2": chi2, "p": p, "alpha_mh": alpha, "delta_mh": delta,
            "se_delta": se_delta, "ets_class": ets_class(delta, se_delta, p)}


def chi2_1_sf(x: Array) -> Array:
    """The upper tail of χ² with 1 df, P(χ²₁ > x) = erfc(√(x / 2)) (χ²₁ is the square of a
    standard normal), what ``scipy.stats.chi2.sf(x, 1)`` computes, without loading scipy.

    >>> chi2_1_sf(np.array([3.841458820694124, 0.0, np.inf, np.nan])).round(12).tolist()
    [0.05, 1.0, 0.0, nan]
    """
    return np.array([math.erfc(math.sqrt(v / 2)) if v >= 0 else math.nan
                     for v in np.asarray(x, dtype=float).ravel()]).reshape(np.shape(x))


def _by_stratum(values: Array, total: NDArray[np.int64], focal: NDArray[np.bool_]
                ) -> tuple[Array, Array]:
    """Column sums of ``values`` per total score (S = max + 1 strata × J), for the reference
    and the focal group: one ``bincount`` per item over the key 2·total + focal (counts of
    0/1 cells: exact in any order).

    >>> ref, foc = _by_stratum(np.array([[1.0], [0.0], [1.0]]), np.array([1, 0, 1]),
    ...                        np.array([False, False, True]))
    >>> ref.tolist(), foc.tolist()
    ([[0.0], [1.0]], [[0.0], [1.0]])
    """
    strata = int(total.max()) + 1
    key = 2 * total + focal
    sums = np.zeros((2 * strata, values.shape[1]))
    for j in range(values.shape[1]):
        sums[:, j] = np.bincount(key, weights=values[:, j], minlength=2 * strata)
    return sums[0::2], sums[1::2]


def ets_class(delta: Array, se_delta: Array, p: Array, level: float = 0.05) -> list[str]:
    """ETS A/B/C from Δ_MH, its SE and the χ²_MH p-value (Zwick 2012, ETS RR-12-08).

    >>> ets_class(np.array([0.5, -1.2, 2.0]), np.array([0.2, 0.2, 0.2]), np.array([.01] * 3))
    ['A', 'B', 'C']
    """
    size = np.abs(delta)
    z = NormalDist().inv_cdf(1 - level)  # the normal upper quantile (scipy.stats.norm.isf)
    with np.errstate(invalid="ignore"):
        is_a = (size < 1.0) | ~(p < level) | ~np.isfinite(size)
        is_c = (size >= 1.5) & ((size - 1.0) / se_delta > z)
    return ["A" if a_ else ("C" if c_ else "B") for a_, c_ in zip(is_a, is_c, strict=True)]
