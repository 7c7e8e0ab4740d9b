"""Where girth and PyPI mirt agree with each other, we agree with them too."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from eduquality.measures.irt import IRT
from eduquality.measures.irt.simulation import make_bank, simdata

girth = pytest.importorskip("girth", reason="girth is a dev dependency (pip install -e .[dev])")
mirt = pytest.importorskip("mirt", reason="PyPI mirt is a dev dependency (pip install -e .[dev])")
TOL = 0.02


def _agree(ours: np.ndarray, peer1: np.ndarray, peer2: np.ndarray, tol: float = TOL) -> None:
    peer1, peer2 = np.asarray(peer1, float), np.asarray(peer2, float)
    both = np.abs(peer1 - peer2) < tol            # only where the peers agree
    assert both.mean() > 0.8, "the peers disagree: nothing to compare"
    assert np.all(np.abs(np.asarray(ours)[both] - (peer1[both] + peer2[both]) / 2) < tol)


@pytest.mark.slow
def test_2pl_lsat6(lsat6_data):
    x = lsat6_data.to_numpy()
    ours = IRT("2pl", se=False).fit(lsat6_data).items_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = girth.twopl_mml(x.T)
    m = mirt.fit_mirt(x, model="2PL", n_quadpts=41, compute_standard_errors=False)
    _agree(ours["a"], g["Discrimination"], m.model.parameters["discrimination"])
    _agree(ours["b"], g["Difficulty"], m.model.parameters["difficulty"])


@pytest.mark.slow
def test_grm_simulated():
    rng = np.random.default_rng(31)
    a = rng.uniform(0.8, 2.0, 8)
    b = np.sort(rng.normal(0, 1, (8, 3)), axis=1)
    y = simdata(make_bank("grm", np.column_stack([a, -a[:, None] * b])), rng.normal(size=3000),
                rng)
    ours = IRT("grm", se=False).fit(y.astype(float)).items_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = girth.grm_mml(y.T.astype(int) + 1)
    m = mirt.fit_mirt(y, model="GRM", n_quadpts=41, compute_standard_errors=False)
    _agree(ours["a"], g["Discrimination"], m.model.parameters["discrimination"])
    _agree(ours[["b1", "b2", "b3"]].to_numpy().ravel(), np.asarray(g["Difficulty"]).ravel(),
           m.model.parameters["thresholds"].ravel())


def test_rasch_difficulties_with_fixed_unit_slope(lsat6_data):
    """girth's rasch_mml (slope 1, θ ~ N(0, 1)) and R ltm; PyPI mirt has no fixed-variance
    Rasch, so ltm's published values stand in as the second peer."""
    ours = IRT("rasch", latent_variance="fixed", se=False).fit(lsat6_data).items_
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = girth.rasch_mml(lsat6_data.to_numpy().T)
    ltm = np.array([-2.8720, -1.0630, -0.2576, -1.3881, -2.2188])
    _agree(ours["b"], g if not isinstance(g, dict) else g["Difficulty"], ltm, tol=0.03)
