"""The estimator users call, in the scikit-learn manner: settings in ``__init__``, ``fit``
returns ``self``, results end in ``_``.

>>> import pandas as pd
>>> from eduquality.measures.irt.api import IRT
>>> from eduquality.measures.irt.datasets import lsat6
>>> m = IRT("2pl").fit(lsat6())
>>> round(m.loglik_, 2)      # R ltm: -2466.653 (Bock & Lieberman 1970, LSAT section 6)
-2466.65
>>> m.items_["a"].round(2).tolist()   # ltm: 0.8254 0.7229 0.8905 0.6886 0.6575
[0.83, 0.72, 0.89, 0.69, 0.66]
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.data import Responses, as_responses, encode_like
from eduquality.measures.irt.estep import EStepSource
from eduquality.measures.irt.estimation import EMEstimator, EMResult, item_models
from eduquality.measures.irt.messages import error

if TYPE_CHECKING:  # pandas loads when a frame is asked for (``irt fit`` writes without it)
    import pandas as pd

Array = NDArray[np.float64]


class IRT:
    """Unidimensional IRT calibration by marginal maximum likelihood (EM).

    model: ``rasch`` (slopes 1, latent variance estimated; ``latent_variance="fixed"`` keeps
    θ ~ N(0, 1)), ``1pl`` (one common slope), ``2pl``, ``3pl`` (Beta(5, 17) prior on c),
    ``grm``, ``gpcm``, ``pcm`` (= rasch for multi-category items). ``se_method``: "observed"
    (observed information, as R ltm), "xpd" (cross-product of scores, for large data) or
    "auto" (observed while cheap). Multi-category items in a
    rasch/1pl test get the partial credit model, in a 2pl/3pl test the graded model, so one
    test may mix item types. ``item_model`` overrides the model of single items by name.
    """

    def __init__(self, model: str = "2pl", *, quadpts: int = 41, bound: float = 6.0,
                 max_iter: int = 500, tol: float = 1e-4, se: bool = True,
                 se_method: str = "auto",
                 latent_variance: str = "free", guess_prior: tuple[float, float] = (5.0, 17.0)
                 ) -> None:
        self.model = model
        self.quadpts = quadpts
        self.bound = bound
        self.max_iter = max_iter
        self.tol = tol
        self.se = se
        self.se_method = se_method
        self.latent_variance = latent_variance
        self.guess_prior = guess_prior

    # -- fitting --------------------------------------------------------------------------
    def fit(self, data: pd.DataFrame | Array | Responses,
            source: EStepSource | None = None) -> IRT:
        """Calibrate on ``data``; with ``source`` (:mod:`eduquality.measures.irt.estep`: chunks
        summed locally or on a cluster) ``data`` is a :class:`Responses` naming the items and
        their categories only, and the E-step's sums come from ``source``."""
        resp = data if isinstance(data, Responses) else as_responses(data)
        models = item_models(self.model, resp.n_cats, self.guess_prior)
        if self.model in ("rasch", "pcm"):
            slope = "fixed" if self.latent_variance == "fixed" else "common"
        else:
            slope = "common" if self.model == "1pl" else "free"
        est = EMEstimator(resp, models, slope, self.quadpts, self.bound, self.max_iter,
                          self.tol, se_method=self.se_method, source=source)
        res = est.run(self.model, self.se)
        self.se_method_ = est.se_method_used or None
        self._store(resp, res, slope, round(est.totals.n))
        return self

    def _store(self, resp: Responses, res: EMResult, slope: str, n: int) -> None:
        self.n_persons_ = n
        self.n_items_ = resp.shape[1]
        self.n_params_ = len(res.psi)
        self.loglik_ = res.loglik
        self.aic_ = -2 * res.loglik + 2 * self.n_params_
        self.bic_ = -2 * res.loglik + np.log(n) * self.n_params_
        self.n_iter_ = res.n_iter
        self.converged_ = res.converged
        self.cov_ = res.cov
        bank = res.bank
        self.latent_variance_ = 1.0
        self.latent_variance_se_ = float("nan")
        if self.model in ("rasch", "pcm") and slope == "common":
            s = float(res.psi[0])
            self.latent_variance_ = s * s
            if res.cov is not None:
                self.latent_variance_se_ = float(2 * abs(s) * np.sqrt(res.cov[0, 0]))
            bank = bank.transform(s, 0.0)
        self.bank_: ItemBank = bank
        per_item = np.zeros(resp.shape[1])
        for g, fr in zip(res.bank.groups, res.groups_free, strict=True):
            ok = fr >= 0
            share = np.ones_like(fr, dtype=float)
            if slope == "common":
                share[:, 0] = 1.0 / resp.shape[1]
            per_item[g.index] = (share * ok).sum(axis=1)
        self.item_n_params_ = per_item
        self.__dict__.pop("items_", None)  # the frame of an earlier fit
        self.item_columns_ = item_columns(bank, res.groups_free, res.cov,
                                          rescale=res.psi[0] if bank is not res.bank else 1.0)

    @cached_property
    def items_(self) -> pd.DataFrame:
        """The item table (:func:`item_table`): ``item_columns_`` as a frame."""
        import pandas as pd

        return pd.DataFrame(self.item_columns_)

    def _check(self) -> ItemBank:
        if not hasattr(self, "bank_"):
            raise error("irt.not_fitted")
        return self.bank_

    def summary(self) -> dict[str, Any]:
        """The fit in a few numbers (the CLI's SUMMARY.json)."""
        self._check()
        out: dict[str, Any] = {
            "model": self.model, "n_persons": self.n_persons_, "n_items": self.n_items_,
            "n_params": self.n_params_, "loglik": self.loglik_, "aic": self.aic_,
            "bic": self.bic_, "iterations": self.n_iter_, "converged": self.converged_,
        }
        if self.model in ("rasch", "pcm"):
            out["latent_variance"] = self.latent_variance_
            out["latent_variance_se"] = self.latent_variance_se_
        return out

    # -- scoring --------------------------------------------------------------------------
    def score(self, data: pd.DataFrame | Array | Responses, method: str = "eap",
              quadpts: int = 61) -> pd.DataFrame:
        """Person scores θ and their standard errors (EAP: posterior SD)."""
        from eduquality.measures.irt.scoring import score_responses

        bank = self._check()
        resp = data if isinstance(data, Responses) else encode_like(
            data, bank.items, bank.category_values())
        return score_responses(bank, resp, method, quadpts=quadpts)


    # -- information and fit ------------------------------------------------------------------
    def information(self, theta: Array) -> Array:
        """Test information at ``theta``."""
        from eduquality.measures.irt.information import test_information

        return test_information(self._check(), np.asarray(theta, dtype=float))

    def marginal_reliability(self) -> float:
        from eduquality.measures.irt.information import marginal_reliability

        return marginal_reliability(self._check())

    def itemfit(self, data: pd.DataFrame | Array, min_expected: float = 1.0) -> pd.DataFrame:
        """S-X² item fit (Orlando & Thissen 2000) on the complete rows of ``data``."""
        from eduquality.measures.irt.itemfit import s_x2

        bank = self._check()
        resp = encode_like(data, bank.items, bank.category_values())
        return s_x2(bank, resp.codes, self.item_n_params_, min_expected)


def item_table(bank: ItemBank, free: tuple[NDArray[np.int64], ...], cov: Array | None,
               rescale: float = 1.0) -> pd.DataFrame:
    """One row per item: model, a, d…, b…, c and standard errors (delta method for b, c).

    ``rescale``: for a Rasch fit with free variance the estimated common slope s; reported
    intercepts are unchanged and the slope (fixed at 1) has no standard error."""
    import pandas as pd

    return pd.DataFrame(item_columns(bank, free, cov, rescale))


def item_columns(bank: ItemBank, free: tuple[NDArray[np.int64], ...], cov: Array | None,
                 rescale: float = 1.0) -> dict[str, Any]:
    """:func:`item_table` as columns (name → one value per item), without pandas."""
    kmax = int(bank.n_cats.max())
    binary = kmax == 2
    dn = ["d"] if binary else [f"d{i}" for i in range(1, kmax)]
    bn = ["b"] if binary else [f"b{i}" for i in range(1, kmax)]
    rows = np.full((bank.n_items, 2 + 2 * (kmax - 1) + 2 * (kmax - 1) + 2), np.nan)
    model_names = [""] * bank.n_items
    m1 = kmax - 1
    for g, fr in zip(bank.groups, free, strict=True):
        p = g.params
        km = g.n_cats - 1
        rows[g.index, 0] = p[:, 0]
        rows[g.index, 1:1 + km] = p[:, 1:g.n_cats]
        rows[g.index, 1 + m1:1 + m1 + km] = g.model.difficulties(p)
        rows[g.index, 1 + 2 * m1] = g.model.guessing(p)
        pcov = _param_cov(fr, cov)
        if rescale != 1.0:
            pcov[:, 0, :] = 0.0
            pcov[:, :, 0] = 0.0
        se = np.sqrt(np.clip(np.diagonal(pcov, axis1=1, axis2=2), 0, None))
        se = np.where(np.diagonal(pcov, axis1=1, axis2=2) > 0, se, np.nan)
        base = 2 + 2 * m1
        rows[g.index, base] = se[:, 0]
        rows[g.index, base + 1:base + 1 + km] = se[:, 1:g.n_cats]
        rows[g.index, base + 1 + m1:base + 1 + m1 + km] = _se_difficulties(g.model, p, pcov)
        if g.model.name == "3pl":
            c = g.model.guessing(p)
            rows[g.index, base + 1 + 2 * m1] = se[:, 2] * c * (1 - c)
        for i in g.index:
            model_names[int(i)] = g.model.name
    cols = ["a", *dn, *bn, "c", "se_a", *[f"se_{x}" for x in dn], *[f"se_{x}" for x in bn],
            "se_c"]
    return {"item": list(bank.items), "model": model_names,
            **{c: rows[:, k] for k, c in enumerate(cols)}, "n_cats": bank.n_cats}


def _param_cov(free: NDArray[np.int64], cov: Array | None) -> Array:
    j, p = free.shape
    out = np.zeros((j, p, p))
    if cov is None:
        return out
    ok = free >= 0
    safe = np.where(ok, free, 0)
    out[:] = cov[safe[:, :, None], safe[:, None, :]]
    out *= (ok[:, :, None] & ok[:, None, :])
    return out


def _se_difficulties(model: Any, p: Array, pcov: Array) -> Array:
    """Delta-method SEs of the b's: numerical Jacobian of model.difficulties, all items at
    once."""
    base = model.difficulties(p)
    jac = np.empty((*base.shape, p.shape[1]))
    for c in range(p.shape[1]):
        h = 1e-6 * np.maximum(1.0, np.abs(p[:, c]))
        q = p.copy()
        q[:, c] += h
        jac[..., c] = (model.difficulties(q) - base) / h[:, None]
    var = np.einsum("jkp,jpr,jkr->jk", jac, pcov, jac)
    return np.where(var > 0, np.sqrt(np.clip(var, 0, None)), np.nan)


def export_table(items: pd.DataFrame, model: str) -> pd.DataFrame:
    """The item table in the exchange format of ``eduquality irt fit --out``
    (:func:`export_columns`) as a frame."""
    import pandas as pd

    return pd.DataFrame(export_columns({c: items[c].to_numpy() for c in items.columns}, model))


def export_columns(items: Mapping[str, Any], model: str) -> dict[str, Any]:
    """The item table's columns (:func:`item_columns`) in the exchange format of
    ``eduquality irt fit --out``.

    All items 0/1: ``item,a,d,b,c,se_a,se_d`` (c = 0 unless 3PL). Otherwise
    ``item,a,d1…d(K−1),b1…b(K−1)`` with K the largest number of categories (blank where an item
    has fewer), plus ``c`` for a 3PL test that mixes in multi-category items."""
    if "d" in items:
        out = {c: items[c] for c in ("item", "a", "d", "b", "c", "se_a", "se_d")}
        out["c"] = np.nan_to_num(np.asarray(out["c"], dtype=float), nan=0.0)
        return out
    k = int(np.max(items["n_cats"]))
    cols = ["item", "a", *[f"d{i}" for i in range(1, k)], *[f"b{i}" for i in range(1, k)]]
    if model == "3pl":
        cols.append("c")
    return {c: items[c] for c in cols}
