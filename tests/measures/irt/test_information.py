"""Information, reliability and S-X² item fit against PyPI mirt on the same data."""

from __future__ import annotations

import numpy as np
import pytest

from eduquality.measures.irt import IRT
from eduquality.measures.irt.simulation import make_bank, simdata

mirt = pytest.importorskip("mirt", reason="PyPI mirt is a dev dependency (pip install -e .[dev])")


@pytest.fixture(scope="module")
def grm_data():
    rng = np.random.default_rng(2)
    bank = make_bank("grm", np.array([[1.2, 1.5, 0.0, -1.2], [0.8, 1.0, 0.5, -1.0],
                                      [1.5, 0.2, -0.8, -2.0], [1.0, 0.3, -1.0, -1.5],
                                      [2.0, 1.0, 0.0, -1.0]]))
    return simdata(bank, rng.normal(size=1500), rng)


def test_sx2_2pl_matches_mirt(lsat6_data):
    ours = IRT("2pl").fit(lsat6_data).itemfit(lsat6_data)
    peer = mirt.fit_mirt(lsat6_data.to_numpy(), model="2PL", n_quadpts=41)
    theirs = mirt.itemfit(peer, lsat6_data.to_numpy(), statistics=["S_X2"])
    assert np.allclose(ours["s_x2"], theirs["S_X2"], atol=0.02)
    assert np.array_equal(ours["df"], theirs["df"])


@pytest.mark.slow
def test_sx2_grm_matches_mirt(grm_data):
    ours = IRT("grm").fit(grm_data.astype(float)).itemfit(grm_data.astype(float))
    peer = mirt.fit_mirt(grm_data, model="GRM", n_quadpts=41)
    theirs = mirt.itemfit(peer, grm_data, statistics=["S_X2"])
    assert np.allclose(ours["s_x2"], theirs["S_X2"], atol=0.1)
    assert np.array_equal(ours["df"], theirs["df"])


def test_marginal_reliability_matches_mirt(lsat6_data):
    from mirt.utils.reliability import marginal_rxx

    ours = IRT("2pl").fit(lsat6_data).marginal_reliability()
    peer = mirt.fit_mirt(lsat6_data.to_numpy(), model="2PL", n_quadpts=41)
    assert ours == pytest.approx(marginal_rxx(peer), abs=0.002)


def test_test_information_is_sum_of_a2pq(lsat6_data):
    m = IRT("2pl").fit(lsat6_data)
    a, d = m.items_["a"].to_numpy(), m.items_["d"].to_numpy()
    t = np.array([-1.0, 0.0, 2.0])
    p = 1 / (1 + np.exp(-(a[:, None] * t + d[:, None])))
    assert np.allclose(m.information(t), (a[:, None] ** 2 * p * (1 - p)).sum(axis=0))
