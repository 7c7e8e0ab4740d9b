"""Item and test information, the test characteristic curve, marginal reliability.

- Item information I_j(θ) = Σ_k (∂P_jk/∂θ)² / P_jk (Samejima 1969; for the 2PL a²P(1 − P)).
- Test information I(θ) = Σ_j I_j(θ); SE(θ) ≈ I(θ)^(−1/2).
- Test characteristic curve T(θ) = Σ_j E[X_j | θ] (categories scored 0..K−1).
- Marginal reliability ρ = ∫ I(θ) / (I(θ) + 1/σ²) g(θ) dθ over the latent density g = N(μ, σ²)
  (R mirt ``marginal_rxx``; Green et al. 1984).

>>> import numpy as np
>>> from eduquality.measures.irt.simulation import make_bank
>>> bank = make_bank("2pl", np.array([[2.0, 0.0]]))
>>> float(item_information(bank, np.array([0.0]))[0, 0])   # a² · ½ · ½
1.0
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank

Array = NDArray[np.float64]


def item_information(bank: ItemBank, theta: Array) -> Array:
    """I_j(θ) for every item and θ, shape (J, len(theta))."""
    theta = np.asarray(theta, dtype=float)
    out = np.empty((bank.n_items, theta.shape[0]))
    for g in bank.groups:
        p = np.maximum(g.model.probs(theta, g.params), 1e-300)
        out[g.index] = (g.model.dtheta(theta, g.params) ** 2 / p).sum(axis=2)
    return out


def test_information(bank: ItemBank, theta: Array) -> Array:
    """I(θ) = Σ_j I_j(θ)."""
    return np.asarray(item_information(bank, theta).sum(axis=0))


def tcc(bank: ItemBank, theta: Array) -> Array:
    """The test characteristic curve: expected summed score at each θ."""
    return np.asarray(bank.expected_scores(np.asarray(theta, dtype=float)).sum(axis=0))


def marginal_reliability(bank: ItemBank, quadpts: int = 121, bound: float = 6.0) -> float:
    """ρ = ∫ I(θ)/(I(θ) + 1/σ²) g(θ) dθ with g the bank's latent N(μ, σ²)."""
    theta, w = bank.nodes(quadpts, bound)
    info = test_information(bank, theta)
    return float(w @ (info / (info + 1.0 / bank.latent_sd**2)))
