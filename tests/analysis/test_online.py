"""上线分析 in the 3+1+2 regime on the hand-made 20-student exam (tests/analysis/new_regime_exam):
物理类/历史类 lines, 有效分 of raw and 赋分 subjects, 单上线/双上线, 命中率/贡献率, 临界生 by track.
Also: 再选 subjects that only some students of a track took."""

from __future__ import annotations

import pandas as pd
import pytest

from eduquality.analysis.online import line_borderline, online_analysis
from eduquality.analysis.scaling import add_scaled_scores
from eduquality.measures.scaling_rules import rule_for
from tests.analysis.new_regime_exam import exam_rows

LINES = pd.DataFrame({"track": ["physics", "physics", "history"],
                      "line": ["本科批", "特控线", "本科批"],
                      "score": [540.0, 600.0, 500.0], "source": "official"})


@pytest.fixture(scope="module")
def exam() -> pd.DataFrame:
    return add_scaled_scores(exam_rows(), rule_for("云南省", 2025))


def _district(summary: pd.DataFrame, track: str, line: str) -> pd.DataFrame:
    rows = summary[(summary["level"] == "district") & (summary["track"] == track)
                   & (summary["line"] == line)]
    return rows.set_index("subject")


def test_subject_lines_include_scaled_subjects(exam: pd.DataFrame) -> None:
    lines, _ = online_analysis(exam, LINES)
    # 物理类 750 totals (raw 语数外 + 物理, 赋分 再选): P1 665, P2 620, P3 582, P4 565, P5 543,
    # then 476, 475, 426, 425, 360. 本科批 540: P1–P5 reach it; P1 = 2975/5 = 595, k = 540/595.
    mine = lines[(lines["track"] == "physics") & (lines["line"] == "本科批")].set_index(
        "subject_code")["subject_line"]
    k = 540 / 595
    assert mine["math"] == pytest.approx(k * 120)           # (140+120+110+130+100)/5
    assert mine["chinese"] == pytest.approx(k * 110)
    assert mine["physics"] == pytest.approx(k * 80)
    assert mine["chemistry"] == pytest.approx(k * 83.4)     # 赋分 (100+85+82+79+71)/5
    assert mine["biology"] == pytest.approx(k * 81.5)       # 赋分 of its 4 takers among them
    assert mine["geography"] == pytest.approx(k * 82)       # P5 alone
    assert "politics" not in mine.index and "history" not in mine.index


def test_single_and_double_online_hit_and_contribution_rates(exam: pd.DataFrame) -> None:
    _, summary = online_analysis(exam, LINES)
    d = _district(summary, "physics", "本科批")
    cols = ["n_valid", "n_total_on", "n_subject_on", "n_double_on", "n_total_only",
            "n_subject_only"]
    # 数学 line 108.9: P1–P4 on (110 ≥ 108.9), P5 100 not → 单上线 (total only) P5
    assert d.loc["math", cols].tolist() == [10, 5, 4, 4, 1, 0]
    assert (d.loc["math", "hit_rate"], d.loc["math", "contribution_rate"]) == (1.0, 0.8)
    # 语文 line 99.8: P1–P5 and P8 (100, total 426) → 6 on the line, 5 双上线, 1 subject only
    assert d.loc["chinese", cols].tolist() == [10, 5, 6, 5, 0, 1]
    assert d.loc["chinese", "hit_rate"] == pytest.approx(5 / 6)
    assert d.loc["chinese", "contribution_rate"] == 1.0
    # 英语 line 108.9: P1–P5 and P7 (112)
    assert d.loc["english", cols].tolist() == [10, 5, 6, 5, 0, 1]
    # 化学 赋分 line 75.7: 100 85 82 79 on, P5's 71 not
    assert d.loc["chemistry", cols].tolist() == [10, 5, 4, 4, 1, 0]
    # 生物 赋分 line 73.97 over its takers: P1 85, P2 100 on; P3 70, P4 71 total only; P5 does
    # not take 生物 and is not among its 总分上线 → 贡献率 2/4, not 2/5
    assert d.loc["biology", cols].tolist() == [7, 4, 2, 2, 2, 0]
    assert (d.loc["biology", "hit_rate"], d.loc["biology", "contribution_rate"]) == (1.0, 0.5)
    assert d.loc["geography", cols].tolist() == [3, 1, 1, 1, 0, 0]
    # 特控线 600: P1 665 and P2 620
    assert _district(summary, "physics", "特控线").loc["math", "n_total_on"] == 2
    # 历史类 本科批 500: H1 640, H2 590, H3 560, H4 531, H5 502 (H6 480)
    h = _district(summary, "history", "本科批")
    assert set(h.index) == {"chinese", "math", "english", "history", "politics", "geography"}
    assert set(h["n_total_on"]) == {5}
    # schools: S1 holds the odd numbers — P1, P3, P5 of the 5 above 540
    s1 = summary[(summary["level"] == "school") & (summary["unit"] == "S1")
                 & (summary["track"] == "physics") & (summary["line"] == "本科批")]
    assert s1.set_index("subject").loc["math", "n_total_on"] == 3


def test_borderline_students_by_track(exam: pd.DataFrame) -> None:
    near = line_borderline(exam, LINES, band=70)
    got = {(r.track, r.line, r.student_id): r.gap for r in near.itertuples()}
    # 物理类 本科批 540: [470, 540) → P6 475 (−65), P7 476 (−64); 特控线 600: [530, 600) →
    # P3 582, P4 565, P5 543; 历史类 本科批 500: [430, 500) → H6 480, H7 449
    assert got == {("physics", "本科批", "P6"): -65, ("physics", "本科批", "P7"): -64,
                   ("physics", "特控线", "P3"): -18, ("physics", "特控线", "P4"): -35,
                   ("physics", "特控线", "P5"): -57, ("history", "本科批", "H6"): -20,
                   ("history", "本科批", "H7"): -51}
    assert set(near["group"]) == {"line_borderline"} and set(near["subject_code"]) == {"total"}


def _students() -> pd.DataFrame:
    """History track: s1 (total 500) and s2 (450) chose 政治+地理, s3 (300) 化学+生物."""
    rows = []
    for sid, total, chosen in (("s1", 500.0, {"politics": 80.0, "geography": 70.0}),
                               ("s2", 450.0, {"politics": 70.0, "geography": 60.0}),
                               ("s3", 300.0, {"chemistry": 50.0, "biology": 40.0})):
        rows.append((sid, "total", total))
        rows += [(sid, subject, score) for subject, score in chosen.items()]
    df = pd.DataFrame(rows, columns=["student_id", "subject_code", "score"])
    return df.assign(track="history", school_code="S1")


def test_a_subject_no_one_on_the_line_took_has_no_line_and_no_error():
    lines = pd.DataFrame({"track": ["history"], "line": ["本科批"], "score": [440.0],
                          "source": ["official"]})
    sub, online = online_analysis(_students(), lines)
    # coefficient method: P1 = mean total of s1, s2 = 475, k = 440 / 475
    got = sub.set_index("subject_code")["subject_line"]
    assert set(got.index) == {"politics", "geography"}
    assert got["politics"] == pytest.approx(440 / 475 * 75)
    assert got["geography"] == pytest.approx(440 / 475 * 65)
    assert set(online["subject"]) == {"politics", "geography"}


# -- the first 3+1+2 year: a 2025 mock's lines bridged from the 2024 文科/理科 lines ----------

def _bridge_db():
    from eduquality.store import open_database

    db = open_database(":memory:")
    with db.write() as con:
        con.execute("INSERT INTO district VALUES ('D', '测试区', '测试市', '云南省')")
        con.executemany("INSERT INTO cut_line VALUES (2024, '云南省', 'gaokao', ?, ?, ?)",
                        [("science", "一本", 500.0), ("science", "二本", 400.0),
                         ("arts", "一本", 480.0), ("arts", "二本", 380.0),
                         ("science", "专科", 200.0)])
        table = [("science", s, n) for s, n in
                 ((600, 10), (500, 10), (450, 20), (400, 20), (300, 40))]
        table += [("arts", s, n) for s, n in ((550, 5), (480, 5), (400, 10), (380, 20), (300, 10))]
        cum: dict[str, int] = {}
        rows = []
        for track, score, n in table:
            cum[track] = cum.get(track, 0) + n
            rows.append((track, float(score), n, cum[track]))
        con.executemany("INSERT INTO score_distribution VALUES (2024, '云南省', 'gaokao', ?, ?,"
                        " ?, ?)", rows)
    return db


def _mock_totals(by_track: dict[str, list[float]], new_regime: bool = True) -> pd.DataFrame:
    rows = [{"student_id": f"{t}{i}", "subject_code": "total", "track": t, "score": s,
             "scaled_score": s if new_regime else float("nan"), "new_regime": new_regime}
            for t, scores in by_track.items() for i, s in enumerate(scores)]
    return pd.DataFrame(rows)


def test_first_new_regime_mock_bridges_last_years_old_lines_by_hand() -> None:
    from eduquality.analysis.exam import method_notes
    from eduquality.analysis.online import bridge_note, exam_lines
    from eduquality.config import Settings
    from eduquality.reports.labels import analysis_methods
    from eduquality.results import ExamInfo

    db = _bridge_db()
    info = ExamInfo("2025-diag1", "一诊", "diag1", "city", "2024-2025", 12, "2025-03-01", [])
    students = _mock_totals({"physics": [700, 650, 600, 580, 560, 540, 520, 500, 480, 460],
                             "history": [620, 600, 550, 500, 450]})
    lines = exam_lines(db, info, students)
    # 2024 理科: 100 candidates; 一本 500 has 20 at or above (p = 0.2), 二本 400 has 60 (0.6).
    # 2024 文科: 50; 一本 480 → 10 (0.2), 二本 380 → 40 (0.8). 专科 carries nothing across.
    # 物理类 (10): 特控线 at rank ⌈0.2·10⌉ = 2 → 650, 本科批 at rank 6 → 540;
    # 历史类 (5): 特控线 at rank 1 → 620, 本科批 at rank 4 → 500.
    assert sorted(lines.values.tolist()) == sorted([
        ["physics", "特控线", 650.0, "rank_bridge"], ["physics", "本科批", 540.0, "rank_bridge"],
        ["history", "特控线", 620.0, "rank_bridge"], ["history", "本科批", 500.0, "rank_bridge"]])
    note = bridge_note(db, info, lines)
    assert note is not None and note["year"] == "2024"
    assert sorted(note["pairs"].split("；")) == sorted([
        "物理类特控线 ← 理科一本（20.0%）", "物理类本科批 ← 理科二本（60.0%）",
        "历史类特控线 ← 文科一本（20.0%）", "历史类本科批 ← 文科二本（80.0%）"])
    assert sorted(note["pairs_en"].split("; ")) == sorted([
        "physics track special control line ← science tier-1 line (20.0%)",
        "physics track undergraduate line ← science tier-2 line (60.0%)",
        "history track special control line ← arts tier-1 line (20.0%)",
        "history track undergraduate line ← arts tier-2 line (80.0%)"])
    notes = method_notes(Settings(), bridge=note)
    term, text = analysis_methods(notes, "zh")[-1]
    assert term == "新旧高考分数线衔接" and "物理类特控线 ← 理科一本（20.0%）" in text
    assert "2024 年高考仍为文理分科" in text
    assert "physics track" in analysis_methods(notes, "en")[-1][1]
    # an old-regime mock (理科 candidates) carries the 理科 lines as they are: no bridge, no note
    old = exam_lines(db, info, _mock_totals({"science": [700, 650, 600, 580, 560]},
                                            new_regime=False))
    # (5 candidates: 一本 p 0.2 → rank 1, 二本 0.6 → rank 3, 专科 200 → all 100 → rank 5)
    assert sorted(old.values.tolist()) == sorted([["science", "一本", 700.0, "rank_method"],
                                                  ["science", "二本", 600.0, "rank_method"],
                                                  ["science", "专科", 560.0, "rank_method"]])
    assert bridge_note(db, info, old) is None


def test_no_lines_no_online_rows(exam: pd.DataFrame) -> None:
    """An exam without lines (any grade's monitoring exam) has no 上线 rows and no 临界生 of a
    line; the frames keep their columns where the analysis reads them."""
    none = LINES.iloc[0:0]
    subject_lines, summary = online_analysis(exam, none)
    assert subject_lines.empty and summary.empty
    near = line_borderline(exam, none, band=70)
    assert near.empty
    assert list(near.columns) == ["student_id", "group", "subject_code", "track", "line", "gap"]
