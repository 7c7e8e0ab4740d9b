"""Linking and equating: exact recovery of known transformations, hand values, PyPI mirt."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.irt import IRT, IRTError
from eduquality.measures.irt.bank import ItemBank
from eduquality.measures.irt.equating import equipercentile, true_score_equating
from eduquality.measures.irt.linking import METHODS, link
from eduquality.measures.irt.simulation import make_bank, simdata


def _mixed_bank(seed: int) -> ItemBank:
    rng = np.random.default_rng(seed)
    two = make_bank("2pl", np.column_stack([rng.uniform(0.6, 2, 6), rng.normal(0, 1, 6)]))
    grm = make_bank("grm", np.column_stack([rng.uniform(0.6, 2, 3),
                                            -np.sort(rng.normal(0, 1, (3, 3)), axis=1)]),
                    names=["P1", "P2", "P3"])
    groups = (two.groups[0], grm.groups[0].__class__(grm.groups[0].model, 4,
                                                      np.arange(6, 9), grm.groups[0].params))
    return ItemBank((*two.items, *grm.items), groups)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 1000), st.floats(0.5, 2.0), st.floats(-1.5, 1.5),
       st.sampled_from(METHODS))
@pytest.mark.slow
def test_every_method_recovers_an_exact_transformation(seed, slope, intercept, method):
    base = _mixed_bank(seed)
    new = base.transform(1 / slope, -intercept / slope)   # same items, other scale
    lk = link(base, new, method)
    assert lk.slope == pytest.approx(slope, abs=1e-5)
    assert lk.intercept == pytest.approx(intercept, abs=1e-5)
    back = lk.apply(new)
    for g0, g1 in zip(base.groups, back.groups, strict=True):
        assert np.allclose(g0.params, g1.params, atol=1e-4)


def test_mean_mean_and_mean_sigma_by_hand():
    base = make_bank("2pl", np.array([[1.0, 1.0], [2.0, 0.0], [1.0, -2.0]]))   # b = −1, 0, 2
    new = make_bank("2pl", np.array([[2.0, 0.0], [2.0, -2.0], [1.0, -1.0]]))   # b = 0, 1, 1
    mm = link(base, new, "mean-mean")
    assert mm.slope == pytest.approx((5 / 3) / (4 / 3))
    assert mm.intercept == pytest.approx(1 / 3 - mm.slope * 2 / 3)
    ms = link(base, new, "mean-sigma")
    assert ms.slope == pytest.approx(np.std([-1, 0, 2]) / np.std([0, 1, 1]))


def test_curve_methods_agree_with_pypi_mirt():
    mirt = pytest.importorskip("mirt", reason="PyPI mirt is a dev dependency (pip install -e .[dev])")
    from mirt.equating.linking import link as mirt_link

    rng = np.random.default_rng(7)
    a, b = rng.uniform(0.8, 2.0, 10), rng.normal(0, 1, 10)
    bank = make_bank("2pl", np.column_stack([a, -a * b]))
    x_old = simdata(bank, rng.normal(0, 1, 3000), rng)
    x_new = simdata(bank, rng.normal(0.5, 1.2, 3000), rng)
    ours_old = IRT("2pl", se=False).fit(x_old.astype(float))
    ours_new = IRT("2pl", se=False).fit(x_new.astype(float))
    peer_old = mirt.fit_mirt(x_old, model="2PL", compute_standard_errors=False)
    peer_new = mirt.fit_mirt(x_new, model="2PL", compute_standard_errors=False)
    idx = list(range(10))
    for ours_m, peer_m in (("stocking-lord", "stocking_lord"), ("haebara", "haebara"),
                           ("mean-sigma", "mean_sigma"), ("mean-mean", "mean_mean")):
        lk = link(ours_old.bank_, ours_new.bank_, ours_m)
        theirs = mirt_link(peer_old.model, peer_new.model, idx, idx, method=peer_m,
                           compute_diagnostics=False)
        assert lk.slope == pytest.approx(theirs.constants.A, abs=0.02), ours_m
        assert lk.intercept == pytest.approx(theirs.constants.B, abs=0.02), ours_m
    # and both recover the simulated shift (θ_old = 1.2·θ_new + 0.5)
    sl = link(ours_old.bank_, ours_new.bank_, "stocking-lord")
    assert sl.slope == pytest.approx(1.2, abs=0.1) and sl.intercept == pytest.approx(0.5, abs=0.1)


def test_too_few_common_items():
    base = make_bank("2pl", np.array([[1.0, 0.0], [1.0, 1.0]]), names=["a", "b"])
    new = make_bank("2pl", np.array([[1.0, 0.0], [1.0, 1.0]]), names=["a", "c"])
    with pytest.raises(IRTError):
        link(base, new)


@pytest.mark.slow
@settings(max_examples=20, deadline=None)
@given(st.integers(0, 1000))
def test_true_score_equating_a_form_to_itself_is_identity(seed):
    bank = _mixed_bank(seed)
    eq = true_score_equating(bank, bank)
    assert np.allclose(eq["y_equivalent"], eq["x"], atol=1e-6)


def test_true_score_equating_with_guessing_and_a_harder_form():
    x = make_bank("3pl", np.array([[1.0, 0.0, -1.4], [1.2, 0.5, -1.4], [0.9, -0.2, -1.4]]))
    y = x.transform(1.0, 0.5)          # every item 0.5 harder on the common scale
    eq = true_score_equating(x, y)
    c = 1 / (1 + np.exp(1.4))
    assert eq["y_equivalent"][0] == 0.0 and eq["y_equivalent"][3] == 3.0
    inner = eq[(eq["x"] > 3 * c) & (eq["x"] < 3)]
    assert np.all(inner["y_equivalent"] < inner["x"])        # harder form: lower equivalents


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=6, max_size=6))
def test_equipercentile_of_a_form_to_itself_is_identity(counts):
    scores = np.repeat(np.arange(6), counts)
    eq = equipercentile(scores, scores, 5, 5)
    assert np.allclose(eq["y_equivalent"], np.arange(6))
