"""Estimation: parameter recovery from simulated data, missing data, messages on bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from eduquality.measures.irt import IRT, IRTConvergenceWarning, IRTError
from eduquality.measures.irt.simulation import make_bank, simdata


def _recovery(model: str, params: np.ndarray, n: int, seed: int, **kw) -> tuple[IRT, np.ndarray]:
    rng = np.random.default_rng(seed)
    data = simdata(make_bank(model, params), rng.normal(size=n), rng).astype(float)
    return IRT(model, **kw).fit(data), data


def _bias_rmse(est: np.ndarray, true: np.ndarray) -> tuple[float, float]:
    err = np.asarray(est) - np.asarray(true)
    return float(err.mean()), float(np.sqrt((err**2).mean()))


@pytest.mark.slow
def test_2pl_recovery():
    rng = np.random.default_rng(11)
    a, b = rng.uniform(0.7, 2.0, 15), rng.normal(0, 1, 15)
    m, _ = _recovery("2pl", np.column_stack([a, -a * b]), 4000, 1)
    for est, true in ((m.items_["a"], a), (m.items_["b"], b)):
        bias, rmse = _bias_rmse(est, true)
        assert abs(bias) < 0.05 and rmse < 0.12, (bias, rmse)
    # the reported SEs describe the actual error: |z| mostly below 3
    z = (m.items_["a"] - a) / m.items_["se_a"]
    assert np.mean(np.abs(z) < 3) >= 0.9


@pytest.mark.slow
def test_3pl_recovery_with_guessing_prior():
    rng = np.random.default_rng(12)
    a, b, c = rng.uniform(1.0, 2.0, 20), rng.normal(0, 1, 20), rng.uniform(0.1, 0.3, 20)
    m, _ = _recovery("3pl", np.column_stack([a, -a * b, np.log(c / (1 - c))]), 6000, 2)
    it = m.items_
    assert _bias_rmse(it["a"], a)[1] < 0.25
    assert _bias_rmse(it["b"], b)[1] < 0.2
    assert _bias_rmse(it["c"], c)[1] < 0.06
    assert np.all(it["se_c"] > 0)


@pytest.mark.slow
def test_grm_recovery():
    rng = np.random.default_rng(13)
    a = rng.uniform(0.8, 2.0, 10)
    b = np.sort(rng.normal(0, 1, (10, 4)), axis=1)
    true = np.column_stack([a, -a[:, None] * b])
    m, _ = _recovery("grm", true, 5000, 3)
    est = m.items_[["a", "d1", "d2", "d3", "d4"]].to_numpy()
    bias, rmse = _bias_rmse(est, true)
    assert abs(bias) < 0.05 and rmse < 0.1, (bias, rmse)
    assert np.allclose(m.items_[["b1", "b2", "b3", "b4"]], b, atol=0.25)


@pytest.mark.slow
def test_gpcm_recovery():
    rng = np.random.default_rng(14)
    a = rng.uniform(0.8, 2.0, 10)
    steps = rng.normal(0, 1, (10, 3))
    true = np.column_stack([a, np.cumsum(-a[:, None] * steps, axis=1)])
    m, _ = _recovery("gpcm", true, 5000, 4)
    est = m.items_[["a", "d1", "d2", "d3"]].to_numpy()
    bias, rmse = _bias_rmse(est, true)
    assert abs(bias) < 0.06 and rmse < 0.15, (bias, rmse)
    assert np.allclose(m.items_[["b1", "b2", "b3"]], steps, atol=0.35)


def test_missing_responses_are_left_out():
    """Items not administered (a two-form design) still recover the parameters, and a
    person's missing answers change nothing but that person's information."""
    rng = np.random.default_rng(15)
    a, b = rng.uniform(0.8, 1.8, 12), rng.normal(0, 1, 12)
    data = simdata(make_bank("2pl", np.column_stack([a, -a * b])), rng.normal(size=6000),
                   rng).astype(float)
    data[:3000, :4] = np.nan          # form A lacks items 1–4
    data[3000:, 8:] = np.nan          # form B lacks items 9–12
    m = IRT("2pl").fit(data)
    assert _bias_rmse(m.items_["b"], b)[1] < 0.15
    assert m.n_persons_ == 6000


def test_mixed_item_types_in_one_test():
    rng = np.random.default_rng(16)
    dich = make_bank("2pl", np.column_stack([rng.uniform(1, 2, 8), rng.normal(0, 1, 8)]))
    poly = make_bank("grm", np.array([[1.5, 1.0, 0.0, -1.0], [1.0, 0.5, -0.5, -1.5]]))
    theta = rng.normal(size=3000)
    data = np.column_stack([simdata(dich, theta, rng), simdata(poly, theta, rng) * 2])
    m = IRT("2pl").fit(data.astype(float))     # 0/2/4/6 marks → categories 0..3
    assert list(m.items_["model"]) == ["2pl"] * 8 + ["grm"] * 2
    assert np.allclose(m.items_.loc[8:, ["d1", "d2", "d3"]], poly.groups[0].params[:, 1:],
                       atol=0.25)
    assert m.items_.loc[:7, "d2"].isna().all()


def test_item_without_variance_is_named():
    data = pd.DataFrame({"q1": [0, 1, 1, 0], "q2": [1, 1, 1, 1], "q3": [1, 0, 1, np.nan]})
    with pytest.raises(IRTError, match="q2") as raised:
        IRT("2pl").fit(data)
    assert "无方差" in str(raised.value)  # the error carries its key: the CLI shows any language
    assert "no variance" in raised.value.text("en") and "q2" in raised.value.text("en")


def test_non_integer_responses_are_refused():
    data = pd.DataFrame({"q1": [0, 1, 0.5], "q2": [1, 0, 1]})
    with pytest.raises(IRTError, match="q1"):
        IRT("2pl").fit(data)


def test_unknown_model():
    with pytest.raises(IRTError, match="4pl"):
        IRT("4pl").fit(np.array([[0, 1], [1, 0], [1, 1]]))


def test_non_convergence_is_reported(lsat6_data):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        m = IRT("2pl", max_iter=2, se=False).fit(lsat6_data)
    assert not m.converged_
    assert any(isinstance(w.message, IRTConvergenceWarning) and "did not converge"
               in w.message.text("en") and "未收敛" in str(w.message) for w in caught)


def test_cross_product_standard_errors_are_close_to_observed(lsat6_data):
    """The cross-product (XPD) information, used for large data, estimates the same thing as
    the observed information: within a few per cent on LSAT-6."""
    obs = IRT("2pl", se_method="observed").fit(lsat6_data).items_
    xpd = IRT("2pl", se_method="xpd").fit(lsat6_data).items_
    for col in ("se_a", "se_d"):
        assert np.allclose(xpd[col], obs[col], rtol=0.06)


@pytest.mark.parametrize(("model", "slope"), [("1pl", "common"), ("grm", "free"),
                                              ("2pl", "free"), ("rasch", "fixed")])
def test_cross_product_information_is_the_sum_of_each_persons_score_squared(model, slope):
    """XPD information = −(log prior)'' + Σ_i s_i s_iᵀ, s_i = Σ_j Σ_q W_iq ∂log P_j(x_ij | θ_q)/∂ψ
    (the person's posterior expected score; a missing answer adds nothing), written here as
    plain loops over persons, items and parameters: the vectorised one (chunks, a shared
    slope summed over the items) gives the same numbers."""
    from eduquality.measures.irt.data import as_responses
    from eduquality.measures.irt.estimation import EMEstimator, item_models

    rng = np.random.default_rng(7)
    k = 3 if model == "grm" else 2
    x = rng.integers(0, k, (60, 5)).astype(float)
    x[rng.random(x.shape) < 0.15] = np.nan
    resp = as_responses(x)
    est = EMEstimator(resp, item_models(model, resp.n_cats, (5.0, 17.0)), slope, quadpts=11)
    psi = est.start()
    params = est.unpack(psi)
    chunk = est.source.chunk(est.layout)
    w, _ = chunk.posterior(params)
    w = w / chunk.freq[:, None]
    want = np.zeros((est.n_free, est.n_free))
    for g, p in zip(est.groups, params, strict=True):
        hess = g.model.log_prior(p)[2]
        for jj in range(len(g.index)):
            for c in range(g.free.shape[1]):
                if g.free[jj, c] >= 0:
                    want[g.free[jj, c], g.free[jj, c]] -= hess[jj, c]
    for i in range(len(chunk.freq)):
        s = np.zeros(est.n_free)
        for g, p in zip(est.groups, params, strict=True):
            d = g.model.dlogp(est.theta, p)
            for jj, item in enumerate(g.index):
                answer = chunk.patterns[i, item]
                for c in range(d.shape[3]):
                    if answer >= 0 and g.free[jj, c] >= 0:
                        s[g.free[jj, c]] += w[i] @ d[jj, :, answer, c]
        want += chunk.freq[i] * np.outer(s, s)
    assert np.allclose(est._xpd(psi, chunk=7), want, rtol=1e-12, atol=1e-12)
