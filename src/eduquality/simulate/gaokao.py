"""The province-like 高考 population: 一分一段 tables and cut lines, and the city's 中考 lines
— all synthetic (marked 模拟 in the file names), derived from the same paper models.

Old regime (高考 until 2024): province candidates (理科 about 165,000, 文科 about 105,000 a year)
have general ability N(μ₁₂ + 0.1, 1) and subject strengths N(0, 0.5²); a sample of 12,000 per
track sits the year's 高考 papers, its integer totals are smoothed (Gaussian kernel, σ = 2
points) and scaled to the population. 一本 / 二本 lines are the scores at rank ⌈p·N⌉ with
p = 14 % / 42 % (理科) and 11 % / 36 % (文科).

3+1+2 (高考 from 2025): a sample of 24,000 candidates makes its 选科 by the district's rule
(:mod:`eduquality.simulate.choices`) and sits 语文, 数学, 英语, its 首选 and two 再选 papers;
the 再选 raw scores are converted by 等级赋分 (:func:`eduquality.measures.gaokao_scaling.
scale_scores`, Yunnan's scheme) within each subject's province candidates — the sample and the
district's own candidates together, so the district's 高考 file gives the province's 赋分
scores. Totals (raw 语数英 and 首选 + 赋分 再选, 750) per track are smoothed and scaled to
物理类 about 165,000 and 历史类 about 105,000 candidates. Lines per track at rank ⌈p·N⌉:
特殊类型招生控制线 p = 15 % / 12 %, 本科批 45 % / 40 %, 专科批 92 % / 92 %
(物理类 / 历史类), so 特控线 > 本科批 > 专科批.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from eduquality.measures.gaokao_scaling import scale_scores
from eduquality.simulate.choices import FIRST, SECOND, TRACK_OF_FIRST, choose
from eduquality.simulate.curriculum import NEW_CORE, SUBJECT_INDEX, SUBJECTS, subjects_for
from eduquality.simulate.exams import ExamSpec, make_paper
from eduquality.simulate.irt import sample_responses
from eduquality.simulate.population import MU
from eduquality.simulate.rng import stream

SAMPLE = 12_000
POPULATION = {"理科": 165_000, "文科": 105_000, "物理类": 165_000, "历史类": 105_000}
LINE_SHARES = {"理科": (("一本", 0.14), ("二本", 0.42)), "文科": (("一本", 0.11), ("二本", 0.36)),
               "物理类": (("特殊类型招生控制线", 0.15), ("本科批", 0.45), ("专科批", 0.92)),
               "历史类": (("特殊类型招生控制线", 0.12), ("本科批", 0.40), ("专科批", 0.92))}


@dataclass
class ProvinceYear:
    year: int
    distribution: pd.DataFrame   # track, score, n, cumulative (descending scores)
    lines: pd.DataFrame          # track, line, score
    scaled: dict[str, np.ndarray] = field(default_factory=dict)  # 3+1+2: district 赋分 scores


def province_year(spec: ExamSpec, seed: int,
                  district: dict[str, np.ndarray] | None = None) -> ProvinceYear:
    """The province's 一分一段 tables and lines of the 高考 ``spec``. 3+1+2: ``district`` (再选
    subject → the district's raw integer scores, NaN where absent) joins the province's 赋分
    reference; :attr:`ProvinceYear.scaled` holds the district's converted scores."""
    year = int(spec.date[:4])
    totals: dict[str, tuple[np.ndarray, int]] = {}
    scaled: dict[str, np.ndarray] = {}
    if spec.new_regime:
        by_track, scaled = _new_regime_totals(spec, seed, district or {})
        for track, total in by_track.items():
            rng = stream(seed, "province", spec.exam_id, track, "size")
            totals[track] = (total, round(POPULATION[track] * rng.uniform(0.97, 1.05)))
    else:
        for track in ("理科", "文科"):
            totals[track] = _old_regime_totals(spec, seed, track)
    dists, lines = [], []
    for track, (total, n_pop) in totals.items():
        d, cum = _table(track, total, n_pop)
        dists.append(d)
        scores = np.arange(751)
        for line, p in LINE_SHARES[track]:
            rank = int(np.ceil(p * n_pop))
            lines.append((track, line, float(scores[cum >= rank].max())))
    return ProvinceYear(year, pd.concat(dists, ignore_index=True),
                        pd.DataFrame(lines, columns=["track", "line", "score"]), scaled)


def _counted(items: pd.DataFrame, scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A paper's integer score (the candidate answers one 选做 item of a group)."""
    opt = items["optional_group"].notna().to_numpy()
    counted = scores[:, ~opt].sum(axis=1)
    if opt.any():
        pick = rng.integers(0, opt.sum(), scores.shape[0])
        counted += scores[:, opt][np.arange(scores.shape[0]), pick]
    return np.floor(counted + 0.5)


def _old_regime_totals(spec: ExamSpec, seed: int, track: str) -> tuple[np.ndarray, int]:
    rng = stream(seed, "province", spec.exam_id, track)
    n_pop = round(POPULATION[track] * rng.uniform(0.97, 1.05))
    theta = rng.normal(float(MU[11]) + 0.1, 1.0, SAMPLE)
    total = np.zeros(SAMPLE)
    for subject in subjects_for(12, track):
        items = make_paper(spec, subject, None if subject in ("语文", "英语") else track, seed)
        scores, _ = sample_responses(theta + rng.normal(0, 0.5, SAMPLE), items, rng)
        total += _counted(items, scores, rng)
    return total, n_pop


def _new_regime_totals(spec: ExamSpec, seed: int, district: dict[str, np.ndarray]
                       ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    rng = stream(seed, "province", spec.exam_id, "3+1+2")
    n = 2 * SAMPLE
    theta = rng.normal(float(MU[11]) + 0.1, 1.0, n)
    lam = rng.normal(0.0, 0.5, (n, len(SUBJECTS)))
    female = rng.random(n) < 0.48
    first, second = choose(theta - theta.mean(), lam, female, rng)
    total = np.zeros(n)
    scaled: dict[str, np.ndarray] = {}
    for subject in (*NEW_CORE, *FIRST, *SECOND):
        sits = np.ones(n, dtype=bool)
        if subject in FIRST:
            sits = first == FIRST.index(subject)
        elif subject in SECOND:
            sits = (second == SECOND.index(subject)).any(axis=1)
        track = TRACK_OF_FIRST.get(subject)
        items = make_paper(spec, subject, track, seed)
        ability = theta[sits] + lam[sits, SUBJECT_INDEX[subject]]
        raw = _counted(items, sample_responses(ability, items, rng)[0], rng)
        if subject in SECOND:
            mine = np.asarray(district.get(subject, np.zeros(0)), dtype=float)
            both = scale_scores(np.concatenate([raw, mine]))["scaled"].to_numpy()
            raw, scaled[subject] = both[:raw.size], both[raw.size:]
        total[sits] += raw
    by_track = {TRACK_OF_FIRST[f]: total[first == k] for k, f in enumerate(FIRST)}
    return by_track, scaled


def _table(track: str, total: np.ndarray, n_pop: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The 一分一段 table of one track (scores with candidates, highest first) and the
    cumulative count at or above every score 0–750."""
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
    return d.reset_index(drop=True), cum


def zhongkao_lines(totals: np.ndarray) -> pd.DataFrame:
    """普高线 and 一级完中线: the district 中考 totals at the top 55 % and top 22 %."""
    t = np.sort(totals[np.isfinite(totals)])[::-1]
    rows = [("普高线", float(np.floor(t[int(np.ceil(0.55 * t.size)) - 1]))),
            ("一级完中线", float(np.floor(t[int(np.ceil(0.22 * t.size)) - 1])))]
    return pd.DataFrame(rows, columns=["line", "score"])
