"""赋分 at an exam: who is converted, over which population, raw and 赋分 both kept, 750 totals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from eduquality.analysis.scaling import add_scaled_scores, counted_scores
from eduquality.measures.scaling_rules import rule_for
from tests.analysis.new_regime_exam import exam_rows

RULE = rule_for("云南省", 2025)


def _by(df: pd.DataFrame, subject: str, column: str = "scaled_score") -> dict[str, float]:
    rows = df[df["subject_code"] == subject]
    return dict(zip(rows["student_id"], rows[column], strict=True))


def test_electives_scaled_over_the_exams_own_takers_by_hand() -> None:
    out = add_scaled_scores(exam_rows(), RULE)
    # 化学, 10 takers (P1–P10): A = rank ≤ 1.5, B ≤ 5, C ≤ 8.5, D ≤ 9.8, E the 10th.
    # raw 90 | 80 78 76 70 | 60 55 50 | 40 | 20
    # B: Y1 = 70, Y2 = 80: 78 → 71 + 14·8/10 = 82.2 → 82; 76 → 79.4 → 79
    # C: Y1 = 50, Y2 = 60: 55 → 56 + 14·5/10 = 63; D, E alone → their upper ends 55, 40
    assert _by(out, "chemistry") == dict(zip(
        [f"P{i}" for i in range(1, 11)], [100, 85, 82, 79, 71, 70, 63, 56, 55, 40],
        strict=True))
    assert "".join(_by(out, "chemistry", "scaled_grade").values()) == "ABBBBCCCDE"
    # 生物, 7 takers: A ≤ 1.05, B ≤ 3.5, C ≤ 5.95, D ≤ 6.86: 90 | 80 78 | 70 60 | 50 | 20
    assert _by(out, "biology") == {"P2": 100, "P1": 85, "P4": 71, "P3": 70, "P7": 56,
                                   "P6": 55, "P8": 40}
    # 地理, 13 takers of both tracks: A ≤ 1.95, B ≤ 6.5, C ≤ 11.05, D ≤ 12.74
    # 95 | 88 86 84 80 77 | 72 68 64 62 58 | 50 | 45
    # B (Y1 77, Y2 88): 86 → 71 + 14·9/11 = 82.45 → 82; 84 → 79.9 → 80; 80 → 74.8 → 75
    # C (Y1 58, Y2 72): 68 → 56 + 14·10/14 = 66; 64 → 62; 62 → 60
    geo = _by(out, "geography")
    assert [geo[s] for s in ("H1", "H2", "P5", "H3", "H4", "H5")] == [100, 85, 82, 80, 75, 71]
    assert [geo[s] for s in ("H6", "H7", "H8", "P9", "H9", "H10", "P10")] == [
        70, 66, 62, 60, 56, 55, 40]
    # raw scores kept as they were; 语数外 and 首选 count raw
    assert _by(out, "geography", "score")["P5"] == 86
    assert _by(out, "math") == _by(out, "math", "score")


def test_totals_tracks_and_counted_scores() -> None:
    out = add_scaled_scores(exam_rows(), RULE)
    total = _by(out, "total")
    # P1: 120 + 140 + 130 + 90 + 化学 100 + 生物 85; P5: 390 + 71 + 地理 82; H4: 380 + 76 + 75
    assert (total["P1"], total["P5"], total["H4"]) == (665, 543, 531)
    raw_total = _by(out, "total", "score")
    assert raw_total["P5"] == 390 + 70 + 86  # the raw sum stays in score
    tracks = out.drop_duplicates("student_id").set_index("student_id")["track"]
    assert set(tracks[[f"P{i}" for i in range(1, 11)]]) == {"physics"}
    assert set(tracks[[f"H{i}" for i in range(1, 11)]]) == {"history"}
    counted = out.assign(c=counted_scores(out))
    assert _by(counted, "total", "c") == total


def test_absent_elective_gives_no_total() -> None:
    rows = exam_rows()
    absent = (rows["student_id"] == "P3") & (rows["subject_code"] == "biology")
    rows.loc[absent, ["score", "status"]] = [np.nan, "absent"]
    out = add_scaled_scores(rows, RULE)
    assert np.isnan(_by(out, "total")["P3"]) and np.isnan(_by(out, "biology")["P3"])
    # 生物 now has 6 takers (A ≤ 0.9 → none; B ≤ 3: 90 80 78; C ≤ 5.1: 60 50; D ≤ 5.88 → none;
    # E: 20): P2 → 85, P4 (78, B's Y1) → 71
    assert _by(out, "biology")["P2"] == 85 and _by(out, "biology")["P4"] == 71


def test_before_subject_choice_and_in_the_old_regime_nothing_is_converted() -> None:
    rows = exam_rows()
    everyone = add_scaled_scores(rows, None)
    assert not everyone["new_regime"].any() and everyone["scaled_score"].isna().all()
    pd.testing.assert_series_equal(counted_scores(everyone), rows["score"].rename("score"))
    # a 高一 exam before 选科: everyone sits all nine subjects → not a 3+1+2 set
    ids = rows["student_id"].unique()
    nine = pd.DataFrame([{"student_id": s, "subject_code": c, "score": 60.0, "full_marks": 100.0,
                          "track": None} for s in ids for c in
                         ("chinese", "math", "english", "physics", "history", "chemistry",
                          "biology", "politics", "geography")])
    out = add_scaled_scores(nine, RULE)
    assert not out["new_regime"].any() and out["scaled_score"].isna().all()


@pytest.mark.parametrize("province", ["火星省", None])
def test_unknown_province_has_no_rule(province: str | None) -> None:
    assert rule_for(province, 2025) is None


def test_analyse_exam_runs_the_new_regime_from_the_store() -> None:
    from eduquality.analysis.exam import analyse_exam
    from eduquality.config import Settings
    from tests.factories import new_regime_db

    a = analyse_exam(new_regime_db(), "2025-gaokao", Settings())
    st = a.students
    total = st[st["subject_code"] == "total"].set_index("student_id")
    # students 1 (P1), 5 (P5), 14 (H4): the 750 totals worked in test_totals_tracks_…
    assert total.loc[[1, 5, 14], "scaled_score"].tolist() == [665, 543, 531]
    # the 总分 that counts is the total everywhere: rows, summaries (raw subjects stay raw)
    assert total.loc[5, "score"] == 543 and total.loc[5, "track"] == "physics"
    district = a.summaries["district"].set_index("subject_code")
    assert district.loc["total", "mean"] == pytest.approx((5137 + 4916) / 20)
    assert district.loc["chemistry", "mean"] == pytest.approx(61.9)  # raw: 619 / 10
    d = a.online[(a.online["level"] == "district") & (a.online["track"] == "physics")
                 & (a.online["line"] == "本科批")].set_index("subject")
    assert d.loc["biology", ["n_total_on", "n_double_on"]].tolist() == [4, 2]
    assert (a.methods[-1][0], a.methods[-1][1]["rule"]) == ("scaling", "云南省")
    # 临界生 by track, band 5 % of 750 = 37.5: 特控线 600 → P3 582, P4 565; 历史类 500 → H6 480
    near = a.groups[a.groups["group"] == "line_borderline"]
    assert set(zip(near["track"], near["line"], near["student_id"], strict=True)) == {
        ("physics", "特控线", 3), ("physics", "特控线", 4), ("history", "本科批", 16)}
    # a province without 3+1+2 rules: nothing is converted (and no track is known: no 上线 rows)
    old = analyse_exam(new_regime_db("火星省"), "2025-gaokao", Settings())
    assert not old.students["new_regime"].any() and "scaling" not in dict(old.methods)


def test_a_new_regime_analysis_is_stored_exactly() -> None:
    from eduquality.analysis.exam import analyse_exam
    from eduquality.config import Settings
    from eduquality.store.analysis_store import decode_analysis, encode_analysis
    from tests.factories import new_regime_db
    from tests.store.test_analysis_store import assert_same_analysis

    a = analyse_exam(new_regime_db(), "2025-gaokao", Settings())
    b = decode_analysis(*encode_analysis(a))
    assert_same_analysis(a, b)
    assert set(b.students["scaled_grade"].dropna()) == set("ABCDE")
