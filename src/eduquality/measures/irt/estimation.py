"""Marginal maximum likelihood by EM (Bock & Aitkin 1981) for unidimensional item banks.

E-step: with equally spaced quadrature nodes θ_q and normal weights w_q, the posterior weight of
response pattern i at node q is W_iq = f_i w_q L_i(θ_q) / Σ_q' w_q' L_i(θ_q'), where
log L_i(θ_q) = Σ_j log P_j(x_ij | θ_q) over the items i answered. All of it is one
(patterns × categories) @ (categories × nodes) matrix product; identical patterns are collapsed
first (f_i = frequency). The expected counts r_jqk = Σ_i W_iq [x_ij = k] are the sufficient
statistics of the M-step.

M-step: for every item at once, Fisher scoring on Σ_qk r_jqk log P_jk(θ_q) (+ log prior), with
score Σ_qk r_jqk ∂log P_jk/∂ψ and expected information Σ_q n_jq Σ_k P_jk (∂log P_jk/∂ψ)^⊗2,
n_jq = Σ_k r_jqk, and step halving. Shared slopes (1PL, Rasch) are solved jointly.

Standard errors: the observed information of the marginal likelihood, as central differences of
its analytic score (Fisher's identity: ∂ log L/∂ψ = E[∂ log L_complete/∂ψ | x]), like the
Hessian of R ltm.

The E-step's sums come from a source (:mod:`eduquality.measures.irt.estep`): all responses in
memory (the default), chunks summed locally, or a cluster's partitions summed (Spark); the
M-step and everything after it see only the summed statistics.

References: Bock & Aitkin (1981) Psychometrika 46, 443–459; Baker & Kim (2004) *Item Response
Theory: Parameter Estimation Techniques*, ch. 6–7; Chalmers (2012) JSS 48(6).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank, ItemGroup, quadrature
from eduquality.measures.irt.data import Responses
from eduquality.measures.irt.estep import (
    EStepSource,
    EStepStats,
    GroupLayout,
    InMemory,
    Layout,
)
from eduquality.measures.irt.messages import IRTConvergenceWarning, error
from eduquality.measures.irt.models import Graded, ItemModel, PartialCredit, ThreePL, TwoPL

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]

MODEL_CHOICES = ("rasch", "1pl", "2pl", "3pl", "grm", "gpcm", "pcm")


@dataclass
class _Group:
    """A group of items during estimation: its layout and the map to free parameters."""

    model: ItemModel
    k: int
    index: IntArray
    free: IntArray           # (J_g, p) position in the free-parameter vector, −1 = fixed
    fixed: Array             # (J_g, p) values of the fixed parameters


@dataclass(frozen=True)
class EMResult:
    bank: ItemBank
    groups_free: tuple[IntArray, ...]
    psi: Array
    cov: Array | None
    loglik: float
    n_iter: int
    converged: bool
    max_change: float


def item_models(model: str, n_cats: IntArray, guess_prior: tuple[float, float] = (5.0, 17.0)
                ) -> list[ItemModel]:
    """The item model of every item for a model name (binary vs multi-category items).

    rasch/1pl/pcm: 2PL-form for 0/1 items and partial credit for multi-category items (slopes
    fixed or shared); 2pl/grm: 2PL and graded; 3pl: 3PL and graded; gpcm: 2PL and GPCM.
    """
    if model not in MODEL_CHOICES:
        raise error("irt.unknown_model", model=model, choices=", ".join(MODEL_CHOICES))
    poly: ItemModel = PartialCredit() if model in ("rasch", "1pl", "pcm", "gpcm") else Graded()
    binary: ItemModel = ThreePL(*guess_prior) if model == "3pl" else TwoPL()
    return [binary if k == 2 else poly for k in n_cats]


class EMEstimator:
    """One EM run. ``slope``: "free" (per item), "common" (one shared slope) or "fixed" (1).

    ``source``: where the E-step's sums come from (default: ``responses.codes`` in memory,
    :class:`~eduquality.measures.irt.estep.InMemory`); with another source ``responses``
    gives only the items and their categories (its codes may be empty)."""

    def __init__(self, responses: Responses, models: list[ItemModel], slope: str = "free",
                 quadpts: int = 41, bound: float = 6.0, max_iter: int = 500, tol: float = 1e-4,
                 accelerate: bool = True, se_method: str = "auto",
                 source: EStepSource | None = None) -> None:
        self.resp = responses
        self.source: EStepSource = source if source is not None else InMemory(responses.codes)
        self.se_method = se_method
        self.se_method_used = ""
        self.accelerate = accelerate
        self.models = models
        self.slope = slope
        self.theta, self.logw = quadrature(quadpts, bound)
        self.logw = np.log(self.logw)
        self.max_iter = max_iter
        self.tol = tol
        self._build()

    # -- set-up ---------------------------------------------------------------------------
    def _build(self) -> None:
        n_cats = self.resp.n_cats
        keys: dict[tuple[str, int, ItemModel], list[int]] = {}
        for j, (mod, k) in enumerate(zip(self.models, n_cats, strict=True)):
            keys.setdefault((mod.name, int(k), mod), []).append(j)
        self.layout = Layout(tuple(GroupLayout(mod, k, np.array(idx, dtype=np.int64))
                                   for (_, k, mod), idx in keys.items()),
                             self.theta, self.logw)
        self.totals = self.source.totals(self.layout)
        self.groups: list[_Group] = []
        n_free = 1 if self.slope == "common" else 0
        for gi, gl in enumerate(self.layout.groups):
            idx, mod, k = gl.index, gl.model, gl.k
            p = mod.n_params(k)
            free = np.full((len(idx), p), -1, dtype=np.int64)
            cols = range(0 if self.slope == "free" else 1, p)
            for c in cols:
                free[:, c] = n_free + np.arange(len(idx))
                n_free += len(idx)
            if self.slope == "common":
                free[:, 0] = 0
            fixed = mod.start(self.totals.p_cum(gi), k)
            self.groups.append(_Group(mod, k, idx, free, fixed))
        self.n_free = n_free

    def start(self) -> Array:
        psi = np.zeros(self.n_free)
        for g in self.groups:
            ok = g.free >= 0
            psi[g.free[ok]] = g.fixed[ok]
        if self.slope == "common":
            psi[0] = 1.0
        return psi

    def unpack(self, psi: Array) -> list[Array]:
        out = []
        for g in self.groups:
            p = g.fixed.copy()
            ok = g.free >= 0
            p[ok] = psi[g.free[ok]]
            out.append(p)
        return out

    # -- E-step ---------------------------------------------------------------------------
    def estep(self, params: list[Array]) -> EStepStats:
        """The E-step's sufficient statistics (expected counts, log-likelihood) from the
        source."""
        return self.source.stats(self.layout, params)

    # -- M-step ---------------------------------------------------------------------------
    def _objective(self, g: _Group, p: Array, r: Array) -> Array:
        probs = g.model.probs(self.theta, p)
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.where(r > 0, r * np.log(np.where(probs > 0, probs, np.nan)), 0.0)
        obj = val.sum(axis=(1, 2)) + g.model.log_prior(p)[0]
        return np.asarray(np.where(np.isfinite(obj), obj, -np.inf))

    def _grad_info(self, g: _Group, p: Array, r: Array) -> tuple[Array, Array]:
        probs = g.model.probs(self.theta, p)
        d = g.model.dlogp(self.theta, p)                         # (J, Q, K, P)
        _, pg, ph = g.model.log_prior(p)
        grad = np.einsum("jqk,jqkp->jp", r, d) + pg
        n = r.sum(axis=2)
        info = np.einsum("jqk,jqkp,jqkr->jpr", n[:, :, None] * probs, d, d)
        info -= ph[:, :, None] * np.eye(p.shape[1])[None]
        return grad, info

    def mstep(self, params: list[Array], r: list[Array], inner: int = 3) -> list[Array]:
        params = [p.copy() for p in params]
        for _ in range(inner):
            if self.slope != "common":
                params = [self._newton_items(g, p, rg) for g, p, rg in
                          zip(self.groups, params, r, strict=True)]
            else:
                params = self._newton_joint(params, r)
        return params

    def _newton_items(self, g: _Group, p: Array, r: Array) -> Array:
        """One Fisher-scoring step per item, all items at once, with step halving."""
        grad, info = self._grad_info(g, p, r)
        fixed = g.free < 0
        grad[fixed] = 0.0
        info[fixed[:, :, None] | fixed[:, None, :]] = 0.0
        info += np.eye(p.shape[1])[None] * (1e-8 + fixed[:, :, None])
        step = np.linalg.solve(info, grad[..., None])[..., 0]
        big = np.abs(step).max(axis=1, keepdims=True)
        step *= np.minimum(1.0, 1.0 / np.maximum(big, 1e-12))
        old = self._objective(g, p, r)
        out = p.copy()
        todo = np.ones(len(p), dtype=bool)
        scale = 1.0
        for _ in range(12):
            trial = p[todo] + scale * step[todo]
            ok = self._objective(g, trial, r[todo]) >= old[todo] - 1e-9 * np.abs(old[todo])
            rows = np.flatnonzero(todo)
            out[rows[ok]] = trial[ok]
            todo[rows[ok]] = False
            if not todo.any():
                break
            scale *= 0.5
        return out

    def _newton_joint(self, params: list[Array], r: list[Array]) -> list[Array]:
        """Fisher scoring on the whole free vector (shared slope couples the items)."""
        psi = self.pack(params)
        gvec = np.zeros(self.n_free)
        hmat = np.zeros((self.n_free, self.n_free))
        for g, p, rg in zip(self.groups, params, r, strict=True):
            grad, info = self._grad_info(g, p, rg)
            ok = g.free >= 0
            np.add.at(gvec, g.free[ok], grad[ok])
            for a in range(p.shape[1]):
                for b in range(p.shape[1]):
                    both = ok[:, a] & ok[:, b]
                    np.add.at(hmat, (g.free[both, a], g.free[both, b]), info[both, a, b])
        step = np.linalg.solve(hmat + 1e-8 * np.eye(self.n_free), gvec)
        step *= min(1.0, 1.0 / max(np.abs(step).max(), 1e-12))

        def total(x: Array) -> float:
            return float(sum(self._objective(g, p, rg).sum() for g, p, rg in
                             zip(self.groups, self.unpack(x), r, strict=True)))

        old = total(psi)
        scale = 1.0
        for _ in range(12):
            trial = psi + scale * step
            if total(trial) >= old - 1e-9 * abs(old):
                return self.unpack(trial)
            scale *= 0.5
        return params

    def pack(self, params: list[Array]) -> Array:
        psi = np.zeros(self.n_free)
        for g, p in zip(self.groups, params, strict=True):
            ok = g.free >= 0
            psi[g.free[ok]] = p[ok]
        return psi

    # -- the loop -------------------------------------------------------------------------
    def em_map(self, psi: Array) -> tuple[Array, float]:
        params = self.unpack(psi)
        stats = self.estep(params)
        return self.pack(self.mstep(params, list(stats.counts))), stats.loglik

    def _iterate(self, psi: Array) -> tuple[Array, int, float, bool]:
        """EM cycles, accelerated by SQUAREM (Varadhan & Roland 2008, scheme S3) with a
        fall-back to the plain EM step whenever the extrapolation lowers the likelihood.
        Converged when one plain EM step moves no parameter by more than ``tol``."""
        it, change = 0, np.inf
        while it < self.max_iter:
            f1, ll0 = self.em_map(psi)
            it += 1
            change = float(np.abs(f1 - psi).max())
            if change < self.tol:
                return f1, it, change, True
            if not self.accelerate or it + 2 > self.max_iter:
                psi = f1
                continue
            f2, _ = self.em_map(f1)
            it += 1
            r, v = f1 - psi, f2 - 2 * f1 + psi
            nv = float(np.linalg.norm(v))
            if nv == 0.0:
                psi = f2
                continue
            alpha = min(-1.0, -float(np.linalg.norm(r)) / nv)
            trial = psi - 2 * alpha * r + alpha**2 * v
            f3, ll3 = self.em_map(trial)
            it += 1
            psi = f3 if np.isfinite(ll3) and ll3 >= ll0 and np.all(np.isfinite(f3)) else f2
        return psi, it, change, False

    def run(self, model_name: str = "", se: bool = True) -> EMResult:
        psi, it, change, converged = self._iterate(self.start())
        params = self.unpack(psi)
        loglik = self.estep(params).loglik
        if not converged:
            warnings.warn(IRTConvergenceWarning("irt.not_converged", model=model_name, n=it,
                                                change=change, tol=self.tol), stacklevel=3)
        cov = self.covariance(psi, self.se_method) if se else None
        groups = tuple(ItemGroup(g.model, g.k, g.index, p)
                       for g, p in zip(self.groups, params, strict=True))
        bank = ItemBank(self.resp.items, groups, categories=self.resp.categories)
        return EMResult(bank, tuple(g.free for g in self.groups), psi, cov, loglik, it,
                        converged, change)

    # -- standard errors ------------------------------------------------------------------
    def score(self, psi: Array, stats: EStepStats | None = None) -> Array:
        """∂ log L / ∂ψ by Fisher's identity (+ ∂ log prior); ``stats``: the E-step at ``psi``
        when already computed."""
        params = self.unpack(psi)
        counts = (stats if stats is not None else self.estep(params)).counts
        out = np.zeros(self.n_free)
        for g, p, rg in zip(self.groups, params, counts, strict=True):
            grad = np.einsum("jqk,jqkp->jp", rg, g.model.dlogp(self.theta, p))
            grad += g.model.log_prior(p)[1]
            ok = g.free >= 0
            np.add.at(out, g.free[ok], grad[ok])
        return out

    def covariance(self, psi: Array, method: str = "auto") -> Array | None:
        """Inverse information. ``observed``: forward differences of the analytic score (n_free
        E-steps; exact to ~1e-5, like R ltm's Hessian); ``xpd``: the cross-product of the
        patterns' scores (Σ_i f_i s_i s_iᵀ, one pass; asymptotically equal). ``auto`` takes
        ``observed`` when it costs under ~10⁹ multiply-adds, ``xpd`` otherwise. ``xpd`` needs
        the patterns in memory: with another source it is always ``observed`` (n_free
        E-steps, each a sum over the chunks)."""
        if not isinstance(self.source, InMemory):
            use_xpd = False
        else:
            n_patterns = len(self.source.chunk(self.layout).freq)
            cost = n_patterns * self.resp.shape[1] * len(self.theta) * self.n_free
            use_xpd = method == "xpd" or (method == "auto" and cost > 1e9)
        self.se_method_used = "xpd" if use_xpd else "observed"
        info = self._xpd(psi) if use_xpd else self._observed(psi)
        try:
            cov: Array = np.asarray(np.linalg.inv(info), dtype=float)
        except np.linalg.LinAlgError:
            return None
        if np.any(np.diag(cov) <= 0):
            return None
        return cov

    def _observed(self, psi: Array) -> Array:
        """n E-steps (each score is vectorised over patterns and items); a source that can
        (``stats_many``: a cluster) computes them all in one pass over the data."""
        n = self.n_free
        steps = [1e-6 * max(1.0, abs(psi[i])) for i in range(n)]
        points = [psi] + [psi + np.eye(n)[i] * steps[i] for i in range(n)]
        many = getattr(self.source, "stats_many", None)
        stats: list[EStepStats | None] = (
            list(many(self.layout, [self.unpack(x) for x in points])) if many is not None
            else [None] * len(points))
        hess = np.empty((n, n))
        base = self.score(psi, stats[0])
        for i in range(n):
            hess[:, i] = (self.score(points[i + 1], stats[i + 1]) - base) / steps[i]
        return np.asarray(-(hess + hess.T) / 2)

    def _xpd(self, psi: Array, chunk: int = 20_000) -> Array:
        assert isinstance(self.source, InMemory)
        data = self.source.chunk(self.layout)
        params = self.unpack(psi)
        w, _ = data.posterior(params)
        w = w / data.freq[:, None]                                # posterior per pattern
        info = np.zeros((self.n_free, self.n_free))
        for g, p in zip(self.groups, params, strict=True):
            _, _, ph = g.model.log_prior(p)
            ok = g.free >= 0
            np.add.at(info, (g.free[ok], g.free[ok]), -ph[ok])
        terms = [_AnsweredTerms(g.model.dlogp(self.theta, p), g.free)
                 for g, p in zip(self.groups, params, strict=True)]
        cols = np.concatenate([t.cols for t in terms])
        # every parameter the term of one item: the scores are the terms' columns reordered
        gather = (np.argsort(cols) if np.array_equal(np.sort(cols), np.arange(self.n_free))
                  else None)
        root_freq = np.sqrt(data.freq)
        for lo in range(0, len(data.freq), chunk):
            sl = slice(lo, lo + chunk)
            parts = [t.values(w[sl], data.patterns[sl][:, g.index])
                     for g, t in zip(self.groups, terms, strict=True)]
            if gather is not None:
                grad = np.take(parts[0] if len(parts) == 1 else np.hstack(parts), gather,
                               axis=1)
            else:                            # a shared slope: its items' terms summed
                grad = np.zeros((len(data.freq[sl]), self.n_free))
                for t, v in zip(terms, parts, strict=True):
                    np.add.at(grad.T, t.cols, v.T)
            grad *= root_freq[sl, None]
            info += grad.T @ grad            # Σ f_i s_i s_iᵀ (a symmetric product: half the work)
        return info


class _AnsweredTerms:
    """One item group's part of the patterns' scores s_i = Σ_q W_iq ∂ log P(x_i | θ_q) / ∂ψ
    (the cross-product information, :meth:`EMEstimator._xpd`): for pattern i and item j the
    posterior mean of ∂ log P_j(x_ij | θ) / ∂p over the category x_ij answered, 0 when the item
    was not answered. ``derivs``: ∂ log P_jk(θ_q) / ∂p, (J, Q, K, P); ``free``: the free
    parameter's column of each (J, P), −1 when fixed. The terms are laid out parameter by
    parameter (P, J), so that the per-item operations run along the items."""

    def __init__(self, derivs: Array, free: NDArray[np.int64]) -> None:
        j, q, k, npar = derivs.shape
        self.shape = (npar, j, k)
        by_node = derivs.transpose(1, 3, 0, 2)                        # (Q, P, J, K)
        if k == 2:   # 0/1: the term of 0, plus the difference where 1 was answered
            self.base = by_node[..., 0].reshape(q, -1)
            self.step = (by_node[..., 1] - by_node[..., 0]).reshape(q, -1)
        else:
            self.all = by_node.reshape(q, -1)
        ok = (free >= 0).T                                            # (P, J)
        self.ok = None if ok.all() else ok
        self.cols = free.T[ok]

    def values(self, w: Array, codes: NDArray[np.int16]) -> Array:
        """The group's terms of the patterns (posterior weights ``w``, (U, Q); category codes
        ``codes``, (U, J), −1 = not answered): (U, free parameters), columns :attr:`cols`."""
        npar, j, k = self.shape
        if k == 2:
            per_item = (w @ self.base).reshape(-1, npar, j)
            step = (w @ self.step).reshape(-1, npar, j)
            step *= (codes == 1).astype(np.float64)[:, None, :]
            per_item += step
        else:
            t = (w @ self.all).reshape(-1, npar, j, k)
            at = np.maximum(codes, 0).astype(np.intp)[:, None, :, None]
            per_item = np.take_along_axis(t, at, axis=3)[..., 0]
        missing = codes < 0
        if missing.any():
            per_item *= (~missing)[:, None, :]
        return per_item.reshape(len(w), -1) if self.ok is None else per_item[:, self.ok]
