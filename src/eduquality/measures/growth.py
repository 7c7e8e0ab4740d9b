"""Student growth percentiles (SGP), growth targets and progress (进退步) between exams.

SGP (Betebenner 2009; GLOSSARY "Growth and value-added"): for each of the 100 quantiles
τ = (1..100 − 0.5)/100 a linear quantile regression (Koenker & Bassett 1978)

    Q_τ(y | x) = β₀(τ) + Σ_k B(x_k)'β_k(τ)

of the current score y on cubic B-spline bases B of each prior score x_k (R ``splines::bs``:
interior knots at the 0.2/0.4/0.6/0.8 quantiles of the prior, boundary knots at its range widened
by 10 % on each side, no intercept column). Each student's 100 predictions are sorted
(rearrangement, Chernozhukov et al. 2010, fixes crossing quantiles); the SGP is the number of
predictions strictly below the observed score, clipped to 1..99.

The quantile regressions are solved by the Frisch–Newton primal–dual interior-point method
(Portnoy & Koenker 1997; R ``quantreg::rq(method = "fn")``) with Portnoy–Koenker preprocessing
(``method = "pfn"``): observations whose residual sign is already settled are merged into two
"globs", the 100 fits warm-start from the neighbouring τ, and each interior-point solution is
moved to the exact LP vertex it approximates (the p observations it interpolates), as the simplex
(``method = "br"``) would give. With tied scores the LP optimum may not be unique, so SGPs can
differ by ±1 from another solver for a few students.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import linalg
from scipy.linalg import lapack

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.measures.crossprod import crossprod

__all__ = [
    "TAUS",
    "GrowthInputError",
    "SGPModel",
    "SplineSpec",
    "bspline_basis",
    "growth_targets",
    "progress",
    "rq_fit",
    "student_growth_percentiles",
]

MESSAGES = register({
    "growth.too_few": (
        "SGP 模型（先前成绩 {priors}）只有 {n} 名学生，少于最低要求 {min_n}",
        "SGP model (priors {priors}) has only {n} students, fewer than the minimum {min_n}",
    ),
    "growth.shape": (
        "{what} 的长度 {got} 与学生数 {n} 不一致",
        "{what} has length {got}, but there are {n} students",
    ),
    "growth.constant_prior": (
        "先前成绩 {name} 没有变化（全部相同），无法建立样条基",
        "prior score {name} does not vary (all equal): no spline basis can be built",
    ),
    "growth.reliability": (
        "信度必须在 0 与 1 之间，收到 {value}",
        "reliability must lie between 0 and 1, got {value}",
    ),
    "growth.status.progress": ("进步", "progress"),
    "growth.status.stable": ("稳定", "stable"),
    "growth.status.regress": ("退步", "regress"),
})

TAUS: NDArray[np.float64] = (np.arange(1, 101) - 0.5) / 100
"""The 100 quantiles τ = (1..100 − 0.5)/100 of the SGP definition."""

KNOT_PROBS: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
BOUNDARY_WIDEN = 0.10


class GrowthInputError(KeyedError):
    """Input to a growth computation is unusable (says which input and why).
    Message in Chinese; ``text(lang)`` gives it in another language."""



# --------------------------------------------------------------------------------------------
# B-spline basis (R splines::bs)


@dataclass(frozen=True)
class SplineSpec:
    """Cubic B-spline basis of one prior: interior ``knots`` and ``boundary`` knots."""

    knots: tuple[float, ...]
    boundary: tuple[float, float]

    @classmethod
    def from_prior(cls, x: ArrayLike, name: str = "prior") -> SplineSpec:
        """Knots at the 0.2/0.4/0.6/0.8 quantiles of ``x`` (R type 7) and boundary knots at
        its range widened by 10 % on each side.

        >>> SplineSpec.from_prior([0, 10, 20, 30, 40, 50])
        SplineSpec(knots=(10.0, 20.0, 30.0, 40.0), boundary=(-5.0, 55.0))
        """
        arr = np.asarray(x, dtype=float)
        arr = arr[~np.isnan(arr)]
        lo, hi = float(arr.min()), float(arr.max())
        if hi <= lo:
            raise GrowthInputError("growth.constant_prior", name=name)
        knots = tuple(float(k) for k in np.quantile(arr, KNOT_PROBS))
        pad = BOUNDARY_WIDEN * (hi - lo)
        return cls(knots, (lo - pad, hi + pad))

    @property
    def n_basis(self) -> int:
        return len(self.knots) + 3

    def basis(self, x: ArrayLike) -> NDArray[np.float64]:
        """The basis at ``x``; values outside the boundary knots are clamped to them."""
        return bspline_basis(x, self.knots, self.boundary)


def bspline_basis(
    x: ArrayLike, knots: Sequence[float], boundary: tuple[float, float]
) -> NDArray[np.float64]:
    """Cubic B-spline basis without intercept column, as R ``splines::bs(x, knots = knots,
    Boundary.knots = boundary)`` (de Boor 1978); x is clamped to the boundary knots.

    In R: ``bs(c(0.5, 0.25), knots = 0.5, Boundary.knots = c(0, 1))`` → rows
    0.25 0.5 0.25 0 and 0.59375 0.25 0.03125 0:

    >>> bspline_basis([0.5, 0.25], [0.5], (0.0, 1.0)).round(6).tolist()
    [[0.25, 0.5, 0.25, 0.0], [0.59375, 0.25, 0.03125, 0.0]]
    """
    lo, hi = boundary
    t = np.r_[[lo] * 4, np.sort(np.asarray(knots, dtype=float)), [hi] * 4]
    xv = np.clip(np.asarray(x, dtype=float).ravel(), lo, hi)
    return _cubic_bsplines(xv, t)[:, 1:]


def _cubic_bsplines(x: NDArray[np.float64], t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Every cubic B-spline on the clamped knots ``t`` at ``x`` (lo ≤ x ≤ hi), (n, len(t) − 4):
    on the knot interval t_l ≤ x < t_{l+1} (the last one closed) the four non-zero B_{l−3..l}
    by the Cox–de Boor recursion (de Boor 1978, ch. X), in the order of operations of
    ``scipy.interpolate.BSpline.design_matrix`` (its ``_deBoor_D``: the same numbers), in
    numpy: scipy.interpolate's import was 1–4 s of ``growth sgp``.

    >>> t = np.r_[[0.0] * 4, [1.0] * 4]   # no inner knot: the Bernstein cubics
    >>> _cubic_bsplines(np.array([0.5, 1.0]), t).tolist()
    [[0.125, 0.375, 0.375, 0.125], [0.0, 0.0, 0.0, 1.0]]
    """
    n_basis = len(t) - 4
    ell = np.clip(np.searchsorted(t, x, side="right") - 1, 3, n_basis - 1)
    h = [np.ones_like(x), *(np.zeros_like(x) for _ in range(3))]
    for j in range(1, 4):
        hh = [v.copy() for v in h[:j]]
        h[0] = np.zeros_like(x)
        for n in range(1, j + 1):
            xb, xa = t[ell + n], t[ell + n - j]
            with np.errstate(divide="ignore", invalid="ignore"):
                w = np.where(xb == xa, 0.0, hh[n - 1] / (xb - xa))
            h[n - 1] = h[n - 1] + w * (xb - x)
            h[n] = w * (x - xa)
    out = np.zeros((len(x), n_basis))
    rows = np.arange(len(x))
    for r in range(4):
        out[rows, ell - 3 + r] = h[r]
    return out


# --------------------------------------------------------------------------------------------
# Quantile regression: Frisch–Newton interior point with preprocessing


def _step(v: NDArray[np.float64], dv: NDArray[np.float64]) -> float:
    """Largest step t with v + t·dv ≥ 0 (1e20 when dv ≥ 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(dv < 0, -v / dv, 1e20)
    return float(ratio.min()) if ratio.size else 1e20


def _cho_factor(a: NDArray[np.float64]) -> NDArray[np.float64]:
    """The upper Cholesky factor of ``a`` by LAPACK ``dpotrf`` (what
    ``scipy.linalg.cho_factor(a)`` calls, without its checks: thousands of calls per SGP fit,
    the checks cost more than the 15 × 15 factorisation); raises LinAlgError when ``a`` is
    not positive definite."""
    c, info = lapack.dpotrf(a, lower=0, clean=0)
    if info != 0:
        raise linalg.LinAlgError(f"dpotrf info {info}")
    return np.asarray(c)


def _cho_solve(c: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """x with (c'c) x = b by LAPACK ``dpotrs`` (``scipy.linalg.cho_solve`` without checks)."""
    x, info = lapack.dpotrs(c, b, lower=0)
    if info != 0:
        raise ValueError(f"dpotrs info {info}")
    return np.asarray(x)


def _fnm(
    X: NDArray[np.float64], y: NDArray[np.float64], tau: float, max_iter: int = 100
) -> NDArray[np.float64]:
    """Frisch–Newton primal–dual interior point (Koenker's ``lp_fnm``; quantreg ``rq.fit.fnb``)
    for min Σ ρ_τ(y − Xβ) as the LP  max y'd s.t. X'd = (1−τ)X'1, 0 ≤ d ≤ 1 (d = a + τ − 1)."""
    n = X.shape[0]
    beta_step = 0.99995
    c = -y
    x = np.full(n, 1.0 - tau)
    b = X.T @ x
    s = 1.0 - x
    try:
        yd = _cho_solve(_cho_factor(crossprod(X, X)), X.T @ c)
    except linalg.LinAlgError:
        yd = np.asarray(np.linalg.lstsq(X, c, rcond=None)[0], dtype=np.float64)
    r = c - X @ yd
    r = r + 0.001 * (r == 0)
    z = np.where(r > 0, r, 0.0)
    w = z - r
    tol = 1e-11 * (1.0 + float(np.abs(y).sum()))
    gap = float(c @ x - yd @ b + w.sum())
    it = 0
    with np.errstate(all="ignore"):
        while gap > tol and it < max_iter:
            it += 1
            q = 1.0 / (z / x + w / s)
            r = z - w
            try:
                chol = _cho_factor(crossprod(X, X, q))
            except linalg.LinAlgError:
                break
            rhs = q * r
            dy = _cho_solve(chol, X.T @ rhs)
            dx = q * (X @ dy - r)
            ds = -dx
            dz = -z * (dx / x + 1.0)
            dw = -w * (ds / s + 1.0)
            fp = min(beta_step * min(_step(x, dx), _step(s, ds)), 1.0)
            fd = min(beta_step * min(_step(w, dw), _step(z, dz)), 1.0)
            if min(fp, fd) < 1.0:
                mu = float(z @ x + w @ s)
                g = float((z + fd * dz) @ (x + fp * dx) + (w + fd * dw) @ (s + fp * ds))
                mu = mu * (g / mu) ** 3 / (2 * n)
                dxdz = dx * dz
                dsdw = ds * dw
                xinv = 1.0 / x
                sinv = 1.0 / s
                xi = mu * (xinv - sinv)
                rhs = rhs + q * (dxdz - dsdw - xi)
                dy = _cho_solve(chol, X.T @ rhs)
                dx = q * (X @ dy + xi - r - dxdz + dsdw)
                ds = -dx
                dz = mu * xinv - z - xinv * z * dx - dxdz
                dw = mu * sinv - w - sinv * w * ds - dsdw
                fp = min(beta_step * min(_step(x, dx), _step(s, ds)), 1.0)
                fd = min(beta_step * min(_step(w, dw), _step(z, dz)), 1.0)
            if not np.isfinite(fp + fd + dy.sum() + dx.sum() + dz.sum() + dw.sum()):
                break  # numerically at the vertex: keep the last finite iterate
            x = x + fp * dx
            s = s + fp * ds
            yd = yd + fd * dy
            w = w + fd * dw
            z = z + fd * dz
            gap = float(c @ x - yd @ b + w.sum())
    return -yd


def _check_loss(r: NDArray[np.float64], tau: float) -> float:
    return float(np.sum(r * (tau - (r < 0))))


def _to_vertex(
    X: NDArray[np.float64], y: NDArray[np.float64], tau: float, beta: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Move an interior-point solution to the LP vertex through the p observations it nearly
    interpolates, when that vertex is at least as good (it then is the exact optimum)."""
    p = X.shape[1]
    r = y - X @ beta
    h = np.argpartition(np.abs(r), p)[:p]
    try:
        vb = np.linalg.solve(X[h], y[h])
    except np.linalg.LinAlgError:
        return beta
    if not np.all(np.isfinite(vb)):
        return beta
    obj_ip = _check_loss(r, tau)
    obj_v = _check_loss(y - X @ vb, tau)
    better = obj_v <= obj_ip + 1e-12 * (1.0 + abs(obj_ip))
    return np.asarray(vb if better else beta, dtype=np.float64)


@dataclass
class _Pre:
    """Portnoy–Koenker preprocessing state shared by the fits of one design."""

    band: NDArray[np.float64]
    m: int
    warm_factor: float = 0.5
    fixups: int = 0
    restarts: int = 0
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(20240611))


def _rq_one(
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    tau: float,
    pre: _Pre | None,
    start: NDArray[np.float64] | None,
) -> NDArray[np.float64]:
    n = X.shape[0]
    if pre is None or pre.m >= n:
        return _to_vertex(X, y, tau, _fnm(X, y, tau))
    m = pre.m if start is None else max(int(pre.m * pre.warm_factor), 10 * X.shape[1])
    for _ in range(6):
        if start is None:
            s = pre.rng.choice(n, size=min(m, n), replace=False)
            start = _fnm(X[s], y[s], tau)
        r = y - X @ start
        big_m = 0.8 * m
        lo_q = max(1.0 / n, tau - big_m / (2 * n))
        hi_q = min(tau + big_m / (2 * n), (n - 1.0) / n)
        u = r / pre.band
        k_lo, k_hi = np.quantile(u, [lo_q, hi_q])
        sl = u < k_lo
        su = u > k_hi
        for _fix in range(4):
            keep = ~(sl | su)
            xx = [X[keep]]
            yy = [y[keep]]
            for glob in (sl, su):
                if glob.any():
                    g = glob.astype(np.float64)
                    xx.append((g @ X)[None, :])
                    yy.append(np.array([g @ y]))
            xr, yr = np.vstack(xx), np.concatenate(yy)
            beta = _to_vertex(xr, yr, tau, _fnm(xr, yr, tau))
            r = y - X @ beta
            bad_u = su & (r < 0)
            bad_l = sl & (r > 0)
            nbad = int(bad_u.sum() + bad_l.sum())
            if nbad == 0:
                return beta
            if nbad > 0.1 * big_m:
                break
            pre.fixups += 1
            su &= ~bad_u
            sl &= ~bad_l
        pre.restarts += 1
        m = min(2 * m, n)
        start = None
        if m >= n:
            break
    return _to_vertex(X, y, tau, _fnm(X, y, tau))


def rq_fit(
    X: ArrayLike, y: ArrayLike, taus: ArrayLike = TAUS, preprocess_above: int = 5000
) -> NDArray[np.float64]:
    """Linear quantile regression coefficients, one column per τ: argmin_β Σ ρ_τ(yᵢ − xᵢ'β)
    with ρ_τ(u) = u(τ − 1[u < 0]) (Koenker & Bassett 1978). ``X`` must contain the intercept.

    Frisch–Newton interior point (quantreg ``rq.fit.fnb``) moved to the exact vertex; above
    ``preprocess_above`` observations with Portnoy–Koenker preprocessing (``rq.fit.pfn``),
    each τ warm-started from the previous one.

    The median of 1, 2, 3, 4, 10 (quantreg: ``rq(y ~ 1)`` → 3):

    >>> rq_fit(np.ones((5, 1)), [1, 2, 3, 4, 10], [0.5]).ravel().round(6).tolist()
    [3.0]
    """
    Xa = np.ascontiguousarray(np.asarray(X, dtype=float))
    ya = np.asarray(y, dtype=float).ravel()
    tv = np.atleast_1d(np.asarray(taus, dtype=float))
    n, p = Xa.shape
    if ya.shape[0] != n:
        raise GrowthInputError("growth.shape", what="y", got=ya.shape[0], n=n)
    pre: _Pre | None = None
    if n > preprocess_above:
        m = int(np.round(np.sqrt(p) * n ** (2 / 3)))
        rfac = linalg.cholesky(Xa.T @ Xa * (m / n), lower=False)
        band = np.sqrt(np.sum(linalg.solve_triangular(rfac, Xa.T, trans="T") ** 2, axis=0))
        pre = _Pre(np.maximum(band, 1e-12), m)
    out = np.empty((p, tv.size))
    order = np.argsort(tv)
    start: NDArray[np.float64] | None = None
    for j in order:
        start = _rq_one(Xa, ya, float(tv[j]), pre, start)
        out[:, j] = start
    return out


# --------------------------------------------------------------------------------------------
# SGP model


class SGPModel:
    """Quantile-regression growth model for one set of priors (scikit-learn style).

    ``fit(current, priors)`` learns ``specs_`` (one :class:`SplineSpec` per prior) and
    ``coef_`` (p × 100, p = 1 + 7 × number of priors); ``percentiles`` gives SGPs.
    """

    def __init__(self, taus: ArrayLike = TAUS) -> None:
        self.taus = np.asarray(taus, dtype=float)

    def design(self, priors: ArrayLike) -> NDArray[np.float64]:
        """[1, B(prior₁), B(prior₂), …] for the rows of ``priors`` (n × k)."""
        pr = np.asarray(priors, dtype=float)
        pr = pr.reshape(pr.shape[0], -1)
        cols = [np.ones((pr.shape[0], 1))]
        cols += [spec.basis(pr[:, k]) for k, spec in enumerate(self.specs_)]
        return np.hstack(cols)

    def fit(self, current: ArrayLike, priors: ArrayLike) -> SGPModel:
        y = np.asarray(current, dtype=float).ravel()
        pr = np.asarray(priors, dtype=float).reshape(y.shape[0], -1)
        self.specs_ = [SplineSpec.from_prior(pr[:, k], f"#{k + 1}") for k in range(pr.shape[1])]
        self.coef_ = rq_fit(self.design(pr), y, self.taus)
        self.n_ = y.shape[0]
        return self

    def predict_quantiles(self, priors: ArrayLike) -> NDArray[np.float64]:
        """Each row's predicted quantiles, sorted ascending (rearranged; n × len(taus))."""
        return np.sort(self.design(priors) @ self.coef_, axis=1)

    def percentiles(self, current: ArrayLike, priors: ArrayLike) -> NDArray[np.int64]:
        """SGP = #{sorted predictions < observed score}, clipped to 1..99. "Below" means below
        by more than 1e-9·(1 + |score|), so a prediction that interpolates the student's own
        score (an LP vertex) is not counted below it by rounding noise."""
        y = np.asarray(current, dtype=float).ravel()
        q = self.predict_quantiles(priors)
        tol = 1e-9 * (1.0 + np.abs(y))
        below = np.sum(q < (y - tol)[:, None], axis=1)
        return np.clip(below, 1, 99).astype(np.int64)


def student_growth_percentiles(
    current: ArrayLike, priors: ArrayLike, min_n: int = 200, taus: ArrayLike = TAUS
) -> pd.DataFrame:
    """SGP for every student, using the most priors each student has.

    ``priors`` is n × k, most recent prior first; NaN = missing. For each set S of priors a
    model is fitted on all students having the current score and every prior in S; a student
    gets the model of the largest S among her available priors (ties: the more recent priors),
    among the models with at least ``min_n`` students. Returns a frame (index as the input rows)
    with ``sgp`` (nullable integer; missing when the student has no current score or no prior)
    and ``priors_used`` (number of priors in the model used; 0 when no SGP).
    """
    y = np.asarray(current, dtype=float).ravel()
    n = y.shape[0]
    pr = np.asarray(priors, dtype=float)
    pr = pr.reshape(pr.shape[0], -1) if pr.ndim > 1 else pr.reshape(-1, 1)
    if pr.shape[0] != n:
        raise GrowthInputError("growth.shape", what="priors", got=pr.shape[0], n=n)
    k = pr.shape[1]
    avail = ~np.isnan(pr) & ~np.isnan(y)[:, None]
    sgp = np.full(n, -1, dtype=np.int64)
    used = np.zeros(n, dtype=np.int64)
    todo = avail.any(axis=1)
    subsets = [
        c for size in range(k, 0, -1) for c in itertools.combinations(range(k), size)
    ]
    for subset in subsets:
        cols = list(subset)
        has = avail[:, cols].all(axis=1)
        target = todo & has
        if not target.any() or has.sum() < min_n:
            continue
        model = SGPModel(taus).fit(y[has], pr[np.ix_(has, cols)])
        sgp[target] = model.percentiles(y[target], pr[np.ix_(target, cols)])
        used[target] = len(cols)
        todo &= ~target
    out = pd.DataFrame({"sgp": pd.array(np.where(sgp > 0, sgp, 0), dtype="Int64"),
                        "priors_used": used})
    out.loc[sgp < 0, "sgp"] = pd.NA
    return out


# --------------------------------------------------------------------------------------------
# Growth targets


def _trajectory_step(
    model: SGPModel, hist: NDArray[np.float64], chunk: int = 500
) -> NDArray[np.float64]:
    """hist: n × 100 × k scores (most recent first) along each percentile trajectory j;
    returns the j-th sorted prediction at trajectory j's own history (n × 100)."""
    n, J, k = hist.shape
    out = np.empty((n, J))
    diag = np.arange(J)
    for a in range(0, n, chunk):
        h = hist[a:a + chunk].reshape(-1, k)
        q = model.predict_quantiles(h).reshape(-1, J, model.coef_.shape[1])
        out[a:a + chunk] = q[:, diag, diag]
    return out


def growth_targets(
    models: Sequence[SGPModel], current: ArrayLike, priors: ArrayLike, line: float,
    years: int = 3,
) -> pd.DataFrame:
    """The SGP a student needs each year to reach ``line`` in 1..``years`` years.

    Percentile trajectories (the SGP package's projections, Betebenner 2009): trajectory j
    (j = 1..100) starts from the student's scores and moves each year to the j-th sorted
    predicted quantile of the next year's score given the scores so far; year h uses
    ``models[h-1]`` (fitted on an earlier cohort that made that step; the last model is reused
    for later years when fewer are given — assumes the step is alike from year to year). Each
    model uses as many of the most recent scores as it has priors. The target for horizon h is
    the smallest j ≤ 99 whose trajectory is at or above the line in year h: growing at an SGP of
    at least j every year keeps the student on or above trajectory j. Missing (<NA>) when even
    j = 99 stays below the line.
    """
    y = np.asarray(current, dtype=float).ravel()
    pr = np.asarray(priors, dtype=float).reshape(y.shape[0], -1)
    n = y.shape[0]
    J = len(models[0].taus)
    # history along every trajectory, most recent first: n × J × (1 + k)
    hist = np.repeat(np.c_[y, pr][:, None, :], J, axis=1)
    out: dict[str, pd.arrays.IntegerArray] = {}
    for h in range(years):
        model = models[min(h, len(models) - 1)]
        kk = len(model.specs_)
        nxt = _trajectory_step(model, hist[:, :, :kk])
        hist = np.concatenate([nxt[:, :, None], hist], axis=2)
        reach = nxt[:, :99] >= line
        first = np.where(reach.any(axis=1), reach.argmax(axis=1) + 1, 0)
        col = pd.array(first, dtype="Int64")
        col[first == 0] = pd.NA
        out[f"target_{h + 1}y"] = col
    return pd.DataFrame(out, index=pd.RangeIndex(n))


# --------------------------------------------------------------------------------------------
# Progress between two exams (进退步)


def _exam_scales(x: NDArray[np.float64], rel: float) -> dict[str, NDArray[np.float64]]:
    ok = ~np.isnan(x)
    v = np.sort(x[ok])
    nv = v.size
    mean = v.mean()
    sd = v.std(ddof=1)
    sem = sd * np.sqrt(1.0 - rel)

    def below(t: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.searchsorted(v, t, side="left").astype(float)

    def above(t: NDArray[np.float64]) -> NDArray[np.float64]:
        return nv - np.searchsorted(v, t, side="right").astype(float)

    def pr(t: NDArray[np.float64]) -> NDArray[np.float64]:
        return 100.0 * (below(t) + 0.5 * (nv - below(t) - above(t))) / nv

    rank = 1.0 + above(x)
    return {
        "rank": np.where(ok, rank, np.nan),
        "pr": np.where(ok, pr(x), np.nan),
        "t": 50.0 + 10.0 * (x - mean) / sd,
        "se_rank": (1.0 + above(x - sem) - (1.0 + above(x + sem))) / 2.0,
        "se_pr": (pr(x + sem) - pr(x - sem)) / 2.0,
        "se_t": np.full(x.shape, 10.0 * np.sqrt(1.0 - rel)),
    }


def progress(
    score1: ArrayLike, score2: ArrayLike, reliability1: float, reliability2: float,
    z: float = 1.96,
) -> pd.DataFrame:
    """进退步 of each student between exam 1 and exam 2 in rank, PR and T, with a status that
    counts a change only when it exceeds its measurement error (reliable change, Jacobson &
    Truax 1991): |Δ| > z · SE(Δ), SE(Δ) = √(SE₁² + SE₂²).

    Per exam (its own takers): rank = 1 + #higher (并列 share the best rank), PR = 100 ×
    (#below + ½ #tied)/n, T = 50 + 10 (x − mean)/SD (SD with n − 1). Measurement error from the
    SEM = SD √(1 − reliability): SE(T) = 10 √(1 − reliability); for rank and PR the change of the
    scale over x ± SEM, halved (a finite-difference delta method on the exam's own distribution).
    Δrank = rank₁ − rank₂ and ΔPR, ΔT = exam 2 − exam 1, so positive = moved up. Status codes
    'progress' / 'stable' / 'regress' (labels via ``tr("growth.status.<code>")``); missing
    when a score is missing.
    """
    x1 = np.asarray(score1, dtype=float).ravel()
    x2 = np.asarray(score2, dtype=float).ravel()
    if x1.shape != x2.shape:
        raise GrowthInputError("growth.shape", what="score2", got=x2.size, n=x1.size)
    for rel in (reliability1, reliability2):
        if not 0.0 <= rel < 1.0:
            raise GrowthInputError("growth.reliability", value=rel)
    e1 = _exam_scales(x1, reliability1)
    e2 = _exam_scales(x2, reliability2)
    out: dict[str, NDArray | pd.Series] = {}
    both = ~np.isnan(x1) & ~np.isnan(x2)
    for scale, sign in (("rank", -1.0), ("pr", 1.0), ("t", 1.0)):
        d = sign * (e2[scale] - e1[scale])
        se = np.sqrt(e1[f"se_{scale}"] ** 2 + e2[f"se_{scale}"] ** 2)
        status = np.where(d > z * se, "progress", np.where(d < -z * se, "regress", "stable"))
        out[f"{scale}_1"] = e1[scale]
        out[f"{scale}_2"] = e2[scale]
        out[f"delta_{scale}"] = d
        out[f"se_delta_{scale}"] = np.where(both, se, np.nan)
        out[f"status_{scale}"] = pd.Series(status, dtype="object").where(both)
    return pd.DataFrame(out)
