"""3+1+2 in the simulator: the regime by cohort and the 选科 rule (eduquality.simulate.choices)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from eduquality.simulate.choices import (
    CHANGE_RATE,
    FIRST,
    SECOND,
    change,
    choose,
    combination,
    new_regime,
)
from eduquality.simulate.curriculum import SUBJECT_INDEX, SUBJECTS
from eduquality.simulate.exams import calendar, sitting


def _draw(n: int = 60_000, seed: int = 3):
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 0.8, n)
    lam = rng.normal(0.0, 0.5, (n, len(SUBJECTS)))
    female = rng.random(n) < 0.48
    first, second = choose(theta, lam, female, rng)
    combos = pd.Series([combination(FIRST[f], [SECOND[a], SECOND[b]])
                        for f, (a, b) in zip(first, second, strict=True)])
    return theta, lam, female, first, second, combos


def test_regime_switches_with_the_2022_entrants():
    assert not new_regime(2021, 10) and new_regime(2022, 10)
    assert not new_regime(2022, 11) and new_regime(2023, 11)      # 2021 / 2022 entrants
    assert not new_regime(2023, 12) and new_regime(2024, 12)      # 高考 2024 old, 2025 new
    assert not new_regime(2030, 9)                                 # no regime below 高中
    specs = {s.exam_id: s for s in calendar("minimal", ["2023-2024", "2024-2025"])}
    old, new = specs["2024-G12-GK"], specs["2025-G12-GK"]
    assert old.papers() == [("语文", None), ("英语", None), ("数学", "理科"), ("物理", "理科"),
                            ("化学", "理科"), ("生物", "理科"), ("数学", "文科"),
                            ("思想政治", "文科"), ("历史", "文科"), ("地理", "文科")]
    assert new.papers() == [("语文", None), ("数学", None), ("英语", None), ("物理", "物理类"),
                            ("历史", "历史类"), ("化学", None), ("生物", None),
                            ("思想政治", None), ("地理", None)]
    assert old.gaokao_style and not new.gaokao_style  # 3+1+2 papers: 100 marks, no 选做
    g10 = next(s for s in calendar("minimal", ["2025-2026"]) if s.exam_id == "2026-G10-FIN2")
    assert g10.new_regime and not g10.by_choice and len(g10.papers()) == 9  # 高一 sits all


def test_who_sits_a_paper():
    takers = pd.DataFrame({"track": ["物理类", "历史类", None],
                           "electives": ["化学,生物", "思想政治,地理", None]})
    assert sitting(takers, "物理", "物理类", True).tolist() == [True, False, False]
    assert sitting(takers, "化学", None, True).tolist() == [True, False, False]
    assert sitting(takers, "地理", None, True).tolist() == [False, True, False]
    assert sitting(takers, "化学", None, False).tolist() == [True, True, True]  # 高一
    assert sitting(takers, "语文", None, True).tolist() == [True, True, True]


def test_combination_shares_are_realistic():
    *_, first, second, combos = _draw()
    assert 0.55 <= (first == 0).mean() <= 0.65                    # 物理类 55–65 %
    assert (second[:, 0] < second[:, 1]).all()                    # two different, ordered
    share = combos.value_counts(normalize=True)
    assert list(share.index[:2]) == ["物化生", "历政地"]
    assert 0.30 <= share["物化生"] <= 0.42 and 0.12 <= share["历政地"] <= 0.24
    assert len(share) == 12 and share.min() > 0                   # every combination occurs


def test_choices_depend_on_sex_and_ability_in_the_stated_direction():
    theta, lam, female, first, second, _combos = _draw()
    physics = first == 0
    assert physics[~female].mean() - physics[female].mean() > 0.10   # boys choose 物理 more
    high, low = theta > 0.5, theta < -0.5
    assert physics[high].mean() - physics[low].mean() > 0.15        # abler students too
    chem = (second == SECOND.index("化学")).any(axis=1)
    assert chem[physics & high].mean() > chem[physics & low].mean()
    bio = (second == SECOND.index("生物")).any(axis=1)
    assert bio[physics & female].mean() > bio[physics & ~female].mean()
    # a stronger subject is chosen more often
    strong = lam[:, SUBJECT_INDEX["地理"]] > 0.5
    geo = (second == SECOND.index("地理")).any(axis=1)
    assert geo[strong].mean() > geo[~strong].mean() + 0.1


def test_changes_swap_one_subject_for_a_few_students():
    _theta, lam, _female, _first, second, _combos = _draw(n=40_000)
    new, changed = change(second, lam, np.random.default_rng(9))
    assert abs(changed.mean() - CHANGE_RATE) < 0.004
    assert (new[~changed] == second[~changed]).all()
    moved = new[changed]
    kept = [len(set(a) & set(b)) for a, b in zip(moved, second[changed], strict=True)]
    assert set(kept) == {1} and (moved[:, 0] < moved[:, 1]).all()
