"""Student groups: hand examples, loop re-implementations on a simulated grade, properties."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.i18n import tr
from eduquality.measures.groups import (
    PROGRESS_LABELS,
    GroupRuleError,
    borderline,
    reliable_change,
    struggling_students,
    subject_gaps,
    t_score_sem,
    top_students,
    weak_subjects,
)


def _grade(n: int = 300, seed: int = 5) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    ability = rng.normal(0, 1, n)
    scores = pd.DataFrame({
        s: np.round(np.clip(70 + 12 * (ability + rng.normal(0, 0.8, n)), 0, 100))
        for s in ["chinese", "math", "english", "physics"]
    }, index=[f"s{i}" for i in range(n)])
    scores = scores.mask(rng.random(scores.shape) < 0.03)
    grade = pd.Series(rng.choice([8, 9], n), index=scores.index)
    return scores, grade


def test_top_students_hand() -> None:
    total = pd.Series([500, 480, 480, 470, 460, 450, 440, 430, 420, np.nan, 400])
    # N = 10 valid, top 20 % → ⌈2⌉ = 2 places; ranks 1, 2, 2 → the tie at 480 is kept: 3
    assert top_students(total, 0.2).tolist() == [True] * 3 + [False] * 8
    # 10 % → 1 place: only 500
    assert top_students(total, 0.1).sum() == 1
    with pytest.raises(GroupRuleError):
        top_students(total, 0)


def test_struggling_hand() -> None:
    s = pd.Series([30.0, 35, 50, 60, 70, 80, 90, 95, np.nan, 20])
    # N = 9, bottom 20 % → ⌈1.8⌉ = 2: 20 and 30
    assert s[struggling_students(s, share=0.2)].tolist() == [30, 20]
    # line 40 (40 % of 100): below it → 30, 35, 20; union with bottom share: the same three
    assert s[struggling_students(s, share=0.2, line=40)].tolist() == [30, 35, 20]
    with pytest.raises(GroupRuleError) as info:
        struggling_students(s)
    assert "share" in info.value.text("en")


def test_subject_gaps_hand() -> None:
    df = pd.DataFrame({"math": [60.0, 70, 80, 90], "chinese": [90.0, 80, 70, np.nan],
                       "english": [70.0, 70, 70, 70]})
    # math: mean 75, SD √(500/3) = 12.910 → z = −1.162, −0.387, 0.387, 1.162
    # chinese (3 takers): mean 80, SD 10 → z = 1, 0, −1, NaN
    # english: SD 0 → no Z for anyone
    # student 0: own mean = (−1.162 + 1)/2 = −0.081 → math gap = −0.081 + 1.162 = 1.081
    # student 3: one Z only → no gaps
    gaps = subject_gaps(df)
    assert gaps.loc[0, "math"] == pytest.approx((-1.161895 + 1) / 2 + 1.161895, abs=1e-5)
    assert gaps.loc[0, "chinese"] == pytest.approx((-1.161895 + 1) / 2 - 1, abs=1e-5)
    assert gaps.loc[3].isna().all() and gaps["english"].isna().all()
    weak = weak_subjects(df)
    assert weak.loc[0, "math"] and not weak.loc[0, "chinese"] and weak.to_numpy().sum() == 1
    assert not weak_subjects(df, k=1.1).to_numpy().any()  # 1.081 < 1.1


def test_borderline_hand() -> None:
    s = pd.Series([560, 552, 550, 550, 549, 545, 540, 530, np.nan], dtype=float)
    line = 550
    # one-sided, 10 points: 540 ≤ x < 550 → 549, 545, 540
    assert s[borderline(s, line, 10)].tolist() == [549, 545, 540]
    # two-sided, 2 points: 548 ≤ x ≤ 552 → 552, 550, 550, 549
    assert s[borderline(s, line, 2, two_sided=True)].tolist() == [552, 550, 550, 549]
    # ranks: A = 4 at or above 550; one-sided b = 2 → below the line with rank ≤ 6: 549, 545
    assert s[borderline(s, line, 2, unit="ranks")].tolist() == [549, 545]
    # two-sided b = 1: above the line with worst rank > 3 → the tie at 550 (ranks 3–4) whole;
    # below with rank ≤ 5 → 549
    assert s[borderline(s, line, 1, unit="ranks", two_sided=True)].tolist() == [550, 550, 549]
    # one line per student (track lines): 物理类 550, 历史类 540
    lines = pd.Series([550, 550, 550, 550, 540, 540, 540, 540, 540], dtype=float)
    # 15 points: the first four are not below 550; of the rest only 530 is in [525, 540)
    assert s[borderline(s, lines, 15)].tolist() == [530]
    with pytest.raises(GroupRuleError):
        borderline(s, lines, 1, unit="ranks")  # two lines in one reference group
    with pytest.raises(GroupRuleError):
        borderline(s, line, -1)


def test_reliable_change_hand() -> None:
    before = pd.Series({"a": 50.0, "b": 50.0, "c": 60.0, "d": 45.0})
    after = pd.Series({"a": 56.0, "b": 55.0, "c": 53.0, "e": 70.0})
    # α = 0.91 → SEM_T = 10·√0.09 = 3; SE_diff = 3√2 = 4.243; 1.96·4.243 = 8.32
    # a: +6 → 1.41 stable; b: +5 stable; c: −7 → −1.65 stable — all within error at 95 %
    out = reliable_change(before, after, sem=t_score_sem(0.91))
    assert out.loc[["a", "b", "c"], "status"].tolist() == ["stable"] * 3
    assert out.loc["a", "se_diff"] == pytest.approx(3 * math.sqrt(2))
    assert out.loc[["d", "e"], "status"].isna().all()  # missing one exam
    # at z = 1.645 (90 %, critical change 6.98): still stable; at z = 1.0 (4.24): a, b up, c down
    loose = reliable_change(before, after, sem=3.0, z=1.0)
    assert loose.loc[["a", "b", "c"], "status"].tolist() == ["progress", "progress", "regress"]
    # ranks: smaller is better; SE per student
    rb, ra = pd.Series([120.0, 40.0]), pd.Series([60.0, 45.0])
    se = pd.Series([20.0, 2.0])
    # student 0: improvement 60/20 = 3 → progress; student 1: −5/2 = −2.5 → regress
    ranks = reliable_change(rb, ra, se_diff=se, higher_is_better=False)
    assert ranks["status"].tolist() == ["progress", "regress"]
    # different SEMs: √(3² + 4²) = 5
    assert reliable_change(before, after, sem=(3.0, 4.0))["se_diff"].iloc[0] == 5
    with pytest.raises(GroupRuleError):
        reliable_change(before, after)
    assert tr(PROGRESS_LABELS["regress"]) == "退步"


# ---- loop-based re-implementations on a simulated grade ---------------------------------------

def test_top_and_struggling_match_loops() -> None:
    scores, grade = _grade()
    total = scores.sum(axis=1, min_count=4)
    ours_top = top_students(total, 0.15, by=grade)
    ours_low = struggling_students(scores["math"], share=0.1, by=grade)
    for g in [8, 9]:
        members = [i for i in total.index if grade[i] == g]
        valid = [total[i] for i in members if not math.isnan(total[i])]
        places = math.ceil(0.15 * len(valid))
        for i in members:
            x = total[i]
            rank = None if math.isnan(x) else 1 + sum(1 for y in valid if y > x)
            assert ours_top[i] == (rank is not None and rank <= places)
        math_valid = [scores.loc[i, "math"] for i in members
                      if not math.isnan(scores.loc[i, "math"])]
        places = math.ceil(0.1 * len(math_valid))
        for i in members:
            x = scores.loc[i, "math"]
            rank = None if math.isnan(x) else 1 + sum(1 for y in math_valid if y < x)
            assert ours_low[i] == (rank is not None and rank <= places)


@pytest.mark.slow
def test_weak_subjects_match_loop() -> None:
    scores, grade = _grade()
    ours = weak_subjects(scores, k=0.8, by=grade)
    z: dict[tuple[str, str], float] = {}
    for g in [8, 9]:
        members = [i for i in scores.index if grade[i] == g]
        for s in scores.columns:
            vals = [scores.loc[i, s] for i in members if not math.isnan(scores.loc[i, s])]
            mean, sd = statistics.mean(vals), statistics.stdev(vals)
            for i in members:
                if not math.isnan(scores.loc[i, s]):
                    z[(i, s)] = (scores.loc[i, s] - mean) / sd
    for i in scores.index:
        own = [z[(i, s)] for s in scores.columns if (i, s) in z]
        for s in scores.columns:
            expected = len(own) >= 2 and (i, s) in z and statistics.mean(own) - z[(i, s)] >= 0.8
            assert ours.loc[i, s] == expected


@pytest.mark.slow
def test_rank_borderline_matches_loop() -> None:
    scores, grade = _grade()
    x = scores["math"]
    for two_sided in (False, True):
        ours = borderline(x, 80, 15, unit="ranks", two_sided=two_sided, by=grade)
        for g in [8, 9]:
            members = [i for i in x.index if grade[i] == g]
            valid = [x[i] for i in members if not math.isnan(x[i])]
            above = sum(1 for y in valid if y >= 80)
            for i in members:
                if math.isnan(x[i]):
                    assert not ours[i]
                    continue
                best = 1 + sum(1 for y in valid if y > x[i])
                worst = sum(1 for y in valid if y >= x[i])
                expected = x[i] < 80 and best <= above + 15
                if two_sided:
                    expected = expected or (x[i] >= 80 and worst > above - 15)
                assert ours[i] == expected


# ---- properties ---------------------------------------------------------------------------

scores_st = st.lists(st.one_of(st.integers(0, 60).map(float), st.just(math.nan)),
                     min_size=1, max_size=80)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(scores_st, st.integers(0, 60), st.integers(0, 20), st.integers(0, 20), st.booleans())
def test_borderline_sets_nested(raw: list[float], line: int, b1: int, b2: int,
                                two_sided: bool) -> None:
    s = pd.Series(raw)
    lo, hi = sorted((b1, b2))
    for unit in ("points", "ranks"):
        small = borderline(s, line, lo, two_sided=two_sided, unit=unit)  # type: ignore[arg-type]
        large = borderline(s, line, hi, two_sided=two_sided, unit=unit)  # type: ignore[arg-type]
        assert not (small & ~large).any()
        assert not large[s.isna()].any()
    one = borderline(s, line, hi)
    assert not (one & ~borderline(s, line, hi, two_sided=True)).any()


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(scores_st, st.floats(0.01, 1.0), st.floats(0.01, 1.0))
def test_top_share_nested_and_large_enough(raw: list[float], p1: float, p2: float) -> None:
    s = pd.Series(raw)
    lo, hi = sorted((p1, p2))
    small, large = top_students(s, lo), top_students(s, hi)
    assert not (small & ~large).any()
    n = int(s.notna().sum())
    assert large.sum() >= min(n, math.ceil(round(hi * n, 9)))
    low = struggling_students(s, share=hi)
    assert low.sum() >= min(n, math.ceil(round(hi * n, 9)))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 100)), min_size=1, max_size=40),
       st.floats(0.5, 10))
@pytest.mark.slow
def test_reliable_change_antisymmetric(pairs: list[tuple[float, float]], sem: float) -> None:
    before = pd.Series([p[0] for p in pairs])
    after = pd.Series([p[1] for p in pairs])
    fwd = reliable_change(before, after, sem=sem)["status"].astype(str)
    back = reliable_change(after, before, sem=sem)["status"].astype(str)
    swap = {"progress": "regress", "regress": "progress", "stable": "stable"}
    assert back.tolist() == [swap[x] for x in fwd]


@pytest.mark.slow
def test_large_grade_runs() -> None:
    rng = np.random.default_rng(2)
    n = 200_000
    scores = pd.DataFrame(rng.integers(0, 150, (n, 6)).astype(float))
    grade = pd.Series(rng.integers(7, 10, n))
    total = scores.sum(axis=1)
    assert top_students(total, 0.1, by=grade).sum() >= n * 0.1
    assert weak_subjects(scores, by=grade).shape == (n, 6)
    assert borderline(total, 450, 300, unit="ranks", two_sided=True, by=grade).sum() >= 1800
