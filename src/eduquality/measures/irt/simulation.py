"""Simulated responses from known item parameters (R mirt ``simdata``), for tests and benches.

>>> import numpy as np
>>> bank = make_bank("2pl", np.array([[1.0, 0.0], [1.5, -1.0]]))
>>> simdata(bank, np.zeros(3), np.random.default_rng(1)).shape
(3, 2)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.bank import ItemBank, ItemGroup
from eduquality.measures.irt.models import MODELS

Array = NDArray[np.float64]


def make_bank(model: str, params: Array, names: list[str] | None = None) -> ItemBank:
    """A one-model bank from a parameter matrix (rows: items; columns as the model's labels;
    3PL: a, d, logit(c))."""
    params = np.asarray(params, dtype=float)
    mod = MODELS[model]()
    k = 2 if model in ("2pl", "3pl") else params.shape[1]
    names = names or [f"Item{j + 1}" for j in range(params.shape[0])]
    group = ItemGroup(mod, k, np.arange(params.shape[0], dtype=np.int64), params)
    return ItemBank(tuple(names), (group,))


def simdata(bank: ItemBank, theta: Array, rng: np.random.Generator) -> NDArray[np.int16]:
    """Category codes (persons × items) drawn from the bank at abilities ``theta``."""
    out = np.empty((theta.shape[0], bank.n_items), dtype=np.int16)
    for g, p in zip(bank.groups, bank.probs(theta), strict=True):
        cum = np.cumsum(p, axis=2)                            # (J, N, K)
        u = rng.random(cum.shape[:2])[..., None]
        out[:, g.index] = (u > cum[..., :-1]).sum(axis=2).T
    return out
