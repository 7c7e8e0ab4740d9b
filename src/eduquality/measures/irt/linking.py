"""Scale linking through common items: mean-mean, mean-sigma, Haebara, Stocking–Lord.

The constants (A, B) put a new calibration on the base scale: θ_base = A·θ_new + B, so
a* = a/A, b* = A·b + B (Kolen & Brennan 2014, *Test Equating, Scaling, and Linking*, ch. 6).

- mean-mean (Loyd & Hoover 1980): A = mean(a_new) / mean(a_base), B = mean(b_base) − A·mean(b_new);
- mean-sigma (Marco 1977): A = SD(b_base) / SD(b_new), B as above (all b's of the common items);
- Haebara (1980): minimise Σ_q w_q Σ_j Σ_k [P_jk(θ_q; base) − P_jk(θ_q; new*)]²;
- Stocking–Lord (1983): minimise Σ_q w_q [Σ_j E_j(θ_q; base) − Σ_j E_j(θ_q; new*)]²,
  θ_q equally spaced on [−4, 4] with N(0, 1) weights (as PyPI/R mirt and plink).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.messages import error

Array = NDArray[np.float64]
METHODS = ("mean-mean", "mean-sigma", "haebara", "stocking-lord")


@dataclass(frozen=True)
class Link:
    """θ_base = slope·θ_new + intercept."""

    method: str
    slope: float
    intercept: float
    common: tuple[str, ...]

    def apply(self, bank: ItemBank) -> ItemBank:
        """``bank`` (on the new scale) put on the base scale."""
        return bank.transform(self.slope, self.intercept)

    def theta(self, theta_new: Array) -> Array:
        return np.asarray(self.slope * np.asarray(theta_new) + self.intercept)


def _slopes_and_bs(bank: ItemBank) -> tuple[Array, Array]:
    slopes = np.concatenate([g.model.slope(g.params) for g in bank.groups])
    bs = np.concatenate([g.model.difficulties(g.params).ravel() for g in bank.groups])
    return slopes, bs


def _grid(n: int = 61, lo: float = -4.0, hi: float = 4.0) -> tuple[Array, Array]:
    theta = np.linspace(lo, hi, n)
    w = np.exp(-0.5 * theta**2)
    return theta, w / w.sum()


def link(base: ItemBank, new: ItemBank, method: str = "stocking-lord",
         common: list[str] | None = None, min_common: int = 2) -> Link:
    """Linking constants from the items the two banks share (or ``common``).

    >>> import numpy as np
    >>> from eduquality.measures.irt.simulation import make_bank
    >>> base = make_bank("2pl", np.array([[1.0, 0.5], [1.5, -1.0], [0.8, 0.0]]))
    >>> new = base.transform(0.5, -1.0)          # the same items on another scale
    >>> lk = link(base, new, "stocking-lord")
    >>> round(lk.slope, 6), round(lk.intercept, 6)
    (2.0, 2.0)
    """
    if method not in METHODS:
        raise error("irt.unknown_method", method=method, choices=", ".join(METHODS))
    names = common if common is not None else [n for n in base.items if n in set(new.items)]
    if len(names) < min_common:
        raise error("irt.no_common", need=min_common, n=len(names))
    b0, b1 = base.subset(list(names)), new.subset(list(names))
    a_base, b_base = _slopes_and_bs(b0)
    a_new, b_new = _slopes_and_bs(b1)
    by_mean = method == "mean-mean"
    slope = float(a_new.mean() / a_base.mean() if by_mean else b_base.std() / b_new.std())
    intercept = float(b_base.mean() - slope * b_new.mean())
    if method in ("haebara", "stocking-lord"):
        slope, intercept = _characteristic_curve(b0, b1, method, slope, intercept)
    return Link(method, slope, intercept, tuple(names))


def _characteristic_curve(base: ItemBank, new: ItemBank, method: str, slope: float,
                          intercept: float) -> tuple[float, float]:
    theta, w = _grid()
    if method == "haebara":
        target = np.concatenate([p.reshape(-1, len(theta)) for p in
                                 (q.transpose(0, 2, 1) for q in base.probs(theta))])

        def curves(x: Array) -> Array:
            moved = new.transform(float(np.exp(x[0])), float(x[1]))
            return np.concatenate([q.transpose(0, 2, 1).reshape(-1, len(theta))
                                   for q in moved.probs(theta)])
    else:
        target = base.expected_scores(theta).sum(axis=0, keepdims=True)

        def curves(x: Array) -> Array:
            moved = new.transform(float(np.exp(x[0])), float(x[1]))
            return np.asarray(moved.expected_scores(theta).sum(axis=0, keepdims=True))

    def loss(x: Array) -> float:
        return float((((target - curves(x)) ** 2) * w).sum())

    from scipy import optimize  # loaded here, not when the IRT engine is imported

    start = np.array([np.log(max(slope, 1e-3)), intercept])
    res = optimize.minimize(loss, start, method="BFGS", options={"gtol": 1e-10})
    res = optimize.minimize(loss, res.x, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 2000})
    return float(np.exp(res.x[0])), float(res.x[1])
