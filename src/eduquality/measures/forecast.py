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
  previous cohort by Firth's penalised likelihood (:mod:`eduquality.measures.firth`: finite
  under separation, as for a 专科批 nearly everyone reaches; a line everyone or no one reached:
  its share's Jeffreys posterior); per student a probability.
- Per unit (:func:`unit_forecast`): forecast count and share above each line with a prediction
  interval from the Poisson-binomial distribution of a sum of independent Bernoullis — mixed
  over draws of the model (:func:`logit_draws`: the fit's parameter uncertainty and the
  year-to-year shift of the line-vs-mock relation, :func:`shift_variance`) and a unit's own
  deviation (:func:`unit_dispersion`), so that the interval carries the model's uncertainty.
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
from scipy import special, stats

from eduquality.errors import KeyedError
from eduquality.i18n import register
from eduquality.measures.firth import logistic_fit

__all__ = [
    "EquipercentileLink",
    "ForecastInputError",
    "LogisticLineModel",
    "RankLineForecast",
    "brier_score",
    "calibration_table",
    "count_interval",
    "interval_coverage",
    "line_probabilities",
    "logit_draws",
    "logit_shift",
    "loglinear_smooth",
    "normal_scores",
    "plan_progress",
    "poisson_binomial_mixture_cdf",
    "poisson_binomial_pmf",
    "rank_method_line",
    "rank_method_lines",
    "shift_variance",
    "table_rank",
    "unit_dispersion",
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


def normal_scores(values: ArrayLike) -> NDArray[np.float64]:
    """Rank-based normal scores zᵢ = Φ⁻¹((rᵢ − ½)/n): rᵢ the rank of valueᵢ among the n
    non-missing values (1 = lowest, ties the average rank), (rᵢ − ½)/n Hazen's plotting
    position (a percentile rank strictly inside (0, 1)); NaN stays NaN. The scores keep only
    the order of the values within their group, not their scale: the place of a student in
    their cohort's track, comparable between cohorts whose mocks are not on one scale (the
    bridge between the regimes, where the old regime's 理科 total and the 3+1+2 物理类 total
    with its new subjects are different exams; Blom 1958; Beasley, Erickson & Allison 2009).

    Hand case: 10, 20, 30 → ranks 1, 2, 3 → Φ⁻¹(1/6), Φ⁻¹(1/2), Φ⁻¹(5/6).

    >>> normal_scores([30, 10, 20]).round(4).tolist()
    [0.9674, -0.9674, 0.0]
    """
    v = np.asarray(values, dtype=float).ravel()
    ok = ~np.isnan(v)
    out = np.full(v.shape, np.nan)
    n = int(ok.sum())
    if n:
        r = stats.rankdata(v[ok], method="average")
        out[ok] = stats.norm.ppf((r - 0.5) / n)
    return out


# --------------------------------------------------------------------------------------------
# logistic model


class LogisticLineModel:
    """P(above line | mock scores) = 1/(1 + exp(−(β₀ + x'β))) fitted on the previous cohort.

    ``fit(mock, above)`` with ``mock`` n × k (or n), ``above`` 0/1 for the previous cohort
    (高考 ≥ that year's line); ``predict_proba(mock)`` for this year's students. For mocks
    whose difficulty changes between years, pass mock scores minus that year's 位次法 line.

    - ``firth=True`` (default): Firth's penalised likelihood (:func:`~eduquality.measures.firth.
      logistic_fit`; Firth 1993, Heinze & Schemper 2002): finite estimates and a finite
      covariance when the mock separates the outcomes or nearly does — a 专科批 that all but a
      few students reach, whose ML fit runs off to infinity with a covariance to match (drawn
      from, it spread the probabilities to 0 and 1 and their mean to ½).
    - A line that every calibration student reached, or none did (k of n with k = 0 or n):
      nothing ties it to the mock, so the model is the share alone — the Firth fit without
      the mock, p̂ = (k + ½)/(n + 1), the mean of the Jeffreys posterior Beta(k + ½, n − k + ½)
      (``share_prior_`` = (k + ½, n − k + ½); :func:`logit_draws` draws p from it), the
      slopes 0. ``cov_`` then holds the variance ψ′(a) + ψ′(b) of logit p under that Beta.
    - ``firth=False``: maximum likelihood (checked against statsmodels ``Logit`` in the tests);
      separated data, a constant outcome included, raise :class:`ForecastInputError`.

    ``cov_`` is the estimated covariance of ``coef_`` (intercept first): the inverse of the
    information (X'WX)⁻¹ at the estimate, taken back to the original scale (the asymptotic
    normal approximation; McCullagh & Nelder 1989, §4.4; for Firth the same matrix at the
    penalised estimate, as in ``logistf``).
    """

    def __init__(self, firth: bool = True) -> None:
        self.firth = firth

    def fit(self, mock: ArrayLike, above: ArrayLike, max_iter: int = 100) -> LogisticLineModel:
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
        if t.size == 0:
            raise ForecastInputError("forecast.empty", what="above")
        self.n_ = len(t)
        k = x.shape[1] + 1
        hits = float(t.sum())
        self.share_prior_: tuple[float, float] | None = None
        if hits in (0.0, float(t.size)):
            if not self.firth:
                raise ForecastInputError("forecast.separation")
            a, b = hits + 0.5, t.size - hits + 0.5
            self.share_prior_ = (a, b)
            self.coef_ = np.r_[math.log(a / b), np.zeros(k - 1)]
            self.cov_ = np.zeros((k, k))
            self.cov_[0, 0] = float(special.polygamma(1, a) + special.polygamma(1, b))
            return self
        self.center_ = x.mean(axis=0)
        self.scale_ = x.std(axis=0)
        self.scale_[self.scale_ == 0] = 1.0
        X = np.c_[np.ones(len(t)), (x - self.center_) / self.scale_]
        fit = logistic_fit(X, t, firth=self.firth, max_iter=max_iter)
        if not self.firth and not fit.converged:
            raise ForecastInputError("forecast.separation")
        beta = fit.coef
        # back to the original scale: coef = A·beta with A = [[1, −c/s], [0, diag(1/s)]]
        A = np.eye(k)
        A[0, 1:] = -self.center_ / self.scale_
        A[1:, 1:] = np.diag(1.0 / self.scale_)
        self.coef_ = A @ beta
        self.cov_ = A @ fit.cov @ A.T
        return self

    def linear_predictor(self, mock: ArrayLike) -> NDArray[np.float64]:
        """η = β₀ + x'β (the log-odds of reaching the line)."""
        x = np.asarray(mock, dtype=float)
        x = x.reshape(x.shape[0], -1)
        return np.asarray(self.coef_[0] + x @ self.coef_[1:], dtype=np.float64)

    def predict_proba(self, mock: ArrayLike) -> NDArray[np.float64]:
        return np.asarray(stats.logistic.cdf(self.linear_predictor(mock)), dtype=np.float64)


def line_probabilities(
    prev: pd.DataFrame, now: pd.DataFrame, lines: pd.DataFrame, features: Sequence[str],
    outcome: str = "gaokao", track: str = "track", carry: Sequence[str] = ("unit",), *,
    draws: int = 0, shift_sd: float = 0.0, shift_df: float | None = None, seed: int = 0,
    bridge_sd: float = 0.0,
) -> pd.DataFrame:
    """Per student of ``now`` and per (track, line) of ``lines`` (columns track, line, score:
    the lines of the previous cohort's year) the probability of reaching the line, from a
    :class:`LogisticLineModel` on ``features`` fitted on the previous cohort's students of that
    track (outcome: ``outcome`` ≥ score). Returns the ``carry`` columns of ``now`` (those
    present), row (the index of ``now``), track, line, probability. Any labels work: 文科/理科 ×
    一本/二本, 物理类/历史类 × 本科批/特控线, …

    With ``draws`` > 0 the model is not taken as known: :func:`logit_draws` draws the
    coefficients and the year's shift (scale ``shift_sd``, Student t with ``shift_df`` degrees of
    freedom or normal: :func:`shift_variance`; plus the bridge's, scale ``bridge_sd``, across
    the change of regime);
    ``probability``
    is then the predictive probability, the mean of the ``draws`` logistic probabilities
    (which, with a shift, lies nearer ½ than the point estimate: the logistic-normal integral),
    and two columns are added for :func:`unit_forecast`: ``logit`` (the point log-odds η̂ᵢ)
    and ``logit_draws`` (per student the array of its ``draws`` log-odds, the same draws for
    every student of a (track, line): they share the model).

    One forecast throughout: the students' ``probability`` (the mean over the draws) is what
    the backtest's Brier score and calibration table (:func:`calibration_table`) evaluate, and
    its sum is the unit's forecast count, the mean of the count's mixture distribution whose
    quantiles are the interval (:func:`unit_forecast`). The draws move it towards ½ only as
    far as the model is uncertain there: with the Firth fit (:class:`LogisticLineModel`) a
    line that nearly everyone reached keeps probabilities near 1 (the ML fit's unbounded
    covariance once spread its draws to 0 and 1 and their mean to ½).
    """
    for frame, cols, what in ((prev, [*features, outcome, track], "prev"),
                              (now, [*features, track], "now"),
                              (lines, ["track", "line", "score"], "lines")):
        missing = sorted(set(cols) - set(frame.columns))
        if missing:
            raise ForecastInputError("forecast.columns", cols=[what, *missing])
    keep = [c for c in carry if c in now.columns]
    rng = np.random.default_rng(seed)
    parts = []
    for ln in lines.itertuples(index=False):
        p_rows = prev.loc[prev[track] == ln.track]
        n_rows = now.loc[now[track] == ln.track]
        if p_rows.empty or n_rows.empty:
            continue
        above = (p_rows[outcome] >= ln.score).astype(float).where(p_rows[outcome].notna())
        model = LogisticLineModel().fit(p_rows[list(features)].to_numpy(float), above)
        x_now = n_rows[list(features)].to_numpy(float)
        part = n_rows[keep].copy()
        part.insert(0, "row", n_rows.index)
        part["track"] = str(ln.track)
        part["line"] = str(ln.line)
        if draws > 0:
            eta = logit_draws(model, x_now, shift_sd, draws, rng, shift_df, bridge_sd)
            part["probability"] = stats.logistic.cdf(eta).mean(axis=0)
            part["logit"] = model.linear_predictor(x_now)
            part["logit_draws"] = list(eta.T)
        else:
            part["probability"] = model.predict_proba(x_now)
        parts.append(part)
    extra = ["logit", "logit_draws"] if draws > 0 else []
    cols = ["row", *keep, "track", "line", "probability", *extra]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


BRIDGE_SHIFT_SD = 1.0
"""σ_b, the scale (log-odds) of the extra shift of a line forecast across the change of regime
(:func:`logit_draws`): a 3+1+2 line calibrated on the old regime's (物理类 特控线 on 理科 一本 …)
is set by the province in a new track population (选科 sorts the candidates anew) at its
own rank share, so where the district stands against the new line is a one-off unknown that no
earlier year can measure. A stated prior, not an estimate, and treated like the prior of the
yearly shift τ₀ before any year is seen: worth ν₀ = :data:`PRIOR_SHIFT_WEIGHT` observations,
with none to update it, so the shift is drawn from its predictive Student t with ν₀ degrees of
freedom and scale σ_b (Gelman et al. 2013, BDA3 §3.2) — heavy tails, ±4.3 σ_b at 95 %.

Evidence (``bench/results/forecast.md``, the full simulated district's one bridge, 2025 from
2024; the shift δ of each line's point model, :func:`logit_shift`): with the students placed by
rank in their track (the analysis' ``mock_place``) 历史类 本科批/特控线 moved by +0.25/+0.37,
物理类 by −2.1/−3.0 (by mock score: +1.6/+2.2 and −3.0/−3.2); the old regime's data would have
suggested much less (the two old tracks' district shares above the same line differ by 0.31
log-odds, rms over 2019–2024 and both lines; the yearly τ̂ ≈ 0.5). A normal σ_b = 1
covered 20 of the bridge year's 24 intervals, the t 24 of 24 (one simulated bridge is one
event, not a measurement of σ_b: the t is chosen because the prior's weight says so)."""


def logit_draws(model: LogisticLineModel, mock: ArrayLike, shift_sd: float, draws: int,
                rng: np.random.Generator, shift_df: float | None = None,
                bridge_sd: float = 0.0) -> NDArray[np.float64]:
    """``draws`` × n log-odds of reaching the line for the students with scores ``mock``, the
    model's uncertainty drawn (a parametric, normal-approximation bootstrap; Efron &
    Tibshirani 1993, §6.5; Gelman & Hill 2007, §7.2):

        η⁽ᵈ⁾ᵢ = b⁽ᵈ⁾₀ + xᵢ'b⁽ᵈ⁾ + δ⁽ᵈ⁾,  b⁽ᵈ⁾ ~ N(β̂, Σ̂),  δ⁽ᵈ⁾ ~ N(0, τ²),

    Σ̂ = ``model.cov_`` (the fit's parameter uncertainty) and τ = ``shift_sd`` the year-to-year
    shift of the line-vs-mock relation (a random intercept of the year: this year's mock may be
    easier or harder, this cohort stronger or weaker, than the calibration cohort's at the same
    score; :func:`shift_variance`). Every student of a draw shares b⁽ᵈ⁾ and δ⁽ᵈ⁾. A model of
    a line that all or none of the calibration cohort reached (``model.share_prior_``,
    :class:`LogisticLineModel`) draws instead b⁽ᵈ⁾₀ = logit p⁽ᵈ⁾, p⁽ᵈ⁾ ~ Beta(k + ½, n − k + ½),
    the exact posterior of its share, slopes 0 (the normal approximation would put as much
    weight on a share of 95 % as on 99.9 %).

    ``shift_df`` ν (the weight ν₀ + m behind τ², :func:`shift_variance`): τ² is itself
    uncertain, τ² ~ Scaled-Inv-χ²(ν, τ̂²), so δ is drawn from its predictive distribution, the
    Student t with ν degrees of freedom and scale τ̂ (Gelman et al. 2013, BDA3 §2.6 and §3.2):
    heavier tails when few shifts are known. None: δ ~ N(0, τ̂²).

    ``bridge_sd`` σ_b: a model calibrated on the other regime's line (特控线 on 一本 …) adds
    δ_b⁽ᵈ⁾ = σ_b t⁽ᵈ⁾, t⁽ᵈ⁾ ~ Student t with ν₀ = :data:`PRIOR_SHIFT_WEIGHT` degrees of freedom,
    to δ⁽ᵈ⁾, drawn for this line alone (:data:`BRIDGE_SHIFT_SD`: a prior worth ν₀ observations
    that no bridge has updated, drawn as the yearly shift's prior is).
    """
    x = np.asarray(mock, dtype=float)
    x = x.reshape(x.shape[0], -1)
    if model.share_prior_ is not None:  # a line all or none reached: p ~ Beta, no slope
        share = rng.beta(*model.share_prior_, size=draws)
        b = np.zeros((draws, model.coef_.size))
        b[:, 0] = stats.logistic.ppf(np.clip(share, 1e-15, 1 - 1e-15))
    else:
        b = rng.multivariate_normal(model.coef_, model.cov_, size=draws, method="eigh")
    if shift_sd <= 0:
        delta = np.zeros(draws)
    elif shift_df is None:
        delta = rng.normal(0.0, shift_sd, size=draws)
    else:
        delta = shift_sd * rng.standard_t(shift_df, size=draws)
    if bridge_sd > 0:
        delta = delta + bridge_sd * rng.standard_t(PRIOR_SHIFT_WEIGHT, size=draws)
    return np.asarray(b[:, :1] + b[:, 1:] @ x.T + delta[:, None], dtype=np.float64)


def logit_shift(eta: ArrayLike, outcome: ArrayLike, max_iter: int = 50) -> tuple[float, float]:
    """The shift δ of the log-odds that makes a model's expected count match the observed one,
    Σᵢ σ(ηᵢ + δ) = Σᵢ oᵢ (Newton's method), and its sampling variance 1/Σᵢ pᵢ(1 − pᵢ) at the
    solution (the intercept-only logistic regression with offset η; McCullagh & Nelder 1989).
    It measures how far a later cohort's relation moved from the model's: the year's shift for
    :func:`shift_variance`. An observed count of 0 or n is moved ½ inside (a continuity
    correction), so δ stays finite.

    >>> d, v = logit_shift([0.0, 0.0, 0.0, 0.0], [1, 1, 1, 0])
    >>> round(d, 6), round(v, 6)   # log(3) and 1/(4 · ¾ · ¼)
    (1.098612, 1.333333)
    """
    e, o = _prob_outcome(eta, outcome)
    target = min(max(float(o.sum()), 0.5), o.size - 0.5)
    delta = 0.0
    for _ in range(max_iter):
        p = stats.logistic.cdf(e + delta)
        w = float(np.sum(p * (1 - p)))
        step = (target - float(p.sum())) / max(w, 1e-12)
        delta += step
        if abs(step) < 1e-12:
            break
    p = stats.logistic.cdf(e + delta)
    return float(delta), 1.0 / max(float(np.sum(p * (1 - p))), 1e-12)


PRIOR_SHIFT_SD = 0.3
"""τ₀: the prior guess of the year-to-year shift's sd on the log-odds scale (0.3: at a line
passed by half the students, a share that moves by about ±7 points from one year to the next
at the same mock score)."""
PRIOR_SHIFT_WEIGHT = 2.0
"""ν₀: the prior's weight in observed shifts (two years' worth)."""


def shift_variance(shifts: ArrayLike = (), variances: ArrayLike = (),
                   prior_sd: float = PRIOR_SHIFT_SD,
                   prior_weight: float = PRIOR_SHIFT_WEIGHT) -> float:
    """τ², the variance of the year-to-year shift of the line-vs-mock relation, from the
    shifts δₖ (:func:`logit_shift`) seen when earlier cohorts were forecast from the cohort
    before them, with sampling variances vₖ: the scaled-inverse-χ² update of a prior τ₀² worth
    ν₀ observations by m observations of a mean-zero normal (Gelman et al. 2013, BDA3 §2.6),
    each δₖ² less its sampling variance (as in DerSimonian & Laird 1986):

        τ² = (ν₀ τ₀² + max(0, Σₖ (δₖ² − vₖ))) / (ν₀ + m).

    Without history (the first year that can be forecast) τ² = τ₀².

    Hand case: (2 · 0.3² + 0.5² + 0.3² − 0.02) / (2 + 2) = (0.18 + 0.32) / 4 = 0.125.

    >>> round(shift_variance([0.5, -0.3], [0.01, 0.01], prior_sd=0.3, prior_weight=2), 6)
    0.125
    """
    d = np.asarray(shifts, dtype=float).ravel()
    v = np.asarray(variances, dtype=float).ravel() if len(np.atleast_1d(variances)) else \
        np.zeros_like(d)
    if v.shape != d.shape:
        raise ForecastInputError("forecast.shape", what="variances", got=v.size, n=d.size)
    excess = max(0.0, float(np.sum(d * d - v)))
    return (prior_weight * prior_sd ** 2 + excess) / (prior_weight + d.size)


def unit_dispersion(observed: ArrayLike, expected: ArrayLike, variance: ArrayLike) -> float:
    """τᵤ², the variance of a unit's (school's) own deviation on the log-odds scale, by the
    method of moments over the units of the calibration cohort: a shift v of a unit's log-odds
    moves its expected count by about v·Vᵤ (Vᵤ = Σᵢ pᵢ(1 − pᵢ), the Poisson-binomial
    variance), so E(Oᵤ − Eᵤ)² ≈ Vᵤ + τᵤ² Vᵤ² and (DerSimonian & Laird 1986, on this scale)

        τᵤ² = max(0, Σᵤ ((Oᵤ − Eᵤ)² − Vᵤ) / Σᵤ Vᵤ²).

    >>> unit_dispersion([10, 2], [6, 6], [4, 4])
    0.75
    """
    o = np.asarray(observed, dtype=float).ravel()
    e = np.asarray(expected, dtype=float).ravel()
    v = np.asarray(variance, dtype=float).ravel()
    if not (o.shape == e.shape == v.shape):
        raise ForecastInputError("forecast.shape", what="expected", got=e.size, n=o.size)
    den = float(np.sum(v * v))
    if den <= 0:
        return 0.0
    return max(0.0, float(np.sum((o - e) ** 2 - v)) / den)


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


MIX_EXACT_MAX_N = 60
"""Mixtures (:func:`poisson_binomial_mixture_cdf`) of up to this many students are exact; larger
ones use the refined normal approximation per draw."""
DRAWS = 400
"""Draws of the model (:func:`logit_draws`) behind a forecast that carries its uncertainty."""


def poisson_binomial_mixture_cdf(p_draws: ArrayLike) -> NDArray[np.float64]:
    """CDF F(k) = P(K ≤ k), k = 0 … n, of the count K when the success probabilities are
    uncertain: the mixture (1/D) Σ_d PB(p⁽ᵈ⁾) over the D rows of ``p_draws`` (D × n), i.e. the
    predictive distribution of the count with the model drawn (:func:`logit_draws`). Exact
    (:func:`poisson_binomial_pmf` per row) up to :data:`MIX_EXACT_MAX_N` students, else per row
    the refined normal approximation (Volkova 1996; Hong 2013, §2.3):
    F(k) ≈ G((k + ½ − μ)/σ), G(x) = Φ(x) + γ(1 − x²)φ(x)/6, μ = Σp, σ² = Σp(1 − p),
    γ = Σp(1 − p)(1 − 2p)/σ³, clipped to [0, 1].

    Hand case: one student with p = 0.5 or 0.1 (two draws): P(K = 0) = (0.5 + 0.9)/2 = 0.7.

    >>> poisson_binomial_mixture_cdf([[0.5], [0.1]]).round(6).tolist()
    [0.7, 1.0]
    """
    P = np.clip(np.asarray(p_draws, dtype=float), 0.0, 1.0)
    P = P.reshape(1, -1) if P.ndim == 1 else P
    n = P.shape[1]
    if n == 0:
        return np.ones(1)
    if n <= MIX_EXACT_MAX_N:
        pmf = np.mean([poisson_binomial_pmf(row) for row in P], axis=0)
        return np.minimum(np.cumsum(pmf), 1.0)
    mu = P.sum(axis=1)
    var = np.sum(P * (1 - P), axis=1)
    sd = np.sqrt(np.maximum(var, 1e-12))
    gamma = np.sum(P * (1 - P) * (1 - 2 * P), axis=1) / sd ** 3
    k = np.arange(n + 1, dtype=float)
    x = (k[None, :] + 0.5 - mu[:, None]) / sd[:, None]
    g = stats.norm.cdf(x) + gamma[:, None] * (1 - x * x) * stats.norm.pdf(x) / 6
    cdf = np.clip(g, 0.0, 1.0).mean(axis=0)
    cdf = np.maximum.accumulate(cdf)
    cdf[-1] = 1.0
    return cdf


def _pb_interval(p: NDArray[np.float64], level: float) -> tuple[float, float]:
    """The Poisson-binomial quantiles of one probability vector (the model taken as known)."""
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
    return lo, hi


def count_interval(p_draws: ArrayLike, level: float = 0.95,
                   point: float | None = None) -> tuple[float, float]:
    """Equal-tailed ``level`` prediction interval [lo, hi] for the count above a line: lo the
    smallest k with F(k) ≥ (1 − level)/2, hi the smallest k with F(k) ≥ (1 + level)/2. One
    row of probabilities (the model known): the Poisson-binomial distribution, exact up to
    :data:`EXACT_MAX_N` students, else normal with continuity correction; D rows (the model
    drawn): their mixture (:func:`poisson_binomial_mixture_cdf`). The interval is widened to
    the integers around ``point`` (default: the mean count Σp of the mixture) so that it
    contains the forecast.

    >>> count_interval([[0.5, 0.2]])   # pmf 0.4, 0.5, 0.1
    (0.0, 2.0)
    """
    P = np.clip(np.asarray(p_draws, dtype=float), 0.0, 1.0)
    P = P.reshape(1, -1) if P.ndim == 1 else P
    mean = float(P.sum(axis=1).mean()) if point is None else float(point)
    if P.shape[0] == 1:
        lo, hi = _pb_interval(P[0], level)
    else:
        a = (1.0 - level) / 2.0
        cdf = poisson_binomial_mixture_cdf(P)
        lo = float(np.searchsorted(cdf, a - 1e-12))
        hi = float(min(np.searchsorted(cdf, 1.0 - a - 1e-12), P.shape[1]))
    return min(lo, math.floor(mean)), max(hi, math.ceil(mean))


def unit_forecast(
    probs: pd.DataFrame, by: Sequence[str] = ("unit", "track", "line"), level: float = 0.95,
    *, unit_sd: float = 0.0, cluster: str | None = None, seed: int = 0,
) -> pd.DataFrame:
    """Per group (unit × track × line): n, forecast count Σpᵢ and share Σpᵢ/n above the line,
    with a ``level`` prediction interval for the count (and share) (:func:`count_interval`).
    ``probs`` has the ``by`` columns and ``probability``.

    - Model known (no ``logit_draws`` column, ``unit_sd`` 0): the Poisson-binomial
      distribution of Σ Bernoulli(pᵢ), the students' own chance only.
    - Model drawn (``logit_draws`` from :func:`line_probabilities` with ``draws``): the mixture
      over the draws, with, per draw d and per cluster c of the group (``cluster``: a column
      such as the school, so that a district's schools deviate each on its own; None: the
      group is one cluster), a unit deviation vᶜ⁽ᵈ⁾ ~ N(0, ``unit_sd``²) (:func:`unit_dispersion`)
      added to the log-odds: pᵢ⁽ᵈ⁾ = σ(ηᵢ⁽ᵈ⁾ + vᶜ⁽ⁱ⁾⁽ᵈ⁾) — a logit-normal random-intercept
      model (Gelman & Hill 2007, ch. 14). Without ``logit_draws`` but with ``unit_sd`` > 0
      the draws start from the point log-odds logit(pᵢ).

    Equal-tailed quantiles, widened to the integers around the forecast count so the interval
    contains it. Draws are seeded (``seed``): the same input gives the same intervals.
    """
    need = {*by, "probability"}
    if not need <= set(probs.columns):
        raise ForecastInputError("forecast.columns", cols=sorted(need - set(probs.columns)))
    rng = np.random.default_rng(seed)
    drawn = "logit_draws" in probs.columns
    rows = []
    for key, g in probs.dropna(subset=["probability"]).groupby(list(by), sort=True):
        p = np.clip(g["probability"].to_numpy(dtype=float), 0.0, 1.0)
        n = p.size
        count = float(p.sum())
        if drawn or unit_sd > 0:
            if drawn:
                eta = np.stack(g["logit_draws"].to_list(), axis=1)  # D × n
            else:
                eta = np.tile(stats.logistic.ppf(np.clip(p, 1e-12, 1 - 1e-12)), (DRAWS, 1))
            if unit_sd > 0:
                codes = (pd.factorize(g[cluster])[0] if cluster is not None
                         else np.zeros(n, dtype=int))
                v = rng.normal(0.0, unit_sd, size=(eta.shape[0], int(codes.max()) + 1))
                eta = eta + v[:, codes]
            lo, hi = count_interval(stats.logistic.cdf(eta), level, point=count)
        else:
            lo, hi = count_interval(p, level, point=count)
        keyt = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, keyt, strict=True)), "n": n, "count": count,
                     "count_low": lo, "count_high": hi, "share": count / n,
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
