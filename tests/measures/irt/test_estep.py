"""The E-step as a map/reduce: statistics of chunks add up to those of the whole, and a fit
whose E-step sums chunks gives the single-machine estimates."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from eduquality.measures.irt import IRT, as_responses
from eduquality.measures.irt.estep import (
    Chunked,
    EStepStats,
    GroupLayout,
    Layout,
    PatternChunk,
    StartTotals,
)
from eduquality.measures.irt.models import Graded, TwoPL
from eduquality.measures.irt.simulation import make_bank, simdata


def _data(n: int = 600, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    a, d = rng.uniform(0.7, 2.0, 6), rng.normal(0, 1, 6)
    codes = simdata(make_bank("2pl", np.column_stack([a, d])), rng.normal(size=n), rng)
    out = codes.astype(float)
    out[:, 4] += codes[:, 5]                 # item 5: a 0/1/2 item (graded)
    out = out[:, :5]
    out[rng.random(out.shape) < 0.1] = np.nan
    return out


LAYOUT = Layout((GroupLayout(TwoPL(), 2, np.arange(4)), GroupLayout(Graded(), 3, np.array([4]))),
                np.linspace(-4, 4, 9), np.log(np.full(9, 1 / 9)))
PARAMS = [np.array([[1.0, 0.2], [1.3, -0.5], [0.8, 0.0], [1.6, 0.9]]),
          np.array([[1.1, 0.8, -0.7]])]
CODES = as_responses(_data()).codes


@given(st.lists(st.integers(0, len(CODES)), min_size=1, max_size=4))
def test_statistics_of_chunks_add_up_to_the_whole(cuts):
    pieces = np.split(CODES, sorted(cuts))
    whole = PatternChunk(LAYOUT, CODES)
    total = EStepStats.zero(LAYOUT)
    start = StartTotals(tuple(np.zeros((len(g.index), g.k)) for g in LAYOUT.groups), 0.0)
    for piece in pieces:
        chunk = PatternChunk(LAYOUT, piece)
        total = total + chunk.stats(PARAMS)
        start = start + chunk.totals()
    want = whole.stats(PARAMS)
    for a, b in zip(total.counts, want.counts, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    assert total.loglik == pytest.approx(want.loglik, rel=1e-12)
    assert total.n == want.n == len(CODES)
    for a, b in zip(start.at_least, whole.totals().at_least, strict=True):
        np.testing.assert_array_equal(a, b)


def test_counts_and_start_totals_by_hand():
    """Two persons, one 0/1 item, two nodes of equal weight, P(1 | θ) = 1/4 and 3/4: person
    x = 1 has posterior (1/4, 3/4) over the nodes, person x = 0 (3/4, 1/4)."""
    layout = Layout((GroupLayout(TwoPL(), 2, np.array([0])),), np.array([-1.0, 1.0]),
                    np.log([0.5, 0.5]))
    logit = np.log(3.0)                      # a·θ + d = ∓log 3 → P = 1/4, 3/4
    chunk = PatternChunk(layout, np.array([[1], [0], [-1]], dtype=np.int16))
    stats = chunk.stats([np.array([[logit, 0.0]])])
    np.testing.assert_allclose(stats.counts[0][0], [[0.75, 0.25], [0.25, 0.75]])
    # the missing response adds the prior (1/2, 1/2) to n_q and nothing to the counts
    assert stats.loglik == pytest.approx(2 * np.log(0.5) + 0.0)   # L = 1/2 each; log 1 = 0
    assert stats.n == 3
    np.testing.assert_array_equal(chunk.totals().at_least[0], [[2, 1]])
    vec = stats.to_vector()
    back = EStepStats.from_vector(layout, vec)
    np.testing.assert_array_equal(back.counts[0], stats.counts[0])
    assert (back.loglik, back.n) == (stats.loglik, stats.n)


def test_a_chunked_fit_gives_the_single_machine_estimates():
    data = _data(1500, seed=8)
    resp = as_responses(data)
    whole = IRT("2pl").fit(resp)
    chunks = Chunked(lambda: np.array_split(resp.codes, 4))
    header = type(resp)(resp.codes[:0], resp.items, resp.categories)
    parts = IRT("2pl").fit(header, source=chunks)
    cols = ["a", "d1", "d2", "se_a", "se_d1"]
    np.testing.assert_allclose(parts.items_[cols].to_numpy(float),
                               whole.items_[cols].to_numpy(float), rtol=0, atol=1e-6)
    assert parts.loglik_ == pytest.approx(whole.loglik_, abs=1e-6)
    assert parts.n_persons_ == whole.n_persons_ == 1500
    assert parts.se_method_ == "observed"
