"""Item fit: the S-X² statistic of Orlando & Thissen (2000), for polytomous items as in
Kang & Chen (2008).

Persons are grouped by their summed score s. For item j the model-implied share in category k
at score s is E_jk(s) = ∫ P_jk(θ) S*_{s−k}^{(−j)}(θ) g(θ) dθ / ∫ S_s(θ) g(θ) dθ, where S* is the
summed-score distribution of the other items (Lord–Wingersky recursion). With N_s persons at
score s and O_jk(s) observed: S-X² = Σ_s Σ_k (O − N_s E)² / (N_s E), df = (number of cells − 1
per score row) − number of item parameters. Scores 0 and the maximum carry no information and
are dropped; score rows (0/1 items) or categories (multi-category items) with an expected count
below ``min_expected`` are pooled with a neighbour, as R/PyPI mirt ``itemfit`` do. Only persons
who answered every item count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.scoring import lord_wingersky

if TYPE_CHECKING:  # pandas loads in the functions that make frames
    import pandas as pd

Array = NDArray[np.float64]


def conditional_probabilities(bank: ItemBank, quadpts: int = 61,
                              bound: float = 6.0) -> tuple[list[Array], Array]:
    """P(X_j = k | S = s) per item, each (S+1, K_j), and the marginal P(S = s)."""
    theta, w = bank.nodes(quadpts, bound)
    full = lord_wingersky(bank, theta)
    marginal = full @ w
    probs = np.zeros((bank.n_items, theta.shape[0], int(bank.n_cats.max())))
    for g, p in zip(bank.groups, bank.probs(theta), strict=True):
        probs[g.index, :, :g.n_cats] = p
    out = []
    names = list(bank.items)
    for j in range(bank.n_items):   # one leave-one-out recursion per item
        rest = lord_wingersky(bank.subset(names[:j] + names[j + 1:]), theta) * w   # (R+1, Q)
        k = int(bank.n_cats[j])
        joint = np.zeros((len(marginal), k))
        for c in range(k):
            joint[c:c + rest.shape[0], c] = rest @ probs[j, :, c]
        out.append(np.divide(joint, marginal[:, None], out=np.zeros_like(joint),
                             where=marginal[:, None] > 0))
    return out, marginal


def _pool_rows(obs: Array, exp: Array, minimum: float) -> tuple[Array, Array]:
    while len(exp) > 1:
        sparse = np.flatnonzero(exp.min(axis=1) < minimum)
        if sparse.size == 0:
            break
        r = int(sparse[0])
        if r == 0:
            nb = 1
        elif r == len(exp) - 1:
            nb = r - 1
        else:
            nb = r - 1 if obs[r - 1].sum() <= obs[r + 1].sum() else r + 1
        obs[nb] += obs[r]
        exp[nb] += exp[r]
        obs, exp = np.delete(obs, r, axis=0), np.delete(exp, r, axis=0)
    return obs, exp


def _pool_cells(obs: list[float], exp: list[float], minimum: float
                ) -> tuple[list[float], list[float]]:
    while len(exp) > 1 and min(exp) < minimum:
        c = exp.index(min(exp))
        nb = 1 if c == 0 else c - 1 if c == len(exp) - 1 else (
            c - 1 if exp[c - 1] <= exp[c + 1] else c + 1)
        obs[nb] += obs[c]
        exp[nb] += exp[c]
        del obs[c], exp[c]
    return obs, exp


def _sx2_item(obs: Array, exp: Array, n_par: float, minimum: float) -> tuple[float, float, float]:
    k = obs.shape[1]
    n_scores = obs.shape[0]
    obs, exp = obs[1:-1].copy(), exp[1:-1].copy()
    if k > 2:   # Kang & Chen: pool the tails where not every category is possible
        low, high = k - 2, n_scores - k - 1
        if high < low:
            return np.nan, 0.0, np.nan
        obs[low] += obs[:low].sum(axis=0)
        exp[low] += exp[:low].sum(axis=0)
        obs[high] += obs[high + 1:].sum(axis=0) if high > low else 0.0
        exp[high] += exp[high + 1:].sum(axis=0) if high > low else 0.0
        obs, exp = obs[low:high + 1], exp[low:high + 1]
    keep = obs.sum(axis=1) > 0
    obs, exp = obs[keep], exp[keep]
    if k == 2:
        obs, exp = _pool_rows(obs, exp, minimum)
        rows = [(list(o), list(e)) for o, e in zip(obs, exp, strict=True)]
    else:
        rows = [_pool_cells(list(o), list(e), minimum) for o, e in zip(obs, exp, strict=True)]
    stat, contrasts = 0.0, 0
    for o_row, e_row in rows:
        e_arr, o_arr = np.array(e_row), np.array(o_row)
        pos = e_arr > 0
        stat += float(((o_arr[pos] - e_arr[pos]) ** 2 / e_arr[pos]).sum())
        contrasts += max(int(pos.sum()) - 1, 0)
    df = max(contrasts - n_par, 0.0)
    from scipy import stats  # loaded here: scipy.stats costs a second at start-up

    p = float(stats.chi2.sf(stat, df)) if df > 0 else np.nan
    return stat, df, p


def s_x2(bank: ItemBank, codes: NDArray[np.int16], n_params: Array,
         min_expected: float = 1.0, quadpts: int = 61) -> pd.DataFrame:
    """S-X², df and p for every item; ``codes`` in the bank's item order (complete rows used),
    ``n_params`` the number of estimated parameters of each item."""
    import pandas as pd

    codes = codes[(codes >= 0).all(axis=1)]
    total = codes.sum(axis=1).astype(np.int64)
    n_scores = bank.max_score + 1
    n_s = np.bincount(total, minlength=n_scores).astype(float)
    cond, _ = conditional_probabilities(bank, quadpts)
    rows = []
    for j in range(bank.n_items):
        k = int(bank.n_cats[j])
        obs = np.bincount(total * k + codes[:, j], minlength=n_scores * k).reshape(n_scores, k)
        rows.append(_sx2_item(obs.astype(float), cond[j] * n_s[:, None], float(n_params[j]),
                              min_expected))
    out = pd.DataFrame(rows, columns=["s_x2", "df", "p"])
    out.insert(0, "item", list(bank.items))
    return out
