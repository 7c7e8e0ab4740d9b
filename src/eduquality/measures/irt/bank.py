"""A calibrated item bank: items grouped by model and number of categories, plus the latent
distribution θ ~ N(mean, sd²). Scoring, information, linking and equating work on a bank."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from eduquality.measures.irt.models import ItemModel

Array = NDArray[np.float64]


def quadrature(n: int = 41, bound: float = 6.0, mean: float = 0.0,
               sd: float = 1.0) -> tuple[Array, Array]:
    """Equally spaced nodes on mean ± bound·sd with normalised N(mean, sd²) weights
    (the rectangular rule R mirt uses for one dimension).

    >>> x, w = quadrature(5, 2.0)
    >>> x.tolist(), round(float(w.sum()), 12)
    ([-2.0, -1.0, 0.0, 1.0, 2.0], 1.0)
    """
    z = np.linspace(-bound, bound, n)
    w = np.exp(-0.5 * z**2)
    return mean + sd * z, w / w.sum()


@dataclass(frozen=True)
class ItemGroup:
    """Items ``index`` (positions in the bank) sharing ``model`` and ``n_cats``."""

    model: ItemModel
    n_cats: int
    index: NDArray[np.int64]
    params: Array

    def with_params(self, params: Array) -> ItemGroup:
        return ItemGroup(self.model, self.n_cats, self.index, params)


@dataclass(frozen=True)
class ItemBank:
    """Item parameters on one scale. ``latent_mean``/``latent_sd`` describe θ in the calibration
    population (0/1 unless a Rasch model left the variance free)."""

    items: tuple[str, ...]
    groups: tuple[ItemGroup, ...]
    latent_mean: float = 0.0
    latent_sd: float = 1.0
    categories: tuple[Array, ...] = field(default=())

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_cats(self) -> NDArray[np.int64]:
        out = np.zeros(self.n_items, dtype=np.int64)
        for g in self.groups:
            out[g.index] = g.n_cats
        return out

    @property
    def max_score(self) -> int:
        return int((self.n_cats - 1).sum())

    def category_values(self) -> tuple[Array, ...]:
        """The raw value of each category per item (codes 0..K−1 when not recorded)."""
        if self.categories:
            return self.categories
        return tuple(np.arange(k, dtype=float) for k in self.n_cats)

    def probs(self, theta: Array) -> list[Array]:
        """Category probabilities per group, each (J_g, len(theta), K_g)."""
        return [g.model.probs(theta, g.params) for g in self.groups]

    def expected_scores(self, theta: Array) -> Array:
        """E[X_j | θ] (categories 0..K−1), shape (J, len(theta))."""
        out = np.empty((self.n_items, theta.shape[0]))
        for g in self.groups:
            out[g.index] = g.model.expected_score(theta, g.params, g.n_cats)
        return out

    def nodes(self, quadpts: int = 61, bound: float = 6.0) -> tuple[Array, Array]:
        return quadrature(quadpts, bound, self.latent_mean, self.latent_sd)

    def subset(self, names: list[str]) -> ItemBank:
        """The bank restricted to ``names`` (in that order)."""
        pos = {n: i for i, n in enumerate(self.items)}
        want = np.array([pos[n] for n in names], dtype=np.int64)
        new_pos = {int(old): new for new, old in enumerate(want)}
        groups = []
        for g in self.groups:
            keep = np.isin(g.index, want)
            if keep.any():
                idx = np.array([new_pos[int(i)] for i in g.index[keep]], dtype=np.int64)
                groups.append(ItemGroup(g.model, g.n_cats, idx, g.params[keep]))
        cats = self.category_values()
        return ItemBank(tuple(names), tuple(groups), self.latent_mean, self.latent_sd,
                        tuple(cats[int(i)] for i in want))

    def transform(self, slope: float, intercept: float) -> ItemBank:
        """The bank put on the scale θ* = slope·θ + intercept: a* = a/slope,
        d* = d − a·intercept/slope (so b* = slope·b + intercept); c unchanged."""
        groups = []
        for g in self.groups:
            p = g.params.copy()
            a = p[:, :1]
            if g.model.polytomous and g.model.name == "gpcm":
                cats = np.arange(1, g.n_cats)
                p[:, 1:] = p[:, 1:] - a * intercept / slope * cats
            else:
                p[:, 1:g.n_cats] = p[:, 1:g.n_cats] - a * intercept / slope
            p[:, 0] = p[:, 0] / slope
            groups.append(g.with_params(p))
        return ItemBank(self.items, tuple(groups), slope * self.latent_mean + intercept,
                        slope * self.latent_sd, self.categories)
