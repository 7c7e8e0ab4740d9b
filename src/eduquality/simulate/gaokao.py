"""The province-like 高考 population: 一分一段 tables and cut lines (一本/二本, old 文/理
regime), and the city's 中考 lines — all synthetic, derived from the same paper models.

Province candidates (理科 about 165,000, 文科 about 105,000 a year) have general ability
N(μ₁₂ + 0.1, 1) and subject strengths N(0, 0.5²); a sample of 12,000 per track sits the year's
高考 papers, its integer totals are smoothed (Gaussian kernel, σ = 2 points) and scaled to the
population. 一本 / 二本 lines are the scores at rank ⌈p·N⌉ with p = 14 % / 42 % (理科) and
11 % / 36 % (文科).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from eduquality.simulate.curriculum import subjects_for
from eduquality.simulate.exams import ExamSpec, make_paper
from eduquality.simulate.irt import sample_responses
from eduquality.simulate.population import MU
from eduquality.simulate.rng import stream

SAMPLE = 12_000
POPULATION = {"理科": 165_000, "文科": 105_000}
LINE_SHARES = {"理科": (("一本", 0.14), ("二本", 0.42)), "文科": (("一本", 0.11), ("二本", 0.36))}


@dataclass
class ProvinceYear:
    year: int
    distribution: pd.DataFrame   # track, score, n, cumulative (descending scores)
    lines: pd.DataFrame          # track, line, score


def province_year(spec: ExamSpec, seed: int) -> ProvinceYear:
    year = int(spec.date[:4])
    dists, lines = [], []
    for track in ("理科", "文科"):
        rng = stream(seed, "province", spec.exam_id, track)
        n_pop = round(POPULATION[track] * rng.uniform(0.97, 1.05))
        theta = rng.normal(float(MU[11]) + 0.1, 1.0, SAMPLE)
        total = np.zeros(SAMPLE)
        for subject in subjects_for(12, track):
            items = make_paper(spec, subject, None if subject in ("语文", "英语") else track, seed)
            scores, _ = sample_responses(theta + rng.normal(0, 0.5, SAMPLE), items, rng)
            opt = items["optional_group"].notna().to_numpy()
            counted = scores[:, ~opt].sum(axis=1)
            if opt.any():  # the candidate answers one 选做 item
                pick = rng.integers(0, opt.sum(), SAMPLE)
                counted += scores[:, opt][np.arange(SAMPLE), pick]
            total += np.floor(counted + 0.5)
        hist = np.bincount(np.clip(total.astype(int), 0, 750), minlength=751).astype(float)
        kernel = np.exp(-0.5 * (np.arange(-8, 9) / 2.0) ** 2)
        smooth = np.convolve(hist, kernel / kernel.sum(), mode="same")
        cum_top = np.cumsum(smooth[::-1])[::-1]             # at or above each score
        cum = np.round(cum_top / cum_top[0] * n_pop).astype(int)
        n = cum - np.append(cum[1:], 0)
        scores = np.arange(751)
        keep = cum > 0
        top = int(scores[keep].max())
        d = pd.DataFrame({"track": track, "score": scores[:top + 1][::-1],
                          "n": n[:top + 1][::-1], "cumulative": cum[:top + 1][::-1]})
        low = int(scores[n > 0].min())
        d = d[(d["cumulative"] > 0) & (d["score"] >= low)]
        dists.append(d.reset_index(drop=True))
        for line, p in LINE_SHARES[track]:
            rank = int(np.ceil(p * n_pop))
            at = scores[cum >= rank].max()
            lines.append((track, line, float(at)))
    return ProvinceYear(year, pd.concat(dists, ignore_index=True),
                        pd.DataFrame(lines, columns=["track", "line", "score"]))


def zhongkao_lines(totals: np.ndarray) -> pd.DataFrame:
    """普高线 and 一级完中线: the district 中考 totals at the top 55 % and top 22 %."""
    t = np.sort(totals[np.isfinite(totals)])[::-1]
    rows = [("普高线", float(np.floor(t[int(np.ceil(0.55 * t.size)) - 1]))),
            ("一级完中线", float(np.floor(t[int(np.ceil(0.22 * t.size)) - 1])))]
    return pd.DataFrame(rows, columns=["line", "score"])
