"""Mantel–Haenszel DIF against R's mantelhaen.test (stats package) and hand-computed values."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.irt.dif import ets_class, mantel_haenszel
from eduquality.measures.irt.messages import IRTError
from eduquality.measures.irt.simulation import make_bank, simdata


@pytest.fixture(scope="module", params=["some missing", "all answered"])
def dif_data(request):
    """Two groups' 0/1 answers to 12 items, item 4 harder for the focal group; with some
    answers missing (each item's strata then count its own answers) or all answered."""
    rng = np.random.default_rng(21)
    params = np.column_stack([rng.uniform(0.8, 1.6, 12), rng.normal(0, 1, 12)])
    ref = simdata(make_bank("2pl", params), rng.normal(size=800), rng)
    harder = params.copy()
    harder[3, 1] -= 1.0                      # item 4 harder for the focal group
    foc = simdata(make_bank("2pl", harder), rng.normal(-0.3, 1, 600), rng)
    data = pd.DataFrame(np.vstack([ref, foc]).astype(float),
                        columns=[f"q{j + 1}" for j in range(12)])
    if request.param == "some missing":
        data.iloc[::17, 5] = np.nan
    return data, np.r_[np.zeros(800, bool), np.ones(600, bool)]


def test_hand_computed_two_strata():
    # stratum total=1: ref (A=2, B=1), focal (C=1, D=2); total=2: everyone right on i1
    x = pd.DataFrame({"i1": [1, 1, 0, 1, 1, 0, 0, 1, 1],
                      "i2": [0, 0, 1, 1, 0, 1, 1, 1, 1]})
    g = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)
    got = mantel_haenszel(x, g).set_index("item")
    # i1 strata (total = i1 + i2): 1 → ref {1,1,0} right 2/3, focal {1,0,0} right 1/3;
    # 2 → ref {1}, focal {1, 1}: no information on the odds ratio
    # α = (2·2/6) / (1·1/6) = 4
    assert got.loc["i1", "alpha_mh"] == pytest.approx(4.0)
    assert got.loc["i1", "delta_mh"] == pytest.approx(-2.35 * np.log(4.0))


@pytest.mark.slow
@pytest.mark.r
def test_matches_r_mantelhaen(dif_data):
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript not installed")
    data, focal = dif_data
    ours = mantel_haenszel(data, focal).set_index("item")
    x = data.to_numpy()
    total = np.nansum(x, axis=1)
    for item in ("q4", "q6", "q9"):
        j = data.columns.get_loc(item)
        ok = ~np.isnan(x[:, j])
        cells = []
        for s in np.unique(total[ok]):
            m = ok & (total == s)
            if m.sum() < 2:
                continue
            r, f = m & ~focal, m & focal
            cells += [(x[r, j] == 1).sum(), (x[f, j] == 1).sum(), (x[r, j] == 0).sum(),
                      (x[f, j] == 0).sum()]
        script = (f"x <- array(c({','.join(map(str, cells))}), dim = c(2, 2, {len(cells) // 4}));"
                  "t <- mantelhaen.test(x, correct = TRUE);"
                  "cat(format(c(t$statistic, t$estimate, log(t$conf.int[2] / t$estimate) / "
                  "qnorm(0.975)), digits = 15))")
        out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True,
                             check=True).stdout.split()
        chi2, alpha, se_log = map(float, out)
        assert ours.loc[item, "chi2"] == pytest.approx(chi2, rel=1e-8)
        assert ours.loc[item, "alpha_mh"] == pytest.approx(alpha, rel=1e-8)
        assert ours.loc[item, "se_delta"] == pytest.approx(2.35 * se_log, rel=1e-6)
    assert ours.loc["q4", "ets_class"] in ("B", "C") and ours.loc["q4", "delta_mh"] < -1


def test_polytomous_items_are_refused():
    with pytest.raises(IRTError, match="q2"):
        mantel_haenszel(pd.DataFrame({"q1": [0, 1, 1], "q2": [0, 2, 1]}),
                        np.array([0, 1, 1], bool))


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_identical_groups_show_no_dif(seed):
    """The same response rows in both groups: α_MH = 1, Δ = 0, χ² = 0, class A."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame((rng.random((40, 6)) < rng.uniform(0.2, 0.8, 6)).astype(float))
    both = pd.concat([x, x], ignore_index=True)
    got = mantel_haenszel(both, np.r_[np.zeros(40, bool), np.ones(40, bool)])
    finite = np.isfinite(got["alpha_mh"])
    assert np.allclose(got.loc[finite, "alpha_mh"], 1.0)
    assert np.allclose(got["chi2"].fillna(0.0), 0.0)
    assert set(got["ets_class"]) == {"A"}


def test_ets_boundaries():
    assert ets_class(np.array([-0.99, 1.49, -1.6, 1.6]), np.full(4, 0.1), np.full(4, 0.001)) == [
        "A", "B", "C", "C"]
    assert ets_class(np.array([2.0]), np.array([0.1]), np.array([0.2])) == ["A"]
    assert ets_class(np.array([1.6]), np.array([1.0]), np.array([0.01])) == ["B"]


def test_the_arrays_give_the_frames_table(dif_data):
    """``irt dif`` computes on arrays (:func:`mantel_haenszel_columns`, no pandas): the same
    table as :func:`mantel_haenszel` on the frame, value for value."""
    from eduquality.measures.irt.dif import mantel_haenszel_columns

    data, focal = dif_data
    frame = mantel_haenszel(data, focal)
    cols = mantel_haenszel_columns(data.to_numpy(), list(data.columns), focal)
    assert list(cols) == list(frame.columns)
    for name in cols:
        np.testing.assert_array_equal(np.asarray(cols[name]), frame[name].to_numpy(), name)


def test_chi2_tail_without_scipy_equals_scipy():
    """P(χ²₁ > x) = erfc(√(x/2)), the p-value of χ²_MH, equals scipy.stats.chi2.sf to
    rounding (and 0.05 at the 5 % critical value 3.841…)."""
    from scipy import stats

    from eduquality.measures.irt.dif import chi2_1_sf

    x = np.array([0.0, 1e-9, 0.01, 0.5, 1.0, 3.841458820694124, 6.63, 10.0, 50.0, 300.0])
    np.testing.assert_allclose(chi2_1_sf(x), stats.chi2.sf(x, 1), rtol=1e-12, atol=0)
    assert abs(chi2_1_sf(np.array([3.841458820694124]))[0] - 0.05) < 1e-12
