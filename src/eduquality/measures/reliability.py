"""Reliability of a test: Cronbach's α (KR-20 for 0/1 items), α if item deleted, SEM.

GLOSSARY "信度": Cronbach α (KR-20 for 0/1 items), α if item deleted; SEM = SD_total √(1 − α).

Formulas (Cronbach 1951; Lord & Novick 1968, ch. 3) on the item covariance matrix C of k items::

    α = k / (k − 1) · (1 − tr C / ΣC)
    α if item i deleted = α of C without row and column i
    r.drop_i (item–rest r) = (Σ_j C_ij − C_ii) / √(C_ii · ΣC₋ᵢ)
    SEM = SD_total · √(1 − α)

All variances are sample variances (n − 1). With the same divisor for items and total, α on 0/1
items *is* KR-20 (Kuder & Richardson 1937), k/(k − 1)(1 − Σpq/σ²_X).

Missing responses (NaN) are handled in one of two stated ways:

* ``"pairwise"`` (default) — exactly what R ``psych::alpha(x, use = "pairwise",
  cumulative = TRUE)`` does (Revelle, psych 2.x): C is the pairwise-complete covariance matrix
  (``cov(x, use = "pairwise")``), α, α-if-deleted, std.r, r.cor and r.drop are computed from C;
  the total is the row sum of the answered items and raw.r = cor(total, item) over the persons
  who answered the item. Persons who answered no item are dropped.
* ``"listwise"`` — persons with any missing item are dropped first; everything is computed on the
  complete rows (psych gives the same numbers on ``na.omit(x)``).

Without missing values both give the same result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:  # pandas loads when a frame is asked for (``eduquality items`` needs none)
    import pandas as pd

from eduquality.measures.crossprod import crossprod

__all__ = [
    "Missing",
    "Reliability",
    "as_item_frame",
    "correlation_from_sums",
    "covariance_from_sums",
    "covariance_matrix",
    "cronbach_alpha",
    "item_total_correlation",
    "kr20",
    "reliability",
    "reliability_from_cov",
    "sem",
]

Missing = Literal["pairwise", "listwise"]
FloatArray = NDArray[np.float64]


def as_item_frame(scores: ArrayLike | pd.DataFrame) -> pd.DataFrame:
    """Persons × items as a float frame (item names ``V1 …`` when ``scores`` has none)."""
    import pandas as pd

    if isinstance(scores, pd.DataFrame):
        return scores.astype(float)
    arr = np.asarray(scores, dtype=float)
    if arr.ndim != 2:
        raise ValueError("scores must be a 2-D persons × items array")
    return pd.DataFrame(arr, columns=[f"V{j + 1}" for j in range(arr.shape[1])])


def _prepare(scores: ArrayLike | pd.DataFrame, missing: Missing) -> pd.DataFrame:
    frame = as_item_frame(scores)
    if missing not in ("pairwise", "listwise"):
        raise ValueError(f"missing must be 'pairwise' or 'listwise', not {missing!r}")
    if missing == "listwise":
        return frame.dropna(how="any")
    return frame.dropna(how="all")


def covariance_matrix(scores: ArrayLike | pd.DataFrame, missing: Missing = "pairwise") -> FloatArray:
    """Sample covariance matrix (n − 1) of the items; NaN handled pairwise or listwise.

    Pairwise: for items j, k the means and the sum of cross-products use the persons who
    answered both, as R ``cov(x, use = "pairwise.complete.obs")`` does. Vectorised with the
    0/1 mask M and the zero-filled X₀: n = MᵀM, S = X₀ᵀM, cov = (X₀ᵀX₀ − S ∘ Sᵀ / n) / (n − 1).

    >>> covariance_matrix([[1, 2], [2, 4], [3, 7]]).round(4).tolist()
    [[1.0, 2.5], [2.5, 6.3333]]
    """
    x = _prepare(scores, missing).to_numpy(dtype=float)
    mask = ~np.isnan(x)
    m = mask.astype(float)
    x0 = np.where(mask, x, 0.0)
    # s[j, k] = Σ x_j over persons answering j and k
    return covariance_from_sums(crossprod(m, m), crossprod(x0, m), crossprod(x0, x0))


def covariance_from_sums(n: FloatArray, s: FloatArray, cross: FloatArray) -> FloatArray:
    """The pairwise sample covariance matrix from its sums over persons (the form an engine
    aggregates, e.g. Spark for a province): ``n[j, k]`` persons answering j and k, ``s[j, k]`` =
    Σ x_j over them, ``cross[j, k]`` = Σ x_j x_k; cov = (cross − s ∘ sᵀ / n) / (n − 1), NaN
    where n < 2. The diagonal is each item's variance (n − 1).

    >>> covariance_from_sums(np.full((1, 1), 3.0), np.full((1, 1), 6.0),
    ...                      np.full((1, 1), 14.0)).tolist()
    [[1.0]]
    """
    n, s, cross = (np.asarray(a, dtype=float) for a in (n, s, cross))
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (cross - s * s.T / n) / (n - 1)
    cov[n < 2] = np.nan
    return np.asarray(cov, dtype=float)


def correlation_from_sums(n: FloatArray, sx: FloatArray, sy: FloatArray, sxx: FloatArray,
                          syy: FloatArray, sxy: FloatArray) -> FloatArray:
    """Pearson r from the sums over the n pairs: (Σxy − ΣxΣy/n) / √((Σx² − (Σx)²/n)(Σy² −
    (Σy)²/n)), element-wise (exact sums of whole or half marks keep it exact to rounding).

    >>> float(correlation_from_sums(3, 6, 6, 14, 14, 14))
    1.0
    """
    n, sx, sy, sxx, syy, sxy = (np.asarray(a, dtype=float) for a in (n, sx, sy, sxx, syy, sxy))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((sxy - sx * sy / n)
                          / np.sqrt((sxx - sx * sx / n) * (syy - sy * sy / n)), dtype=float)


def _alpha_from_cov(cov: FloatArray) -> float:
    k = cov.shape[0]
    if k < 2:
        return float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


def cronbach_alpha(scores: ArrayLike | pd.DataFrame, missing: Missing = "pairwise") -> float:
    """Cronbach's α = k/(k − 1) · (1 − Σ var(item) / var(total)) (Cronbach 1951).

    LSAT6 (1000 examinees, 5 items): R ``psych::alpha`` gives raw_alpha 0.295 (the value
    published with R ltm's ``descript(LSAT)``). A 3-item toy example where R ``psych::alpha``
    gives raw_alpha 0.8571429 (by hand: item variances 0.8, 0.8, 1.1, total variance 6.3,
    3/2 · (1 − 2.7/6.3) = 6/7):

    >>> round(cronbach_alpha([[1, 1, 2], [2, 3, 2], [3, 2, 4], [2, 2, 3], [1, 1, 1], [3, 3, 3]]), 7)
    0.8571429
    """
    return _alpha_from_cov(covariance_matrix(scores, missing))


def kr20(scores: ArrayLike | pd.DataFrame, missing: Missing = "pairwise") -> float:
    """KR-20 for 0/1 items: k/(k − 1)(1 − Σ p q / σ²_X) (Kuder & Richardson 1937).

    Identical to :func:`cronbach_alpha` on 0/1 data (same divisor for items and total);
    raises ``ValueError`` if a score is not 0 or 1.

    >>> kr20([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 0]])
    0.75
    """
    frame = as_item_frame(scores)
    values = frame.to_numpy()
    if not np.isin(values[~np.isnan(values)], (0.0, 1.0)).all():
        raise ValueError("KR-20 needs 0/1 item scores; use cronbach_alpha")
    return cronbach_alpha(frame, missing)


def sem(sd_total: float | FloatArray, alpha: float | FloatArray) -> float | FloatArray:
    """Standard error of measurement SEM = SD_total · √(1 − α) (Lord & Novick 1968, 3.8).

    By hand: SD 10, α 0.91 → 10 · √0.09 = 3.

    >>> round(float(sem(10.0, 0.91)), 10)
    3.0
    """
    return sd_total * np.sqrt(1 - np.asarray(alpha, dtype=float))


def item_total_correlation(scores: pd.DataFrame, total: pd.Series | FloatArray) -> FloatArray:
    """Pearson r of each item with ``total`` over the persons who answered the item.

    For a 0/1 item this is the point-biserial r_pb = (M₁ − M₀) √(p q) / σ_total (σ with
    divisor n; GLOSSARY "点二列相关"), which equals Pearson's r.
    """
    x = scores.to_numpy(dtype=float)
    t = np.asarray(total, dtype=float)[:, None]
    mask = ~np.isnan(x) & ~np.isnan(t)
    x0 = np.where(mask, x, 0.0)
    t0 = np.where(mask, t, 0.0)
    return correlation_from_sums(mask.sum(axis=0), x0.sum(axis=0), t0.sum(axis=0),
                                 (x0**2).sum(axis=0), (t0**2).sum(axis=0),
                                 (x0 * t0).sum(axis=0))


@dataclass(frozen=True)
class Reliability:
    """α with its summary and a per-item table (columns as in R ``psych::alpha``'s item.stats
    and alpha.drop): ``alpha_if_deleted``, ``total_r`` (raw.r), ``std_r`` (std.r), ``r_cor``
    (r.cor, corrected for item overlap with the SMC), ``rest_r`` (r.drop, item–rest r).

    ``columns`` holds that table as arrays (name → one value per item) and ``item_names`` its
    index (None: 0 … k − 1); ``items`` builds the frame (and loads pandas) when asked for."""

    alpha: float
    sem: float
    mean_total: float
    sd_total: float
    n_persons: int
    n_items: int
    missing: Missing
    columns: dict[str, FloatArray] = field(repr=False)
    item_names: Sequence[Any] | None = None

    @cached_property
    def items(self) -> pd.DataFrame:
        """The per-item table, indexed by ``item``."""
        import pandas as pd

        index = (pd.RangeIndex(self.n_items, name="item") if self.item_names is None
                 else pd.Index(self.item_names, name="item"))
        return pd.DataFrame(self.columns, index=index)


def _smc(corr: FloatArray) -> FloatArray:
    """Squared multiple correlations 1 − 1/diag(R⁻¹) (psych::smc for a non-singular R)."""
    try:
        inv = np.linalg.inv(corr)
    except (np.linalg.LinAlgError, ValueError):
        return np.full(corr.shape[0], np.nan)
    return np.asarray(1 - 1 / np.diag(inv), dtype=float)


def reliability(scores: ArrayLike | pd.DataFrame, missing: Missing = "pairwise") -> Reliability:
    """Cronbach α, SEM, total-score summary and the per-item table in one pass.

    Per item i with C the item covariance matrix (sample, missing handled as ``missing``)::

        alpha_if_deleted_i = (k−1)/(k−2) · (1 − (tr C − C_ii) / (ΣC − 2 Σ_j C_ij + C_ii))
        rest_r_i  = (Σ_j C_ij − C_ii) / √(C_ii · (ΣC − 2 Σ_j C_ij + C_ii))      (psych r.drop)
        std_r_i   = Σ_j R_ij / √ΣR,  r_cor_i = Σ_j R*_ij / √ΣR*                  (psych std.r, r.cor)
        total_r_i = cor(item_i, total)                                          (psych raw.r)

    with R the correlation matrix and R* = R with its diagonal replaced by the SMCs. The total is
    the row sum of answered items; SEM = SD_total √(1 − α).

    LSAT6 (R ltm ``descript``, R psych ``alpha``): α = 0.295, α if item 1 deleted 0.275,
    item-rest r of item 3 = 0.173 (checked in tests/measures/test_reliability.py).

    >>> rel = reliability([[1, 1, 2], [2, 3, 2], [3, 2, 4], [2, 2, 3], [1, 1, 1], [3, 3, 3]])
    >>> round(rel.alpha, 4), round(rel.sem, 4), rel.n_persons, rel.n_items
    (0.8571, 0.9487, 6, 3)
    >>> rel.items["rest_r"].round(4).tolist()  # R psych::alpha r.drop
    [0.9526, 0.5976, 0.6838]
    """
    import pandas as pd

    frame = _prepare(scores, missing)
    cov = covariance_matrix(frame, "pairwise")  # already listwise-reduced when asked
    total = frame.sum(axis=1, min_count=1).to_numpy()
    t = total[~np.isnan(total)]
    return reliability_from_cov(cov, item_total_correlation(frame, total), len(frame),
                                float(t.sum()), float((t**2).sum()), missing,
                                pd.Index(frame.columns, name="item"))


def reliability_from_cov(cov: FloatArray, total_r: FloatArray, n_persons: int, sum_total: float,
                         sum_total_sq: float, missing: Missing = "pairwise",
                         index: Iterable[Any] | None = None) -> Reliability:
    """:func:`reliability` from the item covariance matrix (:func:`covariance_from_sums`), the
    items' ``total_r`` and the persons' totals as sums (n, Σ total, Σ total²): the form in
    which an engine that never holds the matrix (Spark) hands the statistics over. Formulas as
    in :func:`reliability`; the total's mean and SD (n − 1) from the sums."""
    k = cov.shape[0]
    total_c = cov.sum()
    col = cov.sum(axis=0)
    diag = np.diag(cov)
    v_drop = total_c - 2 * col + diag
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha_drop = (k - 1) / (k - 2) * (1 - (np.trace(cov) - diag) / v_drop) if k > 2 else (
            np.full(k, np.nan))
        rest_r = (col - diag) / np.sqrt(diag * v_drop)
        sd = np.sqrt(diag)
        corr = cov / np.outer(sd, sd)
        corr_smc = corr.copy()
        np.fill_diagonal(corr_smc, _smc(corr))
        std_r = corr.sum(axis=0) / np.sqrt(corr.sum())
        r_cor = corr_smc.sum(axis=0) / np.sqrt(corr_smc.sum())
    columns = {"alpha_if_deleted": alpha_drop, "total_r": np.asarray(total_r, dtype=float),
               "std_r": std_r, "r_cor": r_cor, "rest_r": rest_r}
    alpha = _alpha_from_cov(cov)
    var_total = float(covariance_from_sums(np.full((1, 1), float(n_persons)),
                                           np.full((1, 1), sum_total),
                                           np.full((1, 1), sum_total_sq))[0, 0])
    sd_total = float(np.sqrt(var_total))
    return Reliability(
        alpha=alpha,
        sem=float(sem(sd_total, alpha)),
        mean_total=sum_total / n_persons if n_persons else float("nan"),
        sd_total=sd_total,
        n_persons=n_persons,
        n_items=int(k),
        missing=missing,
        columns=columns,
        item_names=None if index is None else list(index),
    )
