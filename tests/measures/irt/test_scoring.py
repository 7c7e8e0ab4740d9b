"""Person scores against direct numerical integration / optimisation of the same posterior."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize

from eduquality.measures.irt import IRT
from eduquality.measures.irt.scoring import lord_wingersky, sum_score_table
from eduquality.measures.irt.simulation import make_bank


@pytest.fixture(scope="module")
def lsat_fit(lsat6_data):
    return IRT("2pl").fit(lsat6_data)


def _loglik(bank, x):
    a, d = bank.groups[0].params.T

    def f(t: float) -> float:
        p = 1 / (1 + np.exp(-(a * t + d)))
        return float(np.sum(np.where(x == 1, np.log(p), np.log1p(-p))))
    return f


ROWS = [0, 40, 300, 999]


def test_eap_matches_numerical_integration(lsat_fit, lsat6_data):
    got = lsat_fit.score(lsat6_data.iloc[ROWS], "eap")
    for row, (theta, se) in zip(ROWS, got.to_numpy(), strict=True):
        ll = _loglik(lsat_fit.bank_, lsat6_data.iloc[row].to_numpy())
        post = lambda t, k, ll=ll: t**k * np.exp(ll(t) - t * t / 2)  # noqa: E731
        z = integrate.quad(post, -10, 10, args=(0,))[0]
        m1 = integrate.quad(post, -10, 10, args=(1,))[0] / z
        m2 = integrate.quad(post, -10, 10, args=(2,))[0] / z
        assert theta == pytest.approx(m1, abs=1e-3)
        assert se == pytest.approx(np.sqrt(m2 - m1**2), abs=1e-3)


def test_map_and_ml_match_direct_optimisation(lsat_fit, lsat6_data):
    rows = [40, 300]  # patterns with a finite ML estimate
    got_map = lsat_fit.score(lsat6_data.iloc[rows], "map")
    got_ml = lsat_fit.score(lsat6_data.iloc[rows], "ml")
    for i, row in enumerate(rows):
        ll = _loglik(lsat_fit.bank_, lsat6_data.iloc[row].to_numpy())
        t_map = optimize.minimize_scalar(lambda t: -ll(t) + t * t / 2).x  # noqa: B023
        t_ml = optimize.minimize_scalar(lambda t: -ll(t), bounds=(-4, 4), method="bounded").x  # noqa: B023
        assert got_map["theta"].iloc[i] == pytest.approx(t_map, abs=1e-4)
        assert got_ml["theta"].iloc[i] == pytest.approx(t_ml, abs=1e-3)
        h = 1e-3
        curv = -(ll(t_map + h) - 2 * ll(t_map) + ll(t_map - h)) / h**2 + 1
        assert got_map["se"].iloc[i] == pytest.approx(curv**-0.5, abs=1e-3)


def test_ml_is_bounded_for_perfect_scores(lsat_fit):
    x = np.array([[1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=float)
    got = lsat_fit.score(x, "ml")
    assert got["theta"].tolist() == [4.0, -4.0]


@pytest.mark.slow
def test_sum_score_eap_matches_enumeration(lsat_fit):
    """EAP given the sum score, by enumerating all 32 patterns and integrating."""
    bank = lsat_fit.bank_
    table = sum_score_table(bank)
    pats = (np.arange(32)[:, None] >> np.arange(5)[None, :]) & 1
    for s in range(6):
        group = pats[pats.sum(axis=1) == s]

        def like(t: float, k: int, group=group) -> float:
            return t**k * sum(np.exp(_loglik(bank, x)(t)) for x in group) * np.exp(-t * t / 2)
        z = integrate.quad(like, -10, 10, args=(0,))[0]
        m1 = integrate.quad(like, -10, 10, args=(1,))[0] / z
        assert table["theta"][s] == pytest.approx(m1, abs=1e-3)
        assert table["p"][s] == pytest.approx(z / np.sqrt(2 * np.pi), abs=1e-4)


def test_lord_wingersky_sums_to_one():
    bank = make_bank("grm", np.array([[1.0, 1.0, -1.0], [2.0, 0.5, -0.5], [0.7, 0.0, -2.0]]))
    dist = lord_wingersky(bank, np.linspace(-3, 3, 7))
    assert dist.shape == (7, 7)
    assert np.allclose(dist.sum(axis=0), 1.0)


def test_eap_agrees_with_pypi_mirt(lsat6_data):
    mirt = pytest.importorskip("mirt", reason="PyPI mirt is a dev dependency (pip install -e .[dev])")
    ours = IRT("2pl", se=False).fit(lsat6_data)
    peer = mirt.fit_mirt(lsat6_data.to_numpy(), model="2PL", n_quadpts=41,
                         compute_standard_errors=False)
    theirs = mirt.fscores(peer, lsat6_data.to_numpy(), method="EAP", n_quadpts=61)
    got = ours.score(lsat6_data, "eap")
    assert np.abs(got["theta"].to_numpy() - np.ravel(theirs.theta)).max() < 0.01
    assert np.abs(got["se"].to_numpy() - np.ravel(theirs.standard_error)).max() < 0.01
