"""Use case: 上线分析 of one exam — which lines apply, subject 有效分 and 单上线/双上线 per unit,
临界生 near each line.

Lines: for a 高考 or 中考, the official lines of that year (table ``cut_line``); for a 高三 mock
(一诊/二诊/三诊/模拟), last year's official lines carried into this mock by 位次法 (the share of
candidates above each line in last year's 一分一段 table, re-found in this mock's totals per
track). Lines are per track: 文科/理科 × 一本/二本 in the old regime, 物理类/历史类 × 本科批/特控线
in the 3+1+2 regime. In the first 3+1+2 year (the 2025 mocks, whose previous 高考 was still
文科/理科) the lines are bridged (:func:`eduquality.measures.cutlines.carried_lines`): 物理类
特控线/本科批 at 理科's 一本/二本 shares, 历史类 at 文科's, source 'rank_bridge', and the
analysis' method notes state it (:func:`bridge_note`). Subject lines by the coefficient method
(GLOSSARY 上线分析).

Scores: the ones that count (:func:`eduquality.analysis.scaling.counted_scores`): in the new
regime the 750 total (语数外 + 首选 raw, 再选 赋分) and the 再选 subjects' 赋分, so 有效分 of a 再选
subject is a 赋分 line; each subject is counted over its takers only (a 历史类 student without
化学 is not among 化学's 总分上线). Writes nothing.
"""

from __future__ import annotations

import pandas as pd

from eduquality.analysis.scaling import counted_scores
from eduquality.analysis.student_stats import wide_scores
from eduquality.measures.cutlines import (
    carried_lines,
    online_flags,
    online_summary,
    subject_lines_coefficient,
)
from eduquality.measures.forecast import rank_method_line, table_rank
from eduquality.measures.groups import borderline
from eduquality.results import ExamInfo
from eduquality.store import Database
from eduquality.store.lines import cut_lines, score_distribution
from eduquality.vocab import CUT_LINES, TRACKS

MOCK_TYPES = ("diag1", "diag2", "diag3", "mock")


def exam_lines(db: Database, info: ExamInfo, students: pd.DataFrame) -> pd.DataFrame:
    """The total-score lines that apply to this exam: track (code or None), line, score, source
    ('official' | 'rank_method' | 'rank_bridge': a mock's line carried from last year's old
    regime line, :func:`eduquality.measures.cutlines.carried_lines`)."""
    year = int(info.year_code[5:9])
    cols = ["track", "line", "score", "source"]
    if info.exam_type in ("gaokao", "zhongkao"):
        lines = cut_lines(db, info.exam_type, year)
        return lines.assign(source="official")[cols]
    if info.grade != 12 or info.exam_type not in MOCK_TYPES:
        return pd.DataFrame(columns=cols)
    last = cut_lines(db, "gaokao", year - 1)
    dist = score_distribution(db, "gaokao", year - 1)
    counted = students.assign(score=counted_scores(students))
    totals = counted[(counted["subject_code"] == "total") & counted["score"].notna()]
    rows = []
    carried = carried_lines(last, set(totals["track"].dropna()))
    for old, _from, score, track, line, bridged in carried.itertuples(index=False,
                                                                          name=None):
        table = dist[dist["track"].fillna("") == (old or "")]
        mock = totals.loc[totals["track"].fillna("") == (track or ""), "score"]
        if table.empty or mock.empty:
            continue
        r = rank_method_line(table, float(score), mock.to_numpy())
        rows.append({"track": track, "line": line, "score": r.forecast_line,
                     "source": "rank_bridge" if bridged else "rank_method"})
    return pd.DataFrame(rows, columns=cols)


def bridge_note(db: Database, info: ExamInfo, lines: pd.DataFrame) -> dict[str, str] | None:
    """The parameters of the method note 'bridge' (``reports.labels.ANALYSIS_METHODS``) when
    ``lines`` (of :func:`exam_lines`) were bridged from last year's 文科/理科 lines: ``year``
    and, in Chinese and English, each new line with the old line and its share of candidates
    above (rank in last year's 一分一段 table / its candidates). None otherwise."""
    if lines.empty or not (lines["source"] == "rank_bridge").any():
        return None
    year = int(info.year_code[5:9]) - 1
    last = cut_lines(db, "gaokao", year)
    dist = score_distribution(db, "gaokao", year)
    used = set(zip(lines["track"], lines["line"], strict=True))
    zh, en = [], []
    for old, line_from, score, track, line, _ in carried_lines(
            last, set(lines["track"].dropna())).itertuples(index=False, name=None):
        table = dist[dist["track"].fillna("") == (old or "")]
        if (track, line) not in used or table.empty:
            continue
        share = table_rank(table, float(score)) / float(table["count"].sum())
        zh.append(f"{TRACKS.label(track)}{CUT_LINES.label(line)} ← {TRACKS.label(old)}"
                  f"{CUT_LINES.label(line_from)}（{share:.1%}）")
        en.append(f"{TRACKS.label(track, 'en')} {CUT_LINES.label(line, 'en')} ← "
                  f"{TRACKS.label(old, 'en')} {CUT_LINES.label(line_from, 'en')} ({share:.1%})")
    return {"year": str(year), "pairs": "；".join(zh), "pairs_en": "; ".join(en)}


def online_analysis(students: pd.DataFrame, lines: pd.DataFrame
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Subject lines (track, line, subject_code, subject_line, total_line) and the per-unit
    summary (track, line, level 'district'|'school', unit, subject, n_valid, n_total_on,
    n_subject_on, n_double_on, n_total_only, n_subject_only, hit_rate, contribution_rate).

    ``students``: the exam's student rows ('total' rows included; with the 赋分 columns of
    :func:`eduquality.analysis.scaling.add_scaled_scores` when in the new regime). A subject
    none of whose takers reaches the total line (a 再选 subject that no student on the line
    chose, a high line) has no 有效分: no subject-line row and no summary rows for that line.
    No lines: two empty frames (the students are not read)."""
    if lines.empty:
        return pd.DataFrame(), pd.DataFrame()
    counted = _counted(students, "student_id", "subject_code", "track", "school_code")
    totals = counted[counted["subject_code"] == "total"].set_index("student_id")
    wide = wide_scores(counted[counted["subject_code"] != "total"])
    sub_lines, summaries = [], []
    for track, line, score, _source in lines.itertuples(index=False, name=None):
        mine = totals[totals["track"].fillna("") == (track or "")]
        total = mine["score"].dropna()
        if total.empty:
            continue
        subjects = wide.reindex(total.index).dropna(axis=1, how="all")
        # 3+1+2: a 再选 subject that none of the students on the line chose has no 有效分
        sl = subject_lines_coefficient(total, subjects, float(score)).dropna()
        sub_lines.append(pd.DataFrame({"track": track, "line": line, "subject_code": sl.index,
                                       "subject_line": sl.to_numpy(), "total_line": score}))
        flags = online_flags(total, subjects[sl.index], float(score), sl)
        for level, unit in (("district", None), ("school", mine["school_code"])):
            s = online_summary(flags, unit).reset_index()
            s.insert(0, "level", level)
            s.insert(0, "line", line)
            s.insert(0, "track", track)
            summaries.append(s)

    def cat(fs: list[pd.DataFrame]) -> pd.DataFrame:
        return pd.concat(fs, ignore_index=True) if fs else pd.DataFrame()

    return cat(sub_lines), cat(summaries)


def line_borderline(students: pd.DataFrame, lines: pd.DataFrame, band: float) -> pd.DataFrame:
    """临界生 by track and line: the students of each line's track whose counted total lies in
    [line − ``band``, line) (:func:`eduquality.measures.groups.borderline`, one-sided points).
    Rows of ``ExamAnalysis.groups``: student_id, group 'line_borderline', subject_code 'total',
    track, line, gap (total − line, negative)."""
    cols = ["student_id", "group", "subject_code", "track", "line", "gap"]
    if lines.empty:
        return pd.DataFrame(columns=cols)
    counted = _counted(students, "student_id", "subject_code", "track")
    totals = counted[counted["subject_code"] == "total"].set_index("student_id")
    rows = []
    for track, line, score, _source in lines.itertuples(index=False, name=None):
        total = totals.loc[totals["track"].fillna("") == (track or ""), "score"].dropna()
        near = total[borderline(total, float(score), band).to_numpy()]
        rows.append(pd.DataFrame({"student_id": near.index, "group": "line_borderline",
                                  "subject_code": "total", "track": track, "line": line,
                                  "gap": near.to_numpy() - float(score)}))
    return pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)


def _counted(students: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The students' ``columns`` with ``score`` the score that counts
    (:func:`~eduquality.analysis.scaling.counted_scores`): those columns only, so that the
    row selections after it do not copy every column of the exam's 2 M rows."""
    return students[list(columns)].assign(score=counted_scores(students))


def online_tables(lines: pd.DataFrame, subject_lines: pd.DataFrame, online: pd.DataFrame,
                  track: str | None = None) -> dict[str, pd.DataFrame]:
    """The 上线 tables of an analysis (its ``lines``, ``subject_lines`` and ``online``), kept to
    one track ('physics' 物理类, 'history' 历史类, 'arts', 'science') when given: ``lines``,
    ``subject_lines`` and ``online`` (every level)."""
    def keep(frame: pd.DataFrame) -> pd.DataFrame:
        if track is None or frame.empty or "track" not in frame.columns:
            return frame
        return frame[frame["track"] == track].reset_index(drop=True)

    return {"lines": keep(lines), "subject_lines": keep(subject_lines), "online": keep(online)}
