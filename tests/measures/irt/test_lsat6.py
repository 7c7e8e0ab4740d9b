"""LSAT section 6 against the published estimates of R ltm / mirt (shared/refdata/README.md)."""

from __future__ import annotations

import numpy as np
import pytest

from eduquality.measures.irt import IRT

# R ltm, 2PL (logit = a·θ + d, b = −d/a)
LTM_2PL_A = {"Item1": 0.8254, "Item2": 0.7229, "Item3": 0.8905, "Item4": 0.6886, "Item5": 0.6575}
LTM_2PL_B = {"Item1": -3.3597, "Item2": -1.3696, "Item3": -0.2799, "Item4": -1.8659,
             "Item5": -3.1236}
# R ltm, Rasch with one common slope
LTM_1PL_A = 0.7551
LTM_1PL_SE_A = 0.0694
LTM_1PL_B = {"Item1": -3.6153, "Item2": -1.3224, "Item3": -0.3176, "Item4": -1.7301,
             "Item5": -2.7802}
LTM_1PL_SE_B = {"Item1": 0.3266, "Item2": 0.1422, "Item3": 0.0977, "Item4": 0.1691,
                "Item5": 0.2510}
# R ltm, Rasch with slope fixed at 1, θ ~ N(0, 1)
LTM_RASCH1_B = {"Item1": -2.8720, "Item2": -1.0630, "Item3": -0.2576, "Item4": -1.3881,
                "Item5": -2.2188}
# R mirt "Rasch": slope 1, latent variance free
MIRT_RASCH_D = {"Item1": 2.731, "Item2": 0.999, "Item3": 0.240, "Item4": 1.307, "Item5": 2.100}
MIRT_RASCH_VAR = 0.572


def _by_item(model, column):
    return dict(zip(model.items_["item"], model.items_[column], strict=True))


def _close(got: dict, want: dict, tol: float = 0.01) -> None:
    for item, value in want.items():
        assert got[item] == pytest.approx(value, abs=tol), (item, got[item], value)


def test_2pl(lsat6_data):
    m = IRT("2pl").fit(lsat6_data)
    _close(_by_item(m, "a"), LTM_2PL_A)
    _close(_by_item(m, "b"), LTM_2PL_B)
    assert m.loglik_ == pytest.approx(-2466.653, abs=0.01)
    assert m.aic_ == pytest.approx(4953.307, abs=0.02)
    assert m.bic_ == pytest.approx(5002.384, abs=0.02)
    assert m.converged_ and m.n_params_ == 10


def test_1pl_common_slope_with_standard_errors(lsat6_data):
    m = IRT("1pl").fit(lsat6_data)
    assert np.allclose(m.items_["a"], LTM_1PL_A, atol=0.01)
    assert np.allclose(m.items_["se_a"], LTM_1PL_SE_A, atol=0.005)
    _close(_by_item(m, "b"), LTM_1PL_B)
    _close(_by_item(m, "se_b"), LTM_1PL_SE_B, tol=0.005)
    assert m.loglik_ == pytest.approx(-2466.938, abs=0.01)


def test_rasch_slope_one_unit_variance(lsat6_data):
    m = IRT("rasch", latent_variance="fixed").fit(lsat6_data)
    _close(_by_item(m, "b"), LTM_RASCH1_B)
    assert np.all(m.items_["a"] == 1.0)
    assert m.loglik_ == pytest.approx(-2473.054, abs=0.01)
    assert m.n_params_ == 5


def test_rasch_free_latent_variance(lsat6_data):
    m = IRT("rasch").fit(lsat6_data)
    _close(_by_item(m, "d"), MIRT_RASCH_D)
    assert m.latent_variance_ == pytest.approx(MIRT_RASCH_VAR, abs=0.01)
    assert m.summary()["latent_variance"] == m.latent_variance_
    # the same likelihood as the 1PL with a common slope: the two are one model
    assert m.loglik_ == pytest.approx(-2466.938, abs=0.01)


def test_quadrature_is_configurable(lsat6_data):
    coarse = IRT("2pl", quadpts=21, se=False).fit(lsat6_data)
    fine = IRT("2pl", quadpts=81, se=False).fit(lsat6_data)
    assert coarse.loglik_ == pytest.approx(fine.loglik_, abs=0.01)
    assert np.allclose(coarse.items_["a"], fine.items_["a"], atol=0.01)
