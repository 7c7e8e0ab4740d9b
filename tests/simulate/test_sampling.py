"""The response samplers and the CSV writer, against independently computed values."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.simulate.irt import choices, sample_responses
from eduquality.simulate.writers import Column, write_csv


def _items(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def test_3pl_and_grm_match_their_expected_scores():
    """Sample means vs E[X] computed by hand: 3PL c + (1−c)/(1+e^{−a(θ−b)}); GRM
    E[X] = Σ_k P(X ≥ k)."""
    theta = np.full(200_000, 0.5)
    items = _items([
        {"a": 1.2, "b": 0.0, "c": 0.2, "marks": 2.0, "n_steps": 1, "thresholds": (0.0,)},
        {"a": 0.8, "b": 0.0, "c": 0.0, "marks": 6.0, "n_steps": 3,
         "thresholds": (-1.0, 0.0, 1.5)},
        {"a": 1.0, "b": 0.0, "c": 0.0, "marks": 20.0, "n_steps": 20,
         "thresholds": tuple(np.linspace(-2, 2, 20))},
    ])
    scores, correct = sample_responses(theta, items, np.random.default_rng(1))
    p3 = 0.2 + 0.8 / (1 + np.exp(-1.2 * 0.5))
    grm = sum(1 / (1 + np.exp(-0.8 * (0.5 - b))) for b in (-1.0, 0.0, 1.5)) * 2.0
    grm20 = sum(1 / (1 + np.exp(-(0.5 - b))) for b in np.linspace(-2, 2, 20))
    se = scores.std(axis=0) / np.sqrt(theta.size)
    assert abs(scores[:, 0].mean() - 2 * p3) < 4 * se[0]
    assert abs(scores[:, 1].mean() - grm) < 4 * se[1]
    assert abs(scores[:, 2].mean() - grm20) < 4 * se[2]
    assert set(np.unique(scores[:, 1])) <= {0.0, 2.0, 4.0, 6.0}
    assert np.array_equal(correct[:, 0], scores[:, 0] == 2.0)


def test_choices_give_the_key_exactly_when_right():
    rng = np.random.default_rng(2)
    correct = rng.random((5000, 4)) < 0.6
    keys = np.array(["A", "B", "C", "D"])
    ch = choices(correct, keys, rng)
    assert np.array_equal(ch == keys[None, :], correct)
    wrong = ch[~correct]
    assert (wrong == "").mean() < 0.01
    assert set(np.unique(wrong)) <= {"", "A", "B", "C", "D"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 150), st.sampled_from([0.5, 1.5, 7.25])),
                min_size=1, max_size=30),
       st.sampled_from(["utf-8-sig", "gbk", "utf-8"]))
def test_csv_round_trip(values, encoding):
    import tempfile
    from pathlib import Path

    v = np.array([np.nan if x is None else float(x) for x in values])
    marker = np.array(["缺考" if i % 7 == 3 else None for i in range(v.size)], dtype=object)
    names = np.array([f"学生{i}" for i in range(v.size)], dtype=object)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "x.csv"
        write_csv(path, [Column("姓名", names), Column("17(2)", v, marker)], encoding=encoding)
        back = pd.read_csv(io.BytesIO(path.read_bytes()), encoding=encoding, dtype=str,
                           keep_default_na=False)
    assert list(back.columns) == ["姓名", "17(2)"]
    expect = ["缺考" if m is not None else ("" if np.isnan(x) else f"{x:g}")
              for x, m in zip(v, marker, strict=True)]
    assert back["17(2)"].tolist() == expect
    assert back["姓名"].tolist() == names.tolist()
