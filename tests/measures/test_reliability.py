"""Reliability against published values (LSAT6, SAT12), R psych::alpha and hand arithmetic."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from eduquality.measures.items import score_choices
from eduquality.measures.reliability import (
    covariance_matrix,
    cronbach_alpha,
    kr20,
    reliability,
    sem,
)
from tests.paths import REFDATA
from tests.rscript import needs_r


def lsat6() -> pd.DataFrame:
    pat = pd.read_csv(REFDATA / "lsat6_patterns.csv")
    return pat.loc[pat.index.repeat(pat["freq"]), pat.columns[:-1]].reset_index(drop=True)


def sat12_scored() -> pd.DataFrame:
    raw = pd.read_csv(REFDATA / "sat12_raw_unscored.csv")
    key = pd.read_csv(REFDATA / "sat12_key.csv").set_index("item")["key"]
    return score_choices(raw, key, omit_codes=[8])


def psych_alpha(tmp_path: Path, data: pd.DataFrame, listwise: bool = False) -> pd.DataFrame:
    """R psych::alpha (use = "pairwise", cumulative = TRUE) on ``data``: one row per item with
    raw_alpha (if deleted), raw.r, std.r, r.cor, r.drop, plus the total's alpha/mean/sd."""
    src = tmp_path / "x.csv"
    out = tmp_path / "alpha.csv"
    data.to_csv(src, index=False, na_rep="NA")
    script = f"""
    suppressMessages(library(psych))
    x <- read.csv("{src}")
    if ({"TRUE" if listwise else "FALSE"}) x <- na.omit(x)
    x <- x[rowSums(!is.na(x)) > 0, ]
    a <- alpha(x, cumulative = TRUE, warnings = FALSE, check.keys = FALSE)
    r <- data.frame(item = rownames(a$item.stats), alpha_drop = a$alpha.drop$raw_alpha,
        raw_r = a$item.stats$raw.r, std_r = a$item.stats$std.r, r_cor = a$item.stats$r.cor,
        r_drop = a$item.stats$r.drop, alpha = a$total$raw_alpha, mean = a$total$mean,
        sd = a$total$sd)
    write.csv(r, "{out}", row.names = FALSE)
    """
    subprocess.run(["Rscript", "-e", script], check=True, capture_output=True, timeout=120)
    return pd.read_csv(out)


# --- hand-computed ------------------------------------------------------------------------------

TOY = [[1, 1, 2], [2, 3, 2], [3, 2, 4], [2, 2, 3], [1, 1, 1], [3, 3, 3]]


def test_alpha_by_hand():
    # item variances (n−1): 4/5, 4/5, 5.5/5 → Σ 2.7; totals 4,7,9,7,3,9: mean 6.5,
    # squared deviations 6.25+0.25+6.25+0.25+12.25+6.25 = 31.5 → var 6.3
    # α = 3/2 · (1 − 2.7/6.3) = 6/7
    assert cronbach_alpha(TOY) == pytest.approx(6 / 7)
    rel = reliability(TOY)
    assert rel.sd_total == pytest.approx(np.sqrt(6.3))
    assert rel.sem == pytest.approx(np.sqrt(6.3) * np.sqrt(1 / 7))
    # α without item 3: C = [[.8, .6], [.6, .8]] (cov(i1,i2) = 3/5) → 2 · (1 − 1.6/2.8) = 6/7
    assert rel.items["alpha_if_deleted"].iloc[2] == pytest.approx(2 * (1 - 1.6 / 2.8))


def test_kr20_equals_pq_formula():
    x = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [0, 0, 0]])
    # p = .75, .5, .25; Σpq = .1875 + .25 + .1875 = .625; totals 2,1,3,0 → σ² (n) = 1.25
    assert kr20(x) == pytest.approx(3 / 2 * (1 - 0.625 / 1.25))
    with pytest.raises(ValueError):
        kr20([[0, 2], [1, 1]])


def test_sem_formula():
    assert sem(4.0, 0.75) == pytest.approx(2.0)


def test_pairwise_covariance_matches_pandas():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 4))
    x[rng.random(x.shape) < 0.2] = np.nan
    frame = pd.DataFrame(x).dropna(how="all")
    np.testing.assert_allclose(covariance_matrix(x), frame.cov().to_numpy(), rtol=1e-12)


def test_listwise_equals_complete_rows():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 3, size=(40, 4)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    complete = x[~np.isnan(x).any(axis=1)]
    assert cronbach_alpha(x, "listwise") == pytest.approx(cronbach_alpha(complete))
    assert reliability(x, "listwise").n_persons == len(complete)


# --- published values ---------------------------------------------------------------------------

def test_lsat6_published_classical_values():
    rel = reliability(lsat6())
    assert rel.alpha == pytest.approx(0.295, abs=5e-4)
    items = rel.items
    np.testing.assert_allclose(items["total_r"], [0.362, 0.567, 0.618, 0.534, 0.435], atol=5e-4)
    np.testing.assert_allclose(items["rest_r"], [0.113, 0.153, 0.173, 0.144, 0.122], atol=5e-4)
    np.testing.assert_allclose(
        items["alpha_if_deleted"], [0.275, 0.238, 0.217, 0.246, 0.266], atol=5e-4
    )
    assert rel.n_persons == 1000 and rel.n_items == 5


def test_sat12_published_values():
    rel = reliability(sat12_scored())
    assert rel.alpha == pytest.approx(0.798, abs=5e-4)
    assert rel.sem == pytest.approx(2.272, abs=5e-4)
    assert rel.mean_total == pytest.approx(18.202, abs=5e-4)
    assert rel.sd_total == pytest.approx(5.054, abs=5e-4)


# --- R psych::alpha -----------------------------------------------------------------------------

def _with_missing(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=300)
    x = np.clip(np.round(theta[:, None] + rng.normal(size=(300, 6)) + 1.5), 0, 3)
    x[rng.random(x.shape) < 0.12] = np.nan
    return pd.DataFrame(x, columns=[f"q{j}" for j in range(1, 7)])


def _compare(ours, theirs: pd.DataFrame) -> None:
    np.testing.assert_allclose(ours.alpha, theirs["alpha"].iloc[0], rtol=1e-9)
    np.testing.assert_allclose(ours.items["alpha_if_deleted"], theirs["alpha_drop"], rtol=1e-9)
    np.testing.assert_allclose(ours.items["rest_r"], theirs["r_drop"], rtol=1e-9)
    np.testing.assert_allclose(ours.items["total_r"], theirs["raw_r"], rtol=1e-9)
    np.testing.assert_allclose(ours.items["std_r"], theirs["std_r"], rtol=1e-9)
    np.testing.assert_allclose(ours.items["r_cor"], theirs["r_cor"], rtol=1e-9)
    np.testing.assert_allclose(ours.mean_total, theirs["mean"].iloc[0], rtol=1e-9)
    np.testing.assert_allclose(ours.sd_total, theirs["sd"].iloc[0], rtol=1e-9)


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_pairwise_matches_psych_alpha(tmp_path):
    data = _with_missing(11)
    _compare(reliability(data, "pairwise"), psych_alpha(tmp_path, data))


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_listwise_matches_psych_on_complete_rows(tmp_path):
    data = _with_missing(12)
    _compare(reliability(data, "listwise"), psych_alpha(tmp_path, data, listwise=True))


@pytest.mark.slow
@needs_r
@pytest.mark.r
def test_sat12_matches_psych_alpha(tmp_path):
    data = sat12_scored()
    _compare(reliability(data), psych_alpha(tmp_path, data))


# --- properties ---------------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(3, 30), st.integers(2, 6)),
              elements=st.integers(0, 4)))
@pytest.mark.slow
def test_alpha_at_most_one(x):
    a = cronbach_alpha(x)
    assert np.isnan(a) or a <= 1 + 1e-12
