"""选科: combination codes, shares by school/class/gender/year with small units withheld, results
by combination — on a hand-made class list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures.subject_choice import (
    COMBINATIONS,
    ChoiceError,
    choice_shares,
    combination_codes,
    combination_label,
    results_by_combination,
)

WUHUASHENG = ("物理", "化学", "生物")
ROWS = [  # school, class, gender, (首选, 再选, 再选), total
    ("A", "A1", "M", WUHUASHENG, 600), ("A", "A1", "M", ("物理", "生物", "化学"), 580),
    ("A", "A1", "F", WUHUASHENG, 560), ("A", "A1", "F", ("物理", "化学", "地理"), 540),
    ("A", "A1", "F", ("历史", "政治", "地理"), 520), ("A", "A1", "F", ("历史", "地理", "思想政治"), 500),
    ("A", "A2", "M", WUHUASHENG, 480), ("A", "A2", "F", WUHUASHENG, 470),
    ("A", "A2", "M", ("历史", "政治", "地理"), 460), ("A", "A2", "F", ("历史", "化学", "政治"), 450),
    ("A", "A2", "M", ("history", "politics", "chemistry"), 440),
    ("B", "B1", "M", WUHUASHENG, 430), ("B", "B1", "F", ("历史", "政治", "地理"), 420),
    ("B", "B1", "M", ("历史", "政治", "地理"), np.nan),
    ("B", "B1", "F", (None, None, None), 400),  # not chosen yet: left out
]


def frame() -> pd.DataFrame:
    return pd.DataFrame([{"school_code": s, "class_id": c, "gender": g, "first_choice": f,
                          "second_choice_1": a, "second_choice_2": b, "total": t}
                         for s, c, g, (f, a, b), t in ROWS])


PCB, PCG = "physics+chemistry+biology", "physics+chemistry+geography"
HCP, HPG = "history+chemistry+politics", "history+politics+geography"


def test_codes_and_labels() -> None:
    codes = combination_codes(frame())
    assert codes.tolist()[:6] == [PCB, PCB, PCB, PCG, HPG, HPG]  # order of 再选 does not matter
    assert codes.iloc[-1] is None
    assert len(COMBINATIONS) == 12 and len(set(COMBINATIONS)) == 12
    assert [combination_label(c) for c in (PCB, PCG, HCP, HPG)] == ["物化生", "物化地", "史化政",
                                                                    "史政地"]


def test_shares_by_school_and_class_with_small_units_withheld() -> None:
    t = choice_shares(frame(), ["school_code", "class_id"], min_n=4)
    everyone = t[t["level"] == 0].set_index("combination")
    # 14 with a combination: 物化生 6, 物化地 1, 史化政 2, 史政地 5
    assert everyone["n"].to_dict() == {PCB: 6, PCG: 1, HCP: 2, HPG: 5}
    assert everyone.loc[PCB, "share"] == pytest.approx(6 / 14)
    a1 = t[(t["level"] == 2) & (t["class_id"] == "A1")].set_index("combination")
    assert a1["n"].to_dict() == {PCB: 3, PCG: 1, HPG: 2} and set(a1["n_unit"]) == {6}
    # B1 has 3 < 4 (primary); B = B1 would give it back → B withheld; then A = all − B → A;
    # A withheld with both classes shown → its smaller class A2 (5) too. A1 and all stay.
    units = t.drop_duplicates(["level", "school_code", "class_id"])
    hidden = {(r.level, r.school_code, r.class_id) for r in units.itertuples() if r.withheld}
    assert hidden == {(1, "A", None), (1, "B", None), (2, "A", "A2"), (2, "B", "B1")}
    assert t.loc[t["withheld"], ["n", "n_unit", "share"]].isna().all().all()
    assert not t.loc[~t["withheld"], "n"].isna().any()


def test_shares_by_gender_and_by_school() -> None:
    g = choice_shares(frame(), ["gender"])
    m = g[(g["level"] == 1) & (g["gender"] == "M")].set_index("combination")
    f = g[(g["level"] == 1) & (g["gender"] == "F")].set_index("combination")
    assert m["n"].to_dict() == {PCB: 4, HCP: 1, HPG: 2}
    assert f["n"].to_dict() == {PCB: 2, PCG: 1, HCP: 1, HPG: 3}
    assert m.loc[PCB, "share"] == pytest.approx(4 / 7) and f.loc[PCB, "share"] == pytest.approx(2 / 7)
    s = choice_shares(frame(), ["school_code"])
    b = s[(s["level"] == 1) & (s["school_code"] == "B")].set_index("combination")
    assert b["n"].to_dict() == {PCB: 1, HPG: 2} and not s["withheld"].any()


def test_over_the_years() -> None:
    later = frame().assign(year_code="2024-2025")
    later.loc[0, "second_choice_2"] = "地理"  # one student changed 生物 for 地理
    both = pd.concat([frame().assign(year_code="2023-2024"), later], ignore_index=True)
    t = choice_shares(both, ["year_code"])
    y = t[t["level"] == 1].set_index(["year_code", "combination"])["n"]
    assert (y[("2023-2024", PCB)], y[("2024-2025", PCB)]) == (6, 5)
    assert (y[("2023-2024", PCG)], y[("2024-2025", PCG)]) == (1, 2)


def test_results_by_combination() -> None:
    r = results_by_combination(frame(), "total").set_index("combination")
    # 物化生: 600, 580, 560, 480, 470, 430 → mean 520; 史政地: 520, 500, 460, 420 (one NaN)
    assert r.loc[PCB, "n"] == 6 and r.loc[PCB, "mean"] == pytest.approx(520)
    assert r.loc[HPG, "n"] == 4 and r.loc[HPG, "mean"] == pytest.approx(475)
    assert r.loc[PCB, "sd"] == pytest.approx(np.std([600, 580, 560, 480, 470, 430], ddof=1))
    assert r.loc["all", "n"] == 13
    w = results_by_combination(frame(), "total", min_n=2).set_index("combination")
    # 物化地 has 1 (primary); 'all' minus the others would give it back → the smallest shown
    # other (史化政, 2) is withheld too
    assert w.index[w["withheld"]].tolist() == [PCG, HCP]
    assert np.isnan(w.loc[PCG, "mean"]) and w.loc[PCB, "mean"] == pytest.approx(520)


def test_invalid_choices_are_named() -> None:
    bad = frame()
    bad.loc[2, "second_choice_2"] = "化学"   # the same subject twice
    bad.loc[5, "first_choice"] = "化学"      # not a first-choice subject
    bad.loc[7, "second_choice_1"] = None     # partial
    with pytest.raises(ChoiceError) as info:
        combination_codes(bad)
    assert "2, 5, 7" in str(info.value) and "3 students" in info.value.text("en")
    with pytest.raises(ChoiceError, match="first_choice"):
        combination_codes(frame().drop(columns="first_choice"))


@given(st.lists(st.tuples(st.sampled_from(["S1", "S2", "S3"]), st.sampled_from(COMBINATIONS)),
                min_size=1, max_size=60), st.integers(0, 8))
@settings(max_examples=60, deadline=None)
def test_shares_add_up_and_withheld_are_never_alone(rows: list[tuple[str, str]],
                                                    min_n: int) -> None:
    df = pd.DataFrame([{"school_code": s, "first_choice": c.split("+")[0],
                        "second_choice_1": c.split("+")[1], "second_choice_2": c.split("+")[2]}
                       for s, c in rows])
    t = choice_shares(df, ["school_code"], min_n=min_n)
    shown = t[~t["withheld"]]
    assert np.allclose(shown.groupby(["level", "school_code"], dropna=False)["share"].sum(), 1)
    schools = t[t["level"] == 1].drop_duplicates("school_code")
    everyone_withheld = bool(t.loc[t["level"] == 0, "withheld"].any())
    # one withheld school alone would be everyone − the others: so everyone is withheld too
    # (only when that school is the only one), else a second school is
    assert schools["withheld"].sum() != 1 or (everyone_withheld and len(schools) == 1)
    assert not everyone_withheld or len(schools) == 1
