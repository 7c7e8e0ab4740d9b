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

import pandas as pd

from eduquality.analysis.scaling import exam_totals
from eduquality.errors import EduQualityError
from eduquality.i18n import register, tr
from eduquality.measures.forecast import (
    EquipercentileLink,
    brier_score,
    calibration_table,
    interval_coverage,
    line_probabilities,
    plan_progress,
    rank_method_line,
    unit_forecast,
)
from eduquality.results import Forecast
from eduquality.store import Database
from eduquality.store.exams import ExamRecord, exams_of_type, exams_of_year, find_exam
from eduquality.store.lines import cut_lines, score_distribution
from eduquality.vocab import TRACKS

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


def forecast_gaokao(db: Database, exam_id: str, level: float = 0.95) -> Forecast:
    """Forecast this mock's cohort's 高考 上线 per student, school and district."""
    row = _exam_row(db, exam_id)
    prev_mock, prev_gk = _previous(db, str(row.exam_type), str(row.year_code))
    prev_year = _year_end(str(row.year_code)) - 1
    lines = gaokao_lines(db, prev_year)
    dist = score_distribution(db, "gaokao", prev_year)
    missing = [w for w, ok in (("mock", prev_mock), ("gaokao", prev_gk),
                               ("lines", not lines.empty), ("一分一段", not dist.empty)) if not ok]
    if missing:
        raise EduQualityError(tr("forecast.no_history", db.lang, what=", ".join(missing)))
    assert prev_mock is not None and prev_gk is not None
    dist["track"] = dist["track"].map(lambda c: TRACKS.label(c) if isinstance(c, str) else None)

    now = _totals(db, exam_id).rename(columns={"score": "mock"})
    prev = _totals(db, prev_mock).rename(columns={"score": "mock"}).merge(
        _totals(db, prev_gk)[["student_id", "score"]].rename(columns={"score": "gaokao"}),
        on="student_id")

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
    probs = line_probabilities(prev, now, lines, features=["mock"], outcome="gaokao",
                               carry=("unit", "student_id"))
    units = pd.concat([
        unit_forecast(probs, by=("unit", "track", "line"), level=level),
        unit_forecast(probs.assign(unit="district"), by=("unit", "track", "line"), level=level),
    ], ignore_index=True)
    linked_share = _linked_shares(now, lines)
    units = units.merge(linked_share, on=["unit", "track", "line"], how="left")
    wide = probs.pivot_table(index="student_id", columns="line", values="probability")
    wide.columns = [f"p_{c}" for c in wide.columns]
    students = now.drop(columns="unit").merge(wide, left_on="student_id", right_index=True,
                                              how="left")
    return Forecast(exam_id, (prev_mock, prev_gk), line_frame, students, units,
                    methods=["位次法 / rank method", "等百分位链接 / equipercentile",
                             "logistic"])


def _linked_shares(now: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for ln in lines.itertuples(index=False):
        sub = now[now["track"] == ln.track]
        for unit, g in [*sub.groupby("unit"), ("district", sub)]:
            if len(g):
                rows.append({"unit": unit, "track": ln.track, "line": ln.line,
                             "share_linked": float((g["linked"] >= ln.score).mean())})
    return pd.DataFrame(rows, columns=["unit", "track", "line", "share_linked"])


@dataclass
class Backtest:
    exam_id: str
    brier: float
    coverage: float
    """Share of units whose actual 上线 count fell inside its prediction interval."""
    calibration: pd.DataFrame
    units: pd.DataFrame


def backtest(db: Database, exam_id: str) -> Backtest:
    """Forecast a past cohort from its own mock (calibrated on the cohort before it) and compare
    with what its 高考 gave: Brier score, calibration table, interval coverage."""
    row = _exam_row(db, exam_id)
    fc = forecast_gaokao(db, exam_id)
    _, gk = _previous(db, str(row.exam_type), f"{int(row.year_code[:4]) + 1}-"
                                              f"{int(row.year_code[:4]) + 2}")
    if gk is None:
        raise EduQualityError(tr("forecast.no_history", db.lang, what="gaokao"))
    actual = _totals(db, gk)[["student_id", "score"]].rename(columns={"score": "gaokao"})
    lines = gaokao_lines(db, _year_end(str(row.year_code)))
    st = fc.students.merge(actual, on="student_id")
    probs, outcomes, unit_rows = [], [], []
    for ln in lines.itertuples(index=False):
        col = f"p_{ln.line}"
        sub = st[(st["track"] == ln.track)].dropna(subset=[col])
        if sub.empty:
            continue
        hit = (sub["gaokao"] >= ln.score).astype(float)
        probs.append(sub[col])
        outcomes.append(hit)
        counts = hit.groupby(sub["school_code"]).sum()
        unit_rows.append(pd.DataFrame({"unit": counts.index, "track": ln.track,
                                       "line": ln.line, "actual": counts.to_numpy()}))
    p_all = pd.concat(probs, ignore_index=True)
    o_all = pd.concat(outcomes, ignore_index=True)
    units = fc.units.merge(pd.concat(unit_rows, ignore_index=True),
                           on=["unit", "track", "line"])
    return Backtest(exam_id, brier_score(p_all, o_all),
                    interval_coverage(units["actual"], units["count_low"], units["count_high"]),
                    calibration_table(p_all, o_all), units)


def plan_tracking(db: Database, line: str = "一本", *, step: float) -> pd.DataFrame:
    """上线率 of each school and the district in every 高考 year against the plan's target
    (+``step`` a year from the first year; the settings' ``plan.step``): unit, year, rate,
    base_rate, target, gap, on_track, step, n (:func:`~eduquality.measures.forecast.plan_progress`).
    For internal improvement only (GLOSSARY: no published 升学率 league tables)."""
    rows = []
    for exam_id, year_code in ((e.exam_id, e.year_code) for e in exams_of_type(db, "gaokao")):
        year = _year_end(str(year_code))
        lines = gaokao_lines(db, year)
        lines = lines[lines["line"] == line]
        t = _totals(db, str(exam_id)).merge(lines, on="track")
        if t.empty:
            continue
        t["above"] = t["score_x"] >= t["score_y"]
        for unit, g in [*t.groupby("school_code"), ("district", t)]:
            rows.append({"unit": unit, "year": year, "rate": float(g["above"].mean()),
                         "n": len(g)})
    rates = pd.DataFrame(rows, columns=["unit", "year", "rate", "n"])
    if rates.empty:
        return rates
    out = plan_progress(rates[["unit", "year", "rate"]], int(rates["year"].min()), step)
    return out.merge(rates[["unit", "year", "n"]], on=["unit", "year"])
