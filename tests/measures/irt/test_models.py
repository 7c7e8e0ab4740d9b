"""Property tests of the item models: probabilities, analytic derivatives, information, TCC."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.irt.bank import ItemBank, ItemGroup
from eduquality.measures.irt.information import item_information, tcc
from eduquality.measures.irt.models import Graded, ItemModel, PartialCredit, ThreePL, TwoPL

THETA = np.linspace(-4, 4, 17)


@st.composite
def item_group(draw) -> tuple[ItemModel, np.ndarray]:
    kind = draw(st.sampled_from(["2pl", "3pl", "grm", "gpcm"]))
    j = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.uniform(0.3, 2.5, j)
    if kind == "2pl":
        return TwoPL(), np.column_stack([a, rng.normal(0, 1.5, j)])
    if kind == "3pl":
        return ThreePL(), np.column_stack([a, rng.normal(0, 1.5, j), rng.normal(-1.5, 0.5, j)])
    k = draw(st.integers(3, 6))
    if kind == "grm":
        d = -np.sort(rng.normal(0, 1.5, (j, k - 1)), axis=1)
        return Graded(), np.column_stack([a, d])
    return PartialCredit(), np.column_stack([a, rng.normal(0, 1.5, (j, k - 1))])


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(item_group())
def test_probabilities_are_a_distribution(group):
    model, params = group
    p = model.probs(THETA, params)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=2), 1.0)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(item_group())
def test_analytic_score_matches_numerical_gradient(group):
    model, params = group
    # compared as ∂P/∂ψ = P · ∂log P/∂ψ, which stays well-conditioned where P is tiny
    dp = model.dlogp(THETA, params) * model.probs(THETA, params)[..., None]
    h = 1e-6
    for c in range(params.shape[1]):
        up, lo = params.copy(), params.copy()
        up[:, c] += h
        lo[:, c] -= h
        num = (model.probs(THETA, up) - model.probs(THETA, lo)) / (2 * h)
        assert np.allclose(dp[..., c], num, atol=1e-7, rtol=1e-5)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(item_group())
def test_theta_derivative_matches_numerical(group):
    model, params = group
    h = 1e-6
    num = (model.probs(THETA + h, params) - model.probs(THETA - h, params)) / (2 * h)
    assert np.allclose(model.dtheta(THETA, params), num, atol=1e-6)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(item_group())
def test_information_nonnegative_and_tcc_increasing(group):
    model, params = group
    k = model.probs(THETA, params).shape[2]
    bank = ItemBank(tuple(f"i{j}" for j in range(len(params))),
                    (ItemGroup(model, k, np.arange(len(params)), params),))
    assert np.all(item_information(bank, THETA) >= 0)
    assert np.all(np.diff(tcc(bank, THETA)) > 0)


def test_2pl_information_by_hand():
    bank = ItemBank(("i",), (ItemGroup(TwoPL(), 2, np.array([0]), np.array([[1.7, -0.4]])),))
    p = 1 / (1 + np.exp(-(1.7 * THETA - 0.4)))
    assert np.allclose(item_information(bank, THETA)[0], 1.7**2 * p * (1 - p))


def test_gpcm_with_two_categories_is_the_2pl():
    params = np.array([[1.3, 0.7]])
    assert np.allclose(PartialCredit().probs(THETA, params), TwoPL().probs(THETA, params))
    assert np.allclose(Graded().probs(THETA, params), TwoPL().probs(THETA, params))


def test_gpcm_step_difficulties():
    # k·a·θ + d_k = Σ_{v≤k} a(θ − b_v) with a = 2, b = (−1, 0.5) → d = (2, 1)
    params = np.array([[2.0, 2.0, 1.0]])
    assert np.allclose(PartialCredit().difficulties(params), [[-1.0, 0.5]])
