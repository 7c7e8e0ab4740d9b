"""Logistic regression by maximum likelihood or by Firth's penalised likelihood.

Firth (1993) removes the O(1/n) bias of the maximum-likelihood estimator by penalising the
log-likelihood with Jeffreys' invariant prior,

    l*(β) = l(β) + ½ log |I(β)|,   I(β) = X'WX,  W = diag(pᵢ(1 − pᵢ)),

whose score is the modified score of Heinze & Schemper (2002):

    U*(β) = X'(y − p + h ∘ (½ − p)),

h the diagonal of the hat matrix W^½ X (X'WX)⁻¹ X' W^½. Unlike the ML estimate, the Firth
estimate is finite under complete or quasi-complete separation (a line that every calibration
student with a mock above some score reached, or that nearly everyone reached), and its
covariance I(β̂)⁻¹ is finite as well (Heinze & Schemper 2002, §2–3).

Both fits use Newton's method, β ← β + I(β)⁻¹ U(β) (U = U* for Firth), the step capped at
:data:`MAX_STEP` per coefficient and halved until the (penalised) log-likelihood does not fall
(as ``logistf`` does; Heinze & Ploner 2016). Closed form checked in the tests: with one binary
covariate (a 2 × 2 table) the Firth estimate is the ML estimate of the table with ½ added to
every cell, p̂ᵍ = (kᵍ + ½)/(nᵍ + 1) in each group g; without covariates p̂ = (k + ½)/(n + 1), the
mean of the Jeffreys posterior Beta(k + ½, n − k + ½).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit

__all__ = ["MAX_STEP", "LogisticFit", "logistic_fit", "penalised_loglik"]

MAX_STEP = 5.0
"""The largest change of one coefficient in a Newton step (``logistf``'s ``maxstep``)."""
MAX_ML_COEF = 50.0
"""An ML coefficient beyond this (on standardised covariates: odds ×e⁵⁰ per sd) has diverged."""


@dataclass(frozen=True)
class LogisticFit:
    """``coef`` (the columns of X, intercept included when X has one), ``cov`` = I(β̂)⁻¹,
    ``loglik`` the (penalised, for Firth) log-likelihood at β̂, ``n_iter``, ``converged``
    (False for ML also when the estimate runs off to infinity: a coefficient beyond
    :data:`MAX_ML_COEF` or every fitted probability within 10⁻⁶ of its outcome, i.e. the data
    are separated)."""

    coef: NDArray[np.float64]
    cov: NDArray[np.float64]
    loglik: float
    n_iter: int
    converged: bool


def _information(X: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray((X * (p * (1 - p))[:, None]).T @ X, dtype=np.float64)


def penalised_loglik(X: ArrayLike, y: ArrayLike, beta: ArrayLike, firth: bool = True) -> float:
    """l(β) = Σ yᵢηᵢ − log(1 + e^ηᵢ), plus ½ log |X'WX| with ``firth`` (−inf where X'WX is
    singular).

    >>> round(penalised_loglik([[1.0], [1.0]], [1, 0], [0.0], firth=False), 6)   # 2 log ½
    -1.386294
    """
    Xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float)
    eta = Xa @ np.asarray(beta, dtype=float)
    ll = float(ya @ eta - np.logaddexp(0.0, eta).sum())
    if not firth:
        return ll
    sign, logdet = np.linalg.slogdet(_information(Xa, expit(eta)))
    return ll + 0.5 * float(logdet) if sign > 0 else float("-inf")


def logistic_fit(X: ArrayLike, y: ArrayLike, firth: bool = True, max_iter: int = 100,
                 tol: float = 1e-10) -> LogisticFit:
    """Logistic regression of 0/1 ``y`` on the design ``X`` (n × k; add the intercept column
    yourself): Firth's penalised likelihood (default) or maximum likelihood (module docstring).
    Converged when the largest step or the largest score is below ``tol``.

    Hand case: 3 of 3 without a covariate (ML: no estimate): p̂ = (3 + ½)/(3 + 1), so
    β̂ = logit(7/8) = log 7.

    >>> fit = logistic_fit([[1.0], [1.0], [1.0]], [1, 1, 1])
    >>> round(float(fit.coef[0]), 6) == round(float(np.log(7)), 6)
    True
    """
    Xa = np.asarray(X, dtype=float)
    Xa = Xa.reshape(Xa.shape[0], -1)
    ya = np.asarray(y, dtype=float).ravel()
    k = Xa.shape[1]
    beta = np.zeros(k)
    current = penalised_loglik(Xa, ya, beta, firth)
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        p = expit(Xa @ beta)
        info = _information(Xa, p)
        inv = np.linalg.pinv(info)
        resid = ya - p
        if firth:
            h = (p * (1 - p)) * np.einsum("ij,jk,ik->i", Xa, inv, Xa)
            resid = resid + h * (0.5 - p)
        score = Xa.T @ resid
        step = inv @ score
        big = float(np.max(np.abs(step)))
        if big > MAX_STEP:
            step *= MAX_STEP / big
        for _ in range(60):  # step halving: the (penalised) likelihood must not fall
            trial = penalised_loglik(Xa, ya, beta + step, firth)
            if trial >= current - 1e-12 * max(1.0, abs(current)):
                break
            step = step / 2
        beta = beta + step
        current = penalised_loglik(Xa, ya, beta, firth)
        if float(np.max(np.abs(step))) < tol or float(np.max(np.abs(score))) < tol:
            converged = True
            break
    p = expit(Xa @ beta)
    cov = np.linalg.pinv(_information(Xa, p))
    if not firth and (not np.all(np.isfinite(beta)) or np.max(np.abs(beta)) > MAX_ML_COEF
                      or np.max(np.abs(ya - p)) < 1e-6):
        converged = False  # the ML estimate runs off to infinity: separated data
    return LogisticFit(beta, np.asarray(cov, dtype=np.float64), float(current), n_iter, converged)
