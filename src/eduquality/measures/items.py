"""Item analysis (小题分析): difficulty, 27 % discrimination, item–total/rest r, key scoring,
option (distractor) analysis and flags.

Definitions (GLOSSARY "Item analysis"):

* 得分率 / 难度 P = item mean / item full marks (for 0/1 items the share correct).
* 区分度 D (27 % method, Kelley 1939): persons are ordered by total score; the top and the bottom
  ⌈0.27 n⌉ form the high and low groups; D = (mean_high − mean_low) / full marks (for 0/1 items
  D = P_high − P_low). Ties at a group boundary are broken by the persons' order in the data
  (stable sort), so each group has exactly ⌈0.27 n⌉ persons. Ebel bands (Ebel 1965): D ≥ 0.40 very
  good, 0.30–0.39 good, 0.20–0.29 revise, < 0.20 poor.
* 点二列相关 / item–total r and item–rest r: see :mod:`eduquality.measures.reliability`
  (psych::alpha raw.r and r.drop).
* 选项分析: share of persons choosing each response, overall and in the high/low 27 % groups;
  flags: a distractor chosen more by the top group than the key, or a key chosen less by the top
  group than by the bottom group → possibly mis-keyed; a distractor chosen more by the top group
  than by the bottom group → flawed distractor.

Missing item scores are NaN: they are excluded from an item's mean and group means (never 0). The
total score of a person is the sum of the answered items (persons who answered nothing drop out).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from eduquality.measures.crossprod import crossprod
from eduquality.measures.reliability import (
    Missing,
    as_item_frame,
    correlation_from_sums,
    covariance_from_sums,
    reliability_from_cov,
)

if TYPE_CHECKING:  # pandas loads in the functions on frames, not for item_analysis of an array
    import pandas as pd

__all__ = [
    "EBEL_BANDS",
    "ItemAnalysis",
    "ItemSums",
    "difficulty",
    "discrimination_27",
    "discrimination_from_sums",
    "ebel_band",
    "flag_items",
    "group_size",
    "item_analysis",
    "item_analysis_from_sums",
    "item_sums",
    "normalise_choice",
    "option_analysis",
    "option_analysis_from_counts",
    "pair_sums",
    "score_choices",
    "upper_lower_groups",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: (lower bound, code) from the top; GLOSSARY "区分度" (Ebel 1965)
EBEL_BANDS: tuple[tuple[float, str], ...] = (
    (0.40, "very_good"),
    (0.30, "good"),
    (0.20, "revise"),
    (-math.inf, "poor"),
)


def _max_scores(frame: pd.DataFrame | FloatArray, max_scores: ArrayLike | None) -> FloatArray:
    if max_scores is None:  # the observed maximum of each item (NaN for an unanswered item)
        return np.asarray(np.fmax.reduce(np.asarray(frame, dtype=float), axis=0), dtype=float)
    m = np.asarray(max_scores, dtype=float).reshape(-1)
    if m.size == 1:
        m = np.full(frame.shape[1], m[0])
    if m.size != frame.shape[1]:
        raise ValueError(f"{m.size} max scores for {frame.shape[1]} items")
    return m


def difficulty(scores: ArrayLike | pd.DataFrame, max_scores: ArrayLike | None = None) -> FloatArray:
    """得分率 P = mean of the answered scores / full marks, per item.

    ``max_scores`` defaults to each item's observed maximum. Hand example: item scores 0, 1, 2, 2
    of 2 marks → mean 1.25 → P = 0.625; a 0/1 item 1, 1, 0, NaN → P = 2/3.

    >>> difficulty([[0, 1], [1, 1], [2, 0], [2, np.nan]], [2, 1]).round(4).tolist()
    [0.625, 0.6667]
    """
    frame = as_item_frame(scores)
    return np.asarray(frame.mean(axis=0).to_numpy(dtype=float) / _max_scores(frame, max_scores))


def group_size(n: int, share: float = 0.27) -> int:
    """Persons in the high (and in the low) group: ⌈share · n⌉ (share · n rounded to 10
    decimals first, so 0.27 · 100 is 27, not 28).

    >>> group_size(10), group_size(100), group_size(0)
    (3, 27, 0)
    """
    return math.ceil(round(share * n, 10))


def upper_lower_groups(total: ArrayLike, share: float = 0.27) -> tuple[BoolArray, BoolArray]:
    """Masks of the high and low groups: the top and bottom ⌈share · n⌉ persons by total.

    n counts persons with a total (NaN totals are in neither group). Ties at the boundary are
    broken by position (stable sort). Example: 10 totals → ⌈2.7⌉ = 3 per group.

    >>> hi, lo = upper_lower_groups([5, 9, 1, 7, 3, 8, 2, 6, 4, 0])
    >>> np.flatnonzero(hi).tolist(), np.flatnonzero(lo).tolist()
    ([1, 3, 5], [2, 6, 9])
    """
    t = np.asarray(total, dtype=float)
    valid = np.flatnonzero(~np.isnan(t))
    g = group_size(valid.size, share)
    order = valid[np.argsort(t[valid], kind="stable")]
    low = np.zeros(t.size, dtype=bool)
    high = np.zeros(t.size, dtype=bool)
    low[order[:g]] = True
    if g == 0:
        return high, low
    # the top group: highest totals first, earlier persons first among ties — every total
    # above the g-th highest, then the earliest of those tied with it (the same sort's run)
    ordered = t[order]
    edge = ordered[valid.size - g]
    first, after = np.searchsorted(ordered, edge, "left"), np.searchsorted(ordered, edge, "right")
    high[order[after:]] = True
    high[order[first:first + g - (valid.size - after)]] = True
    return high, low


def discrimination_27(
    scores: ArrayLike | pd.DataFrame,
    max_scores: ArrayLike | None = None,
    total: ArrayLike | None = None,
    share: float = 0.27,
) -> FloatArray:
    """区分度 D = (mean_high − mean_low) / full marks with 27 % groups by total (Kelley 1939).

    ``total`` defaults to the row sum of the answered items. Hand example with 4 persons
    (⌈0.27 · 4⌉ = 2 per group): totals 3, 2, 1, 0 → high = persons 1–2, low = 3–4; item 1 scores
    1, 1, 0, 0 → D = 1 − 0 = 1; item 2 scores 2, 1, 1, 0 (2 marks) → (1.5 − 0.5)/2 = 0.5.

    >>> discrimination_27([[1, 2], [1, 1], [0, 1], [0, 0]], [1, 2], total=[3, 2, 1, 0]).tolist()
    [1.0, 0.5]
    """
    frame = as_item_frame(scores)
    t = frame.sum(axis=1, min_count=1).to_numpy() if total is None else np.asarray(total, float)
    high, low = upper_lower_groups(t, share)
    x = frame.to_numpy(dtype=float)
    answered = ~np.isnan(x)
    x0 = np.where(answered, x, 0.0)
    return discrimination_from_sums(x0[high].sum(axis=0), answered[high].sum(axis=0),
                                    x0[low].sum(axis=0), answered[low].sum(axis=0),
                                    _max_scores(frame, max_scores))


def discrimination_from_sums(sum_high: ArrayLike, n_high: ArrayLike, sum_low: ArrayLike,
                             n_low: ArrayLike, max_scores: ArrayLike) -> FloatArray:
    """D = (mean_high − mean_low) / full marks from each group's sum and count of answered
    scores per item (a group mean is NaN where nobody in it answered).

    >>> discrimination_from_sums([2, 3], [2, 2], [0, 1], [2, 2], [1, 2]).tolist()
    [1.0, 0.5]
    """
    sh, nh, sl, nl = (np.asarray(a, dtype=float) for a in (sum_high, n_high, sum_low, n_low))
    with np.errstate(invalid="ignore", divide="ignore"):
        m_high = np.where(nh > 0, sh / nh, np.nan)
        m_low = np.where(nl > 0, sl / nl, np.nan)
    return np.asarray((m_high - m_low) / np.asarray(max_scores, dtype=float), dtype=float)


def ebel_band(d: ArrayLike) -> NDArray[np.str_]:
    """Ebel's band for discrimination D: very_good (≥ 0.40), good (0.30–0.39), revise
    (0.20–0.29), poor (< 0.20); NaN → "".

    >>> ebel_band([0.45, 0.4, 0.35, 0.2, 0.1, -0.3]).tolist()
    ['very_good', 'very_good', 'good', 'revise', 'poor', 'poor']
    """
    values = np.asarray(d, dtype=float)
    conditions = [values >= lower for lower, _ in EBEL_BANDS]
    return np.asarray(np.select(conditions, [code for _, code in EBEL_BANDS], default=""))


@dataclass(frozen=True)
class ItemAnalysis:
    """Result of :func:`item_analysis`: the per-item table and the test summary.

    ``columns`` holds the table as arrays (name → one value per item, in the order of
    ``item_names``); ``items`` builds the frame indexed by ``item`` (and loads pandas) when
    asked for."""

    columns: dict[str, NDArray[Any]] = field(repr=False)
    item_names: Sequence[Any]
    alpha: float
    sem: float
    mean_total: float
    sd_total: float
    n_persons: int
    n_items: int
    missing: Missing

    @cached_property
    def items(self) -> pd.DataFrame:
        """The per-item table (columns as :func:`item_analysis` lists), indexed by ``item``."""
        import pandas as pd

        return pd.DataFrame(self.columns, index=pd.Index(self.item_names, name="item"))

    def summary(self) -> dict[str, float | int | str]:
        return {
            "alpha": self.alpha,
            "sem": self.sem,
            "mean_total": self.mean_total,
            "sd_total": self.sd_total,
            "n_persons": self.n_persons,
            "n_items": self.n_items,
            "missing": self.missing,
        }


def item_analysis(
    scores: ArrayLike | pd.DataFrame,
    max_scores: ArrayLike | None = None,
    missing: Missing = "pairwise",
    share: float = 0.27,
) -> ItemAnalysis:
    """Classical item analysis of a persons × items score matrix (NaN = missing).

    Columns of ``items`` (index = item name): ``n`` (answered), ``mean``, ``sd`` (n − 1),
    ``max_score``, ``p`` (mean / max score), ``d27`` (27 % discrimination), ``total_r``,
    ``rest_r``, ``alpha_if_deleted`` (psych::alpha raw.r, r.drop, alpha.drop), ``ebel``.
    ``max_scores`` defaults to each item's observed maximum. Persons who answered no item are
    dropped; ``missing`` as in :func:`eduquality.measures.reliability.reliability`.

    LSAT6 values (R ltm ``descript``): p 0.924 0.709 0.553 0.763 0.870, α 0.295.

    >>> res = item_analysis([[1, 1, 2], [2, 3, 2], [3, 2, 4], [2, 2, 3], [1, 1, 1], [3, 3, 3]])
    >>> res.items[["mean", "p"]].round(4).to_dict("list")
    {'mean': [2.0, 2.0, 2.5], 'p': [0.6667, 0.6667, 0.625]}
    """
    if hasattr(scores, "columns"):  # a frame: its item names (pandas is loaded already)
        names = list(scores.columns)
        x = np.asarray(as_item_frame(scores).to_numpy(dtype=float), dtype=float)
    else:  # an array: computed without loading pandas (``eduquality items``)
        x = np.asarray(scores, dtype=float)
        if x.ndim != 2:
            raise ValueError("scores must be a 2-D persons × items array")
        names = [f"V{j + 1}" for j in range(x.shape[1])]
    return item_analysis_of_matrix(x, names, max_scores, missing, share)


def item_analysis_of_matrix(x: FloatArray, names: Sequence[Any],
                            max_scores: ArrayLike | None = None, missing: Missing = "pairwise",
                            share: float = 0.27) -> ItemAnalysis:
    """:func:`item_analysis` of the persons × items array ``x`` (NaN = missing) whose items are
    ``names`` (pandas is not needed)."""
    x = x[~np.isnan(x).all(axis=1)]
    used = x[~np.isnan(x).any(axis=1)] if missing == "listwise" else x
    maxima = _max_scores(x, max_scores)
    return item_analysis_from_sums(item_sums(used, share), names, maxima, missing)


@dataclass(frozen=True)
class ItemSums:
    """The sums over persons from which :func:`item_analysis` follows — what an engine that
    never holds the persons × items matrix aggregates (Spark for a province, DuckDB for a
    district: :mod:`eduquality.analysis.item_sums`). k items; persons are those with a total
    (the sum of their answered items); every sum is over the persons who answered the item(s).

    ``n_pair[j, k]``, ``s_pair[j, k]`` (Σ x_j), ``cross[j, k]`` (Σ x_j x_k) over persons
    answering j and k (the diagonal: the item's n, Σ x, Σ x²); ``sum_t``, ``sum_tt``,
    ``sum_xt``: Σ total, Σ total², Σ x · total over persons answering the item; ``sum_high``,
    ``n_high``, ``sum_low``, ``n_low``: Σ x and answered count in the 27 % groups
    (:func:`upper_lower_groups` by total); ``n_persons``, ``total_sum``, ``total_sq``: the
    persons and Σ total, Σ total²."""

    n_pair: FloatArray
    s_pair: FloatArray
    cross: FloatArray
    sum_t: FloatArray
    sum_tt: FloatArray
    sum_xt: FloatArray
    sum_high: FloatArray
    n_high: FloatArray
    sum_low: FloatArray
    n_low: FloatArray
    n_persons: int
    total_sum: float
    total_sq: float


def _answered(scores: FloatArray) -> tuple[FloatArray, FloatArray]:
    """M (1 where answered) and X₀ (the scores, 0 where not answered) of a matrix."""
    answered = ~np.isnan(scores)
    return answered.astype(float), np.where(answered, scores, 0.0)


def pair_sums(scores: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``n_pair``, ``s_pair``, ``cross`` of :class:`ItemSums` from a persons × items matrix
    (NaN = not answered): with M the answered indicator and X₀ the scores with 0 where not
    answered, n_pair = M'M, s_pair = X₀'M (Σ x_j over persons answering j and k), cross = X₀'X₀.

    >>> n, s, c = pair_sums(np.array([[1.0, 2.0], [0.0, np.nan], [1.0, 1.0]]))
    >>> n.tolist(), s.tolist(), c.tolist()
    ([[3.0, 2.0], [2.0, 2.0]], [[2.0, 2.0], [3.0, 3.0]], [[2.0, 3.0], [3.0, 5.0]])
    """
    return _pair_products(*_answered(scores))


def _pair_products(m: FloatArray, x0: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """M'M, X₀'M and X₀'X₀ (:func:`pair_sums`)."""
    return crossprod(m, m), crossprod(x0, m), crossprod(x0, x0)


def item_sums(frame: pd.DataFrame | FloatArray, share: float = 0.27) -> ItemSums:
    """:class:`ItemSums` of a persons × items matrix (NaN = not answered; persons who answered
    nothing have no total and count nowhere). With t the persons' totals, M and X₀ as in
    :func:`pair_sums` and h, l the 0/1 vectors of the high and low groups: Σt = t'M,
    Σt² = (t²)'M, Σxt = t'X₀, Σx and n of the groups h'X₀, h'M, l'X₀, l'M."""
    x = np.asarray(frame, dtype=float)
    if not np.isnan(x).any():
        return _complete_item_sums(x, share)
    answered_any = ~np.isnan(x).all(axis=1)
    x = x[answered_any]
    t = np.nansum(x, axis=1)
    m, x0 = _answered(x)
    high, low = (g.astype(float) for g in upper_lower_groups(t, share))
    n_pair, s_pair, cross = _pair_products(m, x0)
    return ItemSums(
        n_pair=n_pair, s_pair=s_pair, cross=cross,
        sum_t=t @ m, sum_tt=(t * t) @ m, sum_xt=t @ x0,
        sum_high=high @ x0, n_high=high @ m, sum_low=low @ x0, n_low=low @ m,
        n_persons=int(t.size), total_sum=float(t.sum()), total_sq=float((t**2).sum()),
    )


def _complete_item_sums(x: FloatArray, share: float) -> ItemSums:
    """:func:`item_sums` of a matrix without a missing answer: M is all ones, so M'M = n,
    X₀'M = each item's Σ x in every column, t'M = Σt and h'M = |h| for every item, and
    X₀ = X (no indicator or filled copy of the matrix is made)."""
    n, k = x.shape
    t = x.sum(axis=1)
    high, low = (g.astype(float) for g in upper_lower_groups(t, share))
    every = np.ones(k)
    total_sum, total_sq = float(t.sum()), float((t * t).sum())
    # Σx, t'X, h'X and l'X in one pass over the matrix
    sx, sum_xt, sum_high, sum_low = crossprod(np.column_stack([np.ones(n), t, high, low]), x)
    return ItemSums(
        n_pair=np.full((k, k), float(n)), s_pair=np.repeat(sx[:, None], k, axis=1),
        cross=crossprod(x, x),
        sum_t=total_sum * every, sum_tt=total_sq * every, sum_xt=sum_xt,
        sum_high=sum_high, n_high=high.sum() * every, sum_low=sum_low, n_low=low.sum() * every,
        n_persons=n, total_sum=total_sum, total_sq=total_sq,
    )


def row_totals(matrix: FloatArray) -> FloatArray:
    """A persons × items matrix's totals t_i = Σ_j x_ij over each person's answered items
    (NaN: not answered; NaN for a person who answered none). Each row is summed on its own
    (numpy's pairwise sum along the row), so a total does not depend on the order in which
    the persons' rows were read.

    >>> row_totals(np.array([[1.0, np.nan], [np.nan, np.nan], [0.5, 2.0]])).tolist()
    [1.0, nan, 2.5]
    """
    missing = np.isnan(matrix)
    if not missing.any():
        return np.asarray(matrix.sum(axis=1), dtype=float)
    total = np.where(missing, 0.0, matrix).sum(axis=1)
    return np.where(missing.all(axis=1), np.nan, total)


def option_counts_from_rows(item: IntArray, choice: IntArray, person: IntArray,
                            high: BoolArray, low: BoolArray) -> pd.DataFrame:
    """Per (item, choice) given: ``n`` responses and those of the high and low groups'
    persons (``n_high``, ``n_low``; the masks index persons), from long rows of codes (a
    negative ``choice``: none given, not counted) — the counts
    :func:`option_analysis_from_counts` takes.

    >>> option_counts_from_rows(np.array([0, 0, 1]), np.array([1, 0, -1]), np.array([0, 1, 0]),
    ...                         np.array([True, False]), np.array([False, True])).to_numpy().tolist()
    [[0, 0, 1, 0, 1], [0, 1, 1, 1, 0]]
    """
    import pandas as pd

    given = choice >= 0
    item, choice, person = item[given], choice[given], person[given]
    width = int(choice.max(initial=-1)) + 1
    key = item.astype(np.int64) * width + choice
    cells, inverse = np.unique(key, return_inverse=True)
    n = np.bincount(inverse, minlength=cells.size)
    n_high = np.bincount(inverse, weights=high[person], minlength=cells.size)
    n_low = np.bincount(inverse, weights=low[person], minlength=cells.size)
    return pd.DataFrame({"item": cells // max(width, 1), "choice": cells % max(width, 1),
                         "n": n.astype(np.int64), "n_high": n_high.astype(np.int64),
                         "n_low": n_low.astype(np.int64)})


def item_analysis_from_sums(sums: ItemSums, index: Iterable[Any], max_scores: ArrayLike,
                            missing: Missing = "pairwise") -> ItemAnalysis:
    """:func:`item_analysis` from :class:`ItemSums`: the same table and summary (formulas in
    :func:`item_analysis`, :func:`discrimination_from_sums`,
    :func:`eduquality.measures.reliability.reliability_from_cov`)."""
    maxima = np.asarray(max_scores, dtype=float)
    cov = covariance_from_sums(sums.n_pair, sums.s_pair, sums.cross)
    n = np.diag(sums.n_pair)
    sx, sxx = np.diag(sums.s_pair), np.diag(sums.cross)
    total_r = correlation_from_sums(n, sx, sums.sum_t, sxx, sums.sum_tt, sums.sum_xt)
    rel = reliability_from_cov(cov, total_r, sums.n_persons, sums.total_sum, sums.total_sq,
                               missing, index)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, sx / n, np.nan)
    d27 = discrimination_from_sums(sums.sum_high, sums.n_high, sums.sum_low, sums.n_low, maxima)
    columns: dict[str, NDArray[Any]] = {
        "n": n.astype(np.int64),
        "mean": mean,
        "sd": np.sqrt(np.diag(cov)),
        "max_score": maxima,
        "p": mean / maxima,
        "d27": d27,
        "total_r": rel.columns["total_r"],
        "rest_r": rel.columns["rest_r"],
        "alpha_if_deleted": rel.columns["alpha_if_deleted"],
        "ebel": ebel_band(d27),
    }
    return ItemAnalysis(
        columns=columns,
        item_names=list(index),
        alpha=rel.alpha,
        sem=rel.sem,
        mean_total=rel.mean_total,
        sd_total=rel.sd_total,
        n_persons=rel.n_persons,
        n_items=rel.n_items,
        missing=missing,
    )


# --- key scoring and option analysis ----------------------------------------------------------

OMIT = "omit"


def normalise_choice(value: object, omit_codes: Sequence[object] = ()) -> str:
    """A response as its sorted set of option symbols ("ba" → "AB", 3 → "3", "A,C" → "AC");
    blank, NaN and ``omit_codes`` → ``"omit"``.

    >>> [normalise_choice(v, omit_codes=[8]) for v in ["ba", 3, 3.0, "A, C", "", None, 8]]
    ['AB', '3', '3', 'AC', 'omit', 'omit', 'omit']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return OMIT
    if any(_same(value, code) for code in omit_codes):
        return OMIT
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    symbols = sorted({c for c in str(value).upper() if c.isalnum()})
    return "".join(symbols) if symbols else OMIT


def _same(value: object, code: object) -> bool:
    try:
        return bool(value == code) or str(value).strip() == str(code).strip()
    except (TypeError, ValueError):
        return False


@dataclass(frozen=True)
class _Coded:
    """Responses as integer codes into ``labels`` (normalised responses; ``labels[0]`` is
    "omit"), with each label's option bitmask and each item's key code."""

    codes: NDArray[np.int64]  # persons × items
    labels: NDArray[np.object_]
    masks: NDArray[np.int64]
    key_codes: NDArray[np.int64]


def _code_choices(
    choices: pd.DataFrame, keys: Mapping[str, object] | pd.Series, omit_codes: Sequence[object]
) -> _Coded:
    """Normalise every response through its distinct raw values: the loops run over distinct
    responses (a handful per item), never over persons."""
    import pandas as pd

    key_series = pd.Series(keys, dtype=object)
    missing = [c for c in choices.columns if c not in key_series.index]
    if missing:
        raise ValueError(f"no key for items: {missing}")
    numeric = all(pd.api.types.is_numeric_dtype(t) for t in choices.dtypes)
    flat = (choices.to_numpy(dtype=float) if numeric else choices.to_numpy(dtype=object)).reshape(-1)
    raw_codes, uniques = pd.factorize(flat, use_na_sentinel=True)
    raw_labels = [normalise_choice(u, omit_codes) for u in uniques]
    key_labels = [normalise_choice(key_series[c]) for c in choices.columns]
    label_codes, labels = pd.factorize(np.array([OMIT, *raw_labels, *key_labels], dtype=object))
    # raw code −1 (NaN) → position 0 ("omit"); raw code i → position i + 1
    codes = label_codes[raw_codes + 1].reshape(choices.shape).astype(np.int64)
    key_codes = label_codes[1 + len(raw_labels):].astype(np.int64)
    symbols = sorted({c for lab in labels if lab != OMIT for c in lab})
    bit = {c: 1 << i for i, c in enumerate(symbols)}
    masks = np.array([0 if lab == OMIT else sum(bit[c] for c in lab) for lab in labels],
                     dtype=np.int64)
    return _Coded(codes, np.asarray(labels, dtype=object), masks, key_codes)


def score_choices(
    choices: pd.DataFrame,
    keys: Mapping[str, object] | pd.Series,
    max_scores: float | ArrayLike = 1.0,
    partial_credit: float | Literal["proportional"] | None = None,
    omit_codes: Sequence[object] = (),
    omitted: str = "wrong",
) -> pd.DataFrame:
    """Score raw option choices against the keys.

    A response is the set of options chosen; it earns full marks when it equals the key's set
    (so multiple-answer keys such as "ABD" need every key option and nothing else). With
    ``partial_credit = s`` a non-empty proper subset of a multiple-answer key (no wrong option)
    earns s · full marks (e.g. 新高考 multi-select: s = 0.4, i.e. 2 of 5), else 0; with
    ``partial_credit = "proportional"`` such a subset earns (options chosen / key options) ·
    full marks. Any wrong option chosen → 0.
    Omitted responses (blank, NaN, ``omit_codes``) score 0 (``omitted="wrong"``, the usual
    rule, and the one SAT12's published values use) or NaN (``omitted="missing"``).

    >>> import pandas as pd
    >>> ch = pd.DataFrame({"q1": ["A", "B", None], "q2": ["AC", "A", "AB"]})
    >>> score_choices(ch, {"q1": "A", "q2": "AC"}, [1, 2], partial_credit=0.5).to_dict("list")
    {'q1': [1.0, 0.0, 0.0], 'q2': [2.0, 1.0, 0.0]}
    """
    import pandas as pd

    if omitted not in ("wrong", "missing"):
        raise ValueError("omitted must be 'wrong' or 'missing'")
    coded = _code_choices(choices, keys, omit_codes)
    maxima = np.broadcast_to(np.asarray(max_scores, dtype=float), (choices.shape[1],))
    resp = coded.masks[coded.codes]
    kmask = coded.masks[coded.key_codes][None, :]
    full = coded.codes == coded.key_codes[None, :]
    score = full.astype(float)
    if partial_credit is not None:
        subset = (resp != 0) & ((resp & ~kmask) == 0) & ~full
        if partial_credit == "proportional":
            share = np.bitwise_count(resp) / np.maximum(np.bitwise_count(kmask), 1)
            score[subset] = np.broadcast_to(share, score.shape)[subset]
        else:
            score[subset] = float(partial_credit)
    score *= maxima[None, :]
    if omitted == "missing":
        score[coded.codes == 0] = np.nan
    return pd.DataFrame(score, index=choices.index, columns=choices.columns)


def option_analysis(
    choices: pd.DataFrame,
    keys: Mapping[str, object] | pd.Series,
    total: ArrayLike | None = None,
    share: float = 0.27,
    omit_codes: Sequence[object] = (),
) -> pd.DataFrame:
    """选项分析: for each item and response, the share choosing it overall, in the high and in the
    low 27 % group (by ``total``; default: the total scored with the keys, omitted = wrong).

    Responses are the normalised chosen sets (see :func:`normalise_choice`), with omissions as
    ``"omit"``; shares are of all persons in the group, so each item's shares sum to 1. Columns:
    ``item, option, is_key, n, share, share_high, share_low, disc`` (= share_high − share_low).
    Rows: every response somebody gave to the item, plus the key; sorted by item, then option.

    >>> import pandas as pd
    >>> ch = pd.DataFrame({"q": ["A", "A", "B", "C"]})
    >>> option_analysis(ch, {"q": "A"}, total=[4, 3, 2, 1]).to_dict("list")["share_high"]
    [1.0, 0.0, 0.0]
    """
    import pandas as pd

    coded = _code_choices(choices, keys, omit_codes)
    if total is None:
        total = (coded.codes == coded.key_codes[None, :]).sum(axis=1)
    high, low = upper_lower_groups(np.asarray(total, dtype=float), share)
    n_persons, n_items = coded.codes.shape
    n_labels = coded.labels.size
    cell = (coded.codes + n_labels * np.arange(n_items)[None, :]).reshape(-1)
    size = n_items * n_labels
    n = np.bincount(cell, minlength=size)
    n_high = np.bincount(cell, weights=np.repeat(high, n_items).astype(float), minlength=size)
    n_low = np.bincount(cell, weights=np.repeat(low, n_items).astype(float), minlength=size)
    item_idx, label_idx = np.divmod(np.arange(size), n_labels)
    labels = coded.labels[label_idx]
    counts = pd.DataFrame({"item": np.asarray(choices.columns, dtype=object)[item_idx],
                           "choice": pd.Series(labels, dtype=object).where(labels != OMIT, None),
                           "n": n, "n_high": n_high, "n_low": n_low})
    return option_analysis_from_counts(counts[n > 0], pd.Series(keys, dtype=object)[
        list(choices.columns)], n_persons, int(high.sum()), int(low.sum()), omit_codes)


def option_analysis_from_counts(counts: pd.DataFrame, keys: pd.Series, n_persons: int,
                                n_high: int, n_low: int,
                                omit_codes: Sequence[object] = ()) -> pd.DataFrame:
    """:func:`option_analysis` from counts (what an engine aggregates): ``counts`` has item,
    choice (the raw response; None/NaN = omitted), n, n_high, n_low (persons giving it, in the
    whole group and in the high and low 27 % groups); ``keys``: the key of each item, in the
    items' order; ``n_persons``, ``n_high``, ``n_low``: the group sizes. Persons of a group
    not counted under any response of an item omitted it. Same columns and rows as
    :func:`option_analysis`.

    >>> import pandas as pd
    >>> c = pd.DataFrame({"item": ["q", "q"], "choice": ["a", "B"], "n": [2, 1],
    ...                   "n_high": [1, 0], "n_low": [0, 1]})
    >>> option_analysis_from_counts(c, pd.Series({"q": "A"}), 4, 1, 1)["n"].tolist()
    [2, 1, 1]
    """
    import pandas as pd

    items = list(keys.index)
    c = counts[counts["item"].isin(items)]
    option = np.array([normalise_choice(v, omit_codes) for v in c["choice"]], dtype=object)
    sums = (c.assign(option=option).groupby(["item", "option"], sort=False)
            [["n", "n_high", "n_low"]].sum())
    rows = []
    for item in items:
        got = (sums.loc[item] if item in sums.index.get_level_values(0)
               else pd.DataFrame(columns=["n", "n_high", "n_low"], dtype=float))
        counted = got.sum(axis=0)
        omitted = {"n": n_persons - counted.get("n", 0.0),
                   "n_high": n_high - counted.get("n_high", 0.0),
                   "n_low": n_low - counted.get("n_low", 0.0)}
        if omitted["n"] > 0:
            add = pd.DataFrame([omitted], index=[OMIT])
            got = add if got.empty else pd.concat([got.drop(index=OMIT, errors="ignore"),
                                                   add.add(got.reindex([OMIT]).fillna(0.0))])
        key = normalise_choice(keys[item])
        if key not in got.index:
            got = pd.concat([got, pd.DataFrame([{"n": 0, "n_high": 0, "n_low": 0}],
                                               index=[key])])
        got = got.sort_index(kind="stable")
        rows.append(pd.DataFrame({
            "item": item, "option": got.index.to_numpy(dtype=object),
            "is_key": got.index.to_numpy() == key,
            "n": got["n"].to_numpy(dtype=np.int64),
            "share": got["n"].to_numpy(dtype=float) / max(n_persons, 1),
            "share_high": got["n_high"].to_numpy(dtype=float) / max(n_high, 1),
            "share_low": got["n_low"].to_numpy(dtype=float) / max(n_low, 1),
        }))
    cols = ["item", "option", "is_key", "n", "share", "share_high", "share_low"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out["disc"] = out["share_high"] - out["share_low"]
    return out


def flag_items(d27: pd.Series, options: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flags per item from its 27 % discrimination and (objective items) its option analysis.

    * ``ebel``: Ebel band of D; ``poor_discrimination``: D < 0.20; ``negative_discrimination``:
      D < 0.
    * ``distractor_beats_key``: some distractor (not "omit") has a larger top-group share than the
      key; ``key_reversed``: the key's top-group share is below its bottom-group share;
      ``possibly_miskeyed`` = either of the two.
    * ``flawed_distractor``: a distractor chosen more by the top group than by the bottom group.

    >>> import pandas as pd
    >>> opts = pd.DataFrame({"item": ["q"] * 3, "option": ["A", "B", "C"],
    ...     "is_key": [True, False, False], "share_high": [0.3, 0.6, 0.1],
    ...     "share_low": [0.5, 0.2, 0.3]})
    >>> flag_items(pd.Series({"q": -0.2}), opts).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'ebel': 'poor', 'poor_discrimination': True, 'negative_discrimination': True,
     'distractor_beats_key': True, 'key_reversed': True, 'possibly_miskeyed': True,
     'flawed_distractor': True}
    """
    import pandas as pd

    d = pd.Series(d27, dtype=float)
    out = pd.DataFrame(
        {
            "ebel": ebel_band(d.to_numpy()),
            "poor_discrimination": (d < 0.20).to_numpy(),
            "negative_discrimination": (d < 0).to_numpy(),
        },
        index=pd.Index(d.index, name="item"),
    )
    cols = ["distractor_beats_key", "key_reversed", "possibly_miskeyed", "flawed_distractor"]
    if options is None:
        for c in cols:
            out[c] = False
        return out
    opts = options[options["option"] != OMIT]
    keyed = opts[opts["is_key"]].groupby("item")[["share_high", "share_low"]].sum()
    distr = opts[~opts["is_key"]]
    best_distractor = distr.groupby("item")["share_high"].max()
    flawed = (distr["share_high"] > distr["share_low"]).groupby(distr["item"]).any()
    idx = out.index
    key_high = keyed["share_high"].reindex(idx).fillna(0.0)
    key_low = keyed["share_low"].reindex(idx).fillna(0.0)
    out["distractor_beats_key"] = (best_distractor.reindex(idx).fillna(-1.0) > key_high).to_numpy()
    out["key_reversed"] = (key_high < key_low).to_numpy()
    out["possibly_miskeyed"] = out["distractor_beats_key"] | out["key_reversed"]
    out["flawed_distractor"] = flawed.reindex(idx).astype("boolean").fillna(False).to_numpy(bool)
    return out
