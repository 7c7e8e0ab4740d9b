"""The EM's E-step as a map/reduce (issue 16): sufficient statistics of a chunk of responses,
summed over chunks.

The M-step of Bock–Aitkin EM (:mod:`eduquality.measures.irt.estimation`) needs only the
expected counts r_jqk = Σ_i W_iq [x_ij = k] and the marginal log-likelihood Σ_i log Σ_q
w_q L_i(θ_q); both are sums over persons i, so they are sums over any split of the persons
into chunks: compute them per chunk (a Spark partition, a Parquet row group, a slice of an
array) and add (Bock & Aitkin 1981, eq. 11–12; the "expected counts" of the E-step are
additive by construction). The starting values need the shares scoring ≥ k per item, again
sums (:class:`StartTotals`).

- :class:`Layout`: the item groups (model, number of categories, items) and the quadrature:
  what a chunk needs besides its responses and the current parameters (no data; pickled to
  the workers of a cluster).
- :class:`PatternChunk`: one chunk of category codes (−1 = missing), identical patterns
  collapsed, its design matrices built once; ``stats(params)`` → :class:`EStepStats`.
- Sources: :class:`InMemory` (one chunk prepared once: the single-machine fit),
  :class:`Chunked` (a local map/reduce over chunks read again at every E-step, for data that
  do not fit in memory at once); the Spark one is
  :mod:`eduquality.analysis.spark.irt` (``mapInArrow`` over Arrow batches, summed).

Sums in another order give the same statistics up to rounding (≈1e-15 relative), so a chunked
fit reaches the single-machine estimates to far below the EM's tolerance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.models import ItemModel

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]
Codes = NDArray[np.int16]

_LOG_EPS = 1e-300


@dataclass(frozen=True)
class GroupLayout:
    """Items ``index`` (columns of the codes) sharing ``model`` and ``k`` categories."""

    model: ItemModel
    k: int
    index: IntArray


@dataclass(frozen=True)
class Layout:
    """The item groups and quadrature nodes θ_q with log weights log w_q."""

    groups: tuple[GroupLayout, ...]
    theta: Array
    logw: Array


@dataclass(frozen=True)
class EStepStats:
    """Expected counts r_jqk per group ((J_g, Q, K_g) each), the marginal log-likelihood and
    the number of persons, of some chunk of responses; ``a + b`` is the statistics of both."""

    counts: tuple[Array, ...]
    loglik: float
    n: float

    def __add__(self, other: EStepStats) -> EStepStats:
        return EStepStats(tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
                          self.loglik + other.loglik, self.n + other.n)

    def to_vector(self) -> Array:
        """Everything in one flat vector (to ship from a worker): counts, loglik, n."""
        return np.concatenate([*(c.ravel() for c in self.counts), [self.loglik, self.n]])

    @staticmethod
    def from_vector(layout: Layout, vec: Array) -> EStepStats:
        counts, at = [], 0
        q = len(layout.theta)
        for g in layout.groups:
            size = len(g.index) * q * g.k
            counts.append(vec[at:at + size].reshape(len(g.index), q, g.k))
            at += size
        return EStepStats(tuple(counts), float(vec[at]), float(vec[at + 1]))

    @staticmethod
    def zero(layout: Layout) -> EStepStats:
        q = len(layout.theta)
        return EStepStats(tuple(np.zeros((len(g.index), q, g.k)) for g in layout.groups),
                          0.0, 0.0)


@dataclass(frozen=True)
class StartTotals:
    """Per group (J_g, K_g): column 0 the number answering each item, column c ≥ 1 the number
    scoring category ≥ c; ``n`` the persons. Summable like :class:`EStepStats`."""

    at_least: tuple[Array, ...]
    n: float

    def __add__(self, other: StartTotals) -> StartTotals:
        return StartTotals(tuple(a + b for a, b in zip(self.at_least, other.at_least,
                                                       strict=True)), self.n + other.n)

    def p_cum(self, group: int) -> Array:
        """Share of those answering who score ≥ k (k = 1..K−1), (J_g, K_g − 1)."""
        t = self.at_least[group]
        return np.asarray(t[:, 1:] / t[:, :1])

    def to_vector(self) -> Array:
        return np.concatenate([*(t.ravel() for t in self.at_least), [self.n]])

    @staticmethod
    def from_vector(layout: Layout, vec: Array) -> StartTotals:
        out, at = [], 0
        for g in layout.groups:
            size = len(g.index) * g.k
            out.append(vec[at:at + size].reshape(len(g.index), g.k))
            at += size
        return StartTotals(tuple(out), float(vec[at]))


def collapse_patterns(codes: Codes) -> tuple[Codes, IntArray, IntArray | None]:
    """Distinct response patterns, their frequencies and each row's pattern (None: rows kept
    as they are because most patterns are unique). Rows are grouped by a 64-bit hash (one
    stable sort of integers: the patterns in the order of their hashes, each first met where
    it first occurs), checked exactly, with ``np.unique(axis=0)`` as the fallback on a
    collision.

    >>> c = np.array([[1, 0], [0, 1], [1, 0], [1, 0], [0, 1]], dtype=np.int16)
    >>> uniq, freq, row = collapse_patterns(c)
    >>> sorted(zip(map(tuple, uniq.tolist()), freq.tolist())), np.array_equal(uniq[row], c)
    ([((0, 1), 2), ((1, 0), 3)], True)
    """
    n = codes.shape[0]
    with np.errstate(over="ignore"):
        h = (codes.astype(np.int64) + 2) @ hash_multipliers(codes.shape[1])
    order = np.argsort(h, kind="stable")
    sorted_h = h[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_h[1:] != sorted_h[:-1]
    n_keys = int(starts.sum())
    if n_keys > 0.8 * n:
        return codes, np.ones(n, dtype=np.int64), None
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.cumsum(starts) - 1
    first_at = np.flatnonzero(starts)
    counts = np.diff(np.append(first_at, n))
    uniq = codes[order[first_at]]
    if not np.array_equal(uniq[inv], codes):
        uniq, inv, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
        inv = inv.reshape(-1)
    return uniq, counts.astype(np.int64), inv.astype(np.int64)


def hash_multipliers(n: int) -> IntArray:
    """``n`` fixed odd 62-bit multipliers for hashing rows of codes: SplitMix64 (Steele, Lea
    & Flood 2014) of 1…n, its top 62 bits, made odd. Computed in numpy so that the fit does
    not load ``numpy.random`` (≈30 ms of a command's start, issue 12).

    >>> hash_multipliers(3).tolist() == hash_multipliers(4)[:3].tolist()
    True
    >>> bool((hash_multipliers(50) % 2 == 1).all() and (hash_multipliers(50) > 0).all())
    True
    """
    with np.errstate(over="ignore"):
        z = np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(2)) | np.uint64(1)).astype(np.int64)


@dataclass
class _Design:
    y: Array                 # (U, J_g·(K−1)) indicators of categories 1..K−1
    m: Array | None          # (U, J_g) indicators of "answered" (None: all answered)


class PatternChunk:
    """A chunk of category codes (persons × items, −1 = missing) prepared for E-steps:
    identical patterns collapsed (frequency f_i), per group the indicator matrices."""

    def __init__(self, layout: Layout, codes: Codes) -> None:
        self.layout = layout
        uniq, counts, _ = collapse_patterns(np.asarray(codes, dtype=np.int16))
        self.patterns = uniq
        self.freq = counts.astype(float)
        self.designs: list[_Design] = []
        for g in layout.groups:
            sub = uniq[:, g.index]
            y = (sub[:, :, None] == np.arange(1, g.k)[None, None, :]).reshape(
                len(uniq), len(g.index) * (g.k - 1))
            answered = sub >= 0
            m = None if answered.all() else answered.astype(float)
            self.designs.append(_Design(y.astype(float), m))
        self._last: tuple[list[Array], Array, float] | None = None

    def totals(self) -> StartTotals:
        w = self.freq[:, None]
        out = []
        for g in self.layout.groups:
            sub = self.patterns[:, g.index]
            out.append(np.column_stack([((sub >= c) * w).sum(axis=0) for c in range(g.k)]))
        return StartTotals(tuple(out), float(self.freq.sum()))

    def log_likelihood_matrix(self, params: list[Array]) -> Array:
        """log L_i(θ_q) + log w_q, shape (U, Q): one (patterns × categories) @ (categories ×
        nodes) product per group."""
        theta = self.layout.theta
        out: Array | None = None
        const = self.layout.logw.copy()
        for g, d, p in zip(self.layout.groups, self.designs, params, strict=True):
            logp = np.log(np.maximum(g.model.probs(theta, p), _LOG_EPS))   # (J, Q, K)
            diff = (logp[:, :, 1:] - logp[:, :, :1]).transpose(0, 2, 1).reshape(-1, len(theta))
            part = d.y @ diff
            if out is None:
                out = part
            else:
                out += part
            if d.m is None:
                const += logp[:, :, 0].sum(axis=0)
            else:
                out += d.m @ logp[:, :, 0]
        assert out is not None
        out += const
        return out

    def posterior(self, params: list[Array]) -> tuple[Array, float]:
        """Posterior weights × frequencies W_iq f_i (U, Q) and the marginal log-likelihood.

        The last result is kept: the fit asks again at its final parameters (log-likelihood,
        then standard errors), and gets it without a second pass. Callers must not write into
        the weights."""
        last = self._last
        if last is not None and all(np.array_equal(a, b)
                                    for a, b in zip(last[0], params, strict=True)):
            return last[1], last[2]
        w, loglik = self._posterior(params)
        self._last = ([p.copy() for p in params], w, loglik)
        return w, loglik

    def _posterior(self, params: list[Array]) -> tuple[Array, float]:
        ll = self.log_likelihood_matrix(params)
        if _bound_logl(self.layout, params) < 600.0:   # exp cannot underflow: no max shift
            np.exp(ll, out=ll)
            total = ll.sum(axis=1)
            loglik = float(self.freq @ np.log(total))
        else:
            top = ll.max(axis=1, keepdims=True)
            np.exp(ll - top, out=ll)
            total = ll.sum(axis=1)
            loglik = float(self.freq @ (np.log(total) + top[:, 0]))
        ll *= (self.freq / total)[:, None]
        return ll, loglik

    def counts(self, w: Array) -> tuple[Array, ...]:
        """Expected counts r_jqk per group, each (J_g, Q, K_g), from posterior weights."""
        out = []
        nq = w.sum(axis=0)
        for g, d in zip(self.layout.groups, self.designs, strict=True):
            j = len(g.index)
            rk = (w.T @ d.y).T.reshape(j, g.k - 1, -1)   # w.T @ y: BLAS, unlike y.T @ w
            n = np.broadcast_to(nq, (j, len(nq))) if d.m is None else (w.T @ d.m).T
            r0 = n - rk.sum(axis=1)
            out.append(np.concatenate([r0[:, None, :], rk], axis=1).transpose(0, 2, 1))
        return tuple(out)

    def stats(self, params: list[Array]) -> EStepStats:
        """The chunk's E-step sufficient statistics at ``params``."""
        if len(self.freq) == 0:
            return EStepStats.zero(self.layout)
        w, loglik = self.posterior(params)
        return EStepStats(self.counts(w), loglik, float(self.freq.sum()))


def _bound_logl(layout: Layout, params: list[Array]) -> float:
    """An upper bound of −log(w_q L_i(θ_q)) over patterns and nodes."""
    out = float(-layout.logw.min())
    for g, p in zip(layout.groups, params, strict=True):
        pr = g.model.probs(layout.theta, p)
        out += float(-np.log(np.maximum(pr.min(axis=(1, 2)), _LOG_EPS)).sum())
    return out


def chunk_stats(layout: Layout, params: list[Array], codes: Codes) -> EStepStats:
    """The map step: E-step statistics of one chunk of codes (sum them over chunks)."""
    return PatternChunk(layout, codes).stats(params)


def chunk_totals(layout: Layout, codes: Codes) -> StartTotals:
    """The map step of the starting values: :class:`StartTotals` of one chunk."""
    return PatternChunk(layout, codes).totals()


class EStepSource(Protocol):
    """Where the E-step's sums come from: the EM asks for them once per cycle."""

    def totals(self, layout: Layout) -> StartTotals: ...

    def stats(self, layout: Layout, params: list[Array]) -> EStepStats: ...


def chunk_stats_many(layout: Layout, many: list[list[Array]], codes: Codes) -> Array:
    """The map step at several parameter values: their statistics' vectors, concatenated
    (:meth:`EStepStats.to_vector`), the chunk prepared once."""
    chunk = PatternChunk(layout, codes)
    return np.concatenate([chunk.stats(p).to_vector() for p in many])


def stats_size(layout: Layout) -> int:
    """The length of :meth:`EStepStats.to_vector`."""
    return sum(len(g.index) * len(layout.theta) * g.k for g in layout.groups) + 2


class InMemory:
    """All responses in memory as one chunk, collapsed and prepared once (the single-machine
    fit)."""

    def __init__(self, codes: Codes) -> None:
        self.codes = codes
        self._chunk: PatternChunk | None = None

    def chunk(self, layout: Layout) -> PatternChunk:
        if self._chunk is None or self._chunk.layout is not layout:
            self._chunk = PatternChunk(layout, self.codes)
        return self._chunk

    def totals(self, layout: Layout) -> StartTotals:
        return self.chunk(layout).totals()

    def stats(self, layout: Layout, params: list[Array]) -> EStepStats:
        return self.chunk(layout).stats(params)


class Chunked:
    """The local map/reduce: ``chunks()`` yields the code chunks afresh at every E-step (a
    list's slices, or batches read from files); their statistics are summed."""

    def __init__(self, chunks: Callable[[], Iterable[Codes]]) -> None:
        self.chunks = chunks

    def totals(self, layout: Layout) -> StartTotals:
        parts = [chunk_totals(layout, c) for c in self.chunks()]
        return sum(parts[1:], parts[0])

    def stats(self, layout: Layout, params: list[Array]) -> EStepStats:
        return self.stats_many(layout, [params])[0]

    def stats_many(self, layout: Layout, many: list[list[Array]]) -> list[EStepStats]:
        """The statistics at several parameter values in one pass over the chunks (the
        standard errors' E-steps)."""
        out = [EStepStats.zero(layout) for _ in many]
        for c in self.chunks():
            chunk = PatternChunk(layout, c)
            out = [o + chunk.stats(p) for o, p in zip(out, many, strict=True)]
        return out
