"""Drawing item responses from the item models of :mod:`eduquality.simulate.papers`.

Vectorised over students and items: items with the same model are drawn together, graded items
padded to a common number of steps (thresholds +∞ beyond an item's last step), students in
chunks to bound memory. For a graded item, X = #{k : U < P(X ≥ k)} with one uniform U per
response, which draws X from the GRM because P(X ≥ k) falls with k.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_CELLS = 4_000_000  # responses × steps per chunk
LETTERS = np.array(list("ABCD"))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def expected_p(theta: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """3PL probability of a correct answer, students × items."""
    return c + (1.0 - c) * _sigmoid(a * (theta[:, None] - b))


def sample_responses(theta: np.ndarray, items: pd.DataFrame, rng: np.random.Generator
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Scores (students × items, in marks) and, for single-answer objective items, whether the
    answer was right (students × items, False elsewhere)."""
    n, j = theta.size, len(items)
    scores = np.zeros((n, j), dtype=np.float32)
    correct = np.zeros((n, j), dtype=bool)
    a = items["a"].to_numpy(float)
    marks = items["marks"].to_numpy(float)
    steps = items["n_steps"].to_numpy(int)
    dich = np.flatnonzero(steps == 1)
    if dich.size:
        b = items["b"].to_numpy(float)[dich]
        c = items["c"].to_numpy(float)[dich]
        step = max(1, _CELLS // dich.size)
        for lo in range(0, n, step):
            p = expected_p(theta[lo:lo + step], a[dich], b, c)
            hit = rng.random(p.shape) < p
            scores[lo:lo + step, dich] = hit * marks[dich]
            correct[lo:lo + step, dich] = hit
    for bucket in (np.flatnonzero((steps > 1) & (steps <= 15)), np.flatnonzero(steps > 15)):
        if bucket.size == 0:
            continue
        kmax = int(steps[bucket].max())
        th = np.full((bucket.size, kmax), np.inf)
        for r, i in enumerate(bucket):  # per item, once: thresholds into the padded table
            t = items["thresholds"].iloc[i]
            th[r, :len(t)] = t
        step = max(1, _CELLS // (bucket.size * kmax))
        unit = (marks[bucket] / steps[bucket]).astype(np.float32)
        for lo in range(0, n, step):
            t = theta[lo:lo + step, None, None]
            p = _sigmoid(a[bucket][None, :, None] * (t - th[None]))
            u = rng.random((t.shape[0], bucket.size, 1))
            x = (u < p).sum(axis=2)
            scores[lo:lo + step, bucket] = x * unit
    return scores, correct


def choices(correct: np.ndarray, keys: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The option each student marked: the key when right, otherwise a distractor drawn with
    item-specific attractiveness (Dirichlet(1.5) weights); 0.3 % of wrong answers are blank."""
    n, j = correct.shape
    key_idx = np.searchsorted(LETTERS, keys)
    w = rng.dirichlet([1.5, 1.5, 1.5], j)                  # items × 3 distractors
    cw = np.cumsum(w, axis=1)
    u = rng.random((n, j))
    d = (u[:, :, None] > cw[None, :, :-1]).sum(axis=2)      # 0..2
    distractor = (key_idx[None, :] + 1 + d) % 4
    idx = np.where(correct, key_idx[None, :], distractor)
    out = LETTERS[idx].astype(object)
    out[~correct & (rng.random((n, j)) < 0.003)] = ""
    return out
