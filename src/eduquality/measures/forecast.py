"""Forecasts of 高考 (and 中考) results from mock exams (一诊/二诊/三诊/模拟), and their backtests.

Regime-agnostic: lines are labelled by (track, line) — old regime ('文科'/'理科', '一本'/'二本'),
new 3+1+2 regime ('物理类'/'历史类', '本科批'/'特控线'), 中考 ('普高线' …) alike.

- 位次法 (:func:`rank_method_line`): last year's line → its rank in the official 一分一段 table →
  share p of candidates → this year's forecast line = the score at rank ⌈p·N⌉ of the comparable
  (city) mock population (GLOSSARY "高考").
- Equipercentile linking (:class:`EquipercentileLink`) of mock → 高考 scores on the previous cohort
  (single-group design), with log-linear presmoothing (Holland & Thayer 2000; Kolen & Brennan
  2014, ch. 2–3).
- Logistic model (:class:`LogisticLineModel`) of P(高考 ≥ line | mock score(s)) fitted on the
  previous cohort; per student a probability.
- Per unit (:func:`unit_forecast`): forecast count and share above each line with a prediction
  interval from the Poisson-binomial distribution of a sum of independent Bernoullis.
- Backtests (:func:`calibration_table`, :func:`brier_score`, :func:`interval_coverage`) and the
  plan's target of a yearly step in 上线率 (:func:`plan_progress`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from eduquality.errors import KeyedError
from eduquality.i18n import register

__all__ = [
    "EquipercentileLink",
    "ForecastInputError",
    "LogisticLineModel",
    "RankLineForecast",
    "brier_score",
    "calibration_table",
    "interval_coverage",
    "line_probabilities",
    "loglinear_smooth",
    "plan_progress",
    "poisson_binomial_pmf",
    "rank_method_line",
    "rank_method_lines",
    "table_rank",
    "unit_forecast",
]

MESSAGES = register({
    "forecast.columns": ("缺少列 {cols}", "missing columns {cols}"),
    "forecast.empty": ("{what} 没有有效数据", "{what} has no valid data"),
    "forecast.shape": (
        "{what} 的长度 {got} 与 {n} 不一致", "{what} has length {got}, expected {n}",
    ),
    "forecast.outcome": (
        "结果只能是 0/1（是否上线），收到 {values}",
        "outcomes must be 0/1 (above the line or not), got {values}",
    ),
    "forecast.separation": (
        "logistic 模型不收敛：模考成绩完全区分了上线与未上线（完全分离）",
        "the logistic model does not converge: the mock scores separate the outcomes perfectly",
    ),
})


class ForecastInputError(KeyedError):
    """Input to a forecast is unusable (says which input and why).
    Message in Chinese; ``text(lang)`` gives it in another language."""



# --------------------------------------------------------------------------------------------
# 位次法


def _table_counts(table: pd.DataFrame) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    need = {"score", "count"}
    if not need <= set(table.columns):
        raise ForecastInputError("forecast.columns", cols=sorted(need - set(table.columns)))
    t = table[["score", "count"]].dropna().sort_values("score")
    if t.empty:
        raise ForecastInputError("forecast.empty", what="一分一段表")
    return t["score"].to_numpy(dtype=float), t["count"].to_numpy(dtype=float)


def table_rank(table: pd.DataFrame, score: float) -> int:
    """Rank of ``score`` in a 一分一段 table (columns score, count per score): the number of
    candidates at or above it (the table's 累计人数).

    >>> t = pd.DataFrame({"score": [600, 599, 598, 597], "count": [3, 5, 4, 8]})
    >>> table_rank(t, 598)
    12
    """
    s, c = _table_counts(table)
    return int(c[s >= score].sum())


@dataclass(frozen=True)
class RankLineForecast:
    """位次法 result: last year's ``line`` had ``rank`` of ``total`` candidates (share
    ``share``); the forecast line is the mock score at rank ``mock_rank`` = ⌈share · mock_n⌉."""

    line: float
    rank: int
    total: int
    share: float
    mock_n: int
    mock_rank: int
    forecast_line: float


def rank_method_line(
    table: pd.DataFrame, line: float, mock_scores: ArrayLike
) -> RankLineForecast:
    """位次法: p = rank(line)/N in last year's 一分一段 table; the forecast line is the score
    at rank ⌈p · N_mock⌉ (1 = highest) among this year's comparable mock takers.

    Hand case: rank of 598 is 12 of 20 → p = 0.6; 10 mock takers → rank 6 → 6th best = 75.

    >>> t = pd.DataFrame({"score": [600, 599, 598, 597], "count": [3, 5, 4, 8]})
    >>> rank_method_line(t, 598, [90, 88, 85, 80, 78, 75, 70, 66, 60, 50]).forecast_line
    75.0
    """
    s, c = _table_counts(table)
    total = int(c.sum())
    rank = int(c[s >= line].sum())
    m = np.asarray(mock_scores, dtype=float)
    m = np.sort(m[~np.isnan(m)])[::-1]
    if m.size == 0:
        raise ForecastInputError("forecast.empty", what="mock_scores")
    share = rank / total
    k = min(max(math.ceil(round(share * m.size, 9)), 1), m.size)  # 0.15·20 is 3, not 3.0…4
    return RankLineForecast(float(line), rank, total, share, int(m.size), k, float(m[k - 1]))


def rank_method_lines(
    tables: Mapping[str, pd.DataFrame], lines: pd.DataFrame, mock: pd.DataFrame
) -> pd.DataFrame:
    """位次法 for every (track, line): ``tables`` maps a track to last year's official 一分一段
    table (score, count), ``lines`` has columns track, line, score (last year's lines) and
    ``mock`` columns track, score (this year's comparable city-wide mock). Returns track, line,
    last_line, rank, total, share, mock_n, mock_rank, forecast_line.
    """
    for frame, cols, what in ((lines, ["track", "line", "score"], "lines"),
                              (mock, ["track", "score"], "mock")):
        missing = sorted(set(cols) - set(frame.columns))
        if missing:
            raise ForecastInputError("forecast.columns", cols=[what, *missing])
    rows = []
    for track, name, score in zip(lines["track"].astype(str), lines["line"],
                                  lines["score"].to_numpy(dtype=float), strict=True):
        if track not in tables:
            raise ForecastInputError("forecast.empty", what=f"一分一段表 {track}")
        r = rank_method_line(tables[track], float(score),
                             mock.loc[mock["track"].astype(str) == track, "score"])
        rows.append({"track": track, "line": name, "last_line": r.line, "rank": r.rank,
                     "total": r.total, "share": r.share, "mock_n": r.mock_n,
                     "mock_rank": r.mock_rank, "forecast_line": r.forecast_line})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# equipercentile linking


def loglinear_smooth(freq: ArrayLike, degree: int = 6, max_iter: int = 100) -> NDArray[np.float64]:
    """Log-linear presmoothing (Holland & Thayer 2000): the Poisson model log μₛ = Σ_{c≤C} β_c zₛᶜ
    on the score grid (z the standardised grid), fitted by Newton–Raphson; the fitted
    frequencies keep the total and the first C moments of the observed ones.

    >>> f = loglinear_smooth([1, 4, 6, 4, 1], degree=2)
    >>> round(float(f.sum()), 6), round(float((f * np.arange(5)).sum()), 6)
    (16.0, 32.0)
    """
    y = np.asarray(freq, dtype=float)
    g = np.arange(y.size, dtype=float)
    z = (g - g.mean()) / (g.std() or 1.0)
    B = np.vander(z, degree + 1, increasing=True)
    beta = np.zeros(degree + 1)
    beta[0] = np.log(max(y.mean(), 1e-12))
    for _ in range(max_iter):
        mu = np.exp(B @ beta)
        grad = B.T @ (y - mu)
        hess = (B * mu[:, None]).T @ B
        step = np.linalg.solve(hess + 1e-12 * np.eye(degree + 1), grad)
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return np.exp(B @ beta)


class EquipercentileLink:
    """Equipercentile link e(x) = G⁻¹(F(x)) of mock scores x to 高考 scores y (Kolen & Brennan
    2014, ch. 2), calibrated on a previous cohort that took both (single-group design).

    Scores are put on a grid of width ``step`` (rounded to the nearest point); the
    distributions are continuized by the uniform kernel (percentile ranks: the CDF is linear
    between the points x + step/2), F and G presmoothed separately by
    :func:`loglinear_smooth` of ``degree`` (``None`` = no smoothing). Scores beyond the
    previous cohort's range map to the end points.
    """

    def __init__(self, degree: int | None = 6, step: float = 1.0) -> None:
        self.degree = degree
        self.step = step

    def _cdf_knots(self, v: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        grid_idx = np.round(v / self.step).astype(np.int64)
        lo = int(grid_idx.min())
        freq = np.bincount(grid_idx - lo).astype(float)
        if self.degree is not None and freq.size > self.degree + 1:
            freq = loglinear_smooth(freq, self.degree)
        grid = (lo + np.arange(freq.size)) * self.step
        kx = np.r_[grid[0] - self.step / 2, grid + self.step / 2]
        kp = np.r_[0.0, np.cumsum(freq) / freq.sum()]
        return kx, kp

    def fit(self, mock: ArrayLike, gaokao: ArrayLike) -> EquipercentileLink:
        x = np.asarray(mock, dtype=float)
        y = np.asarray(gaokao, dtype=float)
        if x.shape != y.shape:
            raise ForecastInputError("forecast.shape", what="gaokao", got=y.size,
                                        n=x.size)
        ok = ~np.isnan(x) & ~np.isnan(y)
        if not ok.any():
            raise ForecastInputError("forecast.empty", what="mock/gaokao")
        self.fx_, self.fp_ = self._cdf_knots(x[ok])
        self.gx_, self.gp_ = self._cdf_knots(y[ok])
        return self

    def percentile_rank(self, mock: ArrayLike) -> NDArray[np.float64]:
        """F(x) in [0, 1] (×100 = the percentile rank of K&B)."""
        return np.interp(np.asarray(mock, dtype=float), self.fx_, self.fp_)

    def transform(self, mock: ArrayLike) -> NDArray[np.float64]:
        """The linked 高考 scores e(x) = G⁻¹(F(x)); where G is flat (scores nobody had,
        without smoothing) K&B's upper inverse: the smallest y with G(y) > p."""
        p = self.percentile_rank(mock)
        gx, gp = self.gx_, self.gp_
        i = np.clip(np.searchsorted(gp, p, side="right"), 1, gp.size - 1)
        lo_p, hi_p = gp[i - 1], gp[i]
        frac = np.where(hi_p > lo_p, (p - lo_p) / np.where(hi_p > lo_p, hi_p - lo_p, 1.0), 0.0)
        return np.asarray(gx[i - 1] + np.clip(frac, 0.0, 1.0) * (gx[i] - gx[i - 1]))


# --------------------------------------------------------------------------------------------
# logistic model


class LogisticLineModel:
    """P(above line | mock scores) = 1/(1 + exp(−(β₀ + x'β))), maximum likelihood by
    Newton–Raphson (checked against statsmodels ``Logit`` in the tests).

    ``fit(mock, above)`` with ``mock`` n × k (or n), ``above`` 0/1 for the previous cohort
    (高考 ≥ that year's line); ``predict_proba(mock)`` for this year's students. For mocks
    whose difficulty changes between years, pass mock scores minus that year's 位次法 line.
    """

    def fit(self, mock: ArrayLike, above: ArrayLike, max_iter: int = 50) -> LogisticLineModel:
        x = np.asarray(mock, dtype=float)
        x = x.reshape(x.shape[0], -1)
        t = np.asarray(above, dtype=float).ravel()
        if t.shape[0] != x.shape[0]:
            raise ForecastInputError("forecast.shape", what="above", got=t.size,
                                        n=x.shape[0])
        ok = ~np.isnan(x).any(axis=1) & ~np.isnan(t)
        x, t = x[ok], t[ok]
        if not np.isin(t, (0.0, 1.0)).all():
            raise ForecastInputError("forecast.outcome", values=sorted(set(t.tolist()))[:5])
        self.center_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        X = np.c_[np.ones(len(t)), (x - self.center_) / self.scale_]
        beta = np.zeros(X.shape[1])
        for _ in range(max_iter):
            p = stats.logistic.cdf(X @ beta)
            W = p * (1 - p)
            step = np.linalg.solve((X * W[:, None]).T @ X + 1e-12 * np.eye(X.shape[1]),
                                   X.T @ (t - p))
            beta += step
            if np.max(np.abs(step)) < 1e-10:
                break
        if not np.all(np.isfinite(beta)) or np.max(np.abs(beta[1:])) > 50:
            raise ForecastInputError("forecast.separation")
        # back to the original scale
        slope = beta[1:] / self.scale_
        self.coef_ = np.r_[beta[0] - float(slope @ self.center_), slope]
        self.n_ = len(t)
        return self

    def predict_proba(self, mock: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(mock, dtype=float)
        x = x.reshape(x.shape[0], -1)
        eta = self.coef_[0] + x @ self.coef_[1:]
        return np.asarray(stats.logistic.cdf(eta), dtype=np.float64)


def line_probabilities(
    prev: pd.DataFrame, now: pd.DataFrame, lines: pd.DataFrame, features: Sequence[str],
    outcome: str = "gaokao", track: str = "track", carry: Sequence[str] = ("unit",),
) -> pd.DataFrame:
    """Per student of ``now`` and per (track, line) of ``lines`` (columns track, line, score:
    the lines of the previous cohort's year) the probability of reaching the line, from a
    :class:`LogisticLineModel` on ``features`` fitted on the previous cohort's students of that
    track (outcome: ``outcome`` ≥ score). Returns the ``carry`` columns of ``now`` (those
    present), row (the index of ``now``), track, line, probability. Any labels work: 文科/理科 ×
    一本/二本, 物理类/历史类 × 本科批/特控线, …
    """
    for frame, cols, what in ((prev, [*features, outcome, track], "prev"),
                              (now, [*features, track], "now"),
                              (lines, ["track", "line", "score"], "lines")):
        missing = sorted(set(cols) - set(frame.columns))
        if missing:
            raise ForecastInputError("forecast.columns", cols=[what, *missing])
    keep = [c for c in carry if c in now.columns]
    parts = []
    for ln in lines.itertuples(index=False):
        p_rows = prev.loc[prev[track] == ln.track]
        n_rows = now.loc[now[track] == ln.track]
        if p_rows.empty or n_rows.empty:
            continue
        above = (p_rows[outcome] >= ln.score).astype(float).where(p_rows[outcome].notna())
        model = LogisticLineModel().fit(p_rows[list(features)].to_numpy(float), above)
        part = n_rows[keep].copy()
        part.insert(0, "row", n_rows.index)
        part["track"] = str(ln.track)
        part["line"] = str(ln.line)
        part["probability"] = model.predict_proba(n_rows[list(features)].to_numpy(float))
        parts.append(part)
    cols = [*keep, "row", "track", "line", "probability"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[["row", *keep, "track", "line", "probability"]]


# --------------------------------------------------------------------------------------------
# unit forecasts: Poisson-binomial


EXACT_MAX_N = 5000


def poisson_binomial_pmf(p: ArrayLike) -> NDArray[np.float64]:
    """Exact pmf of the number of successes among independent Bernoulli(pᵢ), by the discrete
    Fourier transform of the characteristic function (Hong 2013):
    P(K = k) = 1/(n+1) Σ_l exp(−iωlk) Πⱼ(1 − pⱼ + pⱼ e^{iωl}), ω = 2π/(n+1).

    >>> poisson_binomial_pmf([0.5, 0.2]).round(6).tolist()
    [0.4, 0.5, 0.1]
    """
    pa = np.asarray(p, dtype=float).ravel()
    n = pa.size
    if n == 0:
        return np.ones(1)
    L = n + 1
    ls = np.arange(L // 2 + 1)  # with n odd (L even) this includes the Nyquist term L/2
    cf = np.zeros(L, dtype=complex)
    for a in range(0, ls.size, 256):
        block = ls[a:a + 256]
        e = np.exp(2j * np.pi * block / L)
        terms = 1.0 - pa[:, None] + pa[:, None] * e[None, :]
        mod = np.sum(np.log(np.abs(terms)), axis=0)
        arg = np.sum(np.angle(terms), axis=0)
        cf[block] = np.exp(mod) * np.exp(1j * arg)
    cf[L - ls[1:]] = np.conj(cf[ls[1:]])
    pmf = np.real(np.fft.fft(cf)) / L
    pmf = np.clip(pmf, 0.0, None)
    return pmf / pmf.sum()


def _count_interval(p: NDArray[np.float64], level: float) -> tuple[float, float]:
    a = (1.0 - level) / 2.0
    mean = float(p.sum())
    if p.size <= EXACT_MAX_N:
        cdf = np.cumsum(poisson_binomial_pmf(p))
        lo = float(np.searchsorted(cdf, a - 1e-12))
        hi = float(np.searchsorted(cdf, 1.0 - a - 1e-12))
    else:
        sd = math.sqrt(float(np.sum(p * (1 - p))))
        zq = float(stats.norm.ppf(1.0 - a))
        lo = float(max(math.ceil(mean - zq * sd - 0.5), 0))
        hi = float(min(math.floor(mean + zq * sd + 0.5), p.size))
    return min(lo, math.floor(mean)), max(hi, math.ceil(mean))


def unit_forecast(
    probs: pd.DataFrame, by: Sequence[str] = ("unit", "track", "line"), level: float = 0.95
) -> pd.DataFrame:
    """Per group (unit × track × line): n, forecast count Σpᵢ and share Σpᵢ/n above the line,
    with a ``level`` prediction interval for the count (and share) from the Poisson-binomial
    distribution of Σ Bernoulli(pᵢ): exact (DFT, :func:`poisson_binomial_pmf`) up to 5000
    students, else the normal approximation with continuity correction. Equal-tailed
    quantiles, widened to the integers around the forecast count so the interval contains it.
    The interval reflects only the students' own chance, not uncertainty in the model.
    ``probs`` has the ``by`` columns and ``probability``.
    """
    need = {*by, "probability"}
    if not need <= set(probs.columns):
        raise ForecastInputError("forecast.columns", cols=sorted(need - set(probs.columns)))
    rows = []
    for key, g in probs.dropna(subset=["probability"]).groupby(list(by), sort=True):
        p = np.clip(g["probability"].to_numpy(dtype=float), 0.0, 1.0)
        lo, hi = _count_interval(p, level)
        n = p.size
        keyt = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, keyt, strict=True)), "n": n, "count": float(p.sum()),
                     "count_low": lo, "count_high": hi, "share": float(p.sum()) / n,
                     "share_low": lo / n, "share_high": hi / n})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# backtests and the plan's target


def _prob_outcome(prob: ArrayLike, outcome: ArrayLike) -> tuple[NDArray, NDArray]:
    p = np.asarray(prob, dtype=float).ravel()
    o = np.asarray(outcome, dtype=float).ravel()
    if p.shape != o.shape:
        raise ForecastInputError("forecast.shape", what="outcome", got=o.size, n=p.size)
    ok = ~np.isnan(p) & ~np.isnan(o)
    return p[ok], o[ok]


def brier_score(prob: ArrayLike, outcome: ArrayLike) -> float:
    """Brier score (1/n) Σ (pᵢ − oᵢ)² (Brier 1950); 0 is perfect, 0.25 a coin toss.

    >>> brier_score([0.9, 0.2, 0.5], [1, 0, 1])
    0.1
    """
    p, o = _prob_outcome(prob, outcome)
    return round(float(np.mean((p - o) ** 2)), 12)


def calibration_table(prob: ArrayLike, outcome: ArrayLike, bins: int = 10) -> pd.DataFrame:
    """Reliability table: predictions cut into ``bins`` equal-width bins on [0, 1]; per bin
    n, mean predicted probability, observed rate and its Wilson 95 % interval."""
    p, o = _prob_outcome(prob, outcome)
    idx = np.minimum((p * bins).astype(int), bins - 1)
    df = pd.DataFrame({"bin": idx, "p": p, "o": o})
    g = df.groupby("bin").agg(n=("o", "size"), mean_predicted=("p", "mean"),
                              observed=("o", "mean"))
    z = float(stats.norm.ppf(0.975))
    n = g["n"].to_numpy(dtype=float)
    ph = g["observed"].to_numpy()
    centre = (ph + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    g["observed_low"] = centre - half
    g["observed_high"] = centre + half
    g.insert(0, "bin_low", g.index.to_numpy() / bins)
    g.insert(1, "bin_high", (g.index.to_numpy() + 1) / bins)
    return g.reset_index(drop=True)


def interval_coverage(actual: ArrayLike, low: ArrayLike, high: ArrayLike) -> float:
    """Share of actual counts (or shares) inside their prediction intervals [low, high].

    >>> interval_coverage([3, 5, 9], [2, 6, 8], [4, 8, 9])
    0.6666666666666666
    """
    a = np.asarray(actual, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    return float(np.mean((lo <= a) & (a <= hi)))


def plan_progress(rates: pd.DataFrame, base_year: int, step: float) -> pd.DataFrame:
    """Progress toward the plan's target: 上线率 up by ``step`` (a share: the settings'
    ``PlanTarget.step``, 0.04 = 4 percentage points) each year from ``base_year``. ``rates`` has
    columns unit, year, rate (a share in [0, 1], actual or forecast). Returns per unit and year:
    base_rate, target = base_rate + step · (year − base_year), rate, gap = rate − target,
    on_track = gap ≥ 0, and the step itself. Units without a base year rate get no target.
    """
    need = {"unit", "year", "rate"}
    if not need <= set(rates.columns):
        raise ForecastInputError("forecast.columns", cols=sorted(need - set(rates.columns)))
    base = rates.loc[rates["year"] == base_year].set_index("unit")["rate"]
    out = rates[["unit", "year", "rate"]].copy()
    out["base_rate"] = out["unit"].map(base)
    out["target"] = out["base_rate"] + step * (out["year"] - base_year)
    out["gap"] = out["rate"] - out["target"]
    out["on_track"] = (out["gap"] >= -1e-12).astype("boolean")
    out.loc[out["target"].isna(), "on_track"] = pd.NA
    out["step"] = float(step)
    return out.sort_values(["unit", "year"]).reset_index(drop=True)
