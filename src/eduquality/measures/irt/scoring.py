"""Person scores from a calibrated bank: EAP (posterior SD), MAP, bounded ML, sum-score EAP.

- EAP: θ̂ = ∫ θ L(x|θ) g(θ) dθ / ∫ L(x|θ) g(θ) dθ, SE = posterior SD (Bock & Mislevy 1982),
  by quadrature; one (patterns × categories) @ (categories × nodes) product.
- MAP: the mode of L(x|θ) g(θ), SE = (−∂² log posterior/∂θ²)^(−1/2) at the mode.
- ML: the maximum of L(x|θ) on [−bound, bound]; all-lowest / all-highest patterns get the bound.
  SE = I(θ̂)^(−1/2).
- Sum-score EAP: EAP of θ given the summed score s, with P(s | θ) from the Lord–Wingersky (1984)
  recursion (Thissen et al. 1995).

Maximisation runs Fisher scoring on all persons at once (identical patterns collapsed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.data import Responses
from eduquality.measures.irt.estep import collapse_patterns
from eduquality.measures.irt.messages import error

if TYPE_CHECKING:  # pandas loads in the functions that make frames
    import pandas as pd

Array = NDArray[np.float64]
METHODS = ("eap", "map", "ml")
_CHUNK = 100_000


def _collapse(codes: NDArray[np.int16]) -> tuple[NDArray[np.int16], NDArray[np.int64]]:
    uniq, _, inv = collapse_patterns(codes)
    return uniq, (np.arange(len(codes), dtype=np.int64) if inv is None else inv)


def align(bank: ItemBank, resp: Responses) -> NDArray[np.int16]:
    """Codes in the bank's item order (extra columns ignored; missing columns = not taken)."""
    pos = {n: i for i, n in enumerate(resp.items)}
    missing = [n for n in bank.items if n not in pos]
    if missing and len(missing) == bank.n_items:
        raise error("irt.items_mismatch", missing=", ".join(missing[:10]))
    out = np.full((resp.shape[0], bank.n_items), -1, dtype=np.int16)
    for j, name in enumerate(bank.items):
        if name in pos:
            out[:, j] = resp.codes[:, pos[name]]
    return out


def log_likelihood(bank: ItemBank, codes: NDArray[np.int16], theta: Array) -> Array:
    """log L(x_i | θ_q) for every row of ``codes`` (persons × bank items) and node, (N, Q):
    Σ_j [x_ij = k](log P_jk − log P_j0) + Σ_j [answered] log P_j0, as matrix products."""
    out = np.zeros((codes.shape[0], theta.shape[0]))
    const = np.zeros(theta.shape[0])
    for g, probs in zip(bank.groups, bank.probs(theta), strict=True):
        logp = np.log(np.maximum(probs, 1e-300))                 # (J, Q, K)
        sub = codes[:, g.index]
        k = g.n_cats
        diff = (logp[:, :, 1:] - logp[:, :, :1]).transpose(0, 2, 1).reshape(-1, theta.shape[0])
        y = (sub[:, :, None] == np.arange(1, k)[None, None, :]).reshape(len(sub), -1)
        out += y.astype(float) @ diff
        answered = sub >= 0
        if answered.all():
            const += logp[:, :, 0].sum(axis=0)
        else:
            out += answered.astype(float) @ logp[:, :, 0]
    out += const
    return out


def eap(bank: ItemBank, codes: NDArray[np.int16], quadpts: int = 61,
        bound: float = 6.0) -> tuple[Array, Array]:
    """EAP estimates and posterior SDs for each row of ``codes`` (in the bank's item order)."""
    theta, w = bank.nodes(quadpts, bound)
    uniq, inv = _collapse(codes)
    est = np.empty(len(uniq))
    sd = np.empty(len(uniq))
    for lo in range(0, len(uniq), _CHUNK):
        ll = log_likelihood(bank, uniq[lo:lo + _CHUNK], theta) + np.log(w)
        ll -= ll.max(axis=1, keepdims=True)
        post = np.exp(ll)
        post /= post.sum(axis=1, keepdims=True)
        m = post @ theta
        est[lo:lo + _CHUNK] = m
        sd[lo:lo + _CHUNK] = np.sqrt(np.maximum(post @ theta**2 - m**2, 0.0))
    return est[inv], sd[inv]


def _score_info(bank: ItemBank, codes: NDArray[np.int16], theta: Array) -> tuple[Array, Array]:
    """∂ log L / ∂θ and the test information I(θ) at each person's own θ."""
    s = np.zeros(len(theta))
    info = np.zeros(len(theta))
    for g in bank.groups:
        p = np.maximum(g.model.probs(theta, g.params), 1e-300)   # (J, N, K)
        dp = g.model.dtheta(theta, g.params)
        info += _answered_info(codes[:, g.index], dp, p)
        x = codes[:, g.index].T                                  # (J, N)
        ok = x >= 0
        xi = np.where(ok, x, 0)[..., None]
        ratio = np.take_along_axis(dp, xi, axis=2)[..., 0] / np.take_along_axis(p, xi, axis=2)[
            ..., 0]
        s += np.where(ok, ratio, 0.0).sum(axis=0)
    return s, info


def _answered_info(x: NDArray[np.int16], dp: Array, p: Array) -> Array:
    item_info = (dp**2 / p).sum(axis=2)                          # (J, N)
    return np.asarray((item_info * (x.T >= 0)).sum(axis=0))


def _mode(bank: ItemBank, codes: NDArray[np.int16], start: Array, prior: bool,
          bound: float, max_iter: int = 100) -> tuple[Array, Array]:
    mu, var = bank.latent_mean, bank.latent_sd**2
    theta = start.copy()
    for _ in range(max_iter):
        s, info = _score_info(bank, codes, theta)
        if prior:
            s, info = s - (theta - mu) / var, info + 1.0 / var
        step = np.clip(s / np.maximum(info, 1e-10), -1.0, 1.0)
        theta = np.clip(theta + step, -bound, bound)
        if np.abs(step).max() < 1e-8:
            break
    h = 1e-4
    s_hi, _ = _score_info(bank, codes, theta + h)
    s_lo, _ = _score_info(bank, codes, theta - h)
    curv = -(s_hi - s_lo) / (2 * h)
    if prior:
        curv = curv + 1.0 / var
        se = 1.0 / np.sqrt(np.maximum(curv, 1e-12))
    else:
        _, info = _score_info(bank, codes, theta)
        se = 1.0 / np.sqrt(np.maximum(info, 1e-12))
    return theta, se


def map_scores(bank: ItemBank, codes: NDArray[np.int16],
               bound: float = 6.0) -> tuple[Array, Array]:
    """MAP estimates (prior = the bank's latent distribution) and their SEs."""
    uniq, inv = _collapse(codes)
    start, _ = eap(bank, uniq)
    est, se = _mode(bank, uniq, start, True, bound)
    return est[inv], se[inv]


def ml_scores(bank: ItemBank, codes: NDArray[np.int16],
              bound: float = 4.0) -> tuple[Array, Array]:
    """Maximum-likelihood estimates bounded to [−bound, bound], SE = I(θ̂)^(−1/2)."""
    uniq, inv = _collapse(codes)
    start, _ = eap(bank, uniq)
    est, se = _mode(bank, uniq, start, False, bound)
    return est[inv], se[inv]


def score_codes(bank: ItemBank, codes: NDArray[np.int16], method: str = "eap",
                quadpts: int = 61) -> tuple[Array, Array]:
    if method == "eap":
        return eap(bank, codes, quadpts)
    if method == "map":
        return map_scores(bank, codes)
    if method == "ml":
        return ml_scores(bank, codes)
    raise error("irt.unknown_method", method=method, choices=", ".join(METHODS))


def score_responses(bank: ItemBank, resp: Responses, method: str = "eap", quadpts: int = 61
                    ) -> pd.DataFrame:
    """θ and SE per person (rows of ``resp``), as a frame with columns theta, se."""
    import pandas as pd

    est, se = score_codes(bank, align(bank, resp), method, quadpts)
    return pd.DataFrame({"theta": est, "se": se})


def lord_wingersky(bank: ItemBank, theta: Array) -> Array:
    """P(summed score = s | θ_q) for s = 0..max score, shape (S+1, Q) (Lord & Wingersky 1984).

    The recursion adds one item at a time (vectorised over nodes and scores)."""
    probs = np.empty((bank.n_items, theta.shape[0], int(bank.n_cats.max())))
    probs[:] = 0.0
    for g, p in zip(bank.groups, bank.probs(theta), strict=True):
        probs[g.index, :, :g.n_cats] = p
    dist = np.zeros((bank.max_score + 1, theta.shape[0]))
    dist[0] = 1.0
    top = 0
    for j, k in enumerate(bank.n_cats):
        new = np.zeros_like(dist)
        for c in range(int(k)):
            new[c:top + c + 1] += dist[:top + 1] * probs[j, :, c]
        dist = new
        top += int(k) - 1
    return dist


def sum_score_table(bank: ItemBank, quadpts: int = 61, bound: float = 6.0) -> pd.DataFrame:
    """For each summed score s: EAP[θ | s], its posterior SD and the model-implied share P(s).

    Scores are the category codes 0..K−1 summed over items.
    """
    import pandas as pd

    theta, w = bank.nodes(quadpts, bound)
    like = lord_wingersky(bank, theta) * w                        # (S+1, Q)
    ps = like.sum(axis=1)
    post = like / ps[:, None]
    m = post @ theta
    sd = np.sqrt(np.maximum(post @ theta**2 - m**2, 0.0))
    return pd.DataFrame({"score": np.arange(len(ps)), "theta": m, "se": sd, "p": ps})
