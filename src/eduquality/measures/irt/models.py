"""Item response functions: one small class per model, all with the same few methods.

Every class works on a *group* of items that share a model and a number of categories K,
so each method is vectorised across the group's items. Parameterisation as R mirt
(Chalmers 2012, JSS 48(6)): logit = a·θ + d, θ ~ N(0, 1), D = 1, b = −d/a.

Methods (``theta``: nodes, shape (Q,); ``params``: shape (J, n_params)):

- ``probs(theta, params)`` → P, shape (J, Q, K): category probabilities;
- ``dlogp(theta, params)`` → shape (J, Q, K, n_params): ∂ log P_k / ∂ parameters
  (the M-step uses Fisher scoring, so the score is all a model needs to be estimated);
- ``dtheta(theta, params)`` → shape (J, Q, K): ∂ P_k / ∂θ (information, MAP/ML scoring);
- ``start(y, k)``: starting values from proportions; ``labels(k)``: parameter names;
- ``log_prior(params)`` → (value, gradient, Hessian diagonal), zero unless the model has one.

Item information for every model is I(θ) = Σ_k (∂P_k/∂θ)² / P_k (Samejima 1969; Baker & Kim
2004, ch. 8), so it is written once in :mod:`eduquality.measures.irt.information`.

>>> import numpy as np
>>> p = TwoPL().probs(np.array([0.0]), np.array([[1.0, 0.5]]))
>>> round(float(p[0, 0, 1]), 4)   # 1 / (1 + exp(-0.5))
0.6225
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

_EPS = 1e-300


def _sigmoid(z: Array) -> Array:
    out: Array = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


@dataclass(frozen=True)
class ItemModel:
    """Base class; subclasses fill in the response function and its derivatives."""

    name: ClassVar[str] = "base"
    polytomous: ClassVar[bool] = False

    def n_params(self, k: int) -> int:
        raise NotImplementedError

    def labels(self, k: int) -> list[str]:
        raise NotImplementedError

    def probs(self, theta: Array, params: Array) -> Array:
        raise NotImplementedError

    def dlogp(self, theta: Array, params: Array) -> Array:
        raise NotImplementedError

    def dtheta(self, theta: Array, params: Array) -> Array:
        raise NotImplementedError

    def start(self, p_cum: Array, k: int) -> Array:
        """Starting values from ``p_cum`` (J, K−1): share scoring ≥ category k (k = 1..K−1)."""
        raise NotImplementedError

    def log_prior(self, params: Array) -> tuple[Array, Array, Array]:
        """Log prior density per item, its gradient and the diagonal of its Hessian."""
        z = np.zeros_like(params)
        return np.zeros(params.shape[0]), z, z

    def slope(self, params: Array) -> Array:
        return params[:, 0]

    def difficulties(self, params: Array) -> Array:
        """b = −d/a for each intercept (GPCM: step difficulties)."""
        a = params[:, :1]
        return np.asarray(-params[:, 1:] / a)

    def guessing(self, params: Array) -> Array:
        return np.zeros(params.shape[0])

    def expected_score(self, theta: Array, params: Array, k: int) -> Array:
        """E[X | θ] with categories scored 0..K−1, shape (J, Q)."""
        out: Array = self.probs(theta, params) @ np.arange(k, dtype=float)
        return out


@dataclass(frozen=True)
class TwoPL(ItemModel):
    """Two-parameter logistic: P(X = 1 | θ) = 1 / (1 + exp(−(aθ + d))). Params (a, d).

    Rasch and 1PL are this model with the slope fixed or shared (see the estimator)."""

    name: ClassVar[str] = "2pl"

    def n_params(self, k: int) -> int:
        return 2

    def labels(self, k: int) -> list[str]:
        return ["a", "d"]

    def probs(self, theta: Array, params: Array) -> Array:
        p1 = _sigmoid(params[:, :1] * theta[None, :] + params[:, 1:2])
        return np.stack([1.0 - p1, p1], axis=-1)

    def dlogp(self, theta: Array, params: Array) -> Array:
        p1 = _sigmoid(params[:, :1] * theta[None, :] + params[:, 1:2])
        resid = np.stack([-p1, 1.0 - p1], axis=-1)  # ∂ log P_k / ∂z
        return np.stack([resid * theta[None, :, None], resid], axis=-1)

    def dtheta(self, theta: Array, params: Array) -> Array:
        p1 = _sigmoid(params[:, :1] * theta[None, :] + params[:, 1:2])
        dp = params[:, :1] * p1 * (1.0 - p1)
        return np.stack([-dp, dp], axis=-1)

    def start(self, p_cum: Array, k: int) -> Array:
        p = np.clip(p_cum[:, 0], 0.02, 0.98)
        return np.column_stack([np.ones_like(p), np.log(p / (1 - p)) * 1.2])


@dataclass(frozen=True)
class ThreePL(ItemModel):
    """Three-parameter logistic: P = c + (1 − c) / (1 + exp(−(aθ + d))).

    Estimated on γ = logit(c) with a Beta(α, β) prior on c (default Beta(5, 17), mode 0.2,
    as BILOG-MG's default guessing prior); params (a, d, γ)."""

    name: ClassVar[str] = "3pl"
    prior_alpha: float = 5.0
    prior_beta: float = 17.0

    def n_params(self, k: int) -> int:
        return 3

    def labels(self, k: int) -> list[str]:
        return ["a", "d", "logit_c"]

    def _parts(self, theta: Array, params: Array) -> tuple[Array, Array, Array]:
        s = _sigmoid(params[:, :1] * theta[None, :] + params[:, 1:2])
        c = _sigmoid(params[:, 2:3])
        return s, c, c + (1.0 - c) * s

    def probs(self, theta: Array, params: Array) -> Array:
        _, _, p1 = self._parts(theta, params)
        return np.stack([1.0 - p1, p1], axis=-1)

    def dlogp(self, theta: Array, params: Array) -> Array:
        s, c, p1 = self._parts(theta, params)
        dz = (1.0 - c) * s * (1.0 - s)          # ∂P1/∂z
        dg = (1.0 - s) * c * (1.0 - c)          # ∂P1/∂γ
        grads = np.stack([dz * theta[None, :], dz, dg], axis=-1)  # (J, Q, 3)
        p0 = np.maximum(1.0 - p1, _EPS)
        return np.stack([-grads / p0[..., None], grads / np.maximum(p1, _EPS)[..., None]], axis=2)

    def dtheta(self, theta: Array, params: Array) -> Array:
        s, c, _ = self._parts(theta, params)
        dp = params[:, :1] * (1.0 - c) * s * (1.0 - s)
        return np.stack([-dp, dp], axis=-1)

    def start(self, p_cum: Array, k: int) -> Array:
        p = np.clip((p_cum[:, 0] - 0.2) / 0.8, 0.02, 0.98)
        return np.column_stack([np.ones_like(p), np.log(p / (1 - p)) * 1.2,
                                np.full_like(p, np.log(0.2 / 0.8))])

    def log_prior(self, params: Array) -> tuple[Array, Array, Array]:
        c = _sigmoid(params[:, 2])
        al, be = self.prior_alpha - 1.0, self.prior_beta - 1.0
        value = al * np.log(c) + be * np.log1p(-c)
        grad = np.zeros_like(params)
        hess = np.zeros_like(params)
        grad[:, 2] = al * (1.0 - c) - be * c
        hess[:, 2] = -(al + be) * c * (1.0 - c)
        return value, grad, hess

    def difficulties(self, params: Array) -> Array:
        return np.asarray(-params[:, 1:2] / params[:, :1])

    def guessing(self, params: Array) -> Array:
        return _sigmoid(params[:, 2])


@dataclass(frozen=True)
class Graded(ItemModel):
    """Samejima's graded response model: P(X ≥ k | θ) = 1 / (1 + exp(−(aθ + d_k))),
    d_1 > d_2 > … > d_{K−1}; P(X = k) = P(X ≥ k) − P(X ≥ k+1). Params (a, d_1..d_{K−1})."""

    name: ClassVar[str] = "grm"
    polytomous: ClassVar[bool] = True

    def n_params(self, k: int) -> int:
        return k

    def labels(self, k: int) -> list[str]:
        return ["a", *[f"d{i}" for i in range(1, k)]]

    def _star(self, theta: Array, params: Array) -> Array:
        """P(X ≥ k) for k = 0..K, shape (J, Q, K+1)."""
        j, q = params.shape[0], theta.shape[0]
        inner = _sigmoid(params[:, None, :1] * theta[None, :, None] + params[:, None, 1:])
        return np.concatenate([np.ones((j, q, 1)), inner, np.zeros((j, q, 1))], axis=-1)

    def probs(self, theta: Array, params: Array) -> Array:
        star = self._star(theta, params)
        return star[..., :-1] - star[..., 1:]

    def dlogp(self, theta: Array, params: Array) -> Array:
        star = self._star(theta, params)
        p = np.maximum(star[..., :-1] - star[..., 1:], _EPS)
        w = star * (1.0 - star)                      # (J, Q, K+1), zero at both ends
        kk = params.shape[1]                         # = K
        out = np.zeros((*p.shape, kk))
        out[..., 0] = theta[None, :, None] * (w[..., :-1] - w[..., 1:]) / p
        idx = np.arange(1, kk)
        # ∂P_k/∂d_m = w_m if m == k, −w_m if m == k + 1
        out[:, :, idx, idx] = w[..., idx] / p[..., idx]
        out[:, :, idx - 1, idx] = -w[..., idx] / p[..., idx - 1]
        return out

    def dtheta(self, theta: Array, params: Array) -> Array:
        star = self._star(theta, params)
        w = star * (1.0 - star)
        return np.asarray(params[:, None, :1] * (w[..., :-1] - w[..., 1:]))

    def start(self, p_cum: Array, k: int) -> Array:
        p = np.clip(p_cum, 0.02, 0.98)
        d = np.log(p / (1 - p)) * 1.2
        d = -np.sort(-d, axis=1) - np.arange(k - 1) * 1e-3
        return np.column_stack([np.ones(p.shape[0]), d])


@dataclass(frozen=True)
class PartialCredit(ItemModel):
    """Generalised partial credit model (Muraki 1992) in mirt's intercept form:
    P(X = k | θ) ∝ exp(k·a·θ + d_k), d_0 = 0, k = 0..K−1. Params (a, d_1..d_{K−1}).

    Step difficulties b_k = (d_{k−1} − d_k) / a, so that k·a·θ + d_k = Σ_{v≤k} a(θ − b_v).
    With the slope fixed at 1 (or shared) it is the partial credit model (Masters 1982)."""

    name: ClassVar[str] = "gpcm"
    polytomous: ClassVar[bool] = True

    def n_params(self, k: int) -> int:
        return k

    def labels(self, k: int) -> list[str]:
        return ["a", *[f"d{i}" for i in range(1, k)]]

    def probs(self, theta: Array, params: Array) -> Array:
        k = params.shape[1]
        cats = np.arange(k, dtype=float)
        d = np.concatenate([np.zeros((params.shape[0], 1)), params[:, 1:]], axis=1)
        z = params[:, None, :1] * theta[None, :, None] * cats + d[:, None, :]
        z -= z.max(axis=-1, keepdims=True)
        e = np.exp(z)
        out: Array = e / e.sum(axis=-1, keepdims=True)
        return out

    def dlogp(self, theta: Array, params: Array) -> Array:
        k = params.shape[1]
        cats = np.arange(k, dtype=float)
        p = self.probs(theta, params)
        mean = p @ cats                                        # (J, Q)
        out = np.empty((*p.shape, k))
        out[..., 0] = theta[None, :, None] * (cats - mean[..., None])
        out[..., 1:] = np.eye(k)[None, None, :, 1:] - p[:, :, None, 1:]
        return out

    def dtheta(self, theta: Array, params: Array) -> Array:
        k = params.shape[1]
        cats = np.arange(k, dtype=float)
        p = self.probs(theta, params)
        mean = p @ cats
        return np.asarray(params[:, None, :1] * p * (cats - mean[..., None]))

    def start(self, p_cum: Array, k: int) -> Array:
        p = np.clip(p_cum, 0.02, 0.98)
        steps = np.log(p / (1 - p))                 # rough step intercepts
        return np.column_stack([np.ones(p.shape[0]), np.cumsum(steps, axis=1)])

    def difficulties(self, params: Array) -> Array:
        d = np.concatenate([np.zeros((params.shape[0], 1)), params[:, 1:]], axis=1)
        return np.asarray(-(np.diff(d, axis=1)) / params[:, :1])


MODELS: dict[str, type[ItemModel]] = {
    "2pl": TwoPL, "3pl": ThreePL, "grm": Graded, "gpcm": PartialCredit,
}
