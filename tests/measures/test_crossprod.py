"""crossprod: A'B / A'WB summed over row blocks equals the one product."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.crossprod import BLOCK_FLOPS, crossprod


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 3000), p=st.integers(1, 25), q=st.integers(1, 25),
       seed=st.integers(0, 2**32 - 1), weighted=st.booleans())
def test_equals_the_one_product(n, p, q, seed, weighted):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(n, p)), rng.normal(size=(n, q))
    w = rng.uniform(0, 2, n) if weighted else None
    want = (a.T * w if weighted else a.T) @ b
    np.testing.assert_allclose(crossprod(a, b, w), want, rtol=1e-12, atol=1e-9)


def test_integer_scores_are_exact_across_many_blocks():
    rng = np.random.default_rng(7)
    x = rng.integers(0, 5, size=(20_000, 20)).astype(float)
    assert BLOCK_FLOPS // 400 < 20_000  # several blocks
    assert np.array_equal(crossprod(x, x), x.T @ x)
