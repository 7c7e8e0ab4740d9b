"""Use case: 高考 forecasts from a 高三 mock exam (一诊/二诊/三诊/模拟), their backtest, and the
plan's 上线率 target (+4 points a year).

Calibration uses the previous cohort: its same mock exam and its 高考, with that year's official
lines and 一分一段 table (tables ``cut_line`` and ``score_distribution``). Three methods
(:mod:`eduquality.measures.forecast`): 位次法 (rank-equivalent line in this mock), equipercentile
linking mock → 高考, and a logistic model giving each student a probability; per school and for
the district the forecast count and share above each line with a prediction interval.
Regime-agnostic: lines are (track, line) labels — 文科/理科 × 一本/二本 or 物理类/历史类 ×
本科批/特控线. Writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from eduquality.analysis.scaling import exam_totals
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.forecast import (
    BRIDGE_SHIFT_SD,
    DRAWS,
    PRIOR_SHIFT_WEIGHT,
    EquipercentileLink,
    ForecastInputError,
    brier_score,
    calibration_table,
    interval_coverage,
    line_probabilities,
    logit_shift,
    normal_scores,
    plan_progress,
    rank_method_line,
    shift_variance,
    unit_dispersion,
    unit_forecast,
)
from eduquality.results import Backtest, Forecast
from eduquality.store import Database
from eduquality.store.exams import ExamRecord, exams_of_type, exams_of_year, find_exam
from eduquality.store.lines import cut_lines, score_distribution
from eduquality.vocab import REGIME_BRIDGE_LINES, REGIME_BRIDGE_TRACKS, TRACKS

MESSAGES = register({
    "forecast.not_mock": ("考试 {exam_id} 不是高三诊断/模拟考试", "exam {exam_id} is not a 高三 mock"),
    "forecast.no_history": (
        "缺少上一届的同类考试、高考成绩或当年分数线（{what}），无法预测",
        "cannot forecast without the previous cohort's mock, 高考 and lines ({what})"),
})

MOCK_TYPES = ("diag1", "diag2", "diag3", "mock")


def _year_end(year_code: str) -> int:
    return int(year_code[5:9])


def _exam_row(db: Database, exam_id: str) -> ExamRecord:
    row = find_exam(db, exam_id)
    if row is None or row.exam_type not in MOCK_TYPES or row.grade != 12:
        raise EduQualityError(tr("forecast.not_mock", db.lang, exam_id=exam_id))
    return row


def _previous(db: Database, exam_type: str, year_code: str) -> tuple[str | None, str | None]:
    prev_year = f"{int(year_code[:4]) - 1}-{int(year_code[:4])}"
    found = exams_of_year(db, prev_year, 12, [exam_type, "gaokao"])
    mocks = [e.exam_id for e in found if e.exam_type == exam_type]
    gk = [e.exam_id for e in found if e.exam_type == "gaokao"]
    return (mocks[-1] if mocks else None, gk[-1] if gk else None)


def _totals(db: Database, exam_id: str) -> pd.DataFrame:
    t = exam_totals(db, exam_id).execute()  # 3+1+2: the 750 total with 赋分, by 物理类/历史类
    t = t[t["status"] == "present"]
    t["track"] = t["track"].map(lambda c: TRACKS.label(c) if isinstance(c, str) else None)
    return t[["student_id", "school_code", "track", "score"]]


def gaokao_totals(db: Database) -> pd.DataFrame:
    """Every 高考 candidate with a total: year (of the exam, June), student_id, school_code,
    track (Chinese label), score."""
    frames = []
    for exam in exams_of_type(db, "gaokao"):
        t = _totals(db, str(exam.exam_id))
        t.insert(0, "year", _year_end(str(exam.year_code)))
        frames.append(t)
    if not frames:
        return pd.DataFrame(columns=["year", "student_id", "school_code", "track", "score"])
    return pd.concat(frames, ignore_index=True)


def gaokao_lines(db: Database, year: int) -> pd.DataFrame:
    """The official 高考 lines of ``year``: track (Chinese label), line, score."""
    lines = cut_lines(db, "gaokao", year)
    lines["track"] = lines["track"].map(lambda c: TRACKS.label(c) if isinstance(c, str) else None)
    return lines


@dataclass
class _Calibration:
    """The cohort before a mock's cohort, on that cohort's labels: ``prev`` (student_id,
    school_code, track, mock, gaokao), ``lines`` and ``dist`` of its 高考 year, and the
    ``bridge`` rows (old_track, old_line, track, line) when it was of the old regime and the
    mock's cohort is of 3+1+2 (:data:`~eduquality.vocab.REGIME_BRIDGE_TRACKS`)."""

    mock: str
    gaokao: str
    prev: pd.DataFrame
    lines: pd.DataFrame
    dist: pd.DataFrame
    bridge: pd.DataFrame


def _bridged(frame: pd.DataFrame, now_tracks: set[str]) -> pd.DataFrame:
    """``frame``'s old-regime track labels (and line codes, where it has a line column) carried
    to the 3+1+2 ones when the cohort to forecast is of 3+1+2; rows without a bridge dropped."""
    if not now_tracks or now_tracks & set(frame["track"].dropna().astype(str)):
        return frame
    out = frame.copy()
    out["track"] = out["track"].map(REGIME_BRIDGE_TRACKS)
    if "line" in out:
        out["line"] = out["line"].map(REGIME_BRIDGE_LINES)
        out = out.dropna(subset=["line"])
    return out.dropna(subset=["track"]).reset_index(drop=True)


def _calibration(db: Database, exam_type: str, year_code: str,
                 now_tracks: set[str]) -> _Calibration | None:
    prev_mock, prev_gk = _previous(db, exam_type, year_code)
    prev_year = _year_end(year_code) - 1
    lines = gaokao_lines(db, prev_year)
    dist = score_distribution(db, "gaokao", prev_year)
    if prev_mock is None or prev_gk is None or lines.empty or dist.empty:
        return None
    dist["track"] = dist["track"].map(lambda c: TRACKS.label(c) if isinstance(c, str) else None)
    prev = _totals(db, prev_mock).rename(columns={"score": "mock"}).merge(
        _totals(db, prev_gk)[["student_id", "score"]].rename(columns={"score": "gaokao"}),
        on="student_id")
    new_lines = _bridged(lines, now_tracks)
    bridge = pd.DataFrame(columns=["old_track", "old_line", "track", "line"])
    if not new_lines.equals(lines):
        old = lines[lines["track"].isin(REGIME_BRIDGE_TRACKS)
                    & lines["line"].isin(REGIME_BRIDGE_LINES)]
        bridge = pd.DataFrame({"old_track": old["track"].to_numpy(),
                               "old_line": old["line"].to_numpy(),
                               "track": old["track"].map(REGIME_BRIDGE_TRACKS).to_numpy(),
                               "line": old["line"].map(REGIME_BRIDGE_LINES).to_numpy()})
    return _Calibration(prev_mock, prev_gk, _bridged(prev, now_tracks), new_lines,
                        _bridged(dist, now_tracks), bridge)


def _year_code(year: int) -> str:
    return f"{year - 1}-{year}"


def history_shifts(db: Database, exam_type: str, year: int) -> pd.DataFrame:
    """The year-to-year shifts of the line-vs-mock relation seen before ``year``: for every
    earlier cohort c < ``year`` with this mock and its 高考, forecast from the cohort before it
    (:func:`~eduquality.measures.forecast.line_probabilities`, the model as estimated) and the
    shift δ and its sampling variance of each track and line
    (:func:`~eduquality.measures.forecast.logit_shift`). Columns year, track, line, shift,
    variance, n. Only cohorts whose 高考 is known by ``year``'s mocks count, and not a cohort
    calibrated across the change of regime: its shift is the bridge's (a one-off, carried by
    :data:`~eduquality.measures.forecast.BRIDGE_SHIFT_SD`), not a year's."""
    rows = []
    for exam in exams_of_type(db, exam_type):
        c = _year_end(str(exam.year_code))
        if c >= year or exam.grade != 12:
            continue
        _, gk = _previous(db, exam_type, _year_code(c + 1))
        if gk is None:
            continue
        now = _totals(db, str(exam.exam_id)).rename(columns={"score": "mock"})
        cal = _calibration(db, exam_type, str(exam.year_code), set(now["track"].dropna()))
        if cal is None or not cal.bridge.empty:   # a bridge year's shift is not a year's
            continue
        actual = _totals(db, gk)[["student_id", "score"]].rename(columns={"score": "gaokao"})
        now = now.merge(actual, on="student_id").reset_index(drop=True)
        try:
            probs = line_probabilities(cal.prev, now, cal.lines, ["mock"], carry=())
        except ForecastInputError:
            continue
        probs["eta"] = stats.logistic.ppf(probs["probability"].clip(1e-12, 1 - 1e-12))
        lines_c = {(str(t), str(ln)): float(v) for t, ln, v in
                   gaokao_lines(db, c)[["track", "line", "score"]].itertuples(index=False,
                                                                              name=None)}
        for (track, line), g in probs.groupby(["track", "line"]):
            if (str(track), str(line)) not in lines_c:
                continue
            cut = lines_c[(str(track), str(line))]
            hit = (now.loc[g["row"], "gaokao"].to_numpy() >= cut).astype(float)
            d, v = logit_shift(g["eta"], hit)
            rows.append({"year": c, "track": track, "line": line, "shift": d, "variance": v,
                         "n": len(g)})
    return pd.DataFrame(rows, columns=["year", "track", "line", "shift", "variance", "n"])


def _unit_sd(cal: _Calibration) -> float:
    """τᵤ from the calibration cohort's schools (:func:`~eduquality.measures.forecast.
    unit_dispersion` over every school, track and line)."""
    prev = cal.prev.reset_index(drop=True)
    probs = line_probabilities(prev, prev, cal.lines, ["mock"], carry=("school_code",))
    if probs.empty:
        return 0.0
    score = {(str(t), str(ln)): float(v) for t, ln, v in
             cal.lines[["track", "line", "score"]].itertuples(index=False, name=None)}
    probs["hit"] = [float(g >= score[(t, ln)]) for g, t, ln in
                    zip(prev.loc[probs["row"], "gaokao"], probs["track"], probs["line"],
                        strict=True)]
    probs["var"] = probs["probability"] * (1 - probs["probability"])
    agg = probs.groupby(["school_code", "track", "line"])[["hit", "probability", "var"]].sum()
    return float(np.sqrt(unit_dispersion(agg["hit"], agg["probability"], agg["var"])))


def forecast_gaokao(db: Database, exam_id: str, level: float = 0.95,
                    draws: int = DRAWS, with_backtest: bool = False) -> Forecast:
    """Forecast this mock's cohort's 高考 上线 per student, school and district.

    With ``draws`` > 0 (the default) the intervals carry the model's uncertainty
    (:func:`~eduquality.measures.forecast.logit_draws`): the (Firth) logistic fit's covariance,
    or for a line the whole calibration cohort reached (or none of it) its share's Beta
    posterior (:class:`~eduquality.measures.forecast.LogisticLineModel`), the
    year-to-year shift with τ² from the earlier cohorts' shifts (:func:`history_shifts`,
    :func:`~eduquality.measures.forecast.shift_variance`; the shift drawn from its Student-t
    predictive, its degrees of freedom ν₀ plus the number of earlier years, not of shifts: a
    year's tracks and lines share its mock) and the schools' own deviation τᵤ
    from the calibration cohort; ``draws`` = 0 gives the students' chance only (the model taken
    as known). A 3+1+2 cohort calibrated on an old-regime cohort (the 2025 高考 from 2024's) is
    forecast across the bridge (:data:`~eduquality.vocab.REGIME_BRIDGE_TRACKS`): 物理类 on
    理科, 历史类 on 文科, 特控线 on 一本 and 本科批 on 二本 (``Forecast.bridge``): the students
    placed by their rank in their track's mock rather than by its score (:func:`_model_features`)
    and each line with the bridge's own extra shift
    (:data:`~eduquality.measures.forecast.BRIDGE_SHIFT_SD`).
    ``with_backtest``: add the calibration cohort's own :func:`backtest` (None where the cohort
    before it is missing) for the report's coverage and calibration table."""
    row = _exam_row(db, exam_id)
    now = _totals(db, exam_id).rename(columns={"score": "mock"})
    cal = _calibration(db, str(row.exam_type), str(row.year_code), set(now["track"].dropna()))
    if cal is None:
        prev_mock, prev_gk = _previous(db, str(row.exam_type), str(row.year_code))
        prev_year = _year_end(str(row.year_code)) - 1
        missing = [w for w, ok in (("mock", prev_mock), ("gaokao", prev_gk),
                                   ("lines", not gaokao_lines(db, prev_year).empty),
                                   ("一分一段",
                                    not score_distribution(db, "gaokao", prev_year).empty))
                   if not ok]
        raise EduQualityError(tr("forecast.no_history", db.lang, what=", ".join(missing)))
    lines, dist, prev = cal.lines, cal.dist, cal.prev

    rank_rows = []
    for track, line, score in lines[["track", "line", "score"]].itertuples(index=False,
                                                                          name=None):
        table = dist[dist["track"] == track]
        mock_scores = now.loc[now["track"] == track, "mock"]
        if table.empty or mock_scores.empty:
            continue
        r = rank_method_line(table, float(score), mock_scores.to_numpy())
        rank_rows.append({"track": track, "line": line, "score": score, "rank": r.rank,
                          "share": r.share, "forecast_line": r.forecast_line})
    line_frame = pd.DataFrame(rank_rows)

    now = now.reset_index(drop=True)
    now["linked"] = float("nan")
    for track, group in prev.groupby("track"):
        mask = now["track"] == track
        if mask.any():
            link = EquipercentileLink().fit(group["mock"].to_numpy(), group["gaokao"].to_numpy())
            now.loc[mask, "linked"] = link.transform(now.loc[mask, "mock"].to_numpy())

    now["unit"] = now["school_code"]
    prev, now, features = _model_features(cal, prev, now)
    history = history_shifts(db, str(row.exam_type), _year_end(str(row.year_code))) \
        if draws > 0 else pd.DataFrame(columns=["year", "shift", "variance"])
    shift_sd = float(np.sqrt(shift_variance(history["shift"], history["variance"]))) \
        if draws > 0 else 0.0
    unit_sd = _unit_sd(cal) if draws > 0 else 0.0
    bridge_sd = BRIDGE_SHIFT_SD if draws > 0 and not cal.bridge.empty else 0.0
    probs = line_probabilities(prev, now, lines, features=features, outcome="gaokao",
                               carry=("unit", "student_id", "school_code"), draws=draws,
                               shift_sd=shift_sd,
                               shift_df=PRIOR_SHIFT_WEIGHT + history["year"].nunique()
                               if draws > 0 else None, bridge_sd=bridge_sd)
    units = pd.concat([
        unit_forecast(probs, by=("unit", "track", "line"), level=level, unit_sd=unit_sd),
        unit_forecast(probs.assign(unit="district"), by=("unit", "track", "line"),
                      level=level, unit_sd=unit_sd, cluster="school_code", seed=1),
    ], ignore_index=True)
    linked_share = _linked_shares(now, lines)
    units = units.merge(linked_share, on=["unit", "track", "line"], how="left")
    wide = probs.pivot_table(index="student_id", columns="line", values="probability")
    wide.columns = [f"p_{c}" for c in wide.columns]
    students = now.drop(columns="unit").merge(wide, left_on="student_id", right_index=True,
                                              how="left")
    uncertainty = {"draws": float(draws), "shift_sd": shift_sd, "unit_sd": unit_sd,
                   "bridge_sd": bridge_sd,
                   "history_shifts": float(len(history)), "level": level}
    past = None
    if with_backtest:
        try:
            past = backtest(db, cal.mock, draws=draws)
        except EduQualityError:
            past = None
    return Forecast(exam_id, (cal.mock, cal.gaokao), line_frame, students, units,
                    methods=["位次法 / rank method", "等百分位链接 / equipercentile",
                             "logistic"], uncertainty=uncertainty, bridge=cal.bridge,
                    backtest=past)


def _model_features(cal: _Calibration, prev: pd.DataFrame, now: pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """The logistic model's feature: the mock's total score within a regime; across the bridge
    (``cal.bridge``) the students' place in their track, the rank-based normal score
    (:func:`~eduquality.measures.forecast.normal_scores`) of the mock within each cohort's
    track (column ``mock_place``).

    Why: within a regime the mock is the same kind of exam every year and its total carries a
    cohort's strength (the yearly shift τ takes up how much its difficulty moves). Across the
    bridge the mock changes with the regime — 物理类's 物理 + two 再选 subjects against 理科's
    理综, 历史类's against 文综 — and its scale with it: a 2025 历史类 mock total of 473 is
    not a 2024 文科 total of 473. What carries over is the order: a student's place in the
    track's mock, and the calibration cohort's chance of reaching the line at that place. The
    bridge's remaining unknown, where the district stands in the new track's province
    population, is the bridge shift (:data:`~eduquality.measures.forecast.BRIDGE_SHIFT_SD`)."""
    if cal.bridge.empty:
        return prev, now, ["mock"]
    prev, now = prev.copy(), now.copy()
    for frame in (prev, now):
        frame["mock_place"] = np.nan
        for _, idx in frame.groupby("track").groups.items():
            frame.loc[idx, "mock_place"] = normal_scores(frame.loc[idx, "mock"])
    return prev, now, ["mock_place"]


def _linked_shares(now: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for ln in lines.itertuples(index=False):
        sub = now[now["track"] == ln.track]
        for unit, g in [*sub.groupby("unit"), ("district", sub)]:
            if len(g):
                rows.append({"unit": unit, "track": ln.track, "line": ln.line,
                             "share_linked": float((g["linked"] >= ln.score).mean())})
    return pd.DataFrame(rows, columns=["unit", "track", "line", "share_linked"])


def backtest(db: Database, exam_id: str, draws: int = DRAWS) -> Backtest:
    """Forecast a past cohort from its own mock (calibrated on the cohort before it, across the
    bridge where the regime changed) and compare with what its 高考 gave: Brier score,
    calibration table, interval coverage of the schools' and the district's counts."""
    row = _exam_row(db, exam_id)
    fc = forecast_gaokao(db, exam_id, draws=draws)
    _, gk = _previous(db, str(row.exam_type), f"{int(row.year_code[:4]) + 1}-"
                                              f"{int(row.year_code[:4]) + 2}")
    if gk is None:
        raise EduQualityError(tr("forecast.no_history", db.lang, what="gaokao"))
    actual = _totals(db, gk)[["student_id", "score"]].rename(columns={"score": "gaokao"})
    lines = gaokao_lines(db, _year_end(str(row.year_code)))
    st = fc.students.merge(actual, on="student_id")
    long, unit_rows = [], []
    for ln in lines.itertuples(index=False):
        col = f"p_{ln.line}"
        if col not in st:
            continue  # a line the calibration cohort had no counterpart of (专科批 from 2024)
        sub = st[(st["track"] == ln.track)].dropna(subset=[col])
        if sub.empty:
            continue
        hit = (sub["gaokao"] >= ln.score).astype(float)
        long.append(pd.DataFrame({"track": ln.track, "line": ln.line,
                                  "probability": sub[col].to_numpy(),
                                  "outcome": hit.to_numpy()}))
        counts = hit.groupby(sub["school_code"]).sum()
        unit_rows.append(pd.DataFrame({"unit": [*counts.index, "district"], "track": ln.track,
                                       "line": ln.line,
                                       "actual": [*counts.to_numpy(), hit.sum()]}))
    if not long:
        raise EduQualityError(tr("forecast.no_history", db.lang, what="lines"))
    pooled = pd.concat(long, ignore_index=True)
    units = fc.units.merge(pd.concat(unit_rows, ignore_index=True),
                           on=["unit", "track", "line"])
    return Backtest(exam_id, brier_score(pooled["probability"], pooled["outcome"]),
                    interval_coverage(units["actual"], units["count_low"], units["count_high"]),
                    calibration_table(pooled["probability"], pooled["outcome"]), units,
                    pooled, fc.uncertainty)


def _province_share(db: Database, year: int, lines: pd.DataFrame) -> float:
    """The share of the province's candidates (both tracks) at or above ``lines`` (one line
    per track) in ``year``'s 一分一段 tables; NaN without tables."""
    dist = score_distribution(db, "gaokao", year)
    if dist.empty:
        return float("nan")
    dist["track"] = dist["track"].map(lambda c: TRACKS.label(c) if isinstance(c, str) else None)
    above = total = 0.0
    for track, score in zip(lines["track"], lines["score"], strict=True):
        t = dist[dist["track"] == track]
        above += float(t.loc[t["score"] >= score, "count"].sum())
        total += float(t["count"].sum())
    return above / total if total else float("nan")


def plan_tracking(db: Database, line: str = "一本", *, step: float) -> pd.DataFrame:
    """上线率 of each school and the district in every 高考 year against the plan's target
    (+``step`` a year from the first year; the settings' ``plan.step``): unit, year, rate,
    base_rate, target, gap, on_track, step, n (:func:`~eduquality.measures.forecast.plan_progress`),
    and per year the ``line`` counted and its ``province_share`` (the share of the province's
    candidates at or above it). Across the change of regime the series carries on by the
    matching line (:data:`~eduquality.vocab.REGIME_BRIDGE_LINES`: 一本 until 2024, 特控线 from
    2025; or back): a bridge, not the same line, so the reports state it with both lines'
    province shares. For internal improvement only (GLOSSARY: no published 升学率 league
    tables)."""
    back = {new: old for old, new in REGIME_BRIDGE_LINES.items()}
    rows = []
    for exam_id, year_code in ((e.exam_id, e.year_code) for e in exams_of_type(db, "gaokao")):
        year = _year_end(str(year_code))
        all_lines = gaokao_lines(db, year)
        name = line
        if not (all_lines["line"] == line).any():
            name = REGIME_BRIDGE_LINES.get(line) or back.get(line, line)
        lines = all_lines[all_lines["line"] == name]
        t = _totals(db, str(exam_id)).merge(lines, on="track")
        if t.empty:
            continue
        share = _province_share(db, year, lines)
        t["above"] = t["score_x"] >= t["score_y"]
        for unit, g in [*t.groupby("school_code"), ("district", t)]:
            rows.append({"unit": unit, "year": year, "rate": float(g["above"].mean()),
                         "n": len(g), "line": name, "province_share": share})
    cols = ["unit", "year", "rate", "n", "line", "province_share"]
    rates = pd.DataFrame(rows, columns=cols)
    if rates.empty:
        return rates
    out = plan_progress(rates[["unit", "year", "rate"]], int(rates["year"].min()), step)
    return out.merge(rates[["unit", "year", "n", "line", "province_share"]],
                     on=["unit", "year"])
